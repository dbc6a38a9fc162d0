/**
 * Facts about the two halves of a socket's lifetime after the peer's FIN: whether anything reads its readable side
 * (with default options Node ends a socket only once `'end'` fires, and `'end'` fires only once the read buffer is
 * drained), and whether anything ends it on an `'end'` path (with `allowHalfOpen`, Node never does). Shared by the
 * rules; every function is bounded, memoised per model where it matters, and answers "handled" when it cannot tell.
 */
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';

import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import * as ts from 'typescript';

import type { FileModel, Listener, Resource } from './model.js';

import {
  calledMethod,
  contains,
  dottedName,
  isFunctionNode,
  objectProperty,
  receiverOf,
  staticString,
  unwrap,
  type FunctionNode,
} from './ast.js';
import { swallow } from './failure.js';
import { anchorOf, codePathOwner, MemoKey } from './model.js';
import { isApi, nodeApiOfTsNode } from './node-api.js';
import { MAX_HELPER_DEPTH, returnedExpressions, skipOuter, visibleCallee } from './summaries.js';
import {
  CHAINABLE_METHODS,
  CLOSER_METHODS,
  LISTENER_METHODS,
  OBSERVER_CALLEES,
  READABLE_CONSUMER_METHODS,
  READER_EVENTS,
  READER_METHODS,
} from './vocabulary.js';

/** Methods that consume a socket and also restart reading on a paused one (`pause()`, `pauseOnConnect`). */
const RESUMING_METHODS: ReadonlySet<string> = new Set([...READER_METHODS, ...READABLE_CONSUMER_METHODS]);

/** The `pipeline`-like functions of `node:stream` and `node:stream/promises`. */
const PIPELINES = ['stream.pipeline', 'stream/promises.pipeline', 'stream.compose'];

/**
 * Events whose listeners run on a live connection whatever the peer does, so that a close in one counts as
 * unconditional: a client's `'connect'`. Factory callbacks (`net.connect(port, cb)`) count as well.
 */
export const CONNECTED_EVENTS: ReadonlySet<string> = new Set(['connect', 'secureConnect', 'ready']);

/** Events of another stream whose listener closing the socket ties the socket's end to that stream's. */
const PARTNER_END_EVENTS: ReadonlySet<string> = new Set(['end', 'close', 'finish']);

interface ModelIndex {
  /** Listeners by the (unwrapped) emitter expression they are registered on. */
  byTarget: Map<TSESTree.Node, Listener[]>;
  /** Registrations (`x.on(...)`, `x.setTimeout(ms, fn)`, not factory callbacks) by their call. */
  registrations: Map<TSESTree.Node, Listener>;
  /** Resolved handlers of `'end'`/`'close'`/`'finish'` listeners on other streams (computed on first use). */
  partnerHandlers: Map<TSESTree.Node, Listener[]> | null;
  /** Per function: the calls on its code path that close everything (`process.exit()`, `this.…` delegation). */
  sweeping: Map<TSESTree.Node, (TSESTree.CallExpression | TSESTree.NewExpression)[]>;
}

const MODEL_INDEX = new MemoKey<ModelIndex>('listeners by target');

/** Lookups built once per model, so that the queries below stay linear in the size of the file. */
function indexOf(model: FileModel): ModelIndex {
  let index = model.recall(MODEL_INDEX);
  if (!index) {
    const byTarget = new Map<TSESTree.Node, Listener[]>();
    const registrations = new Map<TSESTree.Node, Listener>();
    for (const listener of model.listeners) {
      let list = byTarget.get(listener.target);
      if (!list) {
        list = [];
        byTarget.set(listener.target, list);
      }
      list.push(listener);
      if (listener.method !== 'callback') {
        registrations.set(listener.call, listener);
      }
    }
    index = { byTarget, registrations, partnerHandlers: null, sweeping: new Map() };
    model.remember(MODEL_INDEX, index);
  }
  return index;
}

