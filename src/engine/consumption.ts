import type { TSESTree } from '@typescript-eslint/utils';

import { AST_NODE_TYPES } from '@typescript-eslint/utils';

import type { FileModel, Listener, Resource } from './model.js';

import {
  calledMethod,
  dottedName,
  isFunctionNode,
  logicalParent,
  memberName,
  receiverOf,
  staticString,
  unwrap,
  type FunctionNode,
} from './ast.js';
import { swallow } from './failure.js';
import { anchorOf, MemoKey } from './model.js';
import { codePathOwner } from './paths.js';
import {
  BODY_READER_METHODS,
  BODY_STREAM_METHODS,
  CLOSER_METHODS,
  LISTENER_METHODS,
  READABLE_CONSUMER_METHODS,
  READER_EVENTS,
  READER_METHODS,
} from './vocabulary.js';

/**
 * What reads (or releases) the body of an HTTP response: an http `IncomingMessage` handed to a `'response'` listener,
 * or the `Response` of `fetch()`. Node keeps the connection assigned to an http response until its body is read,
 * `resume()`d or destroyed; undici keeps a fetch connection until the body is read or cancelled (or the `Response` is
 * garbage-collected). These are the facts `consume-response-body` asks; they are kept here so that every rule that
 * needs "is this body consumed" gets the same answer.
 */

/** How deep callbacks (`new Promise(resolve => res.on('data', …))`) are followed. */
const MAX_CALLBACK_DEPTH = 3;

/** Events whose listener, once registered, makes an http `IncomingMessage` flow (or pull) by itself. */
const FLOWING_EVENTS: ReadonlySet<string> = new Set([...READER_EVENTS, 'readable']);

/** Properties of an `IncomingMessage` that lead to its connection: destroying them releases the body too. */
const MESSAGE_CONNECTION_PROPERTIES: ReadonlySet<string> = new Set(['socket', 'connection', 'req']);

/** A `'response'` listener of an http/https client request, with what it receives. */
export interface ResponseHandler {
  readonly listener: Listener;
  readonly handler: FunctionNode;
  /** The client request the listener is on (its creation call for `http.get(url, callback)`). */
  readonly request: Resource | null;
}

/**
 * Every `'response'` listener of an http/https `ClientRequest` in the file: the callback of `http.get`/`request`
 * (and `https.*`), and `req.on('response', fn)` (or `once`, …) on a request by type. One entry per listener.
 */
export function responseHandlers(model: FileModel): ResponseHandler[] {
  const found: ResponseHandler[] = [];
  if (!model.hasListenerFor('response')) {
    return found;
  }
  for (const listener of model.listeners) {
    if (listener.event !== 'response') {
      continue;
    }
    try {
      const request = model.resourceOf(listener.target);
      const isRequest =
        listener.method === 'callback'
          ? request?.kind === 'client-request'
          : model.kindOf(listener.target) === 'client-request';
      if (!isRequest) {
        continue;
      }
      const handler = model.functionOf(listener.handlerArgument);
      if (handler) {
        found.push({ listener, handler, request: request?.kind === 'client-request' ? request : null });
      }
    } catch (error) {
      swallow(error);
    }
  }
  return found;
}

/**
 * The nodes on `fn`'s own code path (calls, optional chains, `for…of` loops) after which the body of `resource` (an
 * `incoming-message` or a `fetch-response`) is read, released or no longer this code's business:
 * - an http message: `resume()`, `pipe()`, `read()`, `destroy()`, Readable helpers (`toArray()`, …), a `'data'` or
 *   `'readable'` listener, `for await`, destroying `res.socket`/`res.req` or the request itself (`request`);
 * - a fetch `Response`: `text()`, `json()`, `arrayBuffer()`, `blob()`, `formData()`, `bytes()`, `clone()`, and
 *   `body.cancel()`/`getReader()`/`pipeTo()`/`pipeThrough()`/`tee()`/`values()`, `for await` over `body`, or `body`
 *   passed to a call;
 * - both: passing it to a helper that reads, closes or keeps it (summaries' `reads`, `closesSome`, `escapes`) or to
 *   code we cannot see (`stream/consumers`' `text(res)`, `pipeline`, `resolve(res)`), `process.exit()`, and a call
 *   given a callback that does any of this.
 * Callbacks of `'end'`/`'close'`/`'error'` listeners on an http message do not count: they only run once the body
 * has been consumed.
 */
