import type { TSESTree } from '@typescript-eslint/utils';

import { AST_NODE_TYPES, TSESLint } from '@typescript-eslint/utils';
import * as ts from 'typescript';

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
import { MemoKey } from './model.js';
import { swallow } from './failure.js';
import { CHAINABLE_METHODS, CLOSER_METHODS } from './vocabulary.js';

/*
 * Writes of sockets into variables and `this.<field>`s ("slots"), where each write runs (the chain of listeners,
 * timers and calls that lead to it), what the slot may hold at that point, and whether that old value was closed or
 * handed on first. Shared facts for rules about overwritten sockets; the policy (which events make an old socket
 * harmless) stays in the rules.
 */

type Variable = TSESLint.Scope.Variable;
type Segment = TSESLint.CodePathSegment;

/** The node whose code path a node is on: a function, the program, a static block, or a class field's initializer. */
export type Owner = TSESTree.Node;

/** A place that holds a socket: a variable, or a field of the instances of one class. */
export type Slot =
  | { readonly kind: 'variable'; readonly variable: Variable }
  | { readonly kind: 'field'; readonly classBody: TSESTree.ClassBody; readonly name: string };

export interface SocketWrite {
  /** The assignment, declarator or class field that stores the value. */
  readonly node: TSESTree.AssignmentExpression | TSESTree.VariableDeclarator | TSESTree.PropertyDefinition;
  /** What is written: the identifier or `this.<field>` (for a declarator or a class field, its name). */
  readonly target: TSESTree.Node;
  /** The value written (unwrapped). */
  readonly value: TSESTree.Node;
  readonly slot: Slot;
  readonly owner: Owner;
  /** The socket the value creates (`net.connect()`, `new net.Socket()`, a helper returning a fresh one), if any. */
  readonly fresh: Resource | null;
  /** The node on the owner's code path where the write happens (the value's call, or the assignment), if recorded. */
  readonly anchor: TSESTree.Node | null;
  /** A declaration's initializer or a class field's: it runs before any function can see the slot. */
  readonly initial: boolean;
  /** A write in a constructor. */
  readonly inConstructor: boolean;
}

/** How execution enters an owner. */
export type Entry =
  | { readonly kind: 'listener'; readonly listener: Listener; readonly at: TSESTree.Node }
  | { readonly kind: 'timer'; readonly repeats: boolean; readonly at: TSESTree.Node }
  | { readonly kind: 'callback'; readonly repeats: boolean; readonly at: TSESTree.Node }
  | { readonly kind: 'call'; readonly at: TSESTree.Node }
  | { readonly kind: 'constructor' | 'program' | 'initializer' | 'unknown' };

/** One frame of a run chain: `point` runs inside `owner`, which was entered by `entry`. */
export interface Step {
  readonly owner: Owner;
  readonly point: TSESTree.Node;
  readonly entry: Entry;
}

export interface OverwriteChain {
  /** From the write outwards: the handler or function it is in, then whoever runs or registers that one, … */
  readonly steps: readonly Step[];
  /**
   * The innermost listener on the way out that is registered on the socket the slot held (so the old value is that
   * socket), with its step index and whether that socket is half-open (`allowHalfOpen: true`).
   */
  readonly old: {
    readonly listener: Listener;
    readonly resource: Resource;
    readonly halfOpen: boolean;
    readonly index: number;
  } | null;
  /** A repeating entry (`setInterval`, an array iteration) lies between the write and `old` (anywhere, without one). */
  readonly repeats: boolean;
  /** On this chain, the slot may already hold a socket when the write runs: an earlier write, a loop, a repeat. */
  readonly hasPrior: boolean;
  /** Every path to the write ends, destroys or hands on the old value first (up to `old`'s handler). */
  readonly closedFirst: boolean;
}

export interface Overwrite {
  /** An assignment (`=`) of a fresh socket to a slot, not guarded by an "is it empty or closed" test. */
  readonly write: SocketWrite;
  /** The target as written: `s`, `this.socket`. */
  readonly name: string;
  /** Where the write may run; empty when nothing could be told. */
  readonly chains: readonly OverwriteChain[];
}

const MAX_CHAIN_DEPTH = 6;
const MAX_CHAINS = 24;
const MAX_WALK = 200_000;
const MAX_CLOSE_DEPTH = 2;
const TIMERS: ReadonlySet<string> = new Set([
  'setTimeout',
  'setInterval',
  'setImmediate',
  'globalThis.setTimeout',
  'globalThis.setInterval',
  'globalThis.setImmediate',
  'timers.setTimeout',
  'timers.setInterval',
  'timers.setImmediate',
]);
const ITERATIONS: ReadonlySet<string> = new Set(['forEach', 'map', 'flatMap', 'filter', 'some', 'every', 'reduce', 'find']);
/** Properties whose truthiness says a socket is closed (or ended by us). */
const CLOSED_WHEN_TRUE: ReadonlySet<string> = new Set(['destroyed', 'closed', 'writableEnded', 'writableFinished']);
/** Properties whose falsiness says a socket is closed (or ended by us). */
const CLOSED_WHEN_FALSE: ReadonlySet<string> = new Set(['writable']);

interface State {
  writes: SocketWrite[] | null;
  overwrites: Overwrite[] | null;
  handlers: Map<TSESTree.Node, Listener[]> | null;
  entries: Map<Owner, Entry[]>;
}

const STATE = new MemoKey<State>('assignments');

function stateOf(model: FileModel): State {
  return model.recall(STATE) ?? model.remember(STATE, { writes: null, overwrites: null, handlers: null, entries: new Map() });
}

// -----------------------------------------------------------------------------------------------------------------
// Writes

