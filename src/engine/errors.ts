import type { TSESTree } from '@typescript-eslint/utils';

import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import * as ts from 'typescript';

import type { FileModel, Listener, Resource } from './model.js';

import {
  calledMethod,
  dottedName,
  enclosingFunction,
  logicalParent,
  receiverOf,
  staticString,
  unwrap,
  type FunctionNode,
} from './ast.js';
import { MemoKey } from './model.js';
import { swallow } from './failure.js';
// Events of a client socket that fire only once it is connected: connection failures are emitted before them.
import { CONNECTED_EVENTS, untypedBinding } from './lifetime.js';
import { nodeApiOfTsNode } from './node-api.js';
import { MAX_HELPER_DEPTH, visibleCallee } from './summaries.js';
import { LISTENER_METHODS } from './vocabulary.js';

/**
 * Who handles the `'error'` event of a socket or client request. An `'error'` event with no listener is thrown by
 * EventEmitter: the exception is uncaught and the process exits with status 1. Node destroys a `net.Socket` on error
 * by itself (`autoDestroy`), so any listener is enough; it does not need to call `destroy()`.
 */

export type ErrorCoverage =
  /** A listener, `pipeline`/`finished`/`events.once`, a helper that registers one, a `for await` loop. */
  | { kind: 'handled' }
  /** Handed to code that keeps it (returned, stored, passed on): its new owner is responsible. */
  | { kind: 'escapes' }
  /** Nothing listens for `'error'`. */
  | { kind: 'missing' }
  /** Every `'error'` listener is added once the socket is connected: connection failures are not covered. */
  | { kind: 'late'; listeners: readonly Listener[] };

/**
 * The resources whose `'error'` event this file must handle: sockets it creates (`net`/`tls` `connect`,
 * `new net.Socket()` that connects; not `new tls.TLSSocket()`, which handles its own), gets from a helper of the
 * program, accepts from a `net`/`tls` server (raw `'connection'` sockets of a tls server excluded: the TLS layer owns
 * their errors), or is handed by an http `'upgrade'`/`'connect'` event (server or client side: Node removes its own
 * `'error'` listener before the hand-over), and the http/https client requests it makes.
 */
export function needsErrorListener(model: FileModel, resource: Resource): boolean {
  try {
    if (resource.kind === 'client-request') {
      return resource.origin === 'request' && !untypedBinding(model, resource);
    }
    if (resource.kind !== 'socket' || !resource.owned || untypedBinding(model, resource)) {
      return false;
    }
    switch (resource.origin) {
      case 'created':
        return resource.node.type !== AST_NODE_TYPES.NewExpression || constructedSocketNeedsListener(model, resource);
      case 'helper':
        return !helperHandlesErrors(model, resource.node);
      case 'accepted':
        return !isRawTlsConnection(model, resource);
      case 'http-upgrade':
      case 'client-upgrade':
        return true;
      default:
        return false;
    }
  } catch (error) {
    swallow(error);
    return false;
  }
}

/** Who handles `resource`'s `'error'` event (see {@link ErrorCoverage}). */
export function errorCoverage(model: FileModel, resource: Resource): ErrorCoverage {
  try {
    const clientSocket = resource.kind === 'socket' && (resource.origin === 'created' || resource.origin === 'helper');
    return coverageOf(model, resource, clientSocket);
  } catch (error) {
    swallow(error);
    return { kind: 'handled' };
  }
}

function coverageOf(model: FileModel, resource: Resource, clientSocket: boolean): ErrorCoverage {
  if (escapesForErrors(model, resource)) {
    return { kind: 'escapes' };
  }
  for (const use of resource.uses) {
    if (use.kind === 'iterate') {
      // The async iterator listens for 'error' and rethrows it from the loop.
      return { kind: 'handled' };
    }
    if (use.kind === 'argument' && !isPipeDestination(model, use.call) && model.effectsOf(use.call, use.index).events.has('error')) {
      return { kind: 'handled' };
    }
    if (use.kind === 'method' && LISTENER_METHODS.has(use.name) && staticString(use.call.arguments[0]) === null) {
      // An event we cannot read: it may be 'error'.
      return { kind: 'handled' };
    }
  }
  const listeners = errorListenersOf(model, resource);
  if (listeners.length === 0) {
    return { kind: 'missing' };
  }
  if (clientSocket && listeners.every(listener => registeredOnceConnected(model, listener, resource))) {
    return { kind: 'late', listeners };
  }
  return { kind: 'handled' };
}

/**
 * {@link FileModel.escapes}, except that being the destination of `src.pipe(dest)` is not a hand-off: `pipe` adds an
 * `'error'` listener to the destination that re-emits the error when nobody else listens, so the process still exits.
 */
