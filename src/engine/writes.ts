import type { TSESTree } from '@typescript-eslint/utils';

import { AST_NODE_TYPES } from '@typescript-eslint/utils';

import type { FileModel, Resource } from './model.js';

import {
  calledMethod,
  dottedName,
  isFunctionNode,
  logicalParent,
  memberName,
  receiverOf,
  unwrap,
  type FunctionNode,
} from './ast.js';
import { MemoKey } from './model.js';
import { CLOSER_METHODS, LISTENER_METHODS, WRITABLE_GUARDS, WRITE_METHODS } from './vocabulary.js';

/**
 * What a close leaves behind for a later write: `'end'` (the writable side is ending: the write raises
 * `ERR_STREAM_WRITE_AFTER_END` on its callback and as an `'error'` event) or `'destroy'` (the socket is destroyed:
 * the data is dropped and the callback gets `ERR_STREAM_DESTROYED`, with no `'error'` event).
 */
export type CloseKind = 'end' | 'destroy';

/** A call that closes a socket before returning: `end()`/`destroy()`/… on it, or a helper that does on every path. */
export interface SocketClose {
  readonly call: TSESTree.CallExpression;
  readonly kind: CloseKind;
  /** The method (`end`, `destroy`, `resetAndDestroy`, `destroySoon`), or `null` for a helper. */
  readonly method: string | null;
}

/** A write (`write(…)` or `end(data)`) that can run after a close of the same socket, on the same code path. */
export interface WriteAfterClose {
  readonly write: TSESTree.CallExpression;
  /** `'write'` or `'end'` (an `end()` given data). */
  readonly method: 'write' | 'end';
  /** The socket written to. */
  readonly resource: Resource;
  /** The close the write can follow; when several can, one that leaves the socket ending (`'end'`) wins. */
  readonly close: SocketClose;
}

/** Closing methods after which the socket is ending but not (yet) destroyed. */
const END_METHODS: ReadonlySet<string> = new Set(['end', 'destroySoon']);

const WRITES_AFTER_CLOSE = new MemoKey<readonly WriteAfterClose[]>('writes after close');

/** The method names `dataWriteMethod` can accept. */
const DATA_WRITE_NAMES: readonly string[] = [...WRITE_METHODS, 'end'];

/**
 * Every write of a socket (a `net.Socket`/`tls.TLSSocket` by type, or `this` in a `function` listener registered on
 * one) that can run, on some path of the same function (loops included), after `end()`, `destroy()`,
 * `resetAndDestroy()` or `destroySoon()` on the same socket (through aliases), or after a call to a helper we can
 * see that ends or destroys it synchronously on every path. A write is guarded, and not listed, when every such path
 * evaluates a check of the socket's state that controls the write (`if (!socket.writableEnded)`, `socket.writable
 * && …`, `if (socket.destroyed) return;`, or a call given the socket inside such a test). Memoised per file; never
 * throws (shapes it does not know contribute nothing).
 */
export function writesAfterClose(model: FileModel): readonly WriteAfterClose[] {
  const cached = model.recall(WRITES_AFTER_CLOSE);
  if (cached) {
    return cached;
  }
  const found: WriteAfterClose[] = [];
  const state: ScanState = { model, earlyExits: new Map(), queries: 0 };
  // The writes first, through the file's calls by method name, grouped by the code path they are on.
  const writesByOwner = new Map<TSESTree.Node, [TSESTree.CallExpression, 'write' | 'end'][]>();
  for (const name of DATA_WRITE_NAMES) {
    for (const call of model.callsOf(name)) {
      const method = dataWriteMethod(call);
      const owner = method !== null ? model.paths.ownerOf(call) : undefined;
      if (method === null || owner === undefined) {
        continue;
      }
      const list = writesByOwner.get(owner);
      if (list) {
        list.push([call, method]);
      } else {
        writesByOwner.set(owner, [[call, method]]);
      }
    }
  }
  for (const [owner, unsorted] of writesByOwner) {
    const calls = model.paths.callsIn(owner);
    const writes = unsorted.sort(([a], [b]) => a.range[0] - b.range[0]);
    const written = writes
      .map(([write]) => socketOfReceiver(model, receiverOf(write)!))
      .filter((resource): resource is Resource => resource !== null);
    if (written.length === 0) {
      continue;
    }
    const closes = closesByFunction(model, calls, written);
    if (closes.size === 0) {
      continue;
    }
    for (const [write, method] of writes) {
      const finding = checkWrite(state, owner, closes, write, method);
      if (finding) {
        found.push(finding);
      }
    }
  }
  return model.remember(WRITES_AFTER_CLOSE, found);
}

