import { AST_NODE_TYPES } from '@typescript-eslint/utils';

import type { FileModel, Listener, Resource } from '../src/engine/index.js';

import { createRule } from '../src/create-rule.js';
import { engineMessages, runSocketRule } from '../src/engine/index.js';
import { isFunctionNode, unwrap, type FunctionNode } from '../src/engine/ast.js';
import { disarmsTimeout } from '../src/engine/servers.js';
import { appendToBody } from '../src/fixes.js';

export type Options = [];
export type MessageIds = 'socketTimeout' | 'serverTimeout' | 'addDestroy' | keyof typeof engineMessages;

export default createRule<Options, MessageIds>({
  name: 'timeout-closes-socket',
  meta: {
    type: 'problem',
    docs: {
      description:
        "Require 'timeout' listeners to end or destroy the socket (Node only emits the event: the idle connection stays ESTABLISHED forever)",
      recommended: 'recommended',
      requiresTypeChecking: true,
    },
    hasSuggestions: true,
    schema: [],
    messages: {
      ...engineMessages,
      socketTimeout:
        "This 'timeout' listener does not end or destroy '{{name}}' on every path: Node only emits 'timeout', so the idle connection stays ESTABLISHED and its file descriptor open forever.",
      serverTimeout:
        "This server 'timeout' listener does not destroy '{{name}}' on every path: a 'timeout' listener turns off the server's own destroy of timed-out sockets, so idle keep-alive connections stay ESTABLISHED forever.",
      addDestroy: "Call '{{name}}.destroy()' at the end of the listener.",
    },
  },
  defaultOptions: [],
  create(context) {
    return runSocketRule(context, model => {
      for (const listener of model.listeners) {
        if (listener.event === 'timeout') {
          checkListener(model, listener);
        }
      }
    });

    function checkListener(model: FileModel, listener: Listener): void {
      if (listener.method === 'callback') {
        return;
      }
      const handler = model.functionOf(listener.handlerArgument);
      if (!handler) {
        return;
      }
      const kind = model.kindOf(listener.target);
      if (kind === 'socket') {
        const socket = model.resourceOf(listener.target);
        if (!socket || model.closesOnEveryPath(handler, socket, listener.target)) {
          return;
        }
        if (isDisarmedConnectTimeout(model, handler, socket, listener)) {
          return;
        }
        report(listener, handler, 'socketTimeout', socket.name, canAppend(model, handler, socket, listener) ? socketName(listener, handler) : null);
        return;
      }
      if (kind === 'http-server') {
        const param = handler.params[0];
        if (param?.type !== AST_NODE_TYPES.Identifier) {
          // A listener that never looks at the socket cannot destroy it.
          report(listener, handler, 'serverTimeout', 'socket', null);
          return;
        }
        // Typed `any` by @types/node; a net.Socket at run time.
        const socket = model.resourceOfParam(param, 'socket');
        if (!socket || model.closesOnEveryPath(handler, socket)) {
          return;
        }
        report(listener, handler, 'serverTimeout', param.name, canAppend(model, handler, socket) ? param.name : null);
      }
    }

    /**
     * A connect timeout: the code disarms the timer (`setTimeout(0)`) once connected, and the listener closes the
     * socket on its other paths. Its early return guards against a timer that fires after being disarmed; the idle
     * connection it leaves is already in use, not idle.
     */
    function isDisarmedConnectTimeout(model: FileModel, handler: FunctionNode, socket: Resource, listener: Listener): boolean {
      if (!disarmsTimeout(socket)) {
        return false;
      }
      const anchors = model.closingAnchors(handler, socket, listener.target, 0);
      return anchors === 'unknown' || anchors.length > 0;
    }

    /** Appending a destroy only fixes a listener that closes on no path at all (not one with an early return). */
    function canAppend(model: FileModel, handler: FunctionNode, socket: Resource, listener?: Listener): boolean {
      const anchors = model.closingAnchors(handler, socket, listener?.target, 0);
      return Array.isArray(anchors) && anchors.length === 0;
    }

    function socketName(listener: Listener, handler: FunctionNode): string | null {
      const target = unwrap(listener.target);
      if (target.type === AST_NODE_TYPES.Identifier || target.type === AST_NODE_TYPES.MemberExpression) {
        const text = context.sourceCode.getText(target);
        return /^[\w$.]+$/.test(text) ? text : null;
      }
      return handler.type === AST_NODE_TYPES.FunctionExpression ? 'this' : null;
    }

    function report(
      listener: Listener,
      handler: FunctionNode,
      messageId: 'socketTimeout' | 'serverTimeout',
      name: string,
      fixName: string | null,
    ): void {
      const inline = isFunctionNode(unwrap(listener.handlerArgument ?? listener.call));
      context.report({
        node: inline ? listener.call : listener.handlerArgument ?? listener.call,
        messageId,
        data: { name },
        suggest:
          fixName !== null && inline
            ? [
                {
                  messageId: 'addDestroy',
                  data: { name: fixName },
                  fix: fixer => appendToBody(fixer, context.sourceCode, handler.body, `${fixName}.destroy();`),
                },
              ]
            : [],
      });
    }
  },
});
