import type { TSESTree } from '@typescript-eslint/utils';

import { AST_NODE_TYPES } from '@typescript-eslint/utils';

import type { FileModel, Resource } from './model.js';

import { calledMethod, isFunctionNode, receiverOf, unwrap } from './ast.js';
import { MemoKey } from './model.js';
import { swallow } from './failure.js';

/*
 * Sockets joined by hand: `a.pipe(b)`, and `'data'` forwarding (`a.on('data', chunk => b.write(chunk))`). Neither
 * ties the two lifetimes together: pipe() ends the destination only when the source ends cleanly, and does nothing
 * when either side errors or closes. `stream.pipeline()` does (it is not a join here: it takes ownership).
 */

export interface JoinLink {
  readonly kind: 'pipe' | 'forward';
  readonly from: Resource;
  readonly to: Resource;
  /** The `pipe()` call, or the `'data'` listener registration. */
  readonly call: TSESTree.CallExpression;
  /** The expressions that name each side in this link (`a` and `b` of `a.pipe(b)`; the write's receiver). */
  readonly fromNode: TSESTree.Node;
  readonly toNode: TSESTree.Node;
  /** For forwarding: the `write()` call inside the `'data'` listener. */
  readonly write: TSESTree.CallExpression | null;
}

export interface Join {
  /** The source of the first link (in source order), and its partner. */
  readonly a: Resource;
  readonly b: Resource;
  /** Every link between the two, in source order. */
  readonly links: readonly JoinLink[];
}

/** Events whose listeners run when a side fails or goes away. */
export const PARTNER_EVENTS: readonly string[] = ['close', 'error'];

const JOINS = new MemoKey<Join[]>('joins');

/** The pairs of sockets this file joins by hand (`pipe()` either way, `'data'` forwarding). Memoised; never throws. */
export function socketJoins(model: FileModel): readonly Join[] {
  const cached = model.recall(JOINS);
  if (cached) {
    return cached;
  }
  const joins = model.remember(JOINS, []);
  if (model.callsOf('pipe').length === 0 && !model.hasListenerFor('data')) {
    // Nothing is piped and no 'data' listener can forward: no node of the file needs reading.
    return joins;
  }
  try {
    collect(model, joins);
  } catch (error) {
    swallow(error);
  }
  return joins;
}

function collect(model: FileModel, joins: Join[]): void {
  const links: JoinLink[] = [];
  for (const call of model.callsOf('pipe')) {
    const receiver = pipedInto(receiverOf(call));
    const argument = call.arguments[0];
    if (!receiver || !argument || argument.type === AST_NODE_TYPES.SpreadElement) {
      continue;
    }
    const from = socketResource(model, receiver);
    const to = from ? socketResource(model, argument) : null;
    if (from && to && from !== to) {
      links.push({ kind: 'pipe', from, to, call, fromNode: receiver, toNode: unwrap(argument), write: null });
    }
  }
  for (const listener of model.listeners) {
    if (listener.event !== 'data' || listener.method === 'callback') {
      continue;
    }
    // The handler's `write()` calls first (syntax), the emitter's kind only when there are any.
    const handler = model.functionOf(listener.handlerArgument);
    const writes = handler
      ? model.paths.callsIn(handler).filter(
          (call): call is TSESTree.CallExpression => call.type === AST_NODE_TYPES.CallExpression && calledMethod(call) === 'write',
        )
      : [];
    const from = writes.length > 0 ? socketResource(model, listener.target) : null;
    if (!from) {
      continue;
    }
    for (const call of writes) {
      const receiver = receiverOf(call);
      const to = receiver ? socketResource(model, receiver) : null;
      if (receiver && to && to !== from) {
        links.push({ kind: 'forward', from, to, call: listener.call, fromNode: listener.target, toNode: receiver, write: call });
        break;
      }
    }
  }
  // Source order; in `a.pipe(b).pipe(a)` the inner call comes first.
  links.sort((x, y) => x.call.range[0] - y.call.range[0] || x.call.range[1] - y.call.range[1]);
  for (const link of links) {
    const join = joins.find(
      candidate => (candidate.a === link.from && candidate.b === link.to) || (candidate.a === link.to && candidate.b === link.from),
    );
    if (join) {
      (join.links as JoinLink[]).push(link);
    } else {
      joins.push({ a: link.from, b: link.to, links: [link] });
    }
  }
}