export function consumingAnchors(
  model: FileModel,
  fn: FunctionNode | TSESTree.Program,
  resource: Resource,
  request: Resource | null = null,
  depth = 0,
): TSESTree.Node[] {
  const anchors: TSESTree.Node[] = [];
  const mentioning = callsMentioning(model, resource, request);
  for (const call of model.paths.callsIn(fn)) {
    if (!mentioning.has(call) && !isProcessExit(call)) {
      continue;
    }
    if (callConsumes(model, call, fn, resource, request, depth)) {
      anchors.push(anchorOf(call));
    }
  }
  for (const loop of consumingLoops(resource)) {
    if (codePathOwner(loop) === fn) {
      anchors.push(loop);
    }
  }
  return anchors;
}

/** Per response, per request (or {@link NO_REQUEST}): the calls that mention either. */
const MENTIONS = new MemoKey<Map<Resource, Map<object, Set<TSESTree.Node>>>>('calls mentioning');
const NO_REQUEST: object = {};

/**
 * The calls whose source contains a reference to `resource` (or to `request`): the only ones that can consume it.
 * Computed once per resource by climbing from each reference, so that a file with many calls stays linear.
 */
function callsMentioning(model: FileModel, resource: Resource, request: Resource | null): Set<TSESTree.Node> {
  const perResource = model.recall(MENTIONS) ?? model.remember(MENTIONS, new Map());
  let perRequest = perResource.get(resource);
  if (!perRequest) {
    perRequest = new Map();
    perResource.set(resource, perRequest);
  }
  const key = request ?? NO_REQUEST;
  const cached = perRequest.get(key);
  if (cached) {
    return cached;
  }
  const calls = new Set<TSESTree.Node>();
  for (const ref of [...resource.refs, ...(request?.refs ?? [])]) {
    let current: TSESTree.Node | undefined = ref.parent;
    for (let i = 0; current && i < 500; i++, current = current.parent) {
      if (current.type === AST_NODE_TYPES.CallExpression || current.type === AST_NODE_TYPES.NewExpression) {
        if (calls.has(current)) {
          break;
        }
        calls.add(current);
      }
    }
  }
  perRequest.set(key, calls);
  return calls;
}