/** The listeners registered on the resource through any of its references, optionally for one event. */
function listenersOn(model: FileModel, resource: Resource, event?: string): Listener[] {
  const { byTarget } = indexOf(model);
  const found: Listener[] = [];
  for (const ref of resource.refs) {
    for (const listener of byTarget.get(ref) ?? []) {
      if (event === undefined || listener.event === event) {
        found.push(listener);
      }
    }
  }
  return found;
}

/**
 * Whether the resource is bound to a variable whose declared type the checker cannot classify (`const s: any =
 * net.connect()`): the code gave up on types there, so the rules say nothing about it.
 */
export function untypedBinding(model: FileModel, resource: Resource): boolean {
  for (const variable of resource.variables) {
    const name = variable.defs[0]?.name;
    if (name?.type === AST_NODE_TYPES.Identifier && name.typeAnnotation && model.kindOf(name) === null) {
      return true;
    }
  }
  return false;
}

/**
 * How the readable side of a socket is handled:
 * - `reads`: something consumes it (`'data'`, `pipe`, `pipeline`, `resume`, `read()`, `for await`, a helper that
 *   reads it, code we cannot see);
 * - `paused`: `pause()` or `pauseOnConnect`, and nothing that restarts reading;
 * - `readable-without-read`: only a `'readable'` listener that never calls `read()`;
 * - `never-read`: nothing at all.
 */
export type ReadState = 'reads' | 'paused' | 'readable-without-read' | 'never-read';

const READ_STATES = new MemoKey<Map<Resource, ReadState>>('read states');

/** How the readable side of `resource` is handled on any path of the file (see {@link ReadState}). */
export function readStateOf(model: FileModel, resource: Resource): ReadState {
  const cache = model.recall(READ_STATES) ?? model.remember(READ_STATES, new Map());
  const cached = cache.get(resource);
  if (cached) {
    return cached;
  }
  let state: ReadState = 'reads';
  try {
    state = computeReadState(model, resource);
  } catch (error) {
    swallow(error);
    state = 'reads';
  }
  cache.set(resource, state);
  return state;
}

/** Whether anything reads `resource` (and, if it is paused, resumes it). */
export function readsResource(model: FileModel, resource: Resource): boolean {
  return readStateOf(model, resource) === 'reads';
}

/** Whether the socket was paused by an explicit `pause()` call (as opposed to only `pauseOnConnect`). */
export function pausedExplicitly(resource: Resource): boolean {
  return resource.uses.some(use => use.kind === 'method' && use.name === 'pause');
}

function computeReadState(model: FileModel, resource: Resource): ReadState {
  let consumes = false;
  let resumes = false;
  let paused = resource.pausedOnConnect;
  for (const use of resource.uses) {
    if (use.kind === 'method') {
      if (use.name === 'pause') {
        paused = true;
      } else if (RESUMING_METHODS.has(use.name)) {
        consumes = true;
        resumes = true;
      }
    } else if (use.kind === 'iterate') {
      consumes = true;
      resumes = true;
    } else if (use.kind === 'argument' && argumentReads(model, use.call, use.index)) {
      consumes = true;
      resumes = true;
    }
    if (resumes) {
      // A use that reads and resumes decides it: the socket is read, paused or not, whatever else happens to it.
      return 'reads';
    }
  }
  let readable = false;
  for (const listener of listenersOn(model, resource)) {
    if (READER_EVENTS.has(listener.event)) {
      consumes = true;
    } else if (listener.event === 'readable') {
      readable = true;
      if (readableListenerReads(model, listener, resource)) {
        consumes = true;
        resumes = true;
      }
    }
  }
  if (!consumes && resource.origin === 'helper' && helperReadsReturned(model, resource)) {
    return 'reads';
  }
  if (paused && !resumes) {
    return 'paused';
  }
  if (consumes) {
    return 'reads';
  }
  return readable ? 'readable-without-read' : 'never-read';
}

