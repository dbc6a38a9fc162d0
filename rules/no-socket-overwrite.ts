import type { TSESLint, TSESTree } from '@typescript-eslint/utils';

import { AST_NODE_TYPES } from '@typescript-eslint/utils';

import type { FileModel } from '../src/engine/index.js';
import type { Overwrite, OverwriteChain } from '../src/engine/assignments.js';

import { createRule } from '../src/create-rule.js';
import { engineMessages, runSocketRule } from '../src/engine/index.js';
import { mayBeNullish, socketOverwrites } from '../src/engine/assignments.js';
import { logicalParent } from '../src/engine/ast.js';

export type Options = [];
export type MessageIds = 'overwrite' | 'overwriteHalfOpen' | 'destroyOld' | keyof typeof engineMessages;

/** Events after which the old socket is already closed: `'error'` too, since sockets auto-destroy on error. */
const CLOSED_EVENTS: ReadonlySet<string> = new Set(['close', 'error', 'finish']);

export default createRule<Options, MessageIds>({
  name: 'no-socket-overwrite',
  meta: {
    type: 'problem',
    docs: {
      description:
        'Disallow overwriting a variable or field that may still hold an open socket (the old connection stays open with nothing left to close it)',
      recommended: 'recommended',
      requiresTypeChecking: true,
    },
    hasSuggestions: true,
    schema: [],
    messages: {
      ...engineMessages,
      overwrite:
        "'{{name}}' is overwritten while it may still hold an open socket that was neither ended nor destroyed: the old connection stays ESTABLISHED (CLOSE_WAIT once the peer closes) with its file descriptor, and nothing references it any more.",
      overwriteHalfOpen:
        "'{{name}}' is overwritten in the 'end' listener of an allowHalfOpen socket that is never ended: Node does not end it for you, so every reconnect leaves one more connection in CLOSE_WAIT (the peer in FIN_WAIT2) forever.",
      destroyOld: "Destroy the old socket first: '{{fix}}'.",
    },
  },
  defaultOptions: [],
  create(context) {
    return runSocketRule(context, model => {
      for (const overwrite of socketOverwrites(model)) {
        const messageId = verdict(overwrite);
        if (messageId) {
          report(model, overwrite, messageId);
        }
      }
    });

    /** The worst outcome over the chains the write may run on. */
    function verdict(overwrite: Overwrite): 'overwrite' | 'overwriteHalfOpen' | null {
      let result: 'overwrite' | 'overwriteHalfOpen' | null = null;
      for (const chain of overwrite.chains) {
        const outcome = judge(chain);
        if (outcome === 'overwriteHalfOpen') {
          return outcome;
        }
        result ??= outcome;
      }
      return result;
    }

    function judge(chain: OverwriteChain): 'overwrite' | 'overwriteHalfOpen' | null {
      if (chain.closedFirst) {
        return null;
      }
      if (chain.old && !chain.repeats) {
        const event = chain.old.listener.event;
        if (CLOSED_EVENTS.has(event)) {
          return null;
        }
        if (event === 'end') {
          // With allowHalfOpen false, Node ends the socket right after 'end' (and 'end' only fires once the data
          // was read): only a half-open socket stays in CLOSE_WAIT.
          return chain.old.halfOpen ? 'overwriteHalfOpen' : null;
        }
        return 'overwrite';
      }
      return chain.hasPrior ? 'overwrite' : null;
    }

    function report(model: FileModel, overwrite: Overwrite, messageId: 'overwrite' | 'overwriteHalfOpen'): void {
      const { write, name } = overwrite;
      // `?.` when the type admits nothing, or when the same write is also a first write on some other chain.
      const optional = mayBeNullish(model, write.target) || overwrite.chains.some(chain => !chain.old && !chain.hasPrior);
      const fix = /^[\w$.]+$/.test(name) ? `${name}${optional ? '?.' : '.'}destroy();` : null;
      const statement = fix ? statementOf(write.node) : null;
      context.report({
        node: write.node,
        messageId,
        data: { name },
        suggest:
          fix && statement
            ? [{ messageId: 'destroyOld', data: { fix }, fix: fixer => insertBefore(fixer, statement, fix) }]
            : [],
      });
    }

    /** The expression statement that is exactly this assignment. */
    function statementOf(node: TSESTree.Node): TSESTree.ExpressionStatement | null {
      const { parent } = logicalParent(node);
      return parent?.type === AST_NODE_TYPES.ExpressionStatement ? parent : null;
    }

    function insertBefore(fixer: TSESLint.RuleFixer, statement: TSESTree.ExpressionStatement, text: string): TSESLint.RuleFix {
      const parent = statement.parent;
      const inList =
        parent.type === AST_NODE_TYPES.BlockStatement ||
        parent.type === AST_NODE_TYPES.Program ||
        parent.type === AST_NODE_TYPES.StaticBlock ||
        parent.type === AST_NODE_TYPES.SwitchCase;
      if (!inList) {
        // The body of an `if` or a loop: make it a block.
        return fixer.replaceText(statement, `{ ${text} ${context.sourceCode.getText(statement)} }`);
      }
      const before = context.sourceCode.getTokenBefore(statement);
      if (before && before.loc.end.line === statement.loc.start.line) {
        return fixer.insertTextBefore(statement, `${text} `);
      }
      return fixer.insertTextBefore(statement, `${text}\n${' '.repeat(statement.loc.start.column)}`);
    }
  },
});
