import * as ts from 'typescript';

import { nodeApiOfSymbol, nodeApiOfTsNode, type NodeApi } from './node-api.js';
import { classifyType, kindOfConstruction, type TypeContext } from './types.js';
import {
  BODY_READER_METHODS,
  BODY_STREAM_METHODS,
  CLOSER_METHODS,
  LANGUAGE_METHODS,
  LISTENER_METHODS,
  OBSERVER_CALLEES,
  READER_EVENTS,
  READER_METHODS,
} from './vocabulary.js';

/**
 * What a function we can see does to one of its parameters. Computed on the TypeScript AST, so it works for helpers
 * in any file of the program, TS or JS.
 */
export interface ParamEffects {
  /** Ends or destroys it on every path that returns normally. */
  closesAll: boolean;
  /** Ends or destroys it on some path, or from a callback. */
  closesSome: boolean;
  /** Hands it to code we cannot see, stores it, or returns it: the obligation goes with it. */
  escapes: boolean;
  /** Consumes its readable side. */
  reads: boolean;
  /** Events it registers listeners for. */
  events: ReadonlySet<string>;
  /** Events whose listener (registered here) ends or destroys it. */
  closingEvents: ReadonlySet<string>;
  /**
   * Ends or destroys it on every path that returns normally, before returning (not from a callback). Absent for
   * code we cannot see and for Node APIs.
   */
  closesAllSync?: boolean;
  /** The closing methods (`end`, `destroy`, …) it calls on it synchronously, its helpers' included. */
  syncCloseMethods?: ReadonlySet<string>;
}

/** What we assume of code we cannot see: that it takes care of everything. */
export const OPAQUE: ParamEffects = {
  closesAll: true,
  closesSome: true,
  escapes: true,
  reads: true,
  events: new Set(['error', 'end', 'close', 'timeout', 'data']),
  closingEvents: new Set(['end', 'timeout', 'error', 'close']),
};

export const NO_EFFECTS: ParamEffects = {
  closesAll: false,
  closesSome: false,
  escapes: false,
  reads: false,
  events: new Set(),
  closingEvents: new Set(),
};

/** How deep helper summaries follow helpers that call helpers. */
export const MAX_HELPER_DEPTH = 4;
/** How many nodes one summary may visit. */
const MAX_NODES = 20_000;

export interface SummaryContext extends TypeContext {
  depth: number;
}

const summaryCache = new WeakMap<ts.Node, Map<number, ParamEffects>>();
const freshCache = new WeakMap<ts.Node, boolean>();

/** What a call's callee is, from one symbol lookup: the Node API it names, and the function with a body it runs. */
export interface Callee {
  api: NodeApi | null;
  /** The function-like declaration with a body the call resolves to, in the program's own (non-library) files. */
  declaration: ts.FunctionLikeDeclaration | null;
  /** Whether the answer depends on the call site (an overloaded function of the program: its signature decides). */
  perCall: boolean;
}

const NO_CALLEE: Callee = { api: null, declaration: null, perCall: false };

/**
 * Resolves a call's callee once for both questions a summary asks (which Node API, which visible function). Methods
 * of strings, arrays and functions (`LANGUAGE_METHODS`, none of them a Node API whose effect is known) are not looked
 * up. Never throws.
 */
export function resolveCallee(call: ts.CallExpression | ts.NewExpression, context: TypeContext): Callee {
  try {
    const callee = skipOuter(call.expression);
    if (ts.isPropertyAccessExpression(callee) && LANGUAGE_METHODS.has(callee.name.text)) {
      return NO_CALLEE;
    }
    // The symbol first: cheap, and enough unless the function is overloaded.
    return calleeOfSymbol(
      context.checker.getSymbolAtLocation(ts.isPropertyAccessExpression(callee) ? callee.name : callee),
      call,
      context,
    );
  } catch {
    return NO_CALLEE;
  }
}