/** Whether passing the socket as argument `index` of `call` reads it. */
function argumentReads(model: FileModel, call: TSESTree.CallExpression | TSESTree.NewExpression, index: number): boolean {
  if (call.type === AST_NODE_TYPES.CallExpression && calledMethod(call) === 'pipe' && index === 0) {
    // `partner.pipe(socket)` writes to it; that is not a read (see pipedInto).
    return false;
  }
  const api = model.apiOf(call);
  if (isApi(api, ...PIPELINES)) {
    // Every stream of a pipeline is read except the last one.
    return index < lastStreamIndex(call);
  }
  if (isApi(api, 'events.once', 'events.on')) {
    return staticString(call.arguments[1]) === 'data';
  }
  return model.effectsOf(call, index).reads;
}

/** The index of the last stream argument of a `pipeline(...)` call (skipping a trailing callback or options). */
function lastStreamIndex(call: TSESTree.CallExpression | TSESTree.NewExpression): number {
  for (let i = call.arguments.length - 1; i >= 0; i--) {
    const argument = unwrap(call.arguments[i]!);
    if (!isFunctionNode(argument) && argument.type !== AST_NODE_TYPES.ObjectExpression) {
      return i;
    }
  }
  return -1;
}

/** Whether a `'readable'` listener on the socket calls `read()` on it (`socket.read()`, or `this.read()`). */
function readableListenerReads(model: FileModel, listener: Listener, resource: Resource): boolean {
  const handler = model.functionOf(listener.handlerArgument);
  if (!handler) {
    // A handler we cannot see: assume it does its job.
    return true;
  }
  for (const call of model.paths.callsIn(handler)) {
    if (call.type !== AST_NODE_TYPES.CallExpression || calledMethod(call) !== 'read') {
      continue;
    }
    const receiver = receiverOf(call);
    if (receiver && model.refersTo(receiver, resource, handler, listener.target)) {
      return true;
    }
  }
  return false;
}

// -------------------------------------------------------------------------------------------------------------------
// Helpers that return a fresh socket: does the helper read it before handing it over?

/**
 * For a socket returned by a helper of the program (`origin: 'helper'`): whether the helper itself reads it (a
 * `'data'` listener, `pipe`, `resume`, …) or does something with it we cannot follow. `true` when unsure.
 */
export function helperReadsReturned(model: FileModel, resource: Resource): boolean {
  try {
    const tsCall = model.services.esTreeNodeToTSNodeMap.get(resource.node);
    if (!tsCall || !(ts.isCallExpression(tsCall) || ts.isNewExpression(tsCall))) {
      return true;
    }
    const declaration = visibleCallee(tsCall, model.typeContext);
    return declaration === null || returnedIsRead(declaration, model, 0);
  } catch (error) {
    swallow(error);
    return true;
  }
}

function returnedIsRead(declaration: ts.FunctionLikeDeclaration, model: FileModel, depth: number): boolean {
  if (!declaration.body || depth >= MAX_HELPER_DEPTH) {
    return true;
  }
  const returned = returnedExpressions(declaration);
  return returned.length === 0 || returned.some(expression => expressionIsRead(expression, declaration, model, depth));
}

/** `skipOuter` that also looks through `await`. */
function skipOuterAwait(node: ts.Node): ts.Node {
  return skipOuter(node, { awaits: true });
}

function methodReads(method: string, args: ts.NodeArray<ts.Expression>): boolean {
  if (RESUMING_METHODS.has(method)) {
    return true;
  }
  if (LISTENER_METHODS.has(method)) {
    const event = args[0];
    return event !== undefined && ts.isStringLiteralLike(event) && READER_EVENTS.has(event.text);
  }
  return false;
}

/** Whether the value of `expression` (returned by `declaration`) is read inside it. `true` when unsure. */
function expressionIsRead(expression: ts.Node, declaration: ts.FunctionLikeDeclaration, model: FileModel, depth: number): boolean {
  const checker = model.typeContext.checker;
  let inner = skipOuterAwait(expression);
  for (let i = 0; i < 64; i++) {
    if (ts.isIdentifier(inner)) {
      return localIsRead(inner, declaration, model, depth);
    }
    if (ts.isNewExpression(inner)) {
      return false;
    }
    if (!ts.isCallExpression(inner)) {
      return true;
    }
    const callee = skipOuterAwait(inner.expression);
    const api = nodeApiOfTsNode(callee, checker);
    if (isApi(api, 'net.connect', 'net.createConnection', 'tls.connect')) {
      return false;
    }
    if (ts.isPropertyAccessExpression(callee) && CHAINABLE_METHODS.has(callee.name.text)) {
      // `net.connect(...).on('data', …)`: chains return the socket itself.
      if (methodReads(callee.name.text, inner.arguments)) {
        return true;
      }
      inner = skipOuterAwait(callee.expression);
      continue;
    }
    const helper = visibleCallee(inner, model.typeContext);
    return helper === null || returnedIsRead(helper, model, depth + 1);
  }
  return true;
}