function escapesForErrors(model: FileModel, resource: Resource): boolean {
  return resource.uses.some(use => {
    if (use.kind === 'escape') {
      return true;
    }
    if (use.kind !== 'argument') {
      return false;
    }
    return !isPipeDestination(model, use.call) && model.effectsOf(use.call, use.index).escapes;
  });
}

/** `src.pipe(dest)`, Node's `Readable#pipe`. */
function isPipeDestination(model: FileModel, call: TSESTree.CallExpression | TSESTree.NewExpression): boolean {
  if (call.type !== AST_NODE_TYPES.CallExpression || calledMethod(call) !== 'pipe') {
    return false;
  }
  const api = model.apiOf(call);
  return api?.module === 'stream' && api.name === 'pipe';
}

interface ListenerIndex {
  /** `'error'` listeners by their (unwrapped) target. */
  errorByTarget: Map<TSESTree.Node, Listener[]>;
  /** `'error'` listeners registered on `this` (a `function` listener's emitter). */
  errorOther: Listener[];
  /** `'connect'`/`'ready'`/`'secureConnect'` listeners (and factory connect callbacks) by their handler. */
  connectedByHandler: Map<FunctionNode, Listener[]>;
}

const LISTENER_INDEX = new MemoKey<ListenerIndex>('error listeners');

/** Lookups built once per model, so that the queries stay linear in the size of the file. */
function listenerIndex(model: FileModel): ListenerIndex {
  let index = model.recall(LISTENER_INDEX);
  if (index) {
    return index;
  }
  index = { errorByTarget: new Map(), errorOther: [], connectedByHandler: new Map() };
  for (const listener of model.listeners) {
    if (listener.event === 'error' && listener.method !== 'callback') {
      const target = unwrap(listener.target);
      const list = index.errorByTarget.get(target);
      if (list) {
        list.push(listener);
      } else {
        index.errorByTarget.set(target, [listener]);
      }
      if (target.type === AST_NODE_TYPES.ThisExpression) {
        index.errorOther.push(listener);
      }
    } else if (CONNECTED_EVENTS.has(listener.event)) {
      const handler = model.functionOf(listener.handlerArgument);
      if (handler) {
        const list = index.connectedByHandler.get(handler);
        if (list) {
          list.push(listener);
        } else {
          index.connectedByHandler.set(handler, [listener]);
        }
      }
    }
  }
  return model.remember(LISTENER_INDEX, index);
}

/** The `'error'` listeners registered on `resource`: through any reference, or `this` in a `function` listener. */
export function errorListenersOf(model: FileModel, resource: Resource): Listener[] {
  const index = listenerIndex(model);
  const found = new Set<Listener>();
  for (const ref of resource.refs) {
    for (const listener of index.errorByTarget.get(ref) ?? []) {
      found.add(listener);
    }
  }
  for (const listener of index.errorOther) {
    if (!found.has(listener) && isOn(model, listener, resource)) {
      found.add(listener);
    }
  }
  return [...found];
}

/** Whether the program registers `process.on('uncaughtException', …)` here: an unhandled `'error'` no longer exits. */
export function hasUncaughtExceptionHandler(model: FileModel): boolean {
  return model.listeners.some(
    listener =>
      listener.event === 'uncaughtException' &&
      listener.method !== 'callback' &&
      dottedName(listener.target) === 'process',
  );
}

function isOn(model: FileModel, listener: Listener, resource: Resource): boolean {
  if (listener.method === 'callback') {
    return false;
  }
  const target = unwrap(listener.target);
  if (resource.refs.has(target)) {
    return true;
  }
  if (target.type === AST_NODE_TYPES.Identifier) {
    const variable = model.variableOf(target);
    return variable !== null && resource.variables.has(variable);
  }
  if (target.type === AST_NODE_TYPES.ThisExpression) {
    const fn = enclosingFunction(target);
    return fn !== null && model.refersTo(target, resource, fn, undefined);
  }
  return false;
}

/**
 * Whether a listener is registered from inside a `'connect'`/`'ready'`/`'secureConnect'` listener of `resource`, the
 * connect callback of its factory (`net.connect(port, () => …)`), or the callback of `resource.connect(…, cb)`.
 * Connection failures (ECONNREFUSED, ETIMEDOUT, ENOTFOUND) are emitted before any of these run.
 */
function registeredOnceConnected(model: FileModel, listener: Listener, resource: Resource): boolean {
  let fn: FunctionNode | null = enclosingFunction(listener.call);
  while (fn) {
    if (isConnectCallback(model, fn, resource)) {
      return true;
    }
    fn = enclosingFunction(fn);
  }
  return false;
}

