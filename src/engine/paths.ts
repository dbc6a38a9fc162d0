import type { TSESLint, TSESTree } from '@typescript-eslint/utils';

import { AST_NODE_TYPES } from '@typescript-eslint/utils';

import { isFunctionNode, memberName, type FunctionNode } from './ast.js';
import { WRITABLE_GUARDS } from './vocabulary.js';

type CodePath = TSESLint.CodePath;
type Segment = TSESLint.CodePathSegment;

/** How many segments one query may visit before it gives up (and answers conservatively). */
const MAX_VISITS = 20_000;

interface Frame {
  codePath: CodePath;
  node: TSESTree.Node;
  /** The segments open now (a handful at most: one per branch still running). */
  segments: Segment[];
  /** The calls recorded on this code path (the list `callsByFunction` holds for its node). */
  calls: (TSESTree.CallExpression | TSESTree.NewExpression)[] | null;
  /** A copy of `segments`, shared by the nodes recorded until it changes. */
  snapshot: readonly Segment[] | null;
}

/**
 * ESLint's code-path analysis of one file, indexed: the code path of every function and the segments each call,
 * `new`, optional chain, guard read, declarator, assignment and `return` sits in. Built once per file (shared by every
 * rule) from the traversal steps ESLint has already computed, see {@link PathIndex.of}.
 */
export class PathIndex {
  private readonly stack: Frame[] = [];
  private readonly codePaths = new Map<TSESTree.Node, CodePath>();
  private readonly nodeSegments = new Map<TSESTree.Node, readonly Segment[]>();
  /** Calls and `new` expressions grouped by the function (or program) whose code path they are on. */
  readonly callsByFunction = new Map<TSESTree.Node, (TSESTree.CallExpression | TSESTree.NewExpression)[]>();
  /** The node whose code path each recorded call is on. */
  private readonly owners = new Map<TSESTree.Node, TSESTree.Node>();
  /** All calls in source order. */
  readonly calls: (TSESTree.CallExpression | TSESTree.NewExpression)[] = [];
  /** The `return` statements on each function's (or the program's) own code path, in source order. */
  private readonly returnsByFunction = new Map<TSESTree.Node, TSESTree.ReturnStatement[]>();
  /** Every declarator, assignment and class field in source order (where values get stored). */
  readonly stores: (TSESTree.VariableDeclarator | TSESTree.AssignmentExpression | TSESTree.PropertyDefinition)[] = [];