/** Whether a local of `declaration` that it returns is read there (or used in a way we cannot follow). */
function localIsRead(identifier: ts.Identifier, declaration: ts.FunctionLikeDeclaration, model: FileModel, depth: number): boolean {
  const checker = model.typeContext.checker;
  const symbol = checker.getSymbolAtLocation(identifier);
  const local = symbol?.valueDeclaration;
  if (
    !symbol ||
    !local ||
    !ts.isVariableDeclaration(local) ||
    !local.initializer ||
    local.pos < declaration.pos ||
    local.end > declaration.end ||
    !ts.isIdentifier(local.name)
  ) {
    return true;
  }
  if (expressionIsRead(local.initializer, declaration, model, depth)) {
    return true;
  }
  const name = local.name.text;
  let read = false;
  let visited = 0;
  const visit = (node: ts.Node): void => {
    if (read || ++visited > 20_000) {
      read = true;
      return;
    }
    if (ts.isIdentifier(node) && node.text === name && node !== local.name && checker.getSymbolAtLocation(node) === symbol) {
      read = referenceReads(node);
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(declaration.body!);
  return read;
}

/** Whether one reference to the returned local reads it, or escapes where we cannot follow. */
function referenceReads(reference: ts.Identifier): boolean {
  let child: ts.Node = reference;
  let parent = reference.parent;
  while (ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent) || ts.isNonNullExpression(parent)) {
    child = parent;
    parent = parent.parent;
  }
  if (ts.isPropertyAccessExpression(parent) && parent.expression === child) {
    const call = parent.parent;
    if (ts.isCallExpression(call) && call.expression === parent) {
      return methodReads(parent.name.text, call.arguments);
    }
    // A property read or write: `socket.remotePort`.
    return false;
  }
  if (ts.isReturnStatement(parent) || (ts.isArrowFunction(parent) && parent.body === child)) {
    return false;
  }
  if (ts.isCallExpression(parent) && parent.arguments.includes(child as ts.Expression)) {
    const callee = skipOuterAwait(parent.expression);
    const text = ts.isIdentifier(callee)
      ? callee.text
      : ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression)
        ? `${callee.expression.text}.${callee.name.text}`
        : null;
    return text === null || !OBSERVER_CALLEES.has(text);
  }
  if (ts.isBinaryExpression(parent) && parent.left === child) {
    // Reassigned: we cannot tell which value is returned.
    return true;
  }
  return true;
}

// -------------------------------------------------------------------------------------------------------------------
// Ending after the peer's FIN

/**
 * Whether a stream is piped into the socket, so that it is ended when that stream ends: `partner.pipe(socket)`
 * (not with `{ end: false }`), `socket.pipe(socket)`, or the socket as a destination of `pipeline()`. A socket
 * that is only the source of a pipeline is not ended by it.
 */
export function pipedInto(model: FileModel, resource: Resource): boolean {
  try {
    for (const use of resource.uses) {
      if (use.kind !== 'argument') {
        continue;
      }
      const { call, index } = use;
      if (isPipeCall(call) && index === 0) {
        const options = call.arguments[1];
        if (objectProperty(options ? unwrap(options) : undefined, 'end')?.literal === false) {
          continue;
        }
        return true;
      }
      if (index > 0 && index <= lastStreamIndex(call) && isPipeline(model, call)) {
        return true;
      }
    }
  } catch (error) {
    swallow(error);
    return true;
  }
  return false;
}