/**
 * {@link resolveCallee} for a call whose callee is a plain name bound by the declaration named `declarationName` (an
 * import, a function, a variable): the same symbol, read from the declaration. The checker answers a declaration's
 * name from the declaration itself, where the name at the call would first be resolved through every enclosing
 * scope (and its JSDoc host looked for). Never throws.
 */
export function resolveCalleeDeclaredAt(
  declarationName: ts.Node,
  call: ts.CallExpression | ts.NewExpression,
  context: TypeContext,
): Callee {
  if (!ts.isIdentifier(declarationName)) {
    return resolveCallee(call, context);
  }
  try {
    return calleeOfSymbol(context.checker.getSymbolAtLocation(declarationName), call, context);
  } catch {
    return NO_CALLEE;
  }
}

/** {@link calleeOfSymbol}'s answers that do not depend on the call (symbols belong to one program). */
const calleesBySymbol = new WeakMap<ts.Symbol, Callee>();

function calleeOfSymbol(found: ts.Symbol | undefined, call: ts.CallExpression | ts.NewExpression, context: TypeContext): Callee {
  let symbol = found;
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) {
    symbol = context.checker.getAliasedSymbol(symbol);
  }
  if (!symbol) {
    return NO_CALLEE;
  }
  const known = calleesBySymbol.get(symbol);
  if (known) {
    return known;
  }
  const callee = calleeOfResolvedSymbol(symbol, call, context);
  if (!callee.perCall) {
    calleesBySymbol.set(symbol, callee);
  }
  return callee;
}

function calleeOfResolvedSymbol(symbol: ts.Symbol, call: ts.CallExpression | ts.NewExpression, context: TypeContext): Callee {
  const api = nodeApiOfSymbol(symbol);
  let declaration: ts.Node | undefined = symbol.valueDeclaration;
  if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer) {
    declaration = skipOuter(declaration.initializer);
  }
  const declarations = symbol.declarations ?? [];
  const perCall = declarations.length > 1 && declarations.some(d => !d.getSourceFile().isDeclarationFile);
  if (perCall) {
    const resolved = context.checker.getResolvedSignature(call)?.declaration;
    if (resolved && isFunctionWithBody(resolved)) {
      declaration = resolved;
    }
  }
  if (!declaration || !isFunctionWithBody(declaration)) {
    return { api, declaration: null, perCall };
  }
  const file = declaration.getSourceFile();
  if (file.isDeclarationFile || context.program.isSourceFileFromExternalLibrary(file)) {
    return { api, declaration: null, perCall };
  }
  return { api, declaration, perCall };
}

/** The function-like declaration with a body that a call resolves to, in the program's own (non-library) files. */
export function visibleCallee(
  call: ts.CallExpression | ts.NewExpression,
  context: TypeContext,
): ts.FunctionLikeDeclaration | null {
  return resolveCallee(call, context).declaration;
}

function isFunctionWithBody(node: ts.Node): node is ts.FunctionLikeDeclaration {
  return (
    (ts.isFunctionDeclaration(node) ||
      ts.isFunctionExpression(node) ||
      ts.isArrowFunction(node) ||
      ts.isMethodDeclaration(node)) &&
    node.body !== undefined
  );
}

/** Strips parentheses and type assertions (and, with `awaits`, `await`) around an expression. */
export function skipOuter(node: ts.Node, { awaits = false }: { awaits?: boolean } = {}): ts.Node {
  let current = node;
  while (
    ts.isParenthesizedExpression(current) ||
    ts.isAsExpression(current) ||
    ts.isNonNullExpression(current) ||
    ts.isSatisfiesExpression(current) ||
    ts.isTypeAssertionExpression(current) ||
    (awaits && ts.isAwaitExpression(current))
  ) {
    current = current.expression;
  }
  return current;
}

