import type { FileModel, Resource } from '../src/engine/index.js';

import { createRule } from '../src/create-rule.js';
import { engineMessages, runSocketRule } from '../src/engine/index.js';
import {
  CONNECTED_EVENTS,
  closesUnconditionally,
  endsAfterPeerFin,
  handedOff,
  insertAfterOrigin,
  pipedInto,
  untypedBinding,
} from '../src/engine/lifetime.js';

export type Options = [];
export type MessageIds = 'halfOpen' | 'upgradeHalfOpen' | 'addEndListener' | keyof typeof engineMessages;

export default createRule<Options, MessageIds>({
  name: 'end-half-open-socket',
  meta: {
    type: 'problem',
    docs: {
      description:
        "Require half-open sockets (allowHalfOpen, http 'upgrade'/'connect') to be ended after the peer's FIN (Node does not: CLOSE_WAIT here, FIN_WAIT_2 on the peer, forever)",
      recommended: 'recommended',
      requiresTypeChecking: true,
    },
    hasSuggestions: true,
    schema: [],
    messages: {
      ...engineMessages,
      halfOpen:
        "Nothing ends '{{name}}' after the peer's FIN: with allowHalfOpen Node leaves that to you, so this side stays in CLOSE_WAIT (no kernel timer) and the peer in FIN_WAIT_2 until the socket is destroyed.",
      upgradeHalfOpen:
        "Nothing ends '{{name}}' after the peer's FIN: http 'upgrade' and 'connect' sockets are handed over half-open, so this side stays in CLOSE_WAIT (no kernel timer) and the peer in FIN_WAIT_2 until the socket is destroyed.",
      addEndListener: "Insert '{{name}}.on('end', () => {{name}}.end());'.",
    },
  },
  defaultOptions: [],
  create(context) {
    return runSocketRule(context, model => {
      for (const resource of model.allResources()) {
        if (
          resource.kind === 'socket' &&
          resource.owned &&
          resource.halfOpen &&
          !untypedBinding(model, resource) &&
          !isEnded(model, resource)
        ) {
          report(model, resource);
        }
      }
    });

    function isEnded(model: FileModel, resource: Resource): boolean {
      return (
        endsAfterPeerFin(model, resource) ||
        pipedInto(model, resource) ||
        handedOff(model, resource) ||
        closesUnconditionally(model, resource, CONNECTED_EVENTS)
      );
    }

    function report(model: FileModel, resource: Resource): void {
      const insertion = insertAfterOrigin(model, resource, name => `${name}.on('end', () => ${name}.end());`);
      context.report({
        node: resource.node,
        messageId: resource.origin === 'http-upgrade' ? 'upgradeHalfOpen' : 'halfOpen',
        data: { name: resource.name },
        suggest: insertion
          ? [{ messageId: 'addEndListener', data: { name: insertion.name }, fix: insertion.fix }]
          : [],
      });
    }
  },
});