/**
 * The socket a method call's receiver is: a `net.Socket` or `tls.TLSSocket` by type (tty streams excluded), or
 * `this` inside a `function` listener registered on one. `null` for anything else.
 */
export function socketOfReceiver(model: FileModel, receiver: TSESTree.Node): Resource | null {
  const target = unwrap(receiver);
  if (target.type === AST_NODE_TYPES.ThisExpression) {
    const registeredOn = listenerTargetOfThis(target);
    if (registeredOn) {
      return socketOfReceiver(model, registeredOn);
    }
  }
  // A known variable answers without a type query; anything else is classified by the checker.
  const resource = model.resourceOf(target);
  return resource?.kind === 'socket' ? resource : null;
}

/** Whether `node`, evaluated in `fn`, is `resource` (a reference, an alias, `this` of a listener on it). */
export function isSameSocket(model: FileModel, node: TSESTree.Node, resource: Resource, fn: FunctionNode | null): boolean {
  const target = unwrap(node);
  if (fn !== null && model.refersTo(target, resource, fn, undefined)) {
    return true;
  }
  if (resource.refs.has(target)) {
    return true;
  }
  if (target.type === AST_NODE_TYPES.Identifier) {
    const variable = model.variableOf(target);
    if (variable && resource.variables.has(variable)) {
      return true;
    }
  }
  if (target.type === AST_NODE_TYPES.ThisExpression) {
    // `this` of a class that is a socket: every `this` of the same method.
    const own = [...resource.refs].find(ref => ref.type === AST_NODE_TYPES.ThisExpression);
    if (own && thisOwner(own) === thisOwner(target)) {
      return true;
    }
    const registeredOn = listenerTargetOfThis(target);
    return registeredOn !== null && isSameSocket(model, registeredOn, resource, fn);
  }
  return false;
}

// -------------------------------------------------------------------------------------------------------------------

/** Per-file scan state: cached early exits per block, and a bound on the path queries. */
interface ScanState {
  readonly model: FileModel;
  readonly earlyExits: Map<TSESTree.Node, TSESTree.IfStatement[]>;
  queries: number;
}

/** How many path queries one file may spend; past that, writes are not reported. */
const MAX_PATH_QUERIES = 50_000;

function checkWrite(
  state: ScanState,
  owner: TSESTree.Node,
  closesBySocket: ReadonlyMap<object, SocketClose[]>,
  write: TSESTree.CallExpression,
  method: 'write' | 'end',
): WriteAfterClose | null {
  const { model } = state;
  const receiver = receiverOf(write);
  if (!receiver) {
    return null;
  }
  const resource = socketOfReceiver(model, receiver);
  const key = resource ? socketKey(model, receiver, resource) : null;
  const closes = key ? closesBySocket.get(key) : undefined;
  if (!resource || !closes) {
    return null;
  }
  const budget = (): boolean => ++state.queries <= MAX_PATH_QUERIES;
  const reaching = closes.filter(
    close => (close.call !== write || method === 'end') && budget() && model.paths.canFollow(close.call, write),
  );
  if (reaching.length === 0) {
    return null;
  }
  const fn = isFunctionNode(owner) ? owner : null;
  const guards = guardsOf(state, write, resource, fn, owner);
  if (guards === 'unknown') {
    return null;
  }
  const destroys = closes.filter(close => close.kind === 'destroy').map(close => close.call);
  let verdict: SocketClose | null = null;
  for (const close of reaching) {
    if (!budget() || !model.paths.canFollowAvoiding(close.call, write, guards)) {
      continue;
    }
    if (close.kind === 'end' && budget() && model.paths.canFollowAvoiding(close.call, write, [...guards, ...destroys])) {
      verdict = close;
      break;
    }
    // An end() after which every path destroys before the write: the write only finds a destroyed socket.
    verdict ??= close.kind === 'destroy' ? close : { ...close, kind: 'destroy' };
  }
  return verdict ? { write, method, resource, close: verdict } : null;
}

