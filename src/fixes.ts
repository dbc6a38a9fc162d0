import type { TSESLint, TSESTree } from '@typescript-eslint/utils';

import { AST_NODE_TYPES } from '@typescript-eslint/utils';

/**
 * Text edits the rules' suggestions share: inserting a statement after another, or at the start or the end of a
 * function body, keeping the surrounding indentation and one-line bodies on one line.
 */

type SourceCode = Readonly<TSESLint.SourceCode>;

/** The leading white space of the line `node` starts on. */
export function indentOf(sourceCode: SourceCode, node: TSESTree.Node): string {
  const line = sourceCode.lines[node.loc.start.line - 1] ?? '';
  return /^\s*/.exec(line)?.[0] ?? '';
}

/** Whether `node` is the first thing on its line. */
export function startsLine(sourceCode: SourceCode, node: TSESTree.Node): boolean {
  const line = sourceCode.lines[node.loc.start.line - 1] ?? '';
  return line.slice(0, node.loc.start.column).trim() === '';
}

/** Inserts `text` on a new line after `statement`, at its indentation. */
export function insertStatementAfter(
  fixer: TSESLint.RuleFixer,
  sourceCode: SourceCode,
  statement: TSESTree.Node,
  text: string,
): TSESLint.RuleFix {
  return fixer.insertTextAfter(statement, `\n${indentOf(sourceCode, statement)}${text}`);
}

/** Inserts `text` as the first statement of a function body (an expression body becomes a block). */
export function prependToBody(
  fixer: TSESLint.RuleFixer,
  sourceCode: SourceCode,
  body: TSESTree.BlockStatement | TSESTree.Expression,
  text: string,
): TSESLint.RuleFix {
  if (body.type !== AST_NODE_TYPES.BlockStatement) {
    return fixer.replaceText(body, `{ ${text} ${sourceCode.getText(body)}; }`);
  }
  const first = body.body[0];
  if (!first) {
    return fixer.replaceText(body, `{ ${text} }`);
  }
  return startsLine(sourceCode, first)
    ? fixer.insertTextBefore(first, `${text}\n${indentOf(sourceCode, first)}`)
    : fixer.insertTextBefore(first, `${text} `);
}

/** Inserts `text` as the last statement of a function body (an expression body becomes a block). */
export function appendToBody(
  fixer: TSESLint.RuleFixer,
  sourceCode: SourceCode,
  body: TSESTree.BlockStatement | TSESTree.Expression,
  text: string,
): TSESLint.RuleFix {
  if (body.type !== AST_NODE_TYPES.BlockStatement) {
    return fixer.replaceText(body, `{ ${sourceCode.getText(body)}; ${text} }`);
  }
  const last = body.body.at(-1);
  if (!last) {
    return fixer.replaceText(body, `{ ${text} }`);
  }
  if (body.loc.start.line === body.loc.end.line) {
    return fixer.insertTextAfter(last, ` ${text}`);
  }
  return fixer.insertTextAfter(last, `\n${indentOf(sourceCode, last)}${text}`);
}

/** Inserts `text` before `statement`; a lone statement (`if (bad) return;`) becomes a block. */
export function insertStatementBefore(
  fixer: TSESLint.RuleFixer,
  sourceCode: SourceCode,
  statement: TSESTree.Node,
  text: string,
): TSESLint.RuleFix {
  const list = statement.parent;
  const inList =
    list?.type === AST_NODE_TYPES.BlockStatement ||
    list?.type === AST_NODE_TYPES.Program ||
    list?.type === AST_NODE_TYPES.SwitchCase ||
    list?.type === AST_NODE_TYPES.StaticBlock;
  if (!inList) {
    return fixer.replaceText(statement, `{ ${text} ${sourceCode.getText(statement)} }`);
  }
  return startsLine(sourceCode, statement)
    ? fixer.insertTextBefore(statement, `${text}\n${indentOf(sourceCode, statement)}`)
    : fixer.insertTextBefore(statement, `${text} `);
}
