import type { TSESTree } from '@typescript-eslint/utils';
import type * as ts from 'typescript';

import { AST_NODE_TYPES } from '@typescript-eslint/utils';

import type { FileModel, Listener, Resource } from './model.js';

import { dottedName, isFunctionNode, memberName, staticString, unwrap, type FunctionNode } from './ast.js';
import { MemoKey } from './model.js';
import { CLOSER_METHODS, HTTP_REAPING_TIMEOUTS, LISTENER_METHODS } from './vocabulary.js';

/** One connection handler of a `net`/`tls` server: its factory callback or a `'connection'`/`'secureConnection'` listener. */
export interface ConnectionHandler {
  readonly listener: Listener;
  /** The handler function, or `null` when it is not visible in this file. */
  readonly fn: FunctionNode | null;
  /** The socket parameter, or `null` when there is none (or it is destructured). */
  readonly param: TSESTree.Identifier | null;
}

/** A `net`/`tls` server whose visible connection handlers never arm a closing inactivity timeout. */
export interface IdleNetServer {
  readonly server: Resource;
  readonly handlers: readonly ConnectionHandler[];
  /** The handler to point at: the factory callback when there is one, else the first listener. */
  readonly primary: ConnectionHandler;
}

/**
 * What an http server setting of `keepAliveTimeout`, `headersTimeout` or `requestTimeout` to 0 turns off:
 * - `keepAlive`: idle keep-alive connections are never closed;
 * - `headers`: the headers deadline (60 s by default) is off; `requestTimeout` still cuts slow clients off;
 * - `request`: the whole-request deadline (300 s by default) is off; `headersTimeout` still cuts silent clients off;
 * - `checker`: both deadlines are 0, so Node's connections checker closes nothing (silent clients stay forever).
 */
export type ReapingEffect = 'keepAlive' | 'headers' | 'request' | 'checker';

export interface HttpReapingOff {
  /** The server, when this file created it or names it. */
  readonly server: Resource | null;
  /** How to name the server in a message. */
  readonly serverName: string;
  readonly option: string;
  /** The option property, or the assignment. */
  readonly node: TSESTree.Node;
  readonly effect: ReapingEffect;
}

const CONNECTION_HANDLERS = new MemoKey<Map<Resource, ConnectionHandler[]>>('connection handlers');
const IDLE_NET_SERVERS = new MemoKey<readonly IdleNetServer[]>('idle net servers');
const HTTP_REAPING_OFF = new MemoKey<readonly HttpReapingOff[]>('http reaping off');

/** The servers this file creates: `net`/`tls`/`http`/`https` `createServer()` and `new X.Server()`. */
export function createdServers(model: FileModel, kind: 'net-server' | 'http-server'): Resource[] {
  return model.allResources().filter(resource => resource.kind === kind && resource.origin === 'created');
}

/** The connection handlers registered on a server: the factory callback and its `'connection'`/`'secureConnection'` listeners. */
export function connectionHandlers(model: FileModel, server: Resource): readonly ConnectionHandler[] {
  const perModel = model.recall(CONNECTION_HANDLERS) ?? model.remember(CONNECTION_HANDLERS, new Map());
  const cached = perModel.get(server);
  if (cached) {
    return cached;
  }
  const handlers: ConnectionHandler[] = [];
  for (const listener of model.listeners) {
    const isFactoryCallback = listener.method === 'callback' && listener.target === server.node;
    const isListener =
      listener.method !== 'callback' &&
      (listener.event === 'connection' || listener.event === 'secureConnection') &&
      server.refs.has(listener.target);
    if (!isFactoryCallback && !isListener) {
      continue;
    }
    const fn = model.functionOf(listener.handlerArgument);
    const first = fn?.params[0];
    handlers.push({ listener, fn, param: first?.type === AST_NODE_TYPES.Identifier ? first : null });
  }
  perModel.set(server, handlers);
  return handlers;
}

/**
 * The `net`/`tls` servers of this file that never close an idle connection: at least one connection handler is
 * visible, every handler is visible, and none of them arms a socket inactivity timeout whose handler ends or
 * destroys the socket (`socket.setTimeout(ms)` plus a closing `'timeout'` listener, `setTimeout(ms, cb)` with a
 * closing `cb`, or a helper whose summary registers a closing `'timeout'` listener), hands the socket to code that
 * keeps it (escape), or closes it on every path itself. `net.Server` has no idle timeout of its own.
 */