function isPipeCall(call: TSESTree.CallExpression | TSESTree.NewExpression): call is TSESTree.CallExpression {
  return call.type === AST_NODE_TYPES.CallExpression && calledMethod(call) === 'pipe';
}

function isPipeline(model: FileModel, call: TSESTree.CallExpression | TSESTree.NewExpression): boolean {
  return isApi(model.apiOf(call), ...PIPELINES);
}

/**
 * Whether some path ends or destroys the socket once the peer has sent FIN: an `'end'` listener on it that closes
 * it (on some path; a handler we cannot see counts), an `'end'`/`'close'`/`'finish'` listener of another stream
 * that closes it (a proxy's partner), a helper that registers such a listener (`closingEvents` has `'end'`), or a
 * close that follows `await once(socket, 'end')`, a `pipeline()` reading it, or a `for await` loop over it.
 */
export function endsAfterPeerFin(model: FileModel, resource: Resource): boolean {
  try {
    return computeEndsAfterPeerFin(model, resource);
  } catch (error) {
    swallow(error);
    return true;
  }
}

function computeEndsAfterPeerFin(model: FileModel, resource: Resource): boolean {
  for (const listener of listenersOn(model, resource, 'end')) {
    const handler = model.functionOf(listener.handlerArgument);
    if (!handler || handlerCloses(model, handler, resource, listener.target)) {
      return true;
    }
  }
  if (closedByPartner(model, resource)) {
    return true;
  }
  for (const use of resource.uses) {
    if (use.kind === 'iterate') {
      if (closesAfter(model, use.node, resource)) {
        return true;
      }
      continue;
    }
    if (use.kind !== 'argument' || isPipeCall(use.call)) {
      continue;
    }
    const api = model.apiOf(use.call);
    const waitsForEnd =
      (isApi(api, 'events.once') && staticString(use.call.arguments[1]) === 'end') ||
      (isApi(api, ...PIPELINES) && use.index < lastStreamIndex(use.call));
    if (waitsForEnd) {
      if (callbackCloses(model, use.call, resource) || closesAfter(model, use.call, resource)) {
        return true;
      }
      continue;
    }
    if (model.effectsOf(use.call, use.index).closingEvents.has('end')) {
      return true;
    }
  }
  return false;
}

/**
 * Whether an `'end'`/`'close'`/`'finish'` listener of another stream closes the resource. Only the handlers around
 * one of the resource's references can, so those are the ones looked up.
 */
function closedByPartner(model: FileModel, resource: Resource): boolean {
  const index = indexOf(model);
  if (!index.partnerHandlers) {
    index.partnerHandlers = new Map();
    for (const listener of model.listeners) {
      if (!PARTNER_END_EVENTS.has(listener.event) || listener.method === 'callback') {
        continue;
      }
      const handler = model.functionOf(listener.handlerArgument);
      if (handler) {
        const list = index.partnerHandlers.get(handler) ?? [];
        list.push(listener);
        index.partnerHandlers.set(handler, list);
      }
    }
  }
  const partners = index.partnerHandlers;
  const seen = new Set<TSESTree.Node>();
  for (const ref of resource.refs) {
    for (let node = ref.parent; node; node = node.parent) {
      if (!isFunctionNode(node)) {
        continue;
      }
      if (seen.has(node)) {
        break;
      }
      seen.add(node);
      for (const listener of partners.get(node) ?? []) {
        if (resource.refs.has(listener.target)) {
          continue;
        }
        const kind = model.kindOf(listener.target);
        if (kind !== 'net-server' && kind !== 'http-server' && handlerCloses(model, node, resource, undefined)) {
          return true;
        }
      }
    }
  }
  return false;
}

/** Whether `handler` closes the resource on some path (directly, through a helper, in a callback). */
function handlerCloses(model: FileModel, handler: FunctionNode, resource: Resource, registeredOn: TSESTree.Node | undefined): boolean {
  const anchors = model.closingAnchors(handler, resource, registeredOn, 0);
  return anchors === 'unknown' || anchors.length > 0;
}