/** Whether one call made in `fn` consumes, releases or hands off `resource`'s body (see {@link consumingAnchors}). */
export function callConsumes(
  model: FileModel,
  call: TSESTree.CallExpression | TSESTree.NewExpression,
  fn: FunctionNode | TSESTree.Program,
  resource: Resource,
  request: Resource | null = null,
  depth = 0,
): boolean {
  const fetchBody = resource.kind === 'fetch-response';
  const refers = (node: TSESTree.Node): boolean =>
    isFunctionNode(fn) ? model.refersTo(node, resource, fn, undefined) : resource.refs.has(unwrap(node));
  if (isProcessExit(call)) {
    return true;
  }
  const method = calledMethod(call);
  const receiver = call.type === AST_NODE_TYPES.CallExpression ? receiverOf(call) : null;
  let followCallbacks = true;
  if (method !== null && receiver !== null) {
    if (refers(receiver)) {
      if (fetchBody) {
        if (BODY_READER_METHODS.has(method) || method === 'clone') {
          return true;
        }
      } else if (READER_METHODS.has(method) || CLOSER_METHODS.has(method) || READABLE_CONSUMER_METHODS.has(method)) {
        return true;
      } else if (LISTENER_METHODS.has(method)) {
        const event = staticString(call.arguments[0]);
        if (event === null || FLOWING_EVENTS.has(event)) {
          return true;
        }
        // 'end', 'close', 'error': these listeners run only after the body was consumed.
        followCallbacks = false;
      }
    }
    if (receiver.type === AST_NODE_TYPES.MemberExpression && refers(receiver.object)) {
      const property = memberName(receiver);
      if (fetchBody) {
        if (property === 'body' && BODY_STREAM_METHODS.has(method)) {
          return true;
        }
      } else if (
        property !== null &&
        MESSAGE_CONNECTION_PROPERTIES.has(property) &&
        (CLOSER_METHODS.has(method) || method === 'abort')
      ) {
        return true;
      }
    }
    if (
      request !== null &&
      !fetchBody &&
      (method === 'destroy' || method === 'abort') &&
      (isFunctionNode(fn) ? model.refersTo(receiver, request, fn, undefined) : request.refs.has(receiver))
    ) {
      return true;
    }
  }
  for (let index = 0; index < call.arguments.length; index++) {
    const argument = unwrap(call.arguments[index]!);
    if (refers(argument)) {
      const effects = model.effectsOf(call, index);
      if (effects.reads || effects.escapes || effects.closesAll || effects.closesSome) {
        return true;
      }
      continue;
    }
    if (
      request !== null &&
      !fetchBody &&
      (isFunctionNode(fn) ? model.refersTo(argument, request, fn, undefined) : request.refs.has(argument))
    ) {
      // The request handed to a helper that destroys or aborts it (or to code that keeps it) releases the body too.
      const effects = model.effectsOf(call, index);
      if (effects.closesAll || effects.escapes) {
        return true;
      }
    }
    if (fetchBody && isBodyOf(argument, refers)) {
      // The body handed to something else: `Readable.fromWeb(res.body)`, `new Response(res.body)`, `pipeline(…)`.
      return true;
    }
    if (followCallbacks && isFunctionNode(argument) && depth < MAX_CALLBACK_DEPTH) {
      if (consumingAnchors(model, argument, resource, request, depth + 1).length > 0) {
        return true;
      }
    }
  }
  return false;
}

/** `process.exit(…)`: everything is released. The cheap property test comes first: it runs for every call. */
function isProcessExit(call: TSESTree.CallExpression | TSESTree.NewExpression): boolean {
  const callee = call.callee;
  return (
    callee.type === AST_NODE_TYPES.MemberExpression &&
    memberName(callee) === 'exit' &&
    dottedName(callee) === 'process.exit'
  );
}

/** The `for…of` loops that iterate the resource (an http message) or its `body` (a fetch `Response`). */
function consumingLoops(resource: Resource): TSESTree.ForOfStatement[] {
  const loops: TSESTree.ForOfStatement[] = [];
  for (const use of resource.uses) {
    if (use.kind === 'iterate' && use.node.type === AST_NODE_TYPES.ForOfStatement && resource.kind !== 'fetch-response') {
      loops.push(use.node);
    }
    if (use.kind === 'property' && use.name === 'body' && resource.kind === 'fetch-response') {
      const { parent, child } = valueParent(use.node);
      if (parent?.type === AST_NODE_TYPES.ForOfStatement && parent.right === child) {
        loops.push(parent);
      }
    }
  }
  return loops;
}

/**
 * The parent of the value `node` may become: through wrappers, and through the branches of `a ?? b`, `a || b`,
 * `c ? a : b` (`for await (const chunk of res.body ?? [])`).
 */
function valueParent(node: TSESTree.Node): { parent: TSESTree.Node | undefined; child: TSESTree.Node } {
  let current = logicalParent(node);
  for (let i = 0; i < 16 && current.parent; i++) {
    const { parent, child } = current;
    if (
      parent.type === AST_NODE_TYPES.LogicalExpression ||
      (parent.type === AST_NODE_TYPES.ConditionalExpression && parent.test !== child)
    ) {
      current = logicalParent(parent);
      continue;
    }
    break;
  }
  return current;
}