/** The effects of a call on its argument at `index`: a helper's summary, a known API's, or {@link OPAQUE}. */
export function effectsOfArgument(
  call: ts.CallExpression | ts.NewExpression,
  index: number,
  context: SummaryContext,
  resolved?: Callee,
): ParamEffects {
  const name = calleeText(skipOuter(call.expression));
  if (name !== null && OBSERVER_CALLEES.has(name)) {
    return NO_EFFECTS;
  }
  const { api, declaration } = resolved ?? resolveCallee(call, context);
  const known = api ? effectsOfNodeApi(api) : null;
  if (known) {
    return known;
  }
  if (!declaration) {
    return OPAQUE;
  }
  const parameter = declaration.parameters[Math.min(index, declaration.parameters.length - 1)];
  if (!parameter || parameter.dotDotDotToken || index >= declaration.parameters.length) {
    return parameter?.dotDotDotToken ? OPAQUE : NO_EFFECTS;
  }
  return summarizeParameter(declaration, declaration.parameters.indexOf(parameter), context);
}

/**
 * What a Node API does to a stream it is given, for the APIs whose effect matters: `pipeline`/`compose` read it,
 * close it on error and take it over, `finished` and `events.once` listen to it, `util` and `console` only look at it.
 * `null` for the others (code we cannot see: {@link OPAQUE}).
 */
export function effectsOfNodeApi(api: NodeApi): ParamEffects | null {
  if (api.module.startsWith('stream') && (api.name === 'pipeline' || api.name === 'compose')) {
    return { ...NO_EFFECTS, reads: true, closesSome: true, escapes: true, events: new Set(['error']) };
  }
  if (api.module.startsWith('stream') && api.name === 'finished') {
    return { ...NO_EFFECTS, events: new Set(['error', 'close']) };
  }
  if (api.module === 'events' && api.name === 'once') {
    return { ...NO_EFFECTS, events: new Set(['error']) };
  }
  if (api.module === 'util' || api.module === 'console') {
    return NO_EFFECTS;
  }
  return null;
}

function calleeText(node: ts.Node): string | null {
  if (ts.isIdentifier(node)) {
    return node.text;
  }
  if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression)) {
    return `${node.expression.text}.${node.name.text}`;
  }
  return null;
}

/** Summarises what `declaration` does to its parameter at `index`. Memoised per declaration; bounded; never throws. */
export function summarizeParameter(
  declaration: ts.FunctionLikeDeclaration,
  index: number,
  context: SummaryContext,
): ParamEffects {
  let perParam = summaryCache.get(declaration);
  const cached = perParam?.get(index);
  if (cached) {
    return cached;
  }
  if (context.depth >= MAX_HELPER_DEPTH) {
    return OPAQUE;
  }
  if (!perParam) {
    perParam = new Map();
    summaryCache.set(declaration, perParam);
  }
  // A recursive call sees the parameter as handled: the recursion itself adds nothing we could prove.
  perParam.set(index, OPAQUE);
  let result: ParamEffects;
  try {
    result = summarize(declaration, index, { ...context, depth: context.depth + 1 });
  } catch {
    result = OPAQUE;
  }
  perParam.set(index, result);
  return result;
}