  /**
   * The index of a file, read from `sourceCode.traverse()`: since ESLint 9 the traversal (node visits interleaved with
   * the code-path events, code paths complete) is computed once before any rule runs and cached on the source code,
   * so one loop over it here replaces a listener call per node and per segment for every rule. Without `traverse`
   * (no ESLint in the supported range lacks it) the index is empty and the rules find nothing.
   */
  static of(sourceCode: Readonly<TSESLint.SourceCode>): PathIndex {
    const index = new PathIndex();
    const traverse = (sourceCode as unknown as { traverse?: () => unknown }).traverse;
    const result: unknown = typeof traverse === 'function' ? traverse.call(sourceCode) : null;
    if (!Array.isArray(result)) {
      return index;
    }
    const steps = result as readonly TraversalStep[];
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]!;
      const target = step.target;
      if (typeof target !== 'string') {
        // A node visit: only entering matters.
        if (step.phase === 1) {
          index.visit(target);
        }
        continue;
      }
      const args = step.args;
      switch (target) {
        case 'onCodePathSegmentStart':
        case 'onUnreachableCodePathSegmentStart':
          index.onSegmentStart(args[0] as Segment);
          break;
        case 'onCodePathSegmentEnd':
        case 'onUnreachableCodePathSegmentEnd':
          index.onSegmentEnd(args[0] as Segment);
          break;
        case 'onCodePathStart':
          index.onCodePathStart(args[0] as CodePath, args[1] as TSESTree.Node);
          break;
        case 'onCodePathEnd':
          index.onCodePathEnd(args[0] as CodePath);
          break;
        default:
          break;
      }
    }
    return index;
  }

  /**
   * Records the nodes whose code-path position matters: calls, `new` and optional chains (closes, writes, reads);
   * `return`s (where a path leaves a function, see `uncoveredExits`); `for…of` (consumes what it iterates); `if`
   * (anchored where its test starts, so a guarded close covers both branches); declarators and assignments (where a
   * variable or field is written, and a `let` re-declared in a loop body resets it, see assignments.ts); reads of
   * `writable`, `destroyed`, … (where write guards sit, see `canFollowAvoiding`). Class fields are listed as stores.
   */
  private visit(node: TSESTree.Node): void {
    switch (node.type) {
      case AST_NODE_TYPES.CallExpression:
      case AST_NODE_TYPES.NewExpression:
        this.recordCall(node);
        break;
      case AST_NODE_TYPES.VariableDeclarator:
      case AST_NODE_TYPES.AssignmentExpression:
        if (this.record(node)) {
          this.stores.push(node);
        }
        break;
      case AST_NODE_TYPES.ReturnStatement:
        this.recordReturn(node);
        break;
      case AST_NODE_TYPES.ChainExpression:
      case AST_NODE_TYPES.ForOfStatement:
      case AST_NODE_TYPES.IfStatement:
        this.record(node);
        break;
      case AST_NODE_TYPES.PropertyDefinition:
        // A class field's position is not recorded: its initializer runs on a code path of its own.
        this.stores.push(node);
        break;
      case AST_NODE_TYPES.MemberExpression: {
        const name = memberName(node);
        if (name !== null && WRITABLE_GUARDS.has(name)) {
          this.record(node);
        }
        break;
      }
      default:
        break;
    }
  }

  private onCodePathStart(codePath: CodePath, node: TSESTree.Node): void {
    this.codePaths.set(node, codePath);
    this.stack.push({ codePath, node, segments: [], calls: null, snapshot: null });
  }

  private onCodePathEnd(codePath: CodePath): void {
    const top = this.stack[this.stack.length - 1];
    if (top?.codePath === codePath) {
      this.stack.pop();
    }
  }

  private onSegmentStart(segment: Segment): void {
    const top = this.stack[this.stack.length - 1];
    if (top) {
      top.segments.push(segment);
      top.snapshot = null;
    }
  }

  private onSegmentEnd(segment: Segment): void {
    const top = this.stack[this.stack.length - 1];
    if (top) {
      const segments = top.segments;
      const at = segments.lastIndexOf(segment);
      if (at >= 0) {
        // Order does not matter: the last one takes its place.
        segments[at] = segments[segments.length - 1]!;
        segments.pop();
      }
      top.snapshot = null;
    }
  }

  /** Records the segments `node` sits in (ESLint enters each node once). Whether it is on a code path. */
  private record(node: TSESTree.Node): boolean {
    return this.recordIn(node) !== null;
  }

  /** {@link record}, answering the frame of the code path `node` is on. */
  private recordIn(node: TSESTree.Node): Frame | null {
    const top = this.stack[this.stack.length - 1];
    if (!top) {
      return null;
    }
    top.snapshot ??= top.segments.slice();
    this.nodeSegments.set(node, top.snapshot);
    return top;
  }

  private recordCall(node: TSESTree.CallExpression | TSESTree.NewExpression): void {
    const top = this.recordIn(node);
    if (!top) {
      return;
    }
    this.owners.set(node, top.node);
    this.calls.push(node);
    if (top.calls) {
      top.calls.push(node);
    } else {
      top.calls = [node];
      this.callsByFunction.set(top.node, top.calls);
    }
  }

  private recordReturn(node: TSESTree.ReturnStatement): void {
    const top = this.recordIn(node);
    if (!top) {
      return;
    }
    const list = this.returnsByFunction.get(top.node);
    if (list) {
      list.push(node);
    } else {
      this.returnsByFunction.set(top.node, [node]);
    }
  }

  /** The node whose code path a recorded call is on (a function, the program, a static block, a field initializer). */
  ownerOf(call: TSESTree.CallExpression | TSESTree.NewExpression): TSESTree.Node | undefined {
    return this.owners.get(call);
  }

  /** The `return`s recorded on `fn`'s own code path; `undefined` when `fn`'s code path was not recorded. */
  returnsOf(fn: TSESTree.Node): readonly TSESTree.ReturnStatement[] | undefined {
    return this.codePaths.has(fn) ? (this.returnsByFunction.get(fn) ?? []) : undefined;
  }

  codePathOf(fn: TSESTree.Node): CodePath | undefined {
    return this.codePaths.get(fn);
  }

  segmentsOf(node: TSESTree.Node): readonly Segment[] | undefined {
    return this.nodeSegments.get(node);
  }

  /**
   * Whether every path from the start of `fn` to a normal exit (a `return` or the end of the body) passes through
   * one of `anchors` (nodes on `fn`'s own code path). Paths that end in a `throw` do not need to. Answers `true`
   * when it cannot tell (no code path, unrecorded anchors, work budget exceeded): callers report only on `false`.
   */
  everyPathPasses(fn: FunctionNode | TSESTree.Program, anchors: readonly TSESTree.Node[]): boolean {
    const codePath = this.codePaths.get(fn);
    if (!codePath) {
      return true;
    }
    const blocking = new Set<Segment>();
    for (const anchor of anchors) {
      const segments = this.nodeSegments.get(anchor);
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
    const from = this.nodeSegments.get(earlier);
    const to = this.nodeSegments.get(later);
    if (!from || !to || from.length === 0 || to.length === 0) {
      return false;
    }
    const blockers = new Map<Segment, TSESTree.Node[]>();
    for (const node of avoiding) {
      for (const segment of this.nodeSegments.get(node) ?? []) {
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