/**
 * Every write of a socket into a variable or a `this.<field>` in the file: assignments, initializers, class fields
 * (initializers of variables that are never assigned again are left out: nothing can overwrite them).
 */
export function socketWrites(model: FileModel): readonly SocketWrite[] {
  const state = stateOf(model);
  if (state.writes) {
    return state.writes;
  }
  const writes: SocketWrite[] = [];
  state.writes = writes;
  try {
    collectWrites(model, writes);
  } catch (error) {
    swallow(error);
  }
  return writes;
}

/** The writes of one slot. */
export function writesOf(model: FileModel, slot: Slot): SocketWrite[] {
  return socketWrites(model).filter(write => sameSlot(write.slot, slot));
}

function collectWrites(model: FileModel, writes: SocketWrite[]): void {
  const created = new Map<TSESTree.Node, Resource>();
  for (const resource of model.allResources()) {
    if (resource.kind === 'socket' && (resource.origin === 'created' || resource.origin === 'helper')) {
      created.set(resource.node, resource);
    }
  }
  if (created.size === 0) {
    return;
  }
  const add = (
    node: SocketWrite['node'],
    target: TSESTree.Node,
    rawValue: TSESTree.Node,
    slot: Slot | null,
    initial: boolean,
  ): void => {
    if (!slot || !mayBeSocketValue(rawValue) || model.kindOf(rawValue) !== 'socket') {
      return;
    }
    const value = valueOf(rawValue);
    const owner = ownerOf(node);
    const call = value.type === AST_NODE_TYPES.CallExpression || value.type === AST_NODE_TYPES.NewExpression;
    writes.push({
      node,
      target,
      value,
      slot,
      owner,
      fresh: freshResource(value, created) ?? freshLocal(model, value, owner),
      anchor: call && model.paths.segmentsOf(value) ? value : model.paths.segmentsOf(node) ? node : null,
      initial,
      inConstructor: isConstructor(owner),
    });
  };
  for (const node of model.paths.stores) {
    if (node.type === AST_NODE_TYPES.AssignmentExpression) {
      if (node.operator === '=') {
        add(node, unwrap(node.left), node.right, slotOf(model, node.left), false);
      }
    } else if (node.type === AST_NODE_TYPES.VariableDeclarator) {
      // The syntactic filter first: a declarator whose value cannot be a socket needs no look at its variable.
      if (node.init && node.id.type === AST_NODE_TYPES.Identifier && mayBeSocketValue(node.init)) {
        const variable = model.sourceCode.getDeclaredVariables(node)[0];
        // A variable that is never assigned again cannot be overwritten: no type query for its initializer.
        const reassigned = variable?.references.some(reference => reference.isWrite() && reference.identifier !== node.id);
        add(node, node.id, node.init, variable && reassigned ? { kind: 'variable', variable } : null, true);
      }
    } else if (
      node.value &&
      !node.static &&
      !node.computed &&
      node.key.type === AST_NODE_TYPES.Identifier &&
      node.parent.type === AST_NODE_TYPES.ClassBody
    ) {
      add(node, node.key, node.value, { kind: 'field', classBody: node.parent, name: node.key.name }, true);
    }
  }
}

/** Cheap syntactic filter before a type query: a call, `new`, `await`, an identifier or a member. */
function mayBeSocketValue(value: TSESTree.Node): boolean {
  const inner = unwrap(value);
  return (
    inner.type === AST_NODE_TYPES.CallExpression ||
    inner.type === AST_NODE_TYPES.NewExpression ||
    inner.type === AST_NODE_TYPES.AwaitExpression ||
    inner.type === AST_NODE_TYPES.Identifier ||
    inner.type === AST_NODE_TYPES.MemberExpression
  );
}

function valueOf(value: TSESTree.Node): TSESTree.Node {
  let inner = unwrap(value);
  if (inner.type === AST_NODE_TYPES.AwaitExpression) {
    inner = unwrap(inner.argument);
  }
  return inner;
}

/** The socket a value creates, through `net.connect(…).on(…)` chains. */
function freshResource(value: TSESTree.Node, created: ReadonlyMap<TSESTree.Node, Resource>): Resource | null {
  let current: TSESTree.Node = value;
  for (let i = 0; i < 32; i++) {
    const found = created.get(current);
    if (found) {
      return found;
    }
    if (current.type !== AST_NODE_TYPES.CallExpression || !CHAINABLE_METHODS.has(calledMethod(current) ?? '')) {
      return null;
    }
    const receiver = receiverOf(current);
    if (!receiver) {
      return null;
    }
    current = receiver;
  }
  return null;
}

/** `const socket = net.connect(…); …; this.socket = socket`: a socket created in the same function. */
function freshLocal(model: FileModel, value: TSESTree.Node, owner: Owner): Resource | null {
  if (value.type !== AST_NODE_TYPES.Identifier) {
    return null;
  }
  const resource = model.resourceOf(value);
  return resource?.kind === 'socket' &&
    (resource.origin === 'created' || resource.origin === 'helper') &&
    ownerOf(resource.node) === owner
    ? resource
    : null;
}

/** The slot an assignment target is: a variable, or `this.<field>` where `this` is the instance. */
export function slotOf(model: FileModel, target: TSESTree.Node): Slot | null {
  const node = unwrap(target);
  if (node.type === AST_NODE_TYPES.Identifier) {
    const variable = model.variableOf(node);
    return variable ? { kind: 'variable', variable } : null;
  }
  if (node.type === AST_NODE_TYPES.MemberExpression && unwrap(node.object).type === AST_NODE_TYPES.ThisExpression) {
    const name = memberName(node);
    const classBody = instanceClass(unwrap(node.object));
    return name !== null && classBody ? { kind: 'field', classBody, name } : null;
  }
  return null;
}