/**
 * What identifies a socket when closes and writes are matched: its resource (shared by aliases, fields and `this`
 * of listeners registered on it), or, for `this` in a method of a socket class, that method.
 */
function socketKey(model: FileModel, node: TSESTree.Node, resource: Resource): object {
  const target = unwrap(node);
  if (target.type === AST_NODE_TYPES.ThisExpression && listenerTargetOfThis(target) === null) {
    return thisOwner(target) ?? resource;
  }
  return resource;
}

/** `x.write(…)` → `'write'`, `x.end(data…)` → `'end'`, anything else (an `end()` without data) → `null`. */
function dataWriteMethod(call: TSESTree.CallExpression | TSESTree.NewExpression): 'write' | 'end' | null {
  if (call.type !== AST_NODE_TYPES.CallExpression) {
    return null;
  }
  const method = calledMethod(call);
  if (method !== null && WRITE_METHODS.has(method)) {
    return 'write';
  }
  if (method === 'end' && call.arguments.length > 0) {
    const first = unwrap(call.arguments[0]!);
    if (
      isFunctionNode(first) ||
      (first.type === AST_NODE_TYPES.Identifier && first.name === 'undefined') ||
      (first.type === AST_NODE_TYPES.Literal && first.value === null)
    ) {
      return null;
    }
    // A named callback: `end(done)`.
    if (first.type === AST_NODE_TYPES.Identifier && call.arguments.length === 1 && looksLikeCallback(first)) {
      return null;
    }
    return 'end';
  }
  return null;
}

function looksLikeCallback(identifier: TSESTree.Identifier): boolean {
  return /^(?:cb|callback|done|next|resolve|reject|onEnd|onEnded|onFinish|onFinished|onClose|onClosed)$/.test(identifier.name);
}

/** The calls of one code path that close a socket before returning, by socket (see {@link socketKey}). */
function closesByFunction(
  model: FileModel,
  calls: readonly (TSESTree.CallExpression | TSESTree.NewExpression)[],
  written: readonly Resource[],
): Map<object, SocketClose[]> {
  // A cheap filter before any type query: helper arguments that are references of a socket written here.
  // The written sockets' own sets, not copies of them: a socket written in many functions has many references.
  const sockets = [...new Set(written)];
  const isWrittenRef = (node: TSESTree.Node): boolean => {
    if (node.type === AST_NODE_TYPES.ThisExpression || sockets.some(resource => resource.refs.has(node))) {
      return true;
    }
    const variable = node.type === AST_NODE_TYPES.Identifier ? model.variableOf(node) : null;
    return variable !== null && sockets.some(resource => resource.variables.has(variable));
  };
  const bySocket = new Map<object, SocketClose[]>();
  const add = (key: object, close: SocketClose): void => {
    const list = bySocket.get(key);
    if (list) {
      list.push(close);
    } else {
      bySocket.set(key, [close]);
    }
  };
  for (const call of calls) {
    if (call.type !== AST_NODE_TYPES.CallExpression) {
      continue;
    }
    const method = calledMethod(call);
    const receiver = receiverOf(call);
    if (method !== null && receiver !== null && CLOSER_METHODS.has(method)) {
      const resource = socketOfReceiver(model, receiver);
      if (resource) {
        add(socketKey(model, receiver, resource), { call, method, kind: END_METHODS.has(method) ? 'end' : 'destroy' });
      }
      continue;
    }
    for (let index = 0; index < call.arguments.length; index++) {
      const argument = unwrap(call.arguments[index]!);
      if (
        (argument.type !== AST_NODE_TYPES.Identifier &&
          argument.type !== AST_NODE_TYPES.MemberExpression &&
          argument.type !== AST_NODE_TYPES.ThisExpression) ||
        !isWrittenRef(argument)
      ) {
        continue;
      }
      const resource = socketOfReceiver(model, argument);
      if (!resource) {
        continue;
      }
      const effects = model.effectsOf(call, index);
      if (effects.closesAllSync !== true) {
        continue;
      }
      const destroys = [...(effects.syncCloseMethods ?? [])].some(name => !END_METHODS.has(name));
      add(socketKey(model, argument, resource), { call, method: null, kind: destroys ? 'destroy' : 'end' });
      break;
    }
  }
  return bySocket;
}

