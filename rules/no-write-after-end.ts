import type { TSESLint, TSESTree } from '@typescript-eslint/utils';

import { AST_NODE_TYPES } from '@typescript-eslint/utils';

import type { WriteAfterClose } from '../src/engine/writes.js';

import { createRule } from '../src/create-rule.js';
import { calledMethod, receiverOf, unwrap } from '../src/engine/ast.js';
import { engineMessages, runSocketRule } from '../src/engine/index.js';
import { writesAfterClose } from '../src/engine/writes.js';

export type Options = [];
export type MessageIds = 'writeAfterEnd' | 'writeAfterDestroy' | 'guardWrite' | keyof typeof engineMessages;

export default createRule<Options, MessageIds>({
  name: 'no-write-after-end',
  meta: {
    type: 'problem',
    docs: {
      description:
        'Disallow writing to a socket after end() or destroy() on the same code path (a crash on ERR_STREAM_WRITE_AFTER_END, or silently dropped data)',
      recommended: 'recommended',
      requiresTypeChecking: true,
    },
    hasSuggestions: true,
    schema: [],
    messages: {
      ...engineMessages,
      writeAfterEnd:
        "'{{write}}' can run after '{{close}}' (line {{line}}): the write fails with ERR_STREAM_WRITE_AFTER_END, which Node also emits as an 'error' event that destroys '{{name}}' and crashes the process when nothing listens for 'error' (a write callback does not prevent it).",
      writeAfterDestroy:
        "'{{write}}' can run after '{{close}}' (line {{line}}): '{{name}}' is already destroyed, so the data is silently dropped (only the write callback hears of it, with ERR_STREAM_DESTROYED).",
      guardWrite: "Only write when '{{guard}}' is false: wrap the call in 'if (!{{guard}}) { … }'.",
    },
  },
  defaultOptions: [],
  create(context) {
    return runSocketRule(context, model => {
      for (const finding of writesAfterClose(model)) {
        report(finding);
      }
    });

    function report(finding: WriteAfterClose): void {
      const { write, close } = finding;
      const writeReceiver = receiverOf(write);
      const name = writeReceiver ? shortText(writeReceiver) : finding.resource.name;
      const guardProperty = close.kind === 'end' ? 'writableEnded' : 'destroyed';
      const statement = write.parent.type === AST_NODE_TYPES.ExpressionStatement ? write.parent : null;
      const canGuard = statement !== null && writeReceiver !== null && /^(?:this|[\w$]+)(?:\.[\w$]+)*$/.test(name);
      const guard = `${name}.${guardProperty}`;
      context.report({
        node: write,
        messageId: close.kind === 'end' ? 'writeAfterEnd' : 'writeAfterDestroy',
        data: {
          name,
          write: finding.method === 'end' ? `${name}.end(data)` : `${name}.write()`,
          close: closeLabel(close.call),
          line: close.call.loc.start.line,
        },
        suggest: canGuard
          ? [
              {
                messageId: 'guardWrite',
                data: { guard },
                fix: (fixer: TSESLint.RuleFixer) =>
                  fixer.replaceText(statement, `if (!${guard}) { ${context.sourceCode.getText(statement)} }`),
              },
            ]
          : [],
      });
    }

    function closeLabel(call: TSESTree.CallExpression): string {
      const method = calledMethod(call);
      const receiver = receiverOf(call);
      if (method !== null && receiver !== null && ['end', 'destroy', 'resetAndDestroy', 'destroySoon'].includes(method)) {
        return `${shortText(receiver)}.${method}()`;
      }
      return `${shortText(unwrap(call.callee))}()`;
    }

    function shortText(node: TSESTree.Node): string {
      const text = context.sourceCode.getText(unwrap(node));
      return text.length > 40 ? `${text.slice(0, 37)}…` : text;
    }
  },
});
