import type { TSESLint, TSESTree } from '@typescript-eslint/utils';

import { AST_NODE_TYPES } from '@typescript-eslint/utils';

import { isFunctionNode, memberName, type FunctionNode } from './ast.js';
import { WRITABLE_GUARDS } from './vocabulary.js';

type CodePath = TSESLint.CodePath;
type Segment = TSESLint.CodePathSegment;

/** How many segments one query may visit before it gives up (and answers conservatively). */
const MAX_VISITS = 20_000;
/** How many segments the exit queries on one file may visit together (one walk per value on a huge module adds up). */
const MAX_FILE_EXIT_VISITS = 1_000_000;

/** A code path and where it lies in the traversal: the steps of its start and of its end. */
interface PathEntry {
  readonly codePath: CodePath;
  readonly start: number;
  end: number;
  /** Whether the segments of the nodes on this code path have been recorded (see `recordSegments`). */
  recorded: boolean;
  /** The calls listed on this code path, in source order; `null` while it has none. */
  calls: (TSESTree.CallExpression | TSESTree.NewExpression)[] | null;
  /** The `return` statements on this code path, in source order; `null` while it has none. */
  returns: TSESTree.ReturnStatement[] | null;
}

const NO_CALLS: readonly (TSESTree.CallExpression | TSESTree.NewExpression)[] = Object.freeze([]);
const NO_RETURNS: readonly TSESTree.ReturnStatement[] = Object.freeze([]);

/**
 * ESLint's code-path analysis of one file, indexed: the code path of every function, the calls, stores and `return`s
 * on each, and, on demand, the segments each call, `new`, optional chain, guard read, declarator, assignment,
 * `return`, `if` and `for…of` sits in. Built once per file (shared by every rule) from the traversal steps ESLint has
 * already computed, see {@link PathIndex.of}.
 */
export class PathIndex {
  private steps: readonly TraversalStep[] = [];
  /** The code paths open at the current step while the index is built. */
  private readonly stack: PathEntry[] = [];
  /** Every code path by the node it starts at (a function, the program, a static block, a field initializer). */
  private readonly paths = new Map<TSESTree.Node, PathEntry>();
  /** The segments of the positioned nodes of the code paths recorded so far (see `recordSegments`). */
  private nodeSegments: Map<TSESTree.Node, readonly Segment[]> | null = null;
  /** All calls in source order. */
  readonly calls: (TSESTree.CallExpression | TSESTree.NewExpression)[] = [];
  /** Every declarator, assignment and class field in source order (where values get stored). */
  readonly stores: (TSESTree.VariableDeclarator | TSESTree.AssignmentExpression | TSESTree.PropertyDefinition)[] = [];
  /** How many more segments `uncoveredExits` (exits.ts) may visit on this file, all its queries together. */
  exitVisitsLeft = MAX_FILE_EXIT_VISITS;

