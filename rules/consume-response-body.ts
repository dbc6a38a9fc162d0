import type { TSESLint, TSESTree } from '@typescript-eslint/utils';

import { AST_NODE_TYPES } from '@typescript-eslint/utils';

import type { FileModel, Resource } from '../src/engine/index.js';
import type { ResponseHandler } from '../src/engine/consumption.js';
import type { UncoveredExits } from '../src/engine/exits.js';

import { createRule } from '../src/create-rule.js';
import { engineMessages, runSocketRule } from '../src/engine/index.js';
import { logicalParent, type FunctionNode } from '../src/engine/ast.js';
import {
  consumingAnchors,
  patternMayConsume,
  responseHandedOff,
  responseHandlers,
} from '../src/engine/consumption.js';
import { isCovered, uncoveredExits } from '../src/engine/exits.js';
import { codePathOwner } from '../src/engine/paths.js';
import { insertStatementAfter, insertStatementBefore, prependToBody } from '../src/fixes.js';

export type Options = [];
export type MessageIds =
  | 'unreadResponse'
  | 'unreadFetchBody'
  | 'addResume'
  | 'addCancel'
  | keyof typeof engineMessages;

export default createRule<Options, MessageIds>({
  name: 'consume-response-body',
  meta: {
    type: 'problem',
    docs: {
      description:
        "Require HTTP response bodies to be read, resumed, destroyed or cancelled on every path (an unread body keeps its connection from being reused or closed)",
      recommended: 'recommended',
      requiresTypeChecking: true,
    },
    hasSuggestions: true,
    schema: [],
    messages: {
      ...engineMessages,
      unreadResponse:
        "This 'response' handler does not read, resume or destroy '{{name}}' on every path: the socket stays assigned to the response even once its body has arrived, so the agent cannot reuse it (a bounded agent's next request waits for it) and, if the server closes before a large body is read, the client sits in CLOSE_WAIT.",
      unreadFetchBody:
        "The body of '{{name}}' is not read or cancelled on every path: a body larger than the socket buffers pins its connection until the Response is garbage-collected, and on Node 22/24 a server 'Connection: close' can crash the process inside undici.",
      addResume: "Call '{{name}}.resume()' to discard the body.",
      addCancel: "Cancel the body with 'await {{name}}.body?.cancel()'.",
    },
  },
  defaultOptions: [],
  create(context) {
    return runSocketRule(context, model => {
      checkResponseHandlers(model);
      for (const resource of model.allResources()) {
        if (resource.kind === 'fetch-response' && resource.origin === 'fetch') {
          checkFetch(model, resource);
        }
      }
    });

    // -------------------------------------------------------------------------------------------------------------
    // http.get / http.request 'response' handlers

    function checkResponseHandlers(model: FileModel): void {
      const handlers = responseHandlers(model);
      const seen = new Set<FunctionNode>();
      for (const entry of handlers) {
        if (seen.has(entry.handler)) {
          continue;
        }
        seen.add(entry.handler);
        checkResponseHandler(model, entry, handlers);
      }
    }

    function checkResponseHandler(model: FileModel, entry: ResponseHandler, all: readonly ResponseHandler[]): void {
      const { handler, request } = entry;
      // A listener on a request this file did not create (a parameter, a field set elsewhere) is usually one of
      // several: instrumentation next to the owner's own 'response' handler, which we cannot see from here.
      if (entry.listener.method !== 'callback' && (request === null || !request.owned)) {
        return;
      }
      // Another 'response' listener of the same request that consumes the body somewhere takes care of it.
      const siblings = request ? all.filter(other => other !== entry && other.request === request) : [];
      if (siblings.some(other => consumesSomewhere(model, other))) {
        return;
      }
      const param = handler.params[0];
      if (!param) {
        context.report({ node: handler, messageId: 'unreadResponse', data: { name: 'the response' } });
        return;
      }
      if (param.type !== AST_NODE_TYPES.Identifier) {
        if (!patternMayConsume(param, 'incoming-message')) {
          context.report({ node: param, messageId: 'unreadResponse', data: { name: 'the response' } });
        }
        return;
      }
      const response = model.resourceOfParam(param, 'incoming-message');
      if (!response || responseHandedOff(response)) {
        return;
      }
      const anchors = consumingAnchors(model, handler, response, request);
      const exits = uncoveredExits(model.paths, handler, anchors);
      if (!exits || isCovered(exits)) {
        return;
      }
      const text = `${param.name}.resume();`;
      const fix = resumeFix(handler, anchors.length === 0, exits, text);
      context.report({
        node: param,
        messageId: 'unreadResponse',
        data: { name: param.name },
        suggest: fix ? [{ messageId: 'addResume', data: { name: param.name }, fix }] : [],
      });
    }

    function consumesSomewhere(model: FileModel, entry: ResponseHandler): boolean {
      const param = entry.handler.params[0];
      if (param?.type !== AST_NODE_TYPES.Identifier) {
        return param !== undefined && patternMayConsume(param, 'incoming-message');
      }
      const response = model.resourceOfParam(param, 'incoming-message');
      return (
        response === null ||
        responseHandedOff(response) ||
        consumingAnchors(model, entry.handler, response, entry.request).length > 0
      );
    }

    /**
     * `res.resume()` is harmless next to any other consumer, so: first in a handler that consumes on no path, or
     * before each `return` that leaves without consuming (when those are the only uncovered exits).
     */
    function resumeFix(
      handler: FunctionNode,
      noAnchors: boolean,
      exits: UncoveredExits,
      text: string,
    ): ((fixer: TSESLint.RuleFixer) => TSESLint.RuleFix | TSESLint.RuleFix[]) | null {
      if (noAnchors) {
        return fixer => prependToBody(fixer, context.sourceCode, handler.body, text);
      }
      if (exits.fallsOff || exits.loopsBack || exits.returns.length === 0) {
        return null;
      }
      return fixer => exits.returns.map(statement => insertStatementBefore(fixer, context.sourceCode, statement, text));
    }

    // -------------------------------------------------------------------------------------------------------------
    // fetch()

    function checkFetch(model: FileModel, response: Resource): void {
      // The resource is reported at the `fetch(…)` call; its value is the `await` around it.
      const call = response.node;
      const awaited = logicalParent(call).parent;
      if (
        call.type !== AST_NODE_TYPES.CallExpression ||
        awaited?.type !== AST_NODE_TYPES.AwaitExpression ||
        model.kindOf(awaited) !== 'fetch-response'
      ) {
        return;
      }
      const { parent, child } = logicalParent(awaited);
      if (parent?.type === AST_NODE_TYPES.VariableDeclarator && parent.init === child && parent.id.type !== AST_NODE_TYPES.Identifier) {
        // `const { ok, status } = await fetch(url)`: only a pattern that cannot reach the body is reported.
        if (!patternMayConsume(parent.id, 'fetch-response')) {
          context.report({ node: awaited, messageId: 'unreadFetchBody', data: { name: 'the response' } });
        }
        return;
      }
      if (responseHandedOff(response)) {
        return;
      }
      const fn = codePathOwner(call);
      const anchors = consumingAnchors(model, fn, response);
      const exits = uncoveredExits(model.paths, fn, anchors, call);
      if (!exits || isCovered(exits)) {
        return;
      }
      const named = response.variables.size > 0 && /^[\w$]+$/.test(response.name);
      const name = named ? response.name : 'the response';
      const fix = named ? cancelFix(model, anchors, exits, response.name, parent, child) : unnamedCancelFix(awaited, parent, child);
      context.report({
        node: awaited,
        messageId: 'unreadFetchBody',
        data: { name },
        suggest: fix ? [{ messageId: 'addCancel', data: { name: named ? response.name : '(await …)' }, fix }] : [],
      });
    }

    /**
     * `body.cancel()` rejects on a body that was already read, so the cancel goes only where no read can have run:
     * right after the declaration when nothing reads the body anywhere, or before `return`s no read can precede.
     */
    function cancelFix(
      model: FileModel,
      anchors: readonly TSESTree.Node[],
      exits: UncoveredExits,
      name: string,
      parent: TSESTree.Node | undefined,
      child: TSESTree.Node,
    ): ((fixer: TSESLint.RuleFixer) => TSESLint.RuleFix | TSESLint.RuleFix[]) | null {
      const text = `await ${name}.body?.cancel();`;
      if (anchors.length === 0) {
        const declaration =
          parent?.type === AST_NODE_TYPES.VariableDeclarator && parent.init === child ? parent.parent : null;
        if (
          declaration?.type === AST_NODE_TYPES.VariableDeclaration &&
          declaration.declarations.length === 1 &&
          (declaration.parent.type === AST_NODE_TYPES.BlockStatement || declaration.parent.type === AST_NODE_TYPES.Program)
        ) {
          return fixer => insertStatementAfter(fixer, context.sourceCode, declaration, text);
        }
        return null;
      }
      if (exits.fallsOff || exits.loopsBack || exits.returns.length === 0) {
        return null;
      }
      const clean = exits.returns.every(statement => anchors.every(anchor => !model.paths.canFollow(anchor, statement)));
      return clean ? fixer => exits.returns.map(statement => insertStatementBefore(fixer, context.sourceCode, statement, text)) : null;
    }

    /** `await fetch(url);` on its own: cancel the body of the value it awaited. */
    function unnamedCancelFix(
      awaited: TSESTree.AwaitExpression,
      parent: TSESTree.Node | undefined,
      child: TSESTree.Node,
    ): ((fixer: TSESLint.RuleFixer) => TSESLint.RuleFix) | null {
      if (parent?.type !== AST_NODE_TYPES.ExpressionStatement || child !== awaited) {
        return null;
      }
      const source = context.sourceCode.getText(awaited);
      return fixer => fixer.replaceText(awaited, `await (${source}).body?.cancel()`);
    }
  },
});
