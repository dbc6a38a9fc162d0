import type { TSESLint, TSESTree } from '@typescript-eslint/utils';

import { AST_NODE_TYPES } from '@typescript-eslint/utils';

import type { PathIndex } from './paths.js';

import { isFunctionNode, type FunctionNode } from './ast.js';

type Segment = TSESLint.CodePathSegment;

/** How many segments one query may visit before it gives up. */
const MAX_VISITS = 20_000;
/** How many nodes the syntactic walk for `return` statements may visit. */
const MAX_WALK = 100_000;

/** The normal exits of a function that some path reaches without passing an anchor. */
export interface UncoveredExits {
  /** The `return` statements reached that way, in source order. */
  readonly returns: readonly TSESTree.ReturnStatement[];
  /** Whether the end of the body (or an exit we cannot map to a `return`) is reached that way. */
  readonly fallsOff: boolean;
  /** Whether a loop leads back to `from` that way (the value `from` produced is dropped, and a new one made). */
  readonly loopsBack: boolean;
}

/** Whether nothing is uncovered. */
export function isCovered(exits: UncoveredExits): boolean {
  return exits.returns.length === 0 && !exits.fallsOff && !exits.loopsBack;
}

/**
 * The normal exits of `fn` (a `return`, or the end of its body) that a path reaches without passing one of `anchors`
 * (nodes on `fn`'s own code path: calls, optional chains, `for…of` loops, `return`s). Paths start at `from` (a
 * recorded node on `fn`'s code path, typically the call that made the value) or, without it, at the start of `fn`.
 * Paths that end in a `throw` need no anchor. `null` when it cannot tell (no code path, an unrecorded anchor or
 * `from`, the work budget exceeded): callers report nothing then.
 */
export function uncoveredExits(
  paths: PathIndex,
  fn: FunctionNode | TSESTree.Program,
  anchors: readonly TSESTree.Node[],
  from?: TSESTree.Node,
): UncoveredExits | null {
  const codePath = paths.codePathOf(fn);
  if (!codePath || paths.exitVisitsLeft <= 0) {
    return null;
  }
  const anchorsBySegment = new Map<Segment, TSESTree.Node[]>();
  for (const anchor of anchors) {
    const segments = paths.segmentsOf(anchor);
    if (!segments) {
      return null;
    }
    for (const segment of segments) {
      const list = anchorsBySegment.get(segment);
      if (list) {
        list.push(anchor);
      } else {
        anchorsBySegment.set(segment, [anchor]);
      }
    }
  }
  const start = from ? paths.segmentsOf(from) : [codePath.initialSegment];
  if (!start || start.length === 0) {
    return null;
  }
  const returnBySegment = new Map<Segment, TSESTree.ReturnStatement>();
  for (const statement of paths.returnsOf(fn) ?? ownReturns(fn)) {
    for (const segment of paths.segmentsOf(statement) ?? []) {
      returnBySegment.set(segment, statement);
    }
  }
  const exits = new Set(codePath.returnedSegments);
  const startSegments = new Set(start);
  const fromStart = from ? from.range[0] : Number.NEGATIVE_INFINITY;

  const returns = new Set<TSESTree.ReturnStatement>();
  let fallsOff = false;
  let loopsBack = false;
  const seen = new Set<Segment>();
  const work: Segment[] = [];

  /**
   * Visits a segment: `entered` when a path comes into it from another segment (as opposed to starting in it at
   * `from`). Records the exit it is, or queues its successors, unless an anchor on it covers the path.
   */
  const reach = (segment: Segment, entered: boolean): void => {
    const inSegment = anchorsBySegment.get(segment) ?? [];
    if (startSegments.has(segment)) {
      if (entered) {
        // Back at `from` through a loop: covered only by an anchor that runs before `from` does.
        if (!inSegment.some(anchor => anchor.range[0] < fromStart)) {
          loopsBack = true;
        }
        return;
      }
      if (inSegment.some(anchor => anchor.range[0] >= fromStart)) {
        return;
      }
    } else if (inSegment.length > 0) {
      return;
    }
    if (exits.has(segment)) {
      const statement = returnBySegment.get(segment);
      if (statement) {
        returns.add(statement);
      } else {
        fallsOff = true;
      }
    }
    work.push(...segment.nextSegments);
  };

  for (const segment of start) {
    if (segment.reachable) {
      reach(segment, false);
    }
  }
  while (work.length > 0) {
    const segment = work.pop()!;
    if (seen.has(segment)) {
      continue;
    }
    seen.add(segment);
    if (seen.size > MAX_VISITS || --paths.exitVisitsLeft < 0) {
      return null;
    }
    if (!segment.reachable) {
      continue;
    }
    reach(segment, true);
  }
  return {
    returns: [...returns].sort((a, b) => a.range[0] - b.range[0]),
    fallsOff,
    loopsBack,
  };
}

const returnsCache = new WeakMap<TSESTree.Node, readonly TSESTree.ReturnStatement[]>();

/** The `return` statements of `fn` itself (not of functions nested in it). Memoised per function. */
export function ownReturns(fn: FunctionNode | TSESTree.Program): readonly TSESTree.ReturnStatement[] {
  const cached = returnsCache.get(fn);
  if (cached) {
    return cached;
  }
  const found: TSESTree.ReturnStatement[] = [];
  const root = fn.type === AST_NODE_TYPES.Program ? fn : fn.body;
  let budget = MAX_WALK;
  const walk = (node: TSESTree.Node): void => {
    if (--budget < 0) {
      return;
    }
    if (node.type === AST_NODE_TYPES.ReturnStatement) {
      found.push(node);
    }
    for (const key of Object.keys(node)) {
      if (key === 'parent') {
        continue;
      }
      const value = (node as unknown as Record<string, unknown>)[key];
      const children = Array.isArray(value) ? value : [value];
      for (const child of children) {
        if (!child || typeof (child as TSESTree.Node).type !== 'string') {
          continue;
        }
        const typed = child as TSESTree.Node;
        if (isFunctionNode(typed) || typed.type === AST_NODE_TYPES.ClassBody) {
          continue;
        }
        walk(typed);
      }
    }
  };
  walk(root);
  returnsCache.set(fn, found);
  return found;
}