/**
 * The state checks of `resource` that control whether `write` runs: tests of the `if`/`?:`/`&&`/loop/`switch` around
 * it, and tests of earlier `if (…) return;`-style statements in the blocks around it. `'unknown'` when one of them
 * was not recorded on the code path (then nothing is claimed).
 */
function guardsOf(
  state: ScanState,
  write: TSESTree.Node,
  resource: Resource,
  fn: FunctionNode | null,
  owner: TSESTree.Node,
): TSESTree.Node[] | 'unknown' {
  const { model } = state;
  const guards: TSESTree.Node[] = [];
  const collect = (test: TSESTree.Node | null | undefined): void => {
    if (test) {
      collectGuards(model, test, resource, fn, guards);
    }
  };
  let child: TSESTree.Node = write;
  let parent = write.parent;
  for (let steps = 0; parent && child !== owner && steps < 500; steps++) {
    switch (parent.type) {
      case AST_NODE_TYPES.IfStatement:
      case AST_NODE_TYPES.ConditionalExpression:
        if (child !== parent.test) {
          collect(parent.test);
        }
        break;
      case AST_NODE_TYPES.LogicalExpression:
        if (child === parent.right) {
          collect(parent.left);
        }
        break;
      case AST_NODE_TYPES.WhileStatement:
      case AST_NODE_TYPES.DoWhileStatement:
      case AST_NODE_TYPES.ForStatement:
        if (child === parent.body) {
          collect(parent.test);
        }
        break;
      case AST_NODE_TYPES.SwitchCase:
        collect(parent.test);
        if (parent.parent.type === AST_NODE_TYPES.SwitchStatement) {
          collect(parent.parent.discriminant);
        }
        collectEarlyExits(state, parent, parent.consequent, child, collect);
        break;
      case AST_NODE_TYPES.BlockStatement:
      case AST_NODE_TYPES.Program:
      case AST_NODE_TYPES.StaticBlock:
        collectEarlyExits(state, parent, parent.body, child, collect);
        break;
      default:
        break;
    }
    if (parent === owner) {
      break;
    }
    child = parent;
    parent = parent.parent;
  }
  return guards.every(guard => model.paths.segmentsOf(guard) !== undefined) ? guards : 'unknown';
}