/** Whether an inline callback argument of `call` closes the resource (`pipeline(s, sink, () => s.destroy())`). */
function callbackCloses(model: FileModel, call: TSESTree.CallExpression | TSESTree.NewExpression, resource: Resource): boolean {
  return call.arguments.some(argument => {
    const fn = unwrap(argument);
    return isFunctionNode(fn) && handlerCloses(model, fn, resource, undefined);
  });
}

/**
 * Whether a call that closes the resource can run after `node` in the same function: `await once(s, 'end');
 * s.end()`, `for await (…of s) {…} s.end()`, `once(s, 'end').then(() => s.end())`.
 */
function closesAfter(model: FileModel, node: TSESTree.Node, resource: Resource): boolean {
  const fn = codePathOwner(node);
  const owner = isFunctionNode(fn) ? fn : null;
  // A promise chain on the waiting call: `once(s, 'end').then(() => s.end())`.
  let current: TSESTree.Node = node;
  for (let i = 0; i < 8; i++) {
    const member = current.parent;
    if (member?.type !== AST_NODE_TYPES.MemberExpression || member.object !== current) {
      break;
    }
    const call = member.parent;
    if (call?.type !== AST_NODE_TYPES.CallExpression || call.callee !== member) {
      break;
    }
    if (callbackCloses(model, call, resource)) {
      return true;
    }
    current = call;
  }
  const loop = node.type === AST_NODE_TYPES.ForOfStatement;
  for (const call of model.paths.callsIn(fn)) {
    if (contains(node, call)) {
      continue;
    }
    const follows = loop ? call.range[0] >= node.range[1] : model.paths.canFollow(node, call);
    if (follows && owner !== null && model.callCloses(call, owner, resource, undefined, 0)) {
      return true;
    }
    if (follows && owner === null && closerCall(model, call, resource)) {
      return true;
    }
  }
  return false;
}

/** `resource.end()` / `.destroy()` at the top level (where `callCloses` needs a function). */
function closerCall(model: FileModel, call: TSESTree.CallExpression | TSESTree.NewExpression, resource: Resource): boolean {
  if (call.type !== AST_NODE_TYPES.CallExpression) {
    return false;
  }
  const method = calledMethod(call);
  const receiver = receiverOf(call);
  return method !== null && receiver !== null && CLOSER_METHODS.has(method) && resource.refs.has(receiver);
}

// -------------------------------------------------------------------------------------------------------------------
// Closing unconditionally, and handing off

/** The function whose code path creates or receives the resource: its handler, or the code around its creation. */
export function creatingFunction(resource: Resource): FunctionNode | TSESTree.Program {
  return resource.handler ?? codePathOwner(resource.node);
}

/**
 * Whether every normal exit of the function that created or received the socket ends or destroys it, whatever the
 * peer does: directly, through an alias or a helper that closes it on every path, in a callback that always runs
 * (a write callback, a timer, a factory callback, a listener for one of `events` on the socket), or by
 * `using`/`await using`. Listeners for other events (`'data'`, `'end'`, `'close'`, …) only run if the peer does
 * something, so a close inside them does not count.
 */
export function closesUnconditionally(model: FileModel, resource: Resource, events: ReadonlySet<string>): boolean {
  try {
    if (resource.uses.some(use => use.kind === 'dispose')) {
      return true;
    }
    const fn = creatingFunction(resource);
    const { registrations } = indexOf(model);
    const anchors: TSESTree.Node[] = [];
    for (const call of candidateCalls(model, fn, resource)) {
      const listener = registrations.get(call);
      if (listener) {
        if (events.has(listener.event) && resource.refs.has(listener.target)) {
          const handler = model.functionOf(listener.handlerArgument);
          if (!handler || handlerCloses(model, handler, resource, listener.target)) {
            anchors.push(anchorOf(call));
          }
        }
        continue;
      }
      if (isPipeCall(call) || isPipeline(model, call)) {
        // What these do to the socket is known: pipedInto / endsAfterPeerFin / readStateOf, not a hand-off.
        continue;
      }
      const closes = isFunctionNode(fn) ? model.callCloses(call, fn, resource, undefined, 0) : topLevelCloses(model, call, resource);
      if (closes) {
        anchors.push(anchorOf(call));
      }
    }
    return model.paths.everyPathPasses(fn, anchors);
  } catch (error) {
    swallow(error);
    return true;
  }
}