function sameSlot(a: Slot, b: Slot): boolean {
  if (a.kind === 'variable' && b.kind === 'variable') {
    return a.variable === b.variable;
  }
  if (a.kind === 'field' && b.kind === 'field') {
    return a.classBody === b.classBody && a.name === b.name;
  }
  return false;
}

/** Whether `node` reads the slot: the variable, or `this.<field>` of the same class. */
function readsSlot(model: FileModel, node: TSESTree.Node, slot: Slot): boolean {
  const found = slotOf(model, node);
  return found !== null && sameSlot(found, slot);
}

/** The class body whose instance `this` is (methods, constructors, field initializers and arrows inside them). */
function instanceClass(node: TSESTree.Node): TSESTree.ClassBody | null {
  let current = node.parent;
  while (current) {
    if (current.type === AST_NODE_TYPES.PropertyDefinition && !current.static) {
      return current.parent.type === AST_NODE_TYPES.ClassBody ? current.parent : null;
    }
    if (current.type === AST_NODE_TYPES.FunctionExpression || current.type === AST_NODE_TYPES.FunctionDeclaration) {
      const method = current.parent;
      if (current.type === AST_NODE_TYPES.FunctionExpression && method?.type === AST_NODE_TYPES.MethodDefinition && !method.static) {
        return method.parent.type === AST_NODE_TYPES.ClassBody ? method.parent : null;
      }
      return null;
    }
    current = current.parent;
  }
  return null;
}

// -----------------------------------------------------------------------------------------------------------------
// Owners and run chains

/** The node whose code path `node` is on. */
export function ownerOf(node: TSESTree.Node): Owner {
  let child: TSESTree.Node = node;
  let current = node.parent;
  while (current) {
    if (isFunctionNode(current) || current.type === AST_NODE_TYPES.Program || current.type === AST_NODE_TYPES.StaticBlock) {
      return current;
    }
    if (
      (current.type === AST_NODE_TYPES.PropertyDefinition || current.type === AST_NODE_TYPES.AccessorProperty) &&
      current.value === child
    ) {
      return child;
    }
    child = current;
    current = current.parent;
  }
  return node;
}

function isConstructor(owner: Owner): boolean {
  return (
    owner.type === AST_NODE_TYPES.FunctionExpression &&
    owner.parent.type === AST_NODE_TYPES.MethodDefinition &&
    owner.parent.kind === 'constructor'
  );
}

function handlersOf(model: FileModel): Map<TSESTree.Node, Listener[]> {
  const state = stateOf(model);
  if (state.handlers) {
    return state.handlers;
  }
  const handlers = new Map<TSESTree.Node, Listener[]>();
  state.handlers = handlers;
  for (const listener of model.listeners) {
    const handler = model.functionOf(listener.handlerArgument);
    if (handler) {
      const list = handlers.get(handler) ?? [];
      list.push(listener);
      handlers.set(handler, list);
    }
  }
  return handlers;
}

/** How execution may enter `owner`: the listeners, timers and calls that run it; `unknown` when nothing is seen. */
export function entriesOf(model: FileModel, owner: Owner): readonly Entry[] {
  const state = stateOf(model);
  const cached = state.entries.get(owner);
  if (cached) {
    return cached;
  }
  let entries: Entry[];
  try {
    entries = computeEntries(model, owner);
  } catch (error) {
    swallow(error);
    entries = [{ kind: 'unknown' }];
  }
  state.entries.set(owner, entries);
  return entries;
}

function computeEntries(model: FileModel, owner: Owner): Entry[] {
  if (owner.type === AST_NODE_TYPES.Program || owner.type === AST_NODE_TYPES.StaticBlock) {
    return [{ kind: 'program' }];
  }
  if (!isFunctionNode(owner)) {
    return [{ kind: 'initializer' }];
  }
  if (isConstructor(owner)) {
    return [{ kind: 'constructor' }];
  }
  const entries: Entry[] = [];
  const listeners = handlersOf(model).get(owner) ?? [];
  const handlerArguments = new Set<TSESTree.Node>();
  for (const listener of listeners) {
    entries.push({ kind: 'listener', listener, at: listener.call });
    if (listener.handlerArgument) {
      handlerArguments.add(unwrap(listener.handlerArgument));
    }
  }
  for (const reference of referencesOf(model, owner)) {
    let node: TSESTree.Node = reference;
    let { parent, child } = logicalParent(node);
    // `f.bind(this)` evaluates to (a copy of) the function.
    if (
      parent?.type === AST_NODE_TYPES.MemberExpression &&
      parent.object === child &&
      memberName(parent) === 'bind' &&
      parent.parent.type === AST_NODE_TYPES.CallExpression &&
      parent.parent.callee === parent
    ) {
      node = parent.parent;
      ({ parent, child } = logicalParent(node));
    }
    if (handlerArguments.has(unwrap(child)) || handlerArguments.has(node)) {
      continue;
    }
    if (parent?.type === AST_NODE_TYPES.CallExpression || parent?.type === AST_NODE_TYPES.NewExpression) {
      if (parent.callee === child) {
        entries.push({ kind: 'call', at: parent });
        continue;
      }
      if (parent.arguments.includes(child as TSESTree.CallExpressionArgument)) {
        const name = dottedName(parent.callee);
        if (name !== null && TIMERS.has(name) && parent.arguments[0] === child) {
          entries.push({ kind: 'timer', repeats: name.endsWith('setInterval'), at: parent });
        } else {
          entries.push({ kind: 'callback', repeats: ITERATIONS.has(calledMethod(parent) ?? ''), at: parent });
        }
        continue;
      }
    }
    entries.push({ kind: 'unknown' });
  }
  return entries.length > 0 ? entries : [{ kind: 'unknown' }];
}