function summarize(declaration: ts.FunctionLikeDeclaration, index: number, context: SummaryContext): ParamEffects {
  const parameter = declaration.parameters[index];
  const body = declaration.body;
  if (!parameter || !body || !ts.isIdentifier(parameter.name)) {
    return OPAQUE;
  }
  const tracked = new Set<ts.Symbol>();
  const symbol = context.checker.getSymbolAtLocation(parameter.name);
  if (!symbol) {
    return OPAQUE;
  }
  tracked.add(symbol);
  const names = new Set([parameter.name.text]);
  const effects = {
    closesSome: false,
    escapes: false,
    reads: false,
    events: new Set<string>(),
    closingEvents: new Set<string>(),
  };
  /** Statements (or call expressions) that close the parameter, for the path analysis. */
  const closing = new Set<ts.Node>();
  /** The subset of `closing` that runs before the function returns (outside nested functions). */
  const syncClosing = new Set<ts.Node>();
  const syncCloseMethods = new Set<string>();
  let visited = 0;

  const isTracked = (node: ts.Node): boolean => {
    const inner = skipOuter(node);
    if (!ts.isIdentifier(inner) || !names.has(inner.text)) {
      return false;
    }
    const s = context.checker.getSymbolAtLocation(inner);
    return s !== undefined && tracked.has(s);
  };

  const visit = (node: ts.Node): void => {
    if (++visited > MAX_NODES) {
      throw new Error('budget');
    }
    if (ts.isIdentifier(node) && isTracked(node)) {
      classify(node);
    }
    ts.forEachChild(node, visit);
  };

  const classify = (identifier: ts.Identifier): void => {
    let child: ts.Node = identifier;
    let parent = identifier.parent;
    while (
      ts.isParenthesizedExpression(parent) ||
      ts.isAsExpression(parent) ||
      ts.isNonNullExpression(parent) ||
      ts.isSatisfiesExpression(parent)
    ) {
      child = parent;
      parent = parent.parent;
    }
    if (ts.isPropertyAccessExpression(parent) && parent.expression === child) {
      const call = parent.parent;
      if (ts.isCallExpression(call) && call.expression === parent) {
        methodCall(parent.name.text, call);
      } else if (parent.name.text === 'body' && readsFetchBody(parent)) {
        // A fetch Response's body read, cancelled or handed on.
        effects.reads = true;
      }
      return;
    }
    if ((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.arguments?.includes(child as ts.Expression)) {
      const argumentIndex = parent.arguments.indexOf(child as ts.Expression);
      const inner = effectsOfArgument(parent, argumentIndex, context);
      merge(inner, parent);
      return;
    }
    if (ts.isVariableDeclaration(parent) && parent.initializer === child && ts.isIdentifier(parent.name)) {
      const alias = context.checker.getSymbolAtLocation(parent.name);
      if (alias) {
        tracked.add(alias);
        names.add(parent.name.text);
      }
      return;
    }
    if (ts.isBinaryExpression(parent) && parent.right === child && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      if (ts.isIdentifier(parent.left)) {
        const alias = context.checker.getSymbolAtLocation(parent.left);
        if (alias) {
          tracked.add(alias);
          names.add(parent.left.text);
        }
        return;
      }
      effects.escapes = true;
      return;
    }
    if (
      ts.isReturnStatement(parent) ||
      (ts.isArrowFunction(parent) && parent.body === child) ||
      ts.isPropertyAssignment(parent) ||
      ts.isShorthandPropertyAssignment(parent) ||
      ts.isArrayLiteralExpression(parent) ||
      ts.isSpreadElement(parent) ||
      ts.isYieldExpression(parent) ||
      ts.isExportAssignment(parent)
    ) {
      effects.escapes = true;
      return;
    }
    if (ts.isForOfStatement(parent) && parent.expression === child) {
      effects.reads = true;
    }
  };

  const methodCall = (method: string, call: ts.CallExpression): void => {
    // `abort()` is how an http.ClientRequest (and the socket under it) is destroyed.
    if (CLOSER_METHODS.has(method) || method === 'abort') {
      effects.closesSome = true;
      closing.add(call);
      if (!insideNestedFunction(call, body)) {
        syncClosing.add(call);
        syncCloseMethods.add(method);
      }
      return;
    }
    if (READER_METHODS.has(method) || BODY_READER_METHODS.has(method)) {
      effects.reads = true;
      return;
    }
    const listener = LISTENER_METHODS.has(method) || method === 'setTimeout';
    if (!listener) {
      return;
    }
    const event = method === 'setTimeout' ? 'timeout' : stringValue(call.arguments[0]);
    const handler = method === 'setTimeout' ? call.arguments[1] : call.arguments[1];
    if (event === null || (method === 'setTimeout' && !handler)) {
      return;
    }
    effects.events.add(event);
    if (READER_EVENTS.has(event)) {
      effects.reads = true;
    }
    if (handler && functionCloses(handler)) {
      effects.closingEvents.add(event);
    }
  };

  const functionCloses = (handler: ts.Node): boolean => {
    const fn = skipOuter(handler);
    if (!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) {
      // A named handler we do not follow: assume it does its job.
      return true;
    }
    let found = false;
    const scan = (node: ts.Node): void => {
      if (found || ++visited > MAX_NODES) {
        return;
      }
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
        const receiver = skipOuter(node.expression.expression);
        if (
          (CLOSER_METHODS.has(node.expression.name.text) || node.expression.name.text === 'abort') &&
          (isTracked(receiver) || (receiver.kind === ts.SyntaxKind.ThisKeyword && ts.isFunctionExpression(fn)))
        ) {
          found = true;
          return;
        }
      }
      ts.forEachChild(node, scan);
    };
    scan(fn.body);
    return found;
  };

  const merge = (inner: ParamEffects, call: ts.Node): void => {
    effects.escapes ||= inner.escapes;
    effects.reads ||= inner.reads;
    if (inner.closesSome) {
      effects.closesSome = true;
    }
    if (inner.closesAll) {
      closing.add(call);
    }
    if (inner.closesAllSync === true && !insideNestedFunction(call, body)) {
      syncClosing.add(call);
      for (const method of inner.syncCloseMethods ?? []) {
        syncCloseMethods.add(method);
      }
    }
    for (const event of inner.events) {
      effects.events.add(event);
    }
    for (const event of inner.closingEvents) {
      effects.closingEvents.add(event);
    }
  };

  visit(body);
  const closesAll = closing.size > 0 && everyPathCloses(body, closing);
  const closesAllSync = syncClosing.size > 0 && everyPathCloses(body, syncClosing);
  return { ...effects, closesAll, closesAllSync, syncCloseMethods };
}