/** Tests of earlier sibling `if` statements that leave the block on one branch (`if (socket.destroyed) return;`). */
function collectEarlyExits(
  state: ScanState,
  block: TSESTree.Node,
  statements: readonly TSESTree.Node[],
  child: TSESTree.Node,
  collect: (test: TSESTree.Node) => void,
): void {
  let exits = state.earlyExits.get(block);
  if (!exits) {
    exits = statements.filter(
      (statement): statement is TSESTree.IfStatement =>
        statement.type === AST_NODE_TYPES.IfStatement &&
        (exitsAlways(statement.consequent) || (statement.alternate !== null && exitsAlways(statement.alternate))),
    );
    state.earlyExits.set(block, exits);
  }
  for (const statement of exits) {
    if (statement.range[0] >= child.range[0]) {
      return;
    }
    collect(statement.test);
  }
}

/** Whether a statement never completes normally (it returns, throws, breaks, continues or exits the process). */
function exitsAlways(statement: TSESTree.Node): boolean {
  switch (statement.type) {
    case AST_NODE_TYPES.ReturnStatement:
    case AST_NODE_TYPES.ThrowStatement:
    case AST_NODE_TYPES.BreakStatement:
    case AST_NODE_TYPES.ContinueStatement:
      return true;
    case AST_NODE_TYPES.BlockStatement: {
      const last = statement.body.at(-1);
      return last !== undefined && exitsAlways(last);
    }
    case AST_NODE_TYPES.ExpressionStatement:
      return (
        statement.expression.type === AST_NODE_TYPES.CallExpression &&
        dottedName(statement.expression.callee) === 'process.exit'
      );
    case AST_NODE_TYPES.IfStatement:
      return statement.alternate !== null && exitsAlways(statement.consequent) && exitsAlways(statement.alternate);
    default:
      return false;
  }
}

/** The state reads of `resource` (and calls given it) inside a test expression, outside nested functions. */
function collectGuards(
  model: FileModel,
  test: TSESTree.Node,
  resource: Resource,
  fn: FunctionNode | null,
  out: TSESTree.Node[],
): void {
  const keys = model.sourceCode.visitorKeys;
  let budget = 2_000;
  const walk = (node: TSESTree.Node): void => {
    if (--budget < 0 || isFunctionNode(node)) {
      return;
    }
    if (node.type === AST_NODE_TYPES.MemberExpression) {
      const name = memberName(node);
      if (name !== null && WRITABLE_GUARDS.has(name) && isSameSocket(model, node.object, resource, fn)) {
        out.push(node);
      }
    } else if (
      node.type === AST_NODE_TYPES.CallExpression &&
      node.arguments.some(argument => isSameSocket(model, argument, resource, fn))
    ) {
      // A check we may not see into: `if (canWrite(socket))`.
      out.push(node);
    }
    for (const key of keys[node.type] ?? []) {
      const value = (node as unknown as Record<string, unknown>)[key];
      for (const item of Array.isArray(value) ? value : [value]) {
        if (item && typeof (item as TSESTree.Node).type === 'string') {
          walk(item as TSESTree.Node);
        }
      }
    }
  };
  walk(test);
}

/** The emitter a `function` listener around `thisNode` is registered on (`socket.on('data', function () { this })`). */
function listenerTargetOfThis(thisNode: TSESTree.Node): TSESTree.Node | null {
  const owner = thisOwner(thisNode);
  if (owner?.type !== AST_NODE_TYPES.FunctionExpression) {
    return null;
  }
  const { parent, child } = logicalParent(owner);
  if (parent?.type !== AST_NODE_TYPES.CallExpression || !parent.arguments.includes(child as TSESTree.CallExpressionArgument)) {
    return null;
  }
  const method = calledMethod(parent);
  if (method === null || !(LISTENER_METHODS.has(method) || method === 'setTimeout')) {
    return null;
  }
  return receiverOf(parent);
}

/** The nearest non-arrow function around `node` (the one whose `this` it is). */
function thisOwner(node: TSESTree.Node): TSESTree.Node | null {
  let current = node.parent;
  while (current) {
    if (current.type === AST_NODE_TYPES.FunctionExpression || current.type === AST_NODE_TYPES.FunctionDeclaration) {
      return current;
    }
    current = current.parent;
  }
  return null;
}
