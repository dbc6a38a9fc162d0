import type { HttpReapingOff, IdleNetServer } from '../src/engine/servers.js';

import { createRule } from '../src/create-rule.js';
import { isFunctionNode, unwrap } from '../src/engine/ast.js';
import { engineMessages, runSocketRule } from '../src/engine/index.js';
import { httpReapingOff, idleNetServers } from '../src/engine/servers.js';
import { prependToBody } from '../src/fixes.js';

export type Options = [];
export type MessageIds =
  | 'netServerNeverReaps'
  | 'keepAliveTimeoutOff'
  | 'headersTimeoutOff'
  | 'requestTimeoutOff'
  | 'connectionsCheckerOff'
  | 'addIdleTimeout'
  | keyof typeof engineMessages;

/** The inactivity timeout the suggestion inserts: one minute, the order of http.Server's own headersTimeout. */
const SUGGESTED_IDLE_MS = '60_000';

export default createRule<Options, MessageIds>({
  name: 'server-reaps-idle-sockets',
  meta: {
    type: 'problem',
    docs: {
      description:
        'Require servers to close idle connections: net/tls servers need a closing socket timeout, and http servers must keep keepAliveTimeout, headersTimeout and requestTimeout above 0',
      recommended: 'recommended',
      requiresTypeChecking: true,
    },
    hasSuggestions: true,
    schema: [],
    messages: {
      ...engineMessages,
      netServerNeverReaps:
        "'{{server}}' never closes idle connections: its connection handler gives '{{socket}}' no inactivity timeout that ends or destroys it, and net.Server has none of its own, so a client that connects and stays silent keeps an ESTABLISHED connection and a file descriptor here forever.",
      keepAliveTimeoutOff:
        "'{{server}}' sets keepAliveTimeout to 0: Node then never closes an idle keep-alive connection, which stays ESTABLISHED (with its file descriptor) until the client leaves.",
      headersTimeoutOff:
        "'{{server}}' sets headersTimeout to 0: a client that connects and never completes its headers is no longer answered 408 and closed after 60 s; only requestTimeout still cuts it off.",
      requestTimeoutOff:
        "'{{server}}' sets requestTimeout to 0: a client that sends its headers and then stalls the rest of the request is never cut off.",
      connectionsCheckerOff:
        "'{{server}}' sets {{option}} to 0, which leaves both headersTimeout and requestTimeout at 0: Node's connections checker then closes nothing, so a client that connects and sends nothing stays ESTABLISHED forever.",
      addIdleTimeout:
        "Insert '{{socket}}.setTimeout(60_000, () => {{socket}}.destroy())' at the start of the connection handler (60 s of inactivity; tune it to the protocol).",
    },
  },
  defaultOptions: [],
  create(context) {
    return runSocketRule(context, model => {
      for (const idle of idleNetServers(model)) {
        reportNetServer(idle);
      }
      for (const setting of httpReapingOff(model)) {
        reportHttpSetting(setting);
      }
    });

    function reportNetServer(idle: IdleNetServer): void {
      const { primary } = idle;
      const fn = primary.fn!;
      const socket = primary.param?.name ?? null;
      const inline = isFunctionNode(unwrap(primary.listener.handlerArgument ?? primary.listener.call));
      context.report({
        node: primary.listener.call,
        messageId: 'netServerNeverReaps',
        data: { server: idle.server.name, socket: socket ?? 'the socket' },
        suggest:
          socket !== null && inline
            ? [
                {
                  messageId: 'addIdleTimeout',
                  data: { socket },
                  fix: fixer =>
                    prependToBody(
                      fixer,
                      context.sourceCode,
                      fn.body,
                      `${socket}.setTimeout(${SUGGESTED_IDLE_MS}, () => ${socket}.destroy());`,
                    ),
                },
              ]
            : [],
      });
    }

    function reportHttpSetting(setting: HttpReapingOff): void {
      const messageId =
        setting.effect === 'keepAlive'
          ? 'keepAliveTimeoutOff'
          : setting.effect === 'headers'
            ? 'headersTimeoutOff'
            : setting.effect === 'request'
              ? 'requestTimeoutOff'
              : 'connectionsCheckerOff';
      context.report({
        node: setting.node,
        messageId,
        data: { server: setting.serverName, option: setting.option },
      });
    }
  },
});