/** The expressions that evaluate to a function: itself when inline, its name's references, `this.<method>`. */
function referencesOf(model: FileModel, fn: FunctionNode): TSESTree.Node[] {
  const parent = fn.parent;
  if (fn.type === AST_NODE_TYPES.FunctionDeclaration) {
    // Its declared variables include its parameters: keep the function's own name.
    const own = (model.sourceCode.getDeclaredVariables(fn) as Variable[]).filter(variable =>
      variable.defs.some(definition => definition.type === TSESLint.Scope.DefinitionType.FunctionName),
    );
    return readReferences(own);
  }
  if (parent.type === AST_NODE_TYPES.VariableDeclarator && parent.init === fn) {
    return readReferences(model.sourceCode.getDeclaredVariables(parent));
  }
  if (
    (parent.type === AST_NODE_TYPES.MethodDefinition || parent.type === AST_NODE_TYPES.PropertyDefinition) &&
    parent.value === fn
  ) {
    const name = !parent.computed && parent.key.type === AST_NODE_TYPES.Identifier ? parent.key.name : staticString(parent.key);
    if (name === null || parent.static || parent.parent.type !== AST_NODE_TYPES.ClassBody) {
      return [];
    }
    const classBody = parent.parent;
    const found: TSESTree.Node[] = [];
    walk(model, classBody, node => {
      if (
        node.type === AST_NODE_TYPES.MemberExpression &&
        unwrap(node.object).type === AST_NODE_TYPES.ThisExpression &&
        memberName(node) === name &&
        instanceClass(unwrap(node.object)) === classBody
      ) {
        found.push(node);
      }
    });
    return found;
  }
  return [fn];
}

function readReferences(variables: readonly Variable[]): TSESTree.Node[] {
  const found: TSESTree.Node[] = [];
  for (const variable of variables) {
    for (const reference of variable.references) {
      if (reference.isRead()) {
        found.push(reference.identifier);
      }
    }
  }
  return found;
}

/**
 * The ways `point` (a node on `owner`'s code path) may run: chains of steps from `owner` outwards through the
 * listeners, timers, callbacks and calls that enter each owner, up to a constructor, the program, a class field
 * initializer, or code we cannot see (`unknown`). Bounded; cycles stop a chain.
 */
export function runChains(model: FileModel, owner: Owner, point: TSESTree.Node): Step[][] {
  const budget = { left: MAX_CHAINS };
  return chainsFrom(model, owner, point, 0, new Set([owner]), budget);
}

function chainsFrom(
  model: FileModel,
  owner: Owner,
  point: TSESTree.Node,
  depth: number,
  seen: ReadonlySet<Owner>,
  budget: { left: number },
): Step[][] {
  const chains: Step[][] = [];
  for (const entry of entriesOf(model, owner)) {
    if (budget.left <= 0) {
      break;
    }
    const step: Step = { owner, point, entry };
    const at = 'at' in entry ? entry.at : null;
    const outer = at ? ownerOf(at) : null;
    if (!at || !outer || depth >= MAX_CHAIN_DEPTH || seen.has(outer)) {
      budget.left--;
      chains.push([step]);
      continue;
    }
    for (const tail of chainsFrom(model, outer, at, depth + 1, new Set([...seen, outer]), budget)) {
      chains.push([step, ...tail]);
    }
  }
  return chains;
}

// -----------------------------------------------------------------------------------------------------------------
// Overwrites

/**
 * The assignments of a fresh socket to a slot that may already hold one, with the chains they run on and, per
 * chain, what the old value is and whether it was closed first. Memoised per file; never throws.
 */
export function socketOverwrites(model: FileModel): readonly Overwrite[] {
  if (!model.hasResourceOfKind('socket')) {
    // Only a socket this file creates (or gets from a helper) is ever written (see collectWrites).
    return [];
  }
  const state = stateOf(model);
  if (state.overwrites) {
    return state.overwrites;
  }
  const overwrites: Overwrite[] = [];
  state.overwrites = overwrites;
  for (const write of socketWrites(model)) {
    if (write.node.type !== AST_NODE_TYPES.AssignmentExpression || !write.fresh) {
      continue;
    }
    try {
      const overwrite = analyse(model, write);
      if (overwrite) {
        overwrites.push(overwrite);
      }
    } catch (error) {
      swallow(error);
    }
  }
  return overwrites;
}

