import type { TSESLint, TSESTree } from '@typescript-eslint/utils';

import { AST_NODE_TYPES } from '@typescript-eslint/utils';

import { createRule } from '../src/create-rule.js';
import { receiverOf, unwrap } from '../src/engine/ast.js';
import { isOnErrorPath } from '../src/engine/error-paths.js';
import { engineMessages, runSocketRule } from '../src/engine/index.js';
import { socketOfReceiver } from '../src/engine/writes.js';

export type Options = [{ allowIn?: string[] }];
export type MessageIds = 'resetAndDestroy' | 'useEnd' | 'useDestroy' | keyof typeof engineMessages;

export default createRule<Options, MessageIds>({
  name: 'no-reset-and-destroy',
  meta: {
    type: 'problem',
    docs: {
      description:
        "Disallow socket.resetAndDestroy() outside error and abort paths (it sends RST: the peer gets ECONNRESET and every byte still queued is discarded)",
      recommended: 'recommended',
      requiresTypeChecking: true,
    },
    hasSuggestions: true,
    schema: [
      {
        type: 'object',
        properties: {
          allowIn: {
            type: 'array',
            items: { type: 'string' },
            uniqueItems: true,
            description:
              "Further listener events (e.g. 'close') and function names (e.g. 'shutdownNow') whose bodies are meant to close abortively.",
          },
        },
        additionalProperties: false,
      },
    ],
    defaultOptions: [{ allowIn: [] }],
    messages: {
      ...engineMessages,
      resetAndDestroy:
        "'{{name}}.resetAndDestroy()' on a path that is not an error or abort path sends RST instead of FIN: the peer gets ECONNRESET and every byte still queued (in Node and in the kernel's send queue) is discarded, only to spare this side the 60 s TIME_WAIT.",
      useEnd: "Use '{{name}}.end()': a graceful close that delivers the queued data, then sends FIN.",
      useDestroy: "Use '{{name}}.destroy()': closes now with a FIN (data still queued in Node is discarded).",
    },
  },
  defaultOptions: [{ allowIn: [] }],
  create(context, [options]) {
    const allowIn = options.allowIn ?? [];
    return runSocketRule(context, model => {
      for (const call of model.callsOf('resetAndDestroy')) {
        const receiver = receiverOf(call);
        if (!receiver || !socketOfReceiver(model, receiver) || isOnErrorPath(model, call, { allowIn })) {
          continue;
        }
        report(call, receiver);
      }
    });

    function report(call: TSESTree.CallExpression, receiver: TSESTree.Node): void {
      const text = context.sourceCode.getText(unwrap(receiver));
      const name = text.length > 40 ? `${text.slice(0, 37)}…` : text;
      const callee = unwrap(call.callee);
      const property =
        callee.type === AST_NODE_TYPES.MemberExpression && !callee.computed && callee.property.type === AST_NODE_TYPES.Identifier
          ? callee.property
          : null;
      const replace = (method: string) => (fixer: TSESLint.RuleFixer) => fixer.replaceText(property!, method);
      context.report({
        node: call,
        messageId: 'resetAndDestroy',
        data: { name },
        suggest: property
          ? [
              { messageId: 'useEnd', data: { name }, fix: replace('end') },
              { messageId: 'useDestroy', data: { name }, fix: replace('destroy') },
            ]
          : [],
      });
    }
  },
});