  /**
   * The index of a file, read from `sourceCode.traverse()`: since ESLint 9 the traversal (node visits interleaved with
   * the code-path events, code paths complete) is computed once before any rule runs and cached on the source code,
   * so one loop over it here replaces a listener call per node and per segment for every rule. The loop lists the
   * code paths, calls, stores and `return`s; the segments of a code path's nodes are read from its own steps the first
   * time one of them is asked about. Without `traverse` (no ESLint in the supported range lacks it) the index is empty
   * and the rules find nothing.
   */
  static of(sourceCode: Readonly<TSESLint.SourceCode>): PathIndex {
    const index = new PathIndex();
    const traverse = (sourceCode as unknown as { traverse?: () => unknown }).traverse;
    const result: unknown = typeof traverse === 'function' ? traverse.call(sourceCode) : null;
    if (!Array.isArray(result)) {
      return index;
    }
    const steps = result as readonly TraversalStep[];
    index.steps = steps;
    const stack = index.stack;
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]!;
      const target = step.target;
      if (typeof target !== 'string') {
        // A node visit: only entering matters.
        if (step.phase === 1 && stack.length > 0) {
          index.list(target, stack[stack.length - 1]!);
        }
      } else if (target === 'onCodePathStart') {
        const node = step.args[1] as TSESTree.Node;
        const entry: PathEntry = { codePath: step.args[0] as CodePath, start: i, end: steps.length, recorded: false, calls: null, returns: null };
        index.paths.set(node, entry);
        stack.push(entry);
      } else if (target === 'onCodePathEnd') {
        const top = stack[stack.length - 1];
        if (top && top.codePath === step.args[0]) {
          top.end = i;
          stack.pop();
        }
      }
    }
    return index;
  }

  /** Lists the calls, `new`s, stores and `return`s (ESLint enters each node once) on the code path of `top`. */
  private list(node: TSESTree.Node, top: PathEntry): void {
    switch (node.type) {
      case AST_NODE_TYPES.CallExpression:
      case AST_NODE_TYPES.NewExpression:
        this.calls.push(node);
        if (top.calls) {
          top.calls.push(node);
        } else {
          top.calls = [node];
        }
        break;
      case AST_NODE_TYPES.VariableDeclarator:
      case AST_NODE_TYPES.AssignmentExpression:
      case AST_NODE_TYPES.PropertyDefinition:
        // A class field's initializer runs on a code path of its own; the field is listed all the same.
        this.stores.push(node);
        break;
      case AST_NODE_TYPES.ReturnStatement:
        if (top.returns) {
          top.returns.push(node);
        } else {
          top.returns = [node];
        }
        break;
      default:
        break;
    }
  }

  /**
   * Records the segments of the positioned nodes on one code path, from its own steps: the segments open when each is
   * entered. The steps of the code paths nested in it (functions defined inside) are skipped.
   */
  private recordSegments(entry: PathEntry): void {
    entry.recorded = true;
    const steps = this.steps;
    const nodeSegments = (this.nodeSegments ??= new Map());
    const segments: Segment[] = [];
    let snapshot: readonly Segment[] | null = null;
    for (let i = entry.start + 1; i < entry.end; i++) {
      const step = steps[i]!;
      const target = step.target;
      if (typeof target !== 'string') {
        if (step.phase === 1 && isPositioned(target)) {
          snapshot ??= segments.slice();
          nodeSegments.set(target, snapshot);
        }
        continue;
      }
      switch (target) {
        case 'onCodePathSegmentStart':
        case 'onUnreachableCodePathSegmentStart':
          segments.push(step.args[0] as Segment);
          snapshot = null;
          break;
        case 'onCodePathSegmentEnd':
        case 'onUnreachableCodePathSegmentEnd': {
          const at = segments.lastIndexOf(step.args[0] as Segment);
          if (at >= 0) {
            // Order does not matter: the last one takes its place.
            segments[at] = segments[segments.length - 1]!;
            segments.pop();
          }
          snapshot = null;
          break;
        }
        case 'onCodePathStart': {
          // A nested code path: its nodes are not on this one.
          const nested = this.paths.get(step.args[1] as TSESTree.Node);
          if (nested && nested.end > i) {
            i = nested.end;
          }
          break;
        }
        default:
          break;
      }
    }
  }

  /** The node whose code path `node` is on: the nearest code-path start, `node` itself or an ancestor. */
  private pathStartOf(node: TSESTree.Node): TSESTree.Node | undefined {
    for (let current: TSESTree.Node | undefined = node; current; current = current.parent) {
      if (this.paths.has(current)) {
        return current;
      }
    }
    return undefined;
  }

  /** The node whose code path a recorded call is on (a function, the program, a static block, a field initializer). */
  ownerOf(call: TSESTree.CallExpression | TSESTree.NewExpression): TSESTree.Node | undefined {
    return this.pathStartOf(call);
  }

  /** The `return`s recorded on `fn`'s own code path; `undefined` when `fn`'s code path was not recorded. */
  returnsOf(fn: TSESTree.Node): readonly TSESTree.ReturnStatement[] | undefined {
    const entry = this.paths.get(fn);
    return entry ? (entry.returns ?? NO_RETURNS) : undefined;
  }

  /** The calls and `new` expressions on `fn`'s own code path (a function, the program, …), in source order. */
  callsIn(fn: TSESTree.Node): readonly (TSESTree.CallExpression | TSESTree.NewExpression)[] {
    return this.paths.get(fn)?.calls ?? NO_CALLS;
  }

  codePathOf(fn: TSESTree.Node): CodePath | undefined {
    return this.paths.get(fn)?.codePath;
  }

  /** The segments a positioned node sits in; `undefined` for a node that is not positioned or on no code path. */
  segmentsOf(node: TSESTree.Node): readonly Segment[] | undefined {
    const known = this.nodeSegments?.get(node);
    if (known) {
      return known;
    }
    const start = this.pathStartOf(node);
    const entry = start && this.paths.get(start);
    if (!entry || entry.recorded) {
      return undefined;
    }
    this.recordSegments(entry);
    return this.nodeSegments?.get(node);
  }

  /**
   * Whether every path from the start of `fn` to a normal exit (a `return` or the end of the body) passes through
   * one of `anchors` (nodes on `fn`'s own code path). Paths that end in a `throw` do not need to. Answers `true`
   * when it cannot tell (no code path, unrecorded anchors, work budget exceeded): callers report only on `false`.
   */
  everyPathPasses(fn: FunctionNode | TSESTree.Program, anchors: readonly TSESTree.Node[]): boolean {
    const codePath = this.paths.get(fn)?.codePath;
    if (!codePath) {
      return true;
    }
    const blocking = new Set<Segment>();
    for (const anchor of anchors) {
      const segments = this.segmentsOf(anchor);
      if (!segments) {
        return true;
      }
      for (const segment of segments) {
        blocking.add(segment);
      }
    }
    const exits = new Set(codePath.returnedSegments);
    const seen = new Set<Segment>();
    const work: Segment[] = [codePath.initialSegment];
    while (work.length > 0) {
      const segment = work.pop()!;
      if (seen.has(segment)) {
        continue;
      }
      seen.add(segment);
      if (seen.size > MAX_VISITS) {
        return true;
      }
      if (!segment.reachable || blocking.has(segment)) {
        continue;
      }
      if (exits.has(segment)) {
        return false;
      }
      work.push(...segment.nextSegments);
    }
    return true;
  }

  /**
   * Whether `later` can run after `earlier` on some path (both on the same function's code path): the same segment
   * with `later` after `earlier` in the source, or a segment reachable from `earlier`'s, loops included.
   * Answers `false` when it cannot tell.
   */
  canFollow(earlier: TSESTree.Node, later: TSESTree.Node): boolean {
    return this.canFollowAvoiding(earlier, later, []);
  }

  /**
   * Whether `later` can run after `earlier` on some path (both on the same function's code path, loops included)
   * that evaluates none of `avoiding` in between: a segment that holds one of them blocks the paths through it.
   * Answers `false` when it cannot tell (an unrecorded `earlier` or `later`, or the work budget exceeded); nodes of
   * `avoiding` that were not recorded block nothing.
   */
  canFollowAvoiding(earlier: TSESTree.Node, later: TSESTree.Node, avoiding: readonly TSESTree.Node[]): boolean {
    const from = this.segmentsOf(earlier);
    const to = this.segmentsOf(later);
    if (!from || !to || from.length === 0 || to.length === 0) {
      return false;
    }
    const blockers = new Map<Segment, TSESTree.Node[]>();
    for (const node of avoiding) {
      for (const segment of this.segmentsOf(node) ?? []) {
        const list = blockers.get(segment);
        if (list) {
          list.push(node);
        } else {
          blockers.set(segment, [node]);
        }
      }
    }
    const targets = new Set(to);
    const blockedBetween = (segment: Segment, start: number, end: number): boolean =>
      blockers.get(segment)?.some(node => node.range[0] >= start && node.range[1] <= end) ?? false;
    const work: Segment[] = [];
    for (const segment of from) {
      if (
        targets.has(segment) &&
        later.range[0] >= earlier.range[1] &&
        !blockedBetween(segment, earlier.range[1], later.range[0])
      ) {
        return true;
      }
      if (!blockedBetween(segment, earlier.range[1], Number.POSITIVE_INFINITY)) {
        work.push(...segment.nextSegments);
      }
    }
    const seen = new Set<Segment>();
    while (work.length > 0) {
      const segment = work.pop()!;
      if (seen.has(segment)) {
        continue;
      }
      seen.add(segment);
      if (seen.size > MAX_VISITS) {
        return false;
      }
      if (!segment.reachable) {
        continue;
      }
      if (targets.has(segment) && !blockedBetween(segment, Number.NEGATIVE_INFINITY, later.range[0])) {
        return true;
      }
      if (blockers.has(segment)) {
        continue;
      }
      work.push(...segment.nextSegments);
    }
    return false;
  }
}