function analyse(model: FileModel, write: SocketWrite): Overwrite | null {
  const slotResource = model.resourceOf(write.target);
  const baseOlds = slotResource ? [slotResource] : [];
  const point = write.anchor ?? write.node;
  if (guardedEmpty(model, write.slot, baseOlds, point, write.owner, undefined)) {
    return null;
  }
  // `this.socket = tls.connect({ socket: this.socket })`: the old socket is handed to the new one.
  let wrapsOld = false;
  walk(model, write.value, node => {
    if (!wrapsOld && node !== write.value && isRead(node) && (readsSlot(model, node, write.slot) || baseOlds.some(old => old.refs.has(node)))) {
      wrapsOld = true;
    }
    return !wrapsOld;
  });
  if (wrapsOld) {
    return null;
  }
  const others = writesOf(model, write.slot).filter(other => other !== write);
  const chains: OverwriteChain[] = [];
  for (const steps of runChains(model, write.owner, point)) {
    let old: OverwriteChain['old'] = null;
    let repeats = false;
    for (let index = 0; index < steps.length; index++) {
      const entry = steps[index]!.entry;
      if (entry.kind === 'listener') {
        const resource = linkedOld(model, write, slotResource, entry.listener);
        if (resource) {
          old = { listener: entry.listener, resource, halfOpen: isHalfOpen(model, write, resource, slotResource), index };
          break;
        }
      }
      if ((entry.kind === 'timer' || entry.kind === 'callback') && entry.repeats) {
        repeats = true;
      }
    }
    const last = old ? old.index : steps.length - 1;
    const olds = old && old.resource !== slotResource ? [...baseOlds, old.resource] : baseOlds;
    let closedFirst = false;
    for (let index = 0; index <= last && !closedFirst; index++) {
      const step = steps[index]!;
      const registeredOn = old && index === old.index ? old.listener.target : undefined;
      closedFirst = closedBefore(model, write.slot, olds, step.owner, step.point, registeredOn, 0);
    }
    const resets = declarationsOf(write.slot);
    const loops = write.anchor !== null && model.paths.canFollowAvoiding(write.anchor, write.anchor, resets);
    chains.push({
      steps,
      old,
      repeats,
      hasPrior: repeats || loops || others.some(other => precedes(model, other, steps)),
      closedFirst,
    });
  }
  return { write, name: model.sourceCode.getText(write.target), chains };
}

/** Whether another write of the slot may have run before the chain reaches its write. */
function precedes(model: FileModel, other: SocketWrite, steps: readonly Step[]): boolean {
  const index = steps.findIndex(step => step.owner === other.owner);
  if (index >= 0) {
    // Past a listener or a timer, the code around the registration has finished before the callback runs.
    if (steps.slice(0, index).some(step => step.entry.kind === 'listener' || step.entry.kind === 'timer')) {
      return true;
    }
    const shared = steps[index]!;
    if (other.anchor && model.paths.segmentsOf(shared.point)) {
      return model.paths.canFollowAvoiding(other.anchor, shared.point, declarationsOf(other.slot));
    }
    return other.node.range[1] <= shared.point.range[0];
  }
  // Initializers run before anything can see the slot; a constructor runs before the instance's methods.
  if (other.initial || other.inConstructor) {
    return true;
  }
  return other.owner.type === AST_NODE_TYPES.Program;
}

/**
 * The socket a listener is registered on when that is the value the slot holds: a reference of the slot itself, or
 * a socket some write stores into the slot (directly, or as the return value of a function of this file).
 */
function linkedOld(model: FileModel, write: SocketWrite, slotResource: Resource | null, listener: Listener): Resource | null {
  const target = unwrap(listener.target);
  const resource = model.resourceOf(target);
  if (readsSlot(model, target, write.slot) || (resource && slotResource && resource === slotResource)) {
    return resource ?? slotResource;
  }
  if (!resource) {
    return null;
  }
  for (const other of writesOf(model, write.slot)) {
    if (model.resourceOf(other.value) === resource || returnedResources(model, other.value).includes(resource)) {
      return resource;
    }
  }
  return null;
}

/** Whether the old socket is half-open: created with `allowHalfOpen: true`, or half-open by construction. */
function isHalfOpen(model: FileModel, write: SocketWrite, resource: Resource, slotResource: Resource | null): boolean {
  if (resource.halfOpen) {
    return true;
  }
  if (resource !== slotResource) {
    return false;
  }
  return writesOf(model, write.slot).some(
    other => other.fresh?.halfOpen === true || returnedResources(model, other.value).some(returned => returned.halfOpen),
  );
}

/** The resources a call to a function of this file returns. */
function returnedResources(model: FileModel, value: TSESTree.Node): Resource[] {
  const fn = localCallee(model, value);
  if (!fn) {
    return [];
  }
  const found: Resource[] = [];
  const add = (expression: TSESTree.Node): void => {
    const resource = model.resourceOf(valueOf(expression));
    if (resource) {
      found.push(resource);
    }
  };
  if (fn.body.type !== AST_NODE_TYPES.BlockStatement) {
    add(fn.body);
  } else {
    walkOwn(model, fn, node => {
      if (node.type === AST_NODE_TYPES.ReturnStatement && node.argument) {
        add(node.argument);
      }
    });
  }
  return found;
}

/** The function of this file a call calls by name or as `this.<method>`. */
function localCallee(model: FileModel, value: TSESTree.Node): FunctionNode | null {
  if (value.type !== AST_NODE_TYPES.CallExpression) {
    return null;
  }
  const callee = unwrap(value.callee);
  const local =
    callee.type === AST_NODE_TYPES.Identifier ||
    (callee.type === AST_NODE_TYPES.MemberExpression && unwrap(callee.object).type === AST_NODE_TYPES.ThisExpression);
  return local ? model.functionOf(callee) : null;
}

// -----------------------------------------------------------------------------------------------------------------
// Closed (or handed on) before a point

/**
 * Whether, on every path from the start of `owner` to `point`, the old value (`olds`, or anything that reads the
 * slot) is ended, destroyed or handed on first, or `point` only runs when the slot is empty or closed. `true` when
 * it cannot tell.
 */
export function closedBefore(
  model: FileModel,
  slot: Slot,
  olds: readonly Resource[],
  owner: Owner,
  point: TSESTree.Node,
  registeredOn: TSESTree.Node | undefined,
  depth: number,
): boolean {
  const isOld = (node: TSESTree.Node): boolean =>
    readsSlot(model, node, slot) || olds.some(resource => model.refersTo(node, resource, owner as FunctionNode, registeredOn));
  if (guardedEmpty(model, slot, olds, point, owner, registeredOn) || handedOnBefore(model, isOld, owner, point)) {
    return true;
  }
  const anchors = closingAnchorsBefore(model, slot, olds, owner, registeredOn, depth);
  return everyPathToPointPasses(model, owner, anchors, point);
}