/** Whether `node` sits in a function nested inside `body` (so it does not run before `body`'s function returns). */
function insideNestedFunction(node: ts.Node, body: ts.Node): boolean {
  let current: ts.Node | undefined = node.parent;
  while (current && current !== body) {
    if (ts.isFunctionLike(current)) {
      return true;
    }
    current = current.parent;
  }
  return false;
}

/** Whether `x.body` is read, cancelled or handed on: `x.body.cancel()`, `x.body?.getReader()`, `f(x.body)`, `for await (… of x.body)`. */
function readsFetchBody(body: ts.PropertyAccessExpression): boolean {
  let child: ts.Node = body;
  let parent = body.parent;
  while (ts.isParenthesizedExpression(parent) || ts.isNonNullExpression(parent) || ts.isAsExpression(parent)) {
    child = parent;
    parent = parent.parent;
  }
  if (ts.isPropertyAccessExpression(parent) && parent.expression === child) {
    return BODY_STREAM_METHODS.has(parent.name.text) && ts.isCallExpression(parent.parent) && parent.parent.expression === parent;
  }
  if ((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.arguments?.includes(child as ts.Expression)) {
    return true;
  }
  return ts.isForOfStatement(parent) && parent.expression === child;
}

function stringValue(node: ts.Node | undefined): string | null {
  if (node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))) {
    return node.text;
  }
  return null;
}

/** Whether `node` contains one of the closing calls outside nested functions (calls passed a closing callback count). */
function containsClosing(node: ts.Node, closing: ReadonlySet<ts.Node>): boolean {
  for (const target of closing) {
    if (target.pos >= node.pos && target.end <= node.end && !crossesFunction(target, node)) {
      return true;
    }
  }
  return false;
}

/**
 * Whether a closing call inside `root` sits in a nested function that is not a callback argument. A close inside
 * `setImmediate(() => s.destroy())` counts for `root`; one inside `const f = () => s.destroy()` does not.
 */
function crossesFunction(target: ts.Node, root: ts.Node): boolean {
  let current: ts.Node | undefined = target.parent;
  while (current && current !== root) {
    if (ts.isFunctionLike(current)) {
      const parent = current.parent;
      if (!(parent && (ts.isCallExpression(parent) || ts.isNewExpression(parent)))) {
        return true;
      }
      // A listener closes only if its event comes: `s.on('end', () => s.end())` is not a close now.
      const callee = parent.expression;
      if (ts.isPropertyAccessExpression(callee) && LISTENER_METHODS.has(callee.name.text)) {
        return true;
      }
    }
    current = current.parent;
  }
  return false;
}