/**
 * The calls on `fn`'s own code path that may close the resource: those around one of its references (the call
 * itself, or one given a callback that mentions it), and those that close everything (`process.exit()`, delegation
 * to `this`). Any other call cannot, so the question stays linear in the size of the file.
 */
function candidateCalls(
  model: FileModel,
  fn: FunctionNode | TSESTree.Program,
  resource: Resource,
): Set<TSESTree.CallExpression | TSESTree.NewExpression> {
  const found = new Set<TSESTree.CallExpression | TSESTree.NewExpression>();
  for (const ref of resource.refs) {
    let pending: (TSESTree.CallExpression | TSESTree.NewExpression)[] = [];
    let node: TSESTree.Node | undefined = ref;
    for (; node && node !== fn; node = node.parent) {
      if (node.type === AST_NODE_TYPES.CallExpression || node.type === AST_NODE_TYPES.NewExpression) {
        pending.push(node);
      } else if (isFunctionNode(node)) {
        // Calls inside a nested function are on that function's code path, not on fn's.
        pending = [];
      }
    }
    if (node === fn) {
      for (const call of pending) {
        found.add(call);
      }
    }
  }
  for (const call of sweepingCalls(model, fn)) {
    found.add(call);
  }
  return found;
}

function sweepingCalls(model: FileModel, fn: FunctionNode | TSESTree.Program): (TSESTree.CallExpression | TSESTree.NewExpression)[] {
  const index = indexOf(model);
  let calls = index.sweeping.get(fn);
  if (!calls) {
    calls = model.paths.callsIn(fn).filter(call => {
      if (call.type !== AST_NODE_TYPES.CallExpression) {
        return false;
      }
      const callee = unwrap(call.callee);
      return (
        callee.type === AST_NODE_TYPES.MemberExpression &&
        (unwrap(callee.object).type === AST_NODE_TYPES.ThisExpression || dottedName(callee) === 'process.exit')
      );
    });
    index.sweeping.set(fn, calls);
  }
  return calls;
}

/** `callCloses` for a call at the top level of the program (no enclosing function). */
function topLevelCloses(model: FileModel, call: TSESTree.CallExpression | TSESTree.NewExpression, resource: Resource): boolean {
  if (closerCall(model, call, resource)) {
    return true;
  }
  for (let index = 0; index < call.arguments.length; index++) {
    const argument = unwrap(call.arguments[index]!);
    if (resource.refs.has(argument)) {
      const effects = model.effectsOf(call, index);
      if (effects.closesAll || effects.escapes) {
        return true;
      }
    }
    if (isFunctionNode(argument) && handlerCloses(model, argument, resource, undefined)) {
      return true;
    }
  }
  return false;
}

/**
 * Whether the socket's obligation goes elsewhere: returned, stored, exported (also `export const`), or handed to
 * code that keeps it (as {@link FileModel.escapes}). Unlike there, `pipe()` and `pipeline()` are not hand-offs: what
 * they do to the socket is known ({@link pipedInto}, {@link readStateOf}), and a socket that is only the source of a
 * pipeline is neither ended nor kept by it.
 */
export function handedOff(model: FileModel, resource: Resource): boolean {
  const escapes = resource.uses.some(use => {
    if (use.kind === 'escape') {
      return true;
    }
    if (use.kind !== 'argument' || isPipeCall(use.call) || isPipeline(model, use.call)) {
      return false;
    }
    return model.effectsOf(use.call, use.index).escapes;
  });
  if (escapes) {
    return true;
  }
  for (const variable of resource.variables) {
    const declarator = variable.defs[0]?.node;
    if (
      declarator?.type === AST_NODE_TYPES.VariableDeclarator &&
      declarator.parent.parent?.type === AST_NODE_TYPES.ExportNamedDeclaration
    ) {
      return true;
    }
  }
  return false;
}

// -------------------------------------------------------------------------------------------------------------------
// Fixes