export function idleNetServers(model: FileModel): readonly IdleNetServer[] {
  const cached = model.recall(IDLE_NET_SERVERS);
  if (cached) {
    return cached;
  }
  const found: IdleNetServer[] = [];
  if (!model.hasResourceOfKind('net-server')) {
    return model.remember(IDLE_NET_SERVERS, found);
  }
  for (const server of createdServers(model, 'net-server')) {
    const handlers = connectionHandlers(model, server);
    if (handlers.length === 0 || handlers.some(handler => handler.fn === null)) {
      continue;
    }
    if (handlers.some(handler => handlerReaps(model, handler))) {
      continue;
    }
    const primary = handlers.find(handler => handler.listener.method === 'callback') ?? handlers[0]!;
    found.push({ server, handlers, primary });
  }
  return model.remember(IDLE_NET_SERVERS, found);
}

/** Whether a connection handler closes idle connections (or hands the socket to code that is then responsible). */
export function handlerReaps(model: FileModel, handler: ConnectionHandler): boolean {
  const fn = handler.fn;
  if (!fn) {
    return true;
  }
  const first = fn.params[0];
  if (!first) {
    // The handler never looks at the socket, so it cannot time it out.
    return false;
  }
  if (!handler.param) {
    return true;
  }
  const socket = model.resourceOfParam(handler.param, 'socket');
  if (!socket) {
    return true;
  }
  if (socket.uses.some(use => use.kind === 'dispose') || handedOff(model, socket, fn)) {
    return true;
  }
  if (closesWithoutWaiting(model, fn, socket)) {
    return true;
  }
  return armsClosingTimeout(model, socket);
}

/**
 * Whether the handler hands the socket to someone else: stored, exported, or passed to code that keeps it. Unlike
 * `FileModel.escapes`, the handler's own return value does not count (a connection listener's result is dropped:
 * `socket => socket.on(…)` keeps nothing), nor does passing the socket to one of its own methods (`socket.pipe(socket)`).
 */
function handedOff(model: FileModel, socket: Resource, handler: FunctionNode): boolean {
  return socket.uses.some(use => {
    if (use.kind === 'escape') {
      return !(use.how === 'return' && returnsFrom(use.node, handler));
    }
    if (use.kind === 'argument') {
      const callee = unwrap(use.call.callee);
      if (callee.type === AST_NODE_TYPES.MemberExpression && socket.refs.has(unwrap(callee.object))) {
        return false;
      }
      return model.effectsOf(use.call, use.index).escapes;
    }
    return false;
  });
}

/** Whether an escape node (a `return`, or an arrow's expression body) returns from `fn` itself. */
function returnsFrom(node: TSESTree.Node, fn: FunctionNode): boolean {
  if (node === fn) {
    return true;
  }
  let current = node.parent;
  while (current && !isFunctionNode(current)) {
    current = current.parent;
  }
  return current === fn;
}

/**
 * Whether every normal exit of the handler closes the socket without waiting for the client: a close on the
 * handler's own code path (`socket.end(data)`), a helper that closes it before returning, `process.exit()`, or a
 * callback of a call that is not a listener registration (`socket.write(data, () => socket.end())`). A close in a
 * listener (`'end'`, `'error'`, `'timeout'`, `'data'`) waits for an event that a silent client never causes.
 */
function closesWithoutWaiting(model: FileModel, handler: FunctionNode, socket: Resource): boolean {
  const anchors: TSESTree.Node[] = [];
  for (const call of model.paths.callsIn(handler)) {
    if (call.type === AST_NODE_TYPES.CallExpression && closesNow(model, call, handler, socket)) {
      anchors.push(call);
    }
  }
  return anchors.length > 0 && model.paths.everyPathPasses(handler, anchors);
}

function closesNow(
  model: FileModel,
  call: TSESTree.CallExpression,
  handler: FunctionNode,
  socket: Resource,
): boolean {
  const callee = unwrap(call.callee);
  const method = callee.type === AST_NODE_TYPES.MemberExpression ? memberName(callee) : null;
  if (dottedName(callee) === 'process.exit') {
    return true;
  }
  if (method !== null && callee.type === AST_NODE_TYPES.MemberExpression) {
    if (CLOSER_METHODS.has(method) && model.refersTo(callee.object, socket, handler, undefined)) {
      return true;
    }
    if (LISTENER_METHODS.has(method) || method === 'setTimeout') {
      return false;
    }
  }
  for (let index = 0; index < call.arguments.length; index++) {
    const argument = call.arguments[index]!;
    if (model.refersTo(argument, socket, handler, undefined) && model.effectsOf(call, index).closesAllSync === true) {
      return true;
    }
    const callback = unwrap(argument);
    if (isFunctionNode(callback)) {
      const inner = model.closingAnchors(callback, socket, undefined, 1);
      if (inner !== 'unknown' && inner.length > 0) {
        return true;
      }
    }
  }
  return false;
}