interface Flow {
  /** Open (not closed) at normal completion; `null` when the statement never completes normally. */
  open: boolean | null;
  /** A `return` was reached while open. */
  leak: boolean;
}

/**
 * The structural must-close analysis for helper summaries: whether every normal exit of `body` passes one of the
 * closing calls. Loops may run zero times; `catch` may start before anything in `try` ran; `throw` is fine.
 */
export function everyPathCloses(body: ts.Node, closing: ReadonlySet<ts.Node>): boolean {
  if (!ts.isBlock(body)) {
    return containsClosing(body, closing);
  }
  const result = flowOf(body, true, closing, 0);
  return !result.leak && result.open !== true;
}

function flowOf(statement: ts.Node, open: boolean, closing: ReadonlySet<ts.Node>, depth: number): Flow {
  if (depth > 200) {
    return { open: false, leak: false };
  }
  const next = depth + 1;
  if (ts.isBlock(statement)) {
    let state: boolean | null = open;
    let leak = false;
    for (const inner of statement.statements) {
      if (state === null) {
        break;
      }
      const flow = flowOf(inner, state, closing, next);
      leak ||= flow.leak;
      state = flow.open;
    }
    return { open: state, leak };
  }
  if (ts.isReturnStatement(statement)) {
    const stillOpen = open && !(statement.expression && containsClosing(statement.expression, closing));
    return { open: null, leak: stillOpen };
  }
  if (ts.isThrowStatement(statement)) {
    return { open: null, leak: false };
  }
  if (ts.isIfStatement(statement)) {
    const afterTest = open && !containsClosing(statement.expression, closing);
    const then = flowOf(statement.thenStatement, afterTest, closing, next);
    const otherwise = statement.elseStatement
      ? flowOf(statement.elseStatement, afterTest, closing, next)
      : { open: afterTest, leak: false };
    return { open: join(then.open, otherwise.open), leak: then.leak || otherwise.leak };
  }
  if (ts.isTryStatement(statement)) {
    const tried = flowOf(statement.tryBlock, open, closing, next);
    const caught = statement.catchClause
      ? flowOf(statement.catchClause.block, open, closing, next)
      : { open: null, leak: false };
    let state = join(tried.open, caught.open);
    let leak = tried.leak || caught.leak;
    if (statement.finallyBlock) {
      const final = flowOf(statement.finallyBlock, state ?? open, closing, next);
      if (final.open === false) {
        leak = false;
      }
      state = state === null ? null : final.open;
      leak ||= final.leak;
    }
    return { open: state, leak };
  }
  if (ts.isDoStatement(statement)) {
    const body = flowOf(statement.statement, open, closing, next);
    return { open: body.open ?? open, leak: body.leak };
  }
  if (
    ts.isForStatement(statement) ||
    ts.isForOfStatement(statement) ||
    ts.isForInStatement(statement) ||
    ts.isWhileStatement(statement)
  ) {
    const body = flowOf(statement.statement, open, closing, next);
    return { open, leak: body.leak };
  }
  if (ts.isSwitchStatement(statement)) {
    const afterTest = open && !containsClosing(statement.expression, closing);
    let leak = false;
    let allClose = statement.caseBlock.clauses.some(clause => ts.isDefaultClause(clause));
    for (const clause of statement.caseBlock.clauses) {
      let state: boolean | null = afterTest;
      for (const inner of clause.statements) {
        if (state === null) {
          break;
        }
        const flow = flowOf(inner, state, closing, next);
        leak ||= flow.leak;
        state = flow.open;
      }
      if (state === true) {
        allClose = false;
      }
    }
    return { open: afterTest && !allClose, leak };
  }
  if (ts.isLabeledStatement(statement)) {
    return flowOf(statement.statement, open, closing, next);
  }
  if (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) {
    return { open, leak: false };
  }
  if (ts.isBreakStatement(statement) || ts.isContinueStatement(statement)) {
    return { open: null, leak: false };
  }
  return { open: open && !containsClosing(statement, closing), leak: false };
}