export interface StatementInsertion {
  /** How the socket is named where the statement goes. */
  name: string;
  fix: (fixer: TSESLint.RuleFixer) => TSESLint.RuleFix;
}

const SIMPLE_NAME = /^(?:this\.)?[A-Za-z_$][\w$]*$/;

/**
 * A fix that inserts a statement about the socket where it comes into being: at the start of the handler that
 * receives it (a connection or `'upgrade'` handler with a block body), or after the statement that creates it and
 * binds it to a variable or `this.field`. `null` when there is no such place.
 */
export function insertAfterOrigin(
  model: FileModel,
  resource: Resource,
  build: (name: string) => string,
): StatementInsertion | null {
  const node = resource.node;
  if (resource.handler && node.type === AST_NODE_TYPES.Identifier && resource.handler.params.includes(node)) {
    const body = resource.handler.body;
    if (body.type !== AST_NODE_TYPES.BlockStatement) {
      return null;
    }
    const text = build(node.name);
    const first = body.body[0];
    return {
      name: node.name,
      fix: fixer => {
        if (!first) {
          return fixer.replaceText(body, `{ ${text} }`);
        }
        if (first.loc.start.line === body.loc.start.line) {
          return fixer.insertTextBefore(first, `${text} `);
        }
        return fixer.insertTextBefore(first, `${text}\n${' '.repeat(first.loc.start.column)}`);
      },
    };
  }
  if ((resource.variables.size === 0 && resource.field === null) || !SIMPLE_NAME.test(resource.name)) {
    return null;
  }
  let statement: TSESTree.Node = node;
  for (let i = 0; i < 64 && statement.parent; i++) {
    const parent: TSESTree.Node = statement.parent;
    if (
      parent.type === AST_NODE_TYPES.BlockStatement ||
      parent.type === AST_NODE_TYPES.Program ||
      parent.type === AST_NODE_TYPES.StaticBlock
    ) {
      break;
    }
    if (isFunctionNode(parent) || parent.type === AST_NODE_TYPES.SwitchCase) {
      return null;
    }
    statement = parent;
  }
  const holder = statement.parent;
  if (
    !holder ||
    (holder.type !== AST_NODE_TYPES.BlockStatement &&
      holder.type !== AST_NODE_TYPES.Program &&
      holder.type !== AST_NODE_TYPES.StaticBlock) ||
    (statement.type !== AST_NODE_TYPES.VariableDeclaration &&
      statement.type !== AST_NODE_TYPES.ExpressionStatement &&
      statement.type !== AST_NODE_TYPES.ExportNamedDeclaration)
  ) {
    return null;
  }
  const text = build(resource.name);
  const indent = ' '.repeat(statement.loc.start.column);
  const anchor = statement;
  return { name: resource.name, fix: fixer => fixer.insertTextAfter(anchor, `\n${indent}${text}`) };
}

/** Closers that free the descriptor whatever is left unread. */
const DESCRIPTOR_CLOSERS: ReadonlySet<string> = new Set(['destroy', 'resetAndDestroy', 'destroySoon']);

/**
 * Whether the only close we can see is `end()`. Measured (tests/tcp/consume-socket.test.ts): an ended socket whose
 * peer sent data that nobody read never emits `'end'`, so Node never destroys it and the descriptor stays open
 * although the kernel shows an orderly close. `destroy()`, `resetAndDestroy()`, `destroySoon()`, `using`, a helper
 * that closes it or code we cannot see all count as freeing it.
 */
export function onlyEnds(model: FileModel, resource: Resource): boolean {
  let ends = false;
  for (const use of resource.uses) {
    if (use.kind === 'dispose' || use.kind === 'escape') {
      return false;
    }
    if (use.kind === 'method') {
      if (DESCRIPTOR_CLOSERS.has(use.name)) {
        return false;
      }
      ends ||= use.name === 'end';
    }
    if (use.kind === 'argument') {
      const effects = model.effectsOf(use.call, use.index);
      if (effects.closesSome || effects.escapes) {
        return false;
      }
    }
  }
  return ends;
}