/** The nodes on `owner`'s code path that end, destroy or hand on the old value (guarded `if`s included). */
function closingAnchorsBefore(
  model: FileModel,
  slot: Slot,
  olds: readonly Resource[],
  owner: Owner,
  registeredOn: TSESTree.Node | undefined,
  depth: number,
): TSESTree.Node[] {
  const isOld = (node: TSESTree.Node): boolean =>
    readsSlot(model, node, slot) || olds.some(resource => model.refersTo(node, resource, owner as FunctionNode, registeredOn));
  const anchors: TSESTree.Node[] = [];
  const closing = new Set<TSESTree.Node>();
  for (const call of model.paths.callsIn(owner)) {
    if (closesOld(model, slot, olds, call, isOld, depth)) {
      closing.add(call);
      anchors.push(anchorOf(call));
    }
  }
  // `if (s) { s.destroy(); }`: the test's false branch has nothing to close.
  walkOwn(model, owner, node => {
    if (
      node.type === AST_NODE_TYPES.IfStatement &&
      !node.alternate &&
      model.paths.segmentsOf(node) &&
      impliesEmpty(node.test, false, isOld) &&
      closesUnconditionally(node.consequent, closing)
    ) {
      anchors.push(node);
    }
  });
  return anchors;
}

function closesOld(
  model: FileModel,
  slot: Slot,
  olds: readonly Resource[],
  call: TSESTree.CallExpression | TSESTree.NewExpression,
  isOld: (node: TSESTree.Node) => boolean,
  depth: number,
): boolean {
  if (call.type === AST_NODE_TYPES.CallExpression) {
    const method = calledMethod(call);
    const receiver = receiverOf(call);
    if (method !== null && receiver !== null && CLOSER_METHODS.has(method) && isOld(receiver)) {
      return true;
    }
    if (dottedName(call.callee) === 'process.exit') {
      return true;
    }
    // `await once(s, 'close')`, `await finished(s)`: it has closed by then.
    const api = model.apiOf(call);
    const first = call.arguments[0];
    if (api && first && isOld(first)) {
      if (api.module === 'events' && api.name === 'once' && staticString(call.arguments[1]) === 'close') {
        return true;
      }
      if ((api.module === 'stream' || api.module === 'stream/promises') && api.name === 'finished') {
        return true;
      }
    }
  }
  let passesOld = false;
  for (let index = 0; index < call.arguments.length; index++) {
    const argument = call.arguments[index]!;
    if (argument.type !== AST_NODE_TYPES.SpreadElement && isOld(argument)) {
      passesOld = true;
      const effects = model.effectsOf(call, index);
      if (effects.closesAll || effects.escapes) {
        return true;
      }
    }
  }
  if (passesOld || depth >= MAX_CLOSE_DEPTH || call.type !== AST_NODE_TYPES.CallExpression) {
    return false;
  }
  // A function of this file that closes the slot itself: `teardown()`, `this.cleanup()`.
  const fn = localCallee(model, call);
  if (!fn) {
    return false;
  }
  const anchors = closingAnchorsBefore(model, slot, olds, fn, undefined, depth + 1);
  return anchors.length > 0 && model.paths.everyPathPasses(fn, anchors);
}

/** Whether a statement (a block's direct statements) calls one of `closing` whatever happens inside it. */
function closesUnconditionally(statement: TSESTree.Statement, closing: ReadonlySet<TSESTree.Node>): boolean {
  const statements = statement.type === AST_NODE_TYPES.BlockStatement ? statement.body : [statement];
  return statements.some(inner => {
    if (inner.type !== AST_NODE_TYPES.ExpressionStatement) {
      return false;
    }
    let expression = unwrap(inner.expression);
    if (expression.type === AST_NODE_TYPES.AwaitExpression) {
      expression = unwrap(expression.argument);
    }
    return closing.has(expression);
  });
}

/**
 * Whether the old value was copied somewhere before `point` (`const old = this.socket`, `this.previous = s`,
 * `list.push(s)` is a call and counted elsewhere) and that copy is closed or kept: the obligation went with it.
 */
function handedOnBefore(
  model: FileModel,
  isOld: (node: TSESTree.Node) => boolean,
  owner: Owner,
  point: TSESTree.Node,
): boolean {
  let found = false;
  walkOwn(model, owner, node => {
    if (found || node.range[1] > point.range[0]) {
      return;
    }
    if (node.type === AST_NODE_TYPES.VariableDeclarator && node.init && isRead(node.init) && isOld(node.init)) {
      if (node.id.type !== AST_NODE_TYPES.Identifier) {
        found = true;
        return;
      }
      found = aliasIsHandled(model, model.sourceCode.getDeclaredVariables(node));
      return;
    }
    if (node.type === AST_NODE_TYPES.AssignmentExpression && isRead(node.right) && isOld(node.right) && !isOld(node.left)) {
      const left = unwrap(node.left);
      found =
        left.type !== AST_NODE_TYPES.Identifier ||
        aliasIsHandled(model, model.variableOf(left) ? [model.variableOf(left)!] : []);
      return;
    }
    if (
      (node.type === AST_NODE_TYPES.Property && isRead(node.value) && isOld(node.value)) ||
      (node.type === AST_NODE_TYPES.ArrayExpression &&
        node.elements.some(element => element !== null && isRead(element) && isOld(element)))
    ) {
      found = true;
    }
  });
  return found;
}