function join(a: boolean | null, b: boolean | null): boolean | null {
  if (a === null) {
    return b;
  }
  if (b === null) {
    return a;
  }
  return a || b;
}

/**
 * Whether a function we can see returns a socket it created (`return net.connect(...)`, or a local it created and
 * returned): its callers then own the socket.
 */
export function returnsFreshSocket(declaration: ts.FunctionLikeDeclaration, context: SummaryContext): boolean {
  const cached = freshCache.get(declaration);
  if (cached !== undefined) {
    return cached;
  }
  freshCache.set(declaration, false);
  let result = false;
  try {
    result = context.depth < MAX_HELPER_DEPTH && scanReturns(declaration, { ...context, depth: context.depth + 1 });
  } catch {
    result = false;
  }
  freshCache.set(declaration, result);
  return result;
}

function scanReturns(declaration: ts.FunctionLikeDeclaration, context: SummaryContext): boolean {
  const returned = returnedExpressions(declaration);
  return returned.length > 0 && returned.every(expression => isFreshSocket(expression, declaration, context));
}

/** The expressions a function returns: an arrow's expression body, or every `return x` outside nested functions. */
export function returnedExpressions(declaration: ts.FunctionLikeDeclaration): ts.Expression[] {
  const body = declaration.body;
  if (!body) {
    return [];
  }
  if (!ts.isBlock(body)) {
    return [body];
  }
  const returned: ts.Expression[] = [];
  const collect = (node: ts.Node): void => {
    if (ts.isFunctionLike(node)) {
      return;
    }
    if (ts.isReturnStatement(node) && node.expression) {
      returned.push(node.expression);
    }
    ts.forEachChild(node, collect);
  };
  ts.forEachChild(body, collect);
  return returned;
}

function isFreshSocket(expression: ts.Expression, declaration: ts.Node, context: SummaryContext): boolean {
  let inner = skipOuter(expression);
  if (ts.isAwaitExpression(inner)) {
    inner = skipOuter(inner.expression);
  }
  if (ts.isIdentifier(inner)) {
    const symbol = context.checker.getSymbolAtLocation(inner);
    const local = symbol?.valueDeclaration;
    if (local && ts.isVariableDeclaration(local) && local.initializer && local.pos > declaration.pos && local.end < declaration.end) {
      return isFreshSocket(local.initializer, declaration, context);
    }
    return false;
  }
  while (ts.isCallExpression(inner) && ts.isPropertyAccessExpression(inner.expression)) {
    // `net.connect(...).on(...)` and other chains that return the socket itself.
    const receiver = skipOuter(inner.expression.expression);
    if (!ts.isCallExpression(receiver) && !ts.isNewExpression(receiver)) {
      break;
    }
    if (!['on', 'once', 'setTimeout', 'setKeepAlive', 'setNoDelay', 'setEncoding'].includes(inner.expression.name.text)) {
      break;
    }
    inner = receiver;
  }
  if (ts.isNewExpression(inner)) {
    return kindOfConstruction(inner.expression, context) === 'socket';
  }
  if (!ts.isCallExpression(inner)) {
    return false;
  }
  // The callee before any type query: typing a call resolves its overloads, which for a client library's generated
  // command signatures (thousands of overloads) takes seconds.
  const api = nodeApiOfTsNode(skipOuter(inner.expression), context.checker);
  if (api && (api.module === 'net' || api.module === 'tls') && (api.name === 'connect' || api.name === 'createConnection')) {
    return classifyType(context.checker.getTypeAtLocation(inner), context) === 'socket';
  }
  // A helper that returns a fresh socket on every path returns a socket.
  const helper = visibleCallee(inner, context);
  return helper !== null && returnsFreshSocket(helper, context);
}