function isConnectCallback(model: FileModel, fn: FunctionNode, resource: Resource): boolean {
  for (const other of listenerIndex(model).connectedByHandler.get(fn) ?? []) {
    const onResource = other.method === 'callback' ? resource.refs.has(other.target) : isOn(model, other, resource);
    if (onResource) {
      return true;
    }
  }
  const { parent, child } = logicalParent(fn);
  if (parent?.type === AST_NODE_TYPES.CallExpression && parent.arguments.at(-1) === child && calledMethod(parent) === 'connect') {
    const receiver = receiverOf(parent);
    return receiver !== null && model.refersTo(receiver, resource, fn, undefined);
  }
  return false;
}

/**
 * `new net.Socket()` only errors once it connects (or wraps a descriptor); `new tls.TLSSocket()` handles its own errors
 * (below); user subclasses may listen themselves.
 */
function constructedSocketNeedsListener(model: FileModel, resource: Resource): boolean {
  const creation = resource.node as TSESTree.NewExpression;
  const api = model.apiOf(creation);
  // A `new tls.TLSSocket()` listens for its own 'error' (re-emitted as '_tlsError') until `tls.connect()` or a tls
  // server releases it, which neither does for one constructed directly: an error destroys it, nothing is thrown.
  if (api?.module !== 'net' || api.name !== 'Socket') {
    return false;
  }
  const options = creation.arguments[0] ? unwrap(creation.arguments[0]) : undefined;
  if (options?.type === AST_NODE_TYPES.ObjectExpression && options.properties.some(p => p.type === AST_NODE_TYPES.Property && !p.computed && p.key.type === AST_NODE_TYPES.Identifier && (p.key.name === 'fd' || p.key.name === 'handle'))) {
    return true;
  }
  return resource.uses.some(use => use.kind === 'method' && use.name === 'connect');
}

/** A socket of a tls server's raw `'connection'` event (before TLS): its errors surface on the TLSSocket. */
function isRawTlsConnection(model: FileModel, resource: Resource): boolean {
  if (!resource.handler) {
    return false;
  }
  for (const listener of model.listeners) {
    if (listener.method === 'callback' || listener.event !== 'connection') {
      continue;
    }
    if (model.functionOf(listener.handlerArgument) !== resource.handler) {
      continue;
    }
    const server = model.serverOf(listener);
    const creation = server?.node;
    if (
      creation &&
      (creation.type === AST_NODE_TYPES.CallExpression || creation.type === AST_NODE_TYPES.NewExpression) &&
      model.apiOf(creation)?.module === 'tls'
    ) {
      return true;
    }
  }
  return false;
}

/**
 * Whether the helper of the program that returned this socket (or a helper it calls, to a bounded depth) registers
 * an `'error'` listener or hands a stream to `pipeline`/`finished`: we then assume it covers the socket it returns.
 */
function helperHandlesErrors(model: FileModel, creation: TSESTree.Node): boolean {
  const tsCall = model.services.esTreeNodeToTSNodeMap.get(creation) as ts.CallExpression | undefined;
  if (!tsCall || !ts.isCallExpression(tsCall)) {
    return true;
  }
  const declaration = visibleCallee(tsCall, model.typeContext);
  return declaration === null || registersErrorListener(declaration, model, 0, new Set());
}

function registersErrorListener(
  declaration: ts.FunctionLikeDeclaration,
  model: FileModel,
  depth: number,
  seen: Set<ts.Node>,
): boolean {
  if (seen.has(declaration) || depth >= MAX_HELPER_DEPTH) {
    return true;
  }
  seen.add(declaration);
  let found = false;
  let budget = 20_000;
  const visit = (node: ts.Node): void => {
    if (found) {
      return;
    }
    if (--budget < 0) {
      // Too big to read: assume it takes care of it.
      found = true;
      return;
    }
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      if (ts.isPropertyAccessExpression(callee) && LISTENER_METHODS.has(callee.name.text)) {
        const event = node.arguments[0];
        if (!event || !ts.isStringLiteralLike(event) || event.text === 'error') {
          found = true;
          return;
        }
      }
      const api = nodeApiOfTsNode(callee, model.typeContext.checker);
      if (api?.module.startsWith('stream') && (api.name === 'pipeline' || api.name === 'finished')) {
        found = true;
        return;
      }
      if (!api) {
        const inner = visibleCallee(node, model.typeContext);
        if (inner && registersErrorListener(inner, model, depth + 1, seen)) {
          found = true;
          return;
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  if (declaration.body) {
    visit(declaration.body);
  }
  return found;
}