/** A plain read (a name or a member), not the call that creates a value. */
function isRead(node: TSESTree.Node): boolean {
  const inner = unwrap(node);
  return inner.type === AST_NODE_TYPES.Identifier || inner.type === AST_NODE_TYPES.MemberExpression || inner.type === AST_NODE_TYPES.ThisExpression;
}

/** Whether a copy of the old value is ended, destroyed, handed to other code, returned or stored somewhere. */
function aliasIsHandled(model: FileModel, variables: readonly Variable[]): boolean {
  for (const variable of variables) {
    for (const reference of variable.references) {
      if (!reference.isRead()) {
        continue;
      }
      const { parent, child } = logicalParent(reference.identifier);
      if (!parent) {
        continue;
      }
      if (parent.type === AST_NODE_TYPES.MemberExpression && parent.object === child) {
        const call = logicalParent(parent);
        if (
          call.parent?.type === AST_NODE_TYPES.CallExpression &&
          call.parent.callee === call.child &&
          CLOSER_METHODS.has(memberName(parent) ?? '')
        ) {
          return true;
        }
        continue;
      }
      if (parent.type === AST_NODE_TYPES.CallExpression || parent.type === AST_NODE_TYPES.NewExpression) {
        const index = parent.arguments.indexOf(child as TSESTree.CallExpressionArgument);
        if (index >= 0) {
          const effects = model.effectsOf(parent, index);
          if (effects.closesSome || effects.escapes) {
            return true;
          }
        }
        continue;
      }
      if (
        parent.type === AST_NODE_TYPES.ReturnStatement ||
        parent.type === AST_NODE_TYPES.AssignmentExpression ||
        parent.type === AST_NODE_TYPES.Property ||
        parent.type === AST_NODE_TYPES.ArrayExpression ||
        (parent.type === AST_NODE_TYPES.ArrowFunctionExpression && parent.body === child)
      ) {
        return true;
      }
    }
  }
  return false;
}

/**
 * Whether `point` only runs when the slot is empty or its socket closed: inside `if (!s) …`, `if (s?.destroyed) …`,
 * the `else` of `if (s && !s.destroyed)`, or after `if (s) return;`.
 */
function guardedEmpty(
  model: FileModel,
  slot: Slot,
  olds: readonly Resource[],
  point: TSESTree.Node,
  owner: Owner,
  registeredOn: TSESTree.Node | undefined,
): boolean {
  const isOld = (node: TSESTree.Node): boolean =>
    readsSlot(model, node, slot) || olds.some(resource => model.refersTo(node, resource, owner as FunctionNode, registeredOn));
  let child: TSESTree.Node = point;
  let current = point.parent;
  for (let i = 0; current && child !== owner && i < 200; i++) {
    switch (current.type) {
      case AST_NODE_TYPES.IfStatement:
      case AST_NODE_TYPES.ConditionalExpression:
        if (current.consequent === child && impliesEmpty(current.test, true, isOld)) {
          return true;
        }
        if (current.alternate === child && impliesEmpty(current.test, false, isOld)) {
          return true;
        }
        break;
      case AST_NODE_TYPES.LogicalExpression:
        if (current.right === child && impliesEmpty(current.left, current.operator === '&&', isOld)) {
          return true;
        }
        break;
      case AST_NODE_TYPES.BlockStatement:
      case AST_NODE_TYPES.Program:
      case AST_NODE_TYPES.StaticBlock:
      case AST_NODE_TYPES.SwitchCase: {
        const list: readonly TSESTree.Node[] = current.type === AST_NODE_TYPES.SwitchCase ? current.consequent : current.body;
        for (const statement of list) {
          if (statement === child || statement.range[0] >= child.range[0]) {
            break;
          }
          if (
            statement.type === AST_NODE_TYPES.IfStatement &&
            !statement.alternate &&
            alwaysLeaves(statement.consequent) &&
            impliesEmpty(statement.test, false, isOld)
          ) {
            return true;
          }
        }
        break;
      }
      default:
        break;
    }
    if (current === owner) {
      break;
    }
    child = current;
    current = current.parent;
  }
  return false;
}

function alwaysLeaves(statement: TSESTree.Statement): boolean {
  const last = statement.type === AST_NODE_TYPES.BlockStatement ? statement.body.at(-1) : statement;
  return (
    last?.type === AST_NODE_TYPES.ReturnStatement ||
    last?.type === AST_NODE_TYPES.ThrowStatement ||
    last?.type === AST_NODE_TYPES.ContinueStatement ||
    last?.type === AST_NODE_TYPES.BreakStatement
  );
}

/**
 * Whether `test` evaluating to `outcome` means the old value is absent or closed: `!s`, `s == null`,
 * `s?.destroyed`, `!s.writable`, and `&&`/`||`/`!` combinations of them.
 */