/**
 * Whether the code disarms the socket's inactivity timer somewhere: `socket.setTimeout(0)` (a literal 0 and no
 * callback), as code that arms a connect timeout does once connected.
 */
export function disarmsTimeout(socket: Resource): boolean {
  return socket.uses.some(
    use =>
      use.kind === 'method' &&
      use.name === 'setTimeout' &&
      use.call.arguments.length === 1 &&
      use.call.arguments[0]?.type === AST_NODE_TYPES.Literal &&
      use.call.arguments[0].value === 0,
  );
}

/** Whether the socket gets an inactivity timeout (not 0) and a `'timeout'` listener, here or in a helper. */
function armsClosingTimeout(model: FileModel, socket: Resource): boolean {
  let armed = false;
  for (const use of socket.uses) {
    if (use.kind === 'method' && use.name === 'setTimeout' && !isStaticZero(model, use.call.arguments[0])) {
      armed = true;
    }
    if (use.kind === 'argument') {
      const effects = model.effectsOf(use.call, use.index);
      if (effects.events.has('timeout')) {
        // A helper that registers a 'timeout' listener (arming the timer with setTimeout(ms, cb)); whether that
        // listener closes is timeout-closes-socket's report, in the helper's file.
        return true;
      }
    }
  }
  if (!armed) {
    return false;
  }
  // Whether that listener really closes the socket is timeout-closes-socket's report: one bug, one report.
  return model.listenersOf(socket, 'timeout').length > 0;
}

/**
 * Every `keepAliveTimeout`, `headersTimeout` or `requestTimeout` of an `http`/`https` server set to 0: in the
 * options object of `createServer()`/`new Server()` (literal, or a `const` object literal), or by assignment to
 * the server (through aliases, fields, or any expression typed as an http server). Values count as 0 when their
 * type is the literal `0` (so `const OFF = 0` is followed).
 */
export function httpReapingOff(model: FileModel): readonly HttpReapingOff[] {
  const cached = model.recall(HTTP_REAPING_OFF);
  if (cached) {
    return cached;
  }
  // A file whose text never names one of the options assigns none: its stores are not read.
  const namesAnOption = mayAssignTimeouts(model);
  if (!namesAnOption && !model.hasResourceOfKind('http-server')) {
    // No http server in the file and no option named in its text: nothing to look at.
    return model.remember(HTTP_REAPING_OFF, []);
  }
  interface Setting {
    option: string;
    node: TSESTree.Node;
    zero: boolean;
  }
  const groups = new Map<Resource, { server: Resource | null; name: string; options: boolean; settings: Setting[] }>();
  for (const server of createdServers(model, 'http-server')) {
    const options = optionsObject(model, server);
    const settings: Setting[] = [];
    for (const property of options?.properties ?? []) {
      if (property.type !== AST_NODE_TYPES.Property) {
        continue;
      }
      const key = !property.computed && property.key.type === AST_NODE_TYPES.Identifier ? property.key.name : staticString(property.key);
      if (key !== null && HTTP_REAPING_TIMEOUTS.has(key)) {
        settings.push({ option: key, node: property, zero: isStaticZero(model, property.value) });
      }
    }
    groups.set(server, { server, name: server.name, options: options !== null, settings });
  }
  for (const assignment of namesAnOption ? timeoutAssignments(model) : []) {
    const left = assignment.left as TSESTree.MemberExpression;
    const target = unwrap(left.object);
    // A known variable answers without a type query; anything else is classified by the checker.
    const server = model.resourceOf(target);
    if (server?.kind !== 'http-server') {
      continue;
    }
    let group = groups.get(server);
    if (!group) {
      group = { server, name: server.name, options: false, settings: [] };
      groups.set(server, group);
    }
    group.settings.push({ option: memberName(left)!, node: assignment, zero: isStaticZero(model, assignment.right) });
  }
  const found: HttpReapingOff[] = [];
  for (const group of groups.values()) {
    const zero = (option: string): boolean => group.settings.some(setting => setting.option === option && setting.zero);
    const inOptions = (option: string): boolean =>
      group.settings.some(setting => setting.option === option && setting.node.type === AST_NODE_TYPES.Property);
    // Without its own headersTimeout option, the headers deadline is min(60 s, requestTimeout option).
    const headersOff =
      zero('headersTimeout') ||
      (!inOptions('headersTimeout') &&
        group.settings.some(setting => setting.option === 'requestTimeout' && setting.zero && setting.node.type === AST_NODE_TYPES.Property));
    const checkerOff = headersOff && zero('requestTimeout');
    for (const setting of group.settings) {
      if (!setting.zero) {
        continue;
      }
      const effect: ReapingEffect =
        setting.option === 'keepAliveTimeout'
          ? 'keepAlive'
          : checkerOff
            ? 'checker'
            : setting.option === 'headersTimeout'
              ? 'headers'
              : 'request';
      found.push({ server: group.server, serverName: group.name, option: setting.option, node: setting.node, effect });
    }
  }
  found.sort((a, b) => a.node.range[0] - b.node.range[0]);
  return model.remember(HTTP_REAPING_OFF, found);
}

