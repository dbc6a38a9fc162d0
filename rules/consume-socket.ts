import type { FileModel, Resource } from '../src/engine/index.js';
import type { ReadState } from '../src/engine/lifetime.js';

import { createRule } from '../src/create-rule.js';
import { engineMessages, runSocketRule } from '../src/engine/index.js';
import {
  CONNECTED_EVENTS,
  closesUnconditionally,
  handedOff,
  insertAfterOrigin,
  onlyEnds,
  pausedExplicitly,
  pipedInto,
  readStateOf,
  untypedBinding,
} from '../src/engine/lifetime.js';

export type Options = [];
export type MessageIds =
  | 'neverRead'
  | 'endedUnread'
  | 'paused'
  | 'readableWithoutRead'
  | 'addResume'
  | keyof typeof engineMessages;

/**
 * Callbacks that run whatever the peer sends, so that a close in one counts as "the code closes it itself": a
 * client's `'connect'`, and `'timeout'`, which still fires on a socket whose unread data sits in its buffer.
 */
const UNREAD_CLOSE_EVENTS: ReadonlySet<string> = new Set([...CONNECTED_EVENTS, 'timeout']);

export default createRule<Options, MessageIds>({
  name: 'consume-socket',
  meta: {
    type: 'problem',
    docs: {
      description:
        "Require owned sockets to be read ('data', pipe, resume, read loop, for await): Node ends a socket after the peer's FIN only once its buffer is drained, so an unread socket stays in CLOSE_WAIT",
      recommended: 'recommended',
      requiresTypeChecking: true,
    },
    hasSuggestions: true,
    schema: [],
    messages: {
      ...engineMessages,
      neverRead:
        "Nothing reads '{{name}}', so data the peer sends before its FIN stays buffered, 'end' never fires, and the socket stays in CLOSE_WAIT with its file descriptor open until it is destroyed.",
      endedUnread:
        "'{{name}}' is ended but never read: if the peer sends anything first, 'end' never fires, so Node never destroys the socket and its file descriptor stays open after the connection is gone.",
      paused:
        "'{{name}}' is paused ({{how}}) and never resumed, so Node stops reading: after the peer's FIN the socket stays in CLOSE_WAIT, a peer RST goes unnoticed, and its file descriptor stays open until it is destroyed.",
      readableWithoutRead:
        "The 'readable' listener on '{{name}}' never calls read(), so data the peer sends before its FIN stays buffered, 'end' never fires, and the socket stays in CLOSE_WAIT with its file descriptor open until it is destroyed.",
      addResume: "Call '{{name}}.resume()' so that Node drains what the peer sends and ends the socket after its FIN.",
    },
  },
  defaultOptions: [],
  create(context) {
    return runSocketRule(context, model => {
      for (const resource of model.allResources()) {
        if (
          resource.kind !== 'socket' ||
          !resource.owned ||
          resource.origin === 'http-upgrade' ||
          untypedBinding(model, resource)
        ) {
          continue;
        }
        const state = readStateOf(model, resource);
        if (state === 'reads' || handedOff(model, resource) || pipedInto(model, resource)) {
          continue;
        }
        if (!closesUnconditionally(model, resource, UNREAD_CLOSE_EVENTS)) {
          report(model, resource, state);
        } else if (state === 'never-read' && onlyEnds(model, resource)) {
          report(model, resource, 'ended-unread');
        }
      }
    });

    function report(model: FileModel, resource: Resource, state: Exclude<ReadState, 'reads'> | 'ended-unread'): void {
      // resume() fixes a socket nobody reads and one paused by pauseOnConnect; not an explicit pause() (which may be
      // flow control that lost its resume) nor a 'readable' listener (resume() does not flow while one is attached).
      const resumable =
        state === 'never-read' || state === 'ended-unread' || (state === 'paused' && !pausedExplicitly(resource));
      const insertion = resumable ? insertAfterOrigin(model, resource, name => `${name}.resume();`) : null;
      const suggest = insertion ? [{ messageId: 'addResume' as const, data: { name: insertion.name }, fix: insertion.fix }] : [];
      const name = resource.name;
      if (state === 'paused') {
        const how = resource.pausedOnConnect ? 'pauseOnConnect: true' : 'pause()';
        context.report({ node: resource.node, messageId: 'paused', data: { name, how }, suggest });
        return;
      }
      context.report({
        node: resource.node,
        messageId: state === 'never-read' ? 'neverRead' : state === 'ended-unread' ? 'endedUnread' : 'readableWithoutRead',
        data: { name },
        suggest,
      });
    }
  },
});