/** Whether an argument is `x.body` of the resource, possibly as a branch of `??`, `||` or `?:`. */
function isBodyOf(node: TSESTree.Node, refers: (node: TSESTree.Node) => boolean, depth = 0): boolean {
  const value = unwrap(node);
  if (value.type === AST_NODE_TYPES.MemberExpression) {
    return memberName(value) === 'body' && refers(value.object);
  }
  if (depth > 8) {
    return false;
  }
  if (value.type === AST_NODE_TYPES.LogicalExpression) {
    return isBodyOf(value.left, refers, depth + 1) || isBodyOf(value.right, refers, depth + 1);
  }
  if (value.type === AST_NODE_TYPES.ConditionalExpression) {
    return isBodyOf(value.consequent, refers, depth + 1) || isBodyOf(value.alternate, refers, depth + 1);
  }
  return false;
}

/**
 * Whether the response (or, for fetch, its body) is handed off in a way that is not a call: returned, stored in a
 * field, an object or an array, exported, disposed with `using`, destructured, or (for fetch) its `body` aliased,
 * returned or stored. Whoever receives it is then responsible; callers report nothing.
 */
export function responseHandedOff(resource: Resource): boolean {
  for (const use of resource.uses) {
    if (use.kind === 'escape' || use.kind === 'dispose') {
      return true;
    }
    if (use.kind === 'property' && use.name === 'body' && resource.kind === 'fetch-response') {
      const { parent, child } = valueParent(use.node);
      switch (parent?.type) {
        case AST_NODE_TYPES.VariableDeclarator:
        case AST_NODE_TYPES.ReturnStatement:
        case AST_NODE_TYPES.Property:
        case AST_NODE_TYPES.ArrayExpression:
        case AST_NODE_TYPES.SpreadElement:
        case AST_NODE_TYPES.YieldExpression:
          return true;
        case AST_NODE_TYPES.AssignmentExpression:
          if (parent.right === child) {
            return true;
          }
          break;
        case AST_NODE_TYPES.ArrowFunctionExpression:
          if (parent.body === child) {
            return true;
          }
          break;
        default:
          break;
      }
    }
  }
  for (const ref of resource.refs) {
    const { parent, child } = logicalParent(ref);
    if (
      (parent?.type === AST_NODE_TYPES.VariableDeclarator && parent.init === child && parent.id.type !== AST_NODE_TYPES.Identifier) ||
      (parent?.type === AST_NODE_TYPES.AssignmentExpression && parent.right === child && parent.left.type !== AST_NODE_TYPES.Identifier && parent.left.type !== AST_NODE_TYPES.MemberExpression)
    ) {
      return true;
    }
  }
  return false;
}

/**
 * For a destructured response (`({ statusCode }) => …`, `const { ok } = await fetch(u)`): whether the pattern could
 * still consume or release the body (a rest element, a computed key, or a key that reads, releases or hands it on).
 */
export function patternMayConsume(pattern: TSESTree.Node, kind: 'incoming-message' | 'fetch-response'): boolean {
  if (pattern.type !== AST_NODE_TYPES.ObjectPattern) {
    return true;
  }
  for (const property of pattern.properties) {
    if (property.type !== AST_NODE_TYPES.Property || property.computed) {
      return true;
    }
    const key =
      property.key.type === AST_NODE_TYPES.Identifier ? property.key.name : staticString(property.key);
    if (key === null || !HARMLESS_KEYS[kind].has(key)) {
      return true;
    }
  }
  return false;
}

/** Keys that only look at the head of a response. */
const HARMLESS_KEYS: Record<'incoming-message' | 'fetch-response', ReadonlySet<string>> = {
  'incoming-message': new Set([
    'statusCode',
    'statusMessage',
    'headers',
    'headersDistinct',
    'rawHeaders',
    'httpVersion',
    'httpVersionMajor',
    'httpVersionMinor',
    'complete',
    'url',
    'method',
  ]),
  'fetch-response': new Set(['ok', 'status', 'statusText', 'headers', 'url', 'redirected', 'type', 'bodyUsed']),
};