export function impliesEmpty(test: TSESTree.Node, outcome: boolean, isOld: (node: TSESTree.Node) => boolean): boolean {
  const node = unwrap(test);
  if ((node.type === AST_NODE_TYPES.Identifier || node.type === AST_NODE_TYPES.MemberExpression) && isOld(node)) {
    return !outcome;
  }
  switch (node.type) {
    case AST_NODE_TYPES.UnaryExpression:
      return node.operator === '!' && impliesEmpty(node.argument, !outcome, isOld);
    case AST_NODE_TYPES.LogicalExpression:
      if (node.operator === '&&') {
        return outcome
          ? impliesEmpty(node.left, true, isOld) || impliesEmpty(node.right, true, isOld)
          : impliesEmpty(node.left, false, isOld) && impliesEmpty(node.right, false, isOld);
      }
      if (node.operator === '||') {
        return outcome
          ? impliesEmpty(node.left, true, isOld) && impliesEmpty(node.right, true, isOld)
          : impliesEmpty(node.left, false, isOld) || impliesEmpty(node.right, false, isOld);
      }
      return false;
    case AST_NODE_TYPES.BinaryExpression: {
      const nullish = (side: TSESTree.Node): boolean => {
        const inner = unwrap(side);
        return (
          (inner.type === AST_NODE_TYPES.Literal && inner.value === null) ||
          (inner.type === AST_NODE_TYPES.Identifier && inner.name === 'undefined')
        );
      };
      const other = nullish(node.right) ? node.left : nullish(node.left) ? node.right : null;
      if (other === null || !isOld(other)) {
        return false;
      }
      if (node.operator === '==' || node.operator === '===') {
        return outcome;
      }
      if (node.operator === '!=' || node.operator === '!==') {
        return !outcome;
      }
      return false;
    }
    case AST_NODE_TYPES.MemberExpression: {
      const name = memberName(node);
      if (name === null || !isOld(node.object)) {
        return false;
      }
      return outcome ? CLOSED_WHEN_TRUE.has(name) : CLOSED_WHEN_FALSE.has(name);
    }
    default:
      return false;
  }
}

/**
 * Whether every path from the start of `owner` to `point` passes one of `anchors` first. `true` when it cannot tell
 * (no code path, `point` not recorded, budget exceeded).
 */
function everyPathToPointPasses(model: FileModel, owner: Owner, anchors: readonly TSESTree.Node[], point: TSESTree.Node): boolean {
  const codePath = model.paths.codePathOf(owner);
  const targets = new Set(model.paths.segmentsOf(point) ?? []);
  if (!codePath || targets.size === 0) {
    return true;
  }
  const blocking = new Set<Segment>();
  const covered = new Set<Segment>();
  for (const anchor of anchors) {
    for (const segment of model.paths.segmentsOf(anchor) ?? []) {
      blocking.add(segment);
      if (targets.has(segment) && (anchor === point || anchor.range[1] <= point.range[0])) {
        covered.add(segment);
      }
    }
  }
  const seen = new Set<Segment>();
  const work: Segment[] = [codePath.initialSegment];
  while (work.length > 0) {
    const segment = work.pop()!;
    if (seen.has(segment)) {
      continue;
    }
    seen.add(segment);
    if (seen.size > 20_000) {
      return true;
    }
    if (!segment.reachable) {
      continue;
    }
    if (targets.has(segment)) {
      if (!covered.has(segment)) {
        return false;
      }
      continue;
    }
    if (blocking.has(segment)) {
      continue;
    }
    work.push(...segment.nextSegments);
  }
  return true;
}

/** An optional call is anchored at its chain, which is where its code path forks. */
function anchorOf(call: TSESTree.Node): TSESTree.Node {
  let current = call;
  while (current.parent?.type === AST_NODE_TYPES.ChainExpression) {
    current = current.parent;
  }
  return current;
}

// -----------------------------------------------------------------------------------------------------------------
// Types

/** Whether the declared type of a write target admits `null`/`undefined` (or is unknown): `s?.destroy()` then. */
export function mayBeNullish(model: FileModel, node: TSESTree.Node): boolean {
  try {
    const tsNode = model.services.esTreeNodeToTSNodeMap.get(unwrap(node));
    if (!tsNode) {
      return true;
    }
    const checker = model.typeContext.checker;
    const symbol = checker.getSymbolAtLocation(tsNode);
    const type = symbol?.valueDeclaration
      ? checker.getTypeOfSymbolAtLocation(symbol, symbol.valueDeclaration)
      : checker.getTypeAtLocation(tsNode);
    const parts = type.isUnion() ? type.types : [type];
    return parts.some(
      part => (part.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined | ts.TypeFlags.Void | ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0,
    );
  } catch {
    return true;
  }
}

// -----------------------------------------------------------------------------------------------------------------
// Walking

/** Visits every node under `root` in source order (bounded); `visit` returning `false` skips a node's children. */
function walk(model: FileModel, root: TSESTree.Node, visit: (node: TSESTree.Node) => boolean | void): void {
  const keys = model.sourceCode.visitorKeys;
  let budget = MAX_WALK;
  const stack: TSESTree.Node[] = [root];
  while (stack.length > 0 && --budget > 0) {
    const node = stack.pop()!;
    if (visit(node) === false) {
      continue;
    }
    for (const key of keys[node.type] ?? []) {
      const value = (node as unknown as Record<string, unknown>)[key];
      if (Array.isArray(value)) {
        for (let i = value.length - 1; i >= 0; i--) {
          const child = value[i] as TSESTree.Node | null;
          if (child && typeof child.type === 'string') {
            stack.push(child);
          }
        }
      } else if (value && typeof (value as TSESTree.Node).type === 'string') {
        stack.push(value as TSESTree.Node);
      }
    }
  }
}

/** Visits the nodes on `owner`'s own code path (not inside nested functions, classes' fields or static blocks). */
function walkOwn(model: FileModel, owner: Owner, visit: (node: TSESTree.Node) => void): void {
  walk(model, owner, node => {
    if (node !== owner && (isFunctionNode(node) || node.type === AST_NODE_TYPES.ClassBody)) {
      return false;
    }
    visit(node);
    return true;
  });
}

/**
 * The declarators of a variable slot: running one again (a `let` declared inside a loop body) resets the slot, so a
 * path from an earlier write through it does not carry the old socket.
 */
function declarationsOf(slot: Slot): TSESTree.Node[] {
  if (slot.kind !== 'variable') {
    return [];
  }
  return slot.variable.defs.flatMap(def => (def.node.type === AST_NODE_TYPES.VariableDeclarator ? [def.node] : []));
}
