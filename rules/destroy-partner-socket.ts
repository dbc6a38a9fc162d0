import type { TSESLint, TSESTree } from '@typescript-eslint/utils';

import { AST_NODE_TYPES } from '@typescript-eslint/utils';

import type { Join } from '../src/engine/joins.js';

import { createRule } from '../src/create-rule.js';
import { engineMessages, runSocketRule } from '../src/engine/index.js';
import { destroysPartner, joinHandedOff, socketJoins } from '../src/engine/joins.js';
import { isFunctionNode } from '../src/engine/ast.js';

export type Options = [];
export type MessageIds = 'destroyPartners' | 'destroyPartner' | 'addCloseListeners' | keyof typeof engineMessages;

export default createRule<Options, MessageIds>({
  name: 'destroy-partner-socket',
  meta: {
    type: 'problem',
    docs: {
      description:
        "Require sockets joined by pipe() or 'data' forwarding to destroy each other when one errors or closes (pipe() leaves the partner connection open)",
      recommended: 'recommended',
      requiresTypeChecking: true,
    },
    hasSuggestions: true,
    schema: [],
    messages: {
      ...engineMessages,
      destroyPartners:
        "'{{a}}' and '{{b}}' are joined by hand, and neither is destroyed when the other errors or closes: pipe() leaves the partner open, so when one connection dies the other stays ESTABLISHED. stream.pipeline() destroys both; or destroy each from the other's 'close' listener.",
      destroyPartner:
        "When '{{side}}' errors or closes, '{{partner}}' is not destroyed: pipe() leaves it open, so that connection stays ESTABLISHED. stream.pipeline() destroys both; or destroy '{{partner}}' from '{{side}}''s 'close' listener.",
      addCloseListeners: "Destroy the partner from each side's 'close' listener.",
    },
  },
  defaultOptions: [],
  create(context) {
    return runSocketRule(context, model => {
      for (const join of socketJoins(model)) {
        if (!join.a.owned && !join.b.owned) {
          continue;
        }
        if (joinHandedOff(model, join.a) || joinHandedOff(model, join.b)) {
          continue;
        }
        const aCovered = destroysPartner(model, join.a, join.b);
        const bCovered = destroysPartner(model, join.b, join.a);
        if (!aCovered || !bCovered) {
          report(join, aCovered, bCovered);
        }
      }
    });

    function report(join: Join, aCovered: boolean, bCovered: boolean): void {
      const first = join.links[0]!;
      const a = nameOf(first.fromNode);
      const b = nameOf(first.toNode);
      const missing: [string, string][] = [];
      if (!aCovered) {
        missing.push([a, b]);
      }
      if (!bCovered) {
        missing.push([b, a]);
      }
      const after = insertionPoint(join);
      const fixable = after !== null && [a, b].every(name => /^(?:this\.)?[\w$]+$/.test(name));
      const suggest = fixable
        ? [
            {
              messageId: 'addCloseListeners' as const,
              fix: (fixer: TSESLint.RuleFixer) => {
                const indent = ' '.repeat(after.loc.start.column);
                const lines = missing.map(([side, partner]) => `\n${indent}${side}.on('close', () => ${partner}.destroy());`);
                return fixer.insertTextAfter(after, lines.join(''));
              },
            },
          ]
        : [];
      if (missing.length === 2) {
        context.report({ node: first.call, messageId: 'destroyPartners', data: { a, b }, suggest });
      } else {
        const [side, partner] = missing[0]!;
        context.report({ node: first.call, messageId: 'destroyPartner', data: { side, partner }, suggest });
      }
    }

    function nameOf(node: TSESTree.Node): string {
      const text = context.sourceCode.getText(node);
      return text.length <= 40 ? text : `${text.slice(0, 37)}...`;
    }

    /** The last statement of the join in the statement list of its first link (the listeners go after it). */
    function insertionPoint(join: Join): TSESTree.Statement | null {
      const statements = join.links.map(link => statementOf(link.call));
      const first = statements[0];
      if (!first) {
        return null;
      }
      const list = first.parent;
      const inList =
        list.type === AST_NODE_TYPES.BlockStatement ||
        list.type === AST_NODE_TYPES.Program ||
        list.type === AST_NODE_TYPES.StaticBlock;
      if (!inList) {
        return null;
      }
      let last: TSESTree.Statement = first;
      for (const statement of statements) {
        if (statement?.parent === list && statement.range[0] > last.range[0]) {
          last = statement;
        }
      }
      return last;
    }

    /** The expression statement a call is part of (not across a function boundary). */
    function statementOf(node: TSESTree.Node): TSESTree.ExpressionStatement | null {
      let current: TSESTree.Node | undefined = node.parent;
      while (current && !isFunctionNode(current)) {
        if (current.type === AST_NODE_TYPES.ExpressionStatement) {
          return current;
        }
        current = current.parent;
      }
      return null;
    }
  },
});