/** The options object literal of a server's creation: inline, or a `const` initialised with an object literal. */
function optionsObject(model: FileModel, server: Resource): TSESTree.ObjectExpression | null {
  if (server.options?.type === AST_NODE_TYPES.ObjectExpression) {
    return server.options;
  }
  const creation = server.node;
  if (creation.type !== AST_NODE_TYPES.CallExpression && creation.type !== AST_NODE_TYPES.NewExpression) {
    return null;
  }
  const first = creation.arguments[0] ? unwrap(creation.arguments[0]) : null;
  if (first?.type !== AST_NODE_TYPES.Identifier) {
    return null;
  }
  const definition = model.variableOf(first)?.defs[0];
  if (
    definition?.node.type === AST_NODE_TYPES.VariableDeclarator &&
    definition.node.parent.type === AST_NODE_TYPES.VariableDeclaration &&
    definition.node.parent.kind === 'const' &&
    definition.node.init
  ) {
    const init = unwrap(definition.node.init);
    return init.type === AST_NODE_TYPES.ObjectExpression ? init : null;
  }
  return null;
}

/** `x.keepAliveTimeout = …`, `x.headersTimeout = …`, `x.requestTimeout = …` anywhere in the file (syntactic). */
function timeoutAssignments(model: FileModel): TSESTree.AssignmentExpression[] {
  return model.paths.stores.filter(
    (node): node is TSESTree.AssignmentExpression =>
      node.type === AST_NODE_TYPES.AssignmentExpression &&
      node.operator === '=' &&
      node.left.type === AST_NODE_TYPES.MemberExpression &&
      HTTP_REAPING_TIMEOUTS.has(memberName(node.left) ?? ''),
  );
}

const TIMEOUT = 'Timeout';
/** `keepAlive`, `headers`, `request`: what comes before `Timeout` in each of `HTTP_REAPING_TIMEOUTS`. */
const TIMEOUT_OPTION_PREFIXES: readonly string[] = [...HTTP_REAPING_TIMEOUTS].map(name => name.slice(0, -TIMEOUT.length));

/**
 * Whether the file's text names one of the three options at all. A file that never does assigns none of them, and its
 * stores are not read: a scan of the contiguous text touches less memory than the store nodes, which lie all over the
 * heap. (Each `Timeout` in the text is looked at, `setTimeout` being the common one.)
 */
function mayAssignTimeouts(model: FileModel): boolean {
  const text = model.sourceCode.text;
  for (let at = text.indexOf(TIMEOUT); at >= 0; at = text.indexOf(TIMEOUT, at + TIMEOUT.length)) {
    if (TIMEOUT_OPTION_PREFIXES.some(prefix => text.endsWith(prefix, at))) {
      return true;
    }
  }
  return false;
}

/** Whether an expression is statically 0: the literal, or anything whose type is the literal type `0`. */
export function isStaticZero(model: FileModel, node: TSESTree.Node | undefined): boolean {
  if (!node) {
    return false;
  }
  const value = unwrap(node);
  if (value.type === AST_NODE_TYPES.Literal) {
    return value.value === 0;
  }
  if (isFunctionNode(value)) {
    return false;
  }
  try {
    const tsNode = model.services.esTreeNodeToTSNodeMap.get(value);
    const type: ts.Type | undefined = tsNode ? model.typeContext.checker.getTypeAtLocation(tsNode) : undefined;
    return type !== undefined && type.isNumberLiteral() && type.value === 0;
  } catch {
    return false;
  }
}