/**
 * One step of ESLint's traversal (`VisitNodeStep` or `CallMethodStep` of `@eslint/plugin-kit`): a node entered
 * (`phase` 1) or left (2), or a code-path event named by `target` with its arguments.
 */
interface TraversalStep {
  target: TSESTree.Node | string;
  phase?: number;
  args: readonly unknown[];
}

/**
 * Whether a node's code-path position is recorded: calls, `new` and optional chains (closes, writes, reads);
 * `return`s (where a path leaves a function, see `uncoveredExits`); `for…of` (consumes what it iterates); `if`
 * (anchored where its test starts, so a guarded close covers both branches); declarators and assignments (where a
 * variable or field is written, and a `let` re-declared in a loop body resets it, see assignments.ts); reads of
 * `writable`, `destroyed`, … (where write guards sit, see `canFollowAvoiding`). A class field's position is not: its
 * initializer runs on a code path of its own.
 */
export function isPositioned(node: TSESTree.Node): boolean {
  switch (node.type) {
    case AST_NODE_TYPES.CallExpression:
    case AST_NODE_TYPES.NewExpression:
    case AST_NODE_TYPES.VariableDeclarator:
    case AST_NODE_TYPES.AssignmentExpression:
    case AST_NODE_TYPES.ReturnStatement:
    case AST_NODE_TYPES.ChainExpression:
    case AST_NODE_TYPES.ForOfStatement:
    case AST_NODE_TYPES.IfStatement:
      return true;
    case AST_NODE_TYPES.MemberExpression: {
      const name = memberName(node);
      return name !== null && WRITABLE_GUARDS.has(name);
    }
    default:
      return false;
  }
}

/** The function whose code path `node` is on, or the program. */
export function codePathOwner(node: TSESTree.Node): FunctionNode | TSESTree.Program {
  let current = node.parent;
  while (current) {
    if (isFunctionNode(current) || current.type === AST_NODE_TYPES.Program) {
      return current;
    }
    current = current.parent;
  }
  return node as TSESTree.Program;
}