/** `a.pipe(b)` evaluates to `b`: `a.pipe(b).pipe(a)` pipes `b` into `a`. */
function pipedInto(node: TSESTree.Node | null): TSESTree.Node | null {
  let current = node;
  for (let i = 0; i < 16 && current?.type === AST_NODE_TYPES.CallExpression && calledMethod(current) === 'pipe'; i++) {
    const destination = current.arguments[0];
    if (!destination || destination.type === AST_NODE_TYPES.SpreadElement) {
      return current;
    }
    current = unwrap(destination);
  }
  return current;
}

/** The resource an expression is, when it is a TCP socket (not a tty, not a bare duplex or a file stream). */
function socketResource(model: FileModel, node: TSESTree.Node): Resource | null {
  const resource = model.resourceOf(node);
  return resource?.kind === 'socket' ? resource : null;
}

/**
 * Whether `side` failing or closing ends or destroys `partner` on some path: a `'close'`/`'error'` listener of
 * `side` that closes it, a callback given along with `side` (`finished(side, () => partner.destroy())`), or a
 * helper given both that closes `partner`. A handler we cannot see counts as closing.
 */
export function destroysPartner(model: FileModel, side: Resource, partner: Resource): boolean {
  try {
    for (const event of PARTNER_EVENTS) {
      for (const listener of model.listenersOf(side, event)) {
        const handler = model.functionOf(listener.handlerArgument);
        if (!handler) {
          return true;
        }
        // Not `registeredOn`: `this` in that handler is `side`, not `partner`.
        const anchors = model.closingAnchors(handler, partner, undefined, 0);
        if (anchors === 'unknown' || anchors.length > 0) {
          return true;
        }
      }
    }
    for (const use of side.uses) {
      if (use.kind !== 'argument') {
        continue;
      }
      const { call } = use;
      for (let index = 0; index < call.arguments.length; index++) {
        const argument = unwrap(call.arguments[index]!);
        if (isFunctionNode(argument)) {
          const anchors = model.closingAnchors(argument, partner, undefined, 0);
          if (anchors === 'unknown' || anchors.length > 0) {
            return true;
          }
        } else if (index !== use.index && isReference(model, argument, partner)) {
          if (model.effectsOf(call, index).closesSome) {
            return true;
          }
        }
      }
    }
    return false;
  } catch (error) {
    swallow(error);
    return true;
  }
}

function isReference(model: FileModel, node: TSESTree.Node, resource: Resource): boolean {
  const target = unwrap(node);
  if (resource.refs.has(target)) {
    return true;
  }
  const variable = target.type === AST_NODE_TYPES.Identifier ? model.variableOf(target) : null;
  return variable !== null && resource.variables.has(variable);
}

/**
 * Whether a joined socket is handed to code that takes over its lifetime: returned, stored, exported, given to
 * `stream.pipeline()` or to code we cannot see (`pipe()` calls between sockets aside).
 */
export function joinHandedOff(model: FileModel, side: Resource): boolean {
  // The pipe() calls of every join (this one's and those of the same socket with other partners).
  const own = new Set<TSESTree.Node>(
    socketJoins(model).flatMap(other => other.links.filter(link => link.kind === 'pipe').map(link => link.call)),
  );
  return side.uses.some(use => {
    if (use.kind === 'escape' || use.kind === 'dispose') {
      return true;
    }
    if (use.kind === 'argument') {
      if (own.has(use.call)) {
        return false;
      }
      return model.effectsOf(use.call, use.index).escapes;
    }
    return false;
  });
}
