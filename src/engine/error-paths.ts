import type { TSESTree } from '@typescript-eslint/utils';

import { AST_NODE_TYPES, TSESLint } from '@typescript-eslint/utils';
import * as ts from 'typescript';

import type { FileModel } from './model.js';

import {
  calledMethod,
  dottedName,
  isFunctionNode,
  logicalParent,
  memberName,
  staticString,
  unwrap,
  type FunctionNode,
} from './ast.js';
import { MemoKey } from './model.js';
import { ERROR_EVENTS } from './vocabulary.js';

/** Where code runs only when something went wrong: intended places for an abortive close. */
export interface ErrorPathOptions {
  /** Further listener events (`'close'`, `'end'`) and function names whose bodies count as error or abort paths. */
  readonly allowIn?: readonly string[];
}

/** Names of identifiers that hold an error (`err`, `error`, `e`, `cause`, `lastError`, `hadError`, …). */
const ERROR_NAME = /^(?:e|er|err|error|ex|exc|exception|hadError)$|(?:Error|Err)$/;
/** Names of functions that say they handle a failure (`onError`, `handleAbort`, `failConnection`, `killSocket`). */
const ERROR_FUNCTION_NAME = /error|abort|fail|kill/i;
/** Properties whose truth means an error or an abort: `socket.errored`, `signal.aborted`, `req.aborted`. */
const ERROR_PROPERTIES: ReadonlySet<string> = new Set(['errored', 'aborted']);
/** Error classes by name, for types that do not say `Error` themselves. */
const ERROR_TYPE_NAMES: ReadonlySet<string> = new Set(['Error', 'ErrnoException', 'DOMException', 'SystemError']);

const DefinitionType = TSESLint.Scope.DefinitionType;

type Polarity = 'truthy' | 'falsy' | null;

const HANDLER_EVENTS = new MemoKey<Map<FunctionNode, Set<string>>>('events by handler');
/** Per block: its `if (!err) return;` statements. */
const NO_ERROR_EXITS = new MemoKey<Map<TSESTree.Node, TSESTree.Node[]>>('no-error exits');

/**
 * Whether `node` runs only on an error or abort path: inside a `catch` clause; in the branch of an `if`, `?:`, `&&`
 * or `||` taken when a test about an error holds (an error-named catch parameter or function parameter, a value
 * typed `Error`, `hadError`, `socket.errored`, `signal.aborted`), or after an `if (!err) return;`; inside a listener
 * for `'error'`, `'timeout'`, `'aborted'`, `'abort'` or `'clientError'` (`on`/`once`/…, `setTimeout(ms, fn)`,
 * `addEventListener`, `onerror =`), a promise rejection handler (`.catch(fn)`, `.then(_, fn)`), or a function whose
 * name says it handles a failure (`onError`, `abortConnection`, `fail…`, `kill…`). `allowIn` adds listener events
 * and function names. Lexical: a callback inside such a function counts too. Never throws.
 */
export function isOnErrorPath(model: FileModel, node: TSESTree.Node, options: ErrorPathOptions = {}): boolean {
  try {
    return onErrorPath(model, node, new Set(options.allowIn ?? []));
  } catch {
    return true;
  }
}

function onErrorPath(model: FileModel, node: TSESTree.Node, allowIn: ReadonlySet<string>): boolean {
  let child: TSESTree.Node = node;
  let parent = node.parent;
  for (let steps = 0; parent && steps < 1_000; steps++) {
    switch (parent.type) {
      case AST_NODE_TYPES.CatchClause:
        if (child === parent.body) {
          return true;
        }
        break;
      case AST_NODE_TYPES.IfStatement:
      case AST_NODE_TYPES.ConditionalExpression: {
        if (child === parent.test) {
          break;
        }
        const polarity = errorPolarity(model, parent.test);
        if ((polarity === 'truthy' && child === parent.consequent) || (polarity === 'falsy' && child === parent.alternate)) {
          return true;
        }
        break;
      }
      case AST_NODE_TYPES.LogicalExpression: {
        if (child !== parent.right) {
          break;
        }
        const polarity = errorPolarity(model, parent.left);
        if ((parent.operator === '&&' && polarity === 'truthy') || (parent.operator === '||' && polarity === 'falsy')) {
          return true;
        }
        break;
      }
      case AST_NODE_TYPES.BlockStatement:
      case AST_NODE_TYPES.Program:
      case AST_NODE_TYPES.SwitchCase:
        if (afterNoErrorExit(model, parent, parent.type === AST_NODE_TYPES.SwitchCase ? parent.consequent : parent.body, child)) {
          return true;
        }
        break;
      default:
        if (isFunctionNode(parent) && isErrorHandler(model, parent, allowIn)) {
          return true;
        }
        break;
    }
    child = parent;
    parent = parent.parent;
  }
  return false;
}

/** `if (!err) return;` (or `if (!err) { …; return; }`) earlier in the same block: what follows runs on errors only. */
function afterNoErrorExit(
  model: FileModel,
  block: TSESTree.Node,
  statements: readonly TSESTree.Node[],
  child: TSESTree.Node,
): boolean {
  const perModel = model.recall(NO_ERROR_EXITS) ?? model.remember(NO_ERROR_EXITS, new Map());
  let exitsHere = perModel.get(block);
  if (!exitsHere) {
    exitsHere = statements.filter(
      statement =>
        statement.type === AST_NODE_TYPES.IfStatement &&
        statement.alternate === null &&
        exits(statement.consequent) &&
        errorPolarity(model, statement.test) === 'falsy',
    );
    perModel.set(block, exitsHere);
  }
  return exitsHere.some(statement => statement.range[1] <= child.range[0]);
}

function exits(statement: TSESTree.Node): boolean {
  if (statement.type === AST_NODE_TYPES.ReturnStatement || statement.type === AST_NODE_TYPES.ThrowStatement) {
    return true;
  }
  if (statement.type === AST_NODE_TYPES.BlockStatement) {
    const last = statement.body.at(-1);
    return last !== undefined && exits(last);
  }
  return false;
}

/**
 * When a test means "there is an error": `'truthy'` (`err`, `err.code === 'X'`, `err != null`, `socket.errored`),
 * `'falsy'` (`!err`, `err == null`), or `null` when it says nothing about errors.
 */
function errorPolarity(model: FileModel, test: TSESTree.Node): Polarity {
  const node = unwrap(test);
  switch (node.type) {
    case AST_NODE_TYPES.UnaryExpression:
      if (node.operator === '!') {
        const inner = errorPolarity(model, node.argument);
        return inner === 'truthy' ? 'falsy' : inner === 'falsy' ? 'truthy' : null;
      }
      return null;
    case AST_NODE_TYPES.LogicalExpression: {
      const left = errorPolarity(model, node.left);
      const right = errorPolarity(model, node.right);
      if (left === 'truthy' || right === 'truthy') {
        // `err && err.code === 'X'`, `err || timedOut`: the consequent is (also) the error case.
        return left === 'falsy' || right === 'falsy' ? null : 'truthy';
      }
      return node.operator === '||' && left === 'falsy' && right === 'falsy' ? 'falsy' : null;
    }
    case AST_NODE_TYPES.BinaryExpression: {
      const sides = [unwrap(node.left), unwrap(node.right)];
      const nullish = sides.some(isNullish);
      const errorSide = sides.find(side => !isNullish(side) && errorPolarity(model, side) !== null);
      if (!errorSide && !sides.some(side => mentionsError(model, side))) {
        return null;
      }
      if (nullish && (node.operator === '==' || node.operator === '===')) {
        return 'falsy';
      }
      return 'truthy';
    }
    case AST_NODE_TYPES.Identifier:
      return isErrorIdentifier(model, node) ? 'truthy' : null;
    case AST_NODE_TYPES.MemberExpression: {
      const name = memberName(node);
      if (name !== null && ERROR_PROPERTIES.has(name)) {
        return 'truthy';
      }
      return mentionsError(model, node.object) ? 'truthy' : null;
    }
    case AST_NODE_TYPES.CallExpression:
      // `isFatal(err)`, `err.message.includes('x')`.
      return mentionsError(model, node.callee) || node.arguments.some(argument => mentionsError(model, argument))
        ? 'truthy'
        : null;
    default:
      return null;
  }
}

/** Whether an expression is (a member chain on) an error value. */
function mentionsError(model: FileModel, expression: TSESTree.Node): boolean {
  const node = unwrap(expression);
  if (node.type === AST_NODE_TYPES.Identifier) {
    return isErrorIdentifier(model, node);
  }
  if (node.type === AST_NODE_TYPES.MemberExpression) {
    const name = memberName(node);
    return (name !== null && ERROR_PROPERTIES.has(name)) || mentionsError(model, node.object);
  }
  if (node.type === AST_NODE_TYPES.CallExpression) {
    return mentionsError(model, node.callee);
  }
  return false;
}

function isNullish(node: TSESTree.Node): boolean {
  return (
    (node.type === AST_NODE_TYPES.Literal && node.value === null) ||
    (node.type === AST_NODE_TYPES.Identifier && node.name === 'undefined')
  );
}

/** An error-named catch or function parameter, `hadError`, or any value whose type is an `Error`. */
function isErrorIdentifier(model: FileModel, identifier: TSESTree.Identifier): boolean {
  const variable = model.variableOf(identifier);
  const definition = variable?.defs[0];
  if (
    ERROR_NAME.test(identifier.name) &&
    (definition?.type === DefinitionType.CatchClause ||
      definition?.type === DefinitionType.Parameter ||
      identifier.name === 'hadError')
  ) {
    return true;
  }
  try {
    const tsNode = model.services.esTreeNodeToTSNodeMap.get(identifier);
    const checker = model.typeContext.checker;
    return tsNode !== undefined && isErrorType(checker.getNonNullableType(checker.getTypeAtLocation(tsNode)), checker, 0);
  } catch {
    return false;
  }
}

function isErrorType(type: ts.Type, checker: ts.TypeChecker, depth: number): boolean {
  if (depth > 8 || type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) {
    return false;
  }
  if (type.isUnion()) {
    return type.types.every(member => isErrorType(member, checker, depth + 1));
  }
  const symbol = type.getSymbol();
  if (symbol && ERROR_TYPE_NAMES.has(symbol.getName())) {
    return true;
  }
  const target = (type as ts.TypeReference).target ?? type;
  if (!(type.flags & ts.TypeFlags.Object) || !target.isClassOrInterface()) {
    return false;
  }
  return checker.getBaseTypes(target).some(base => isErrorType(base, checker, depth + 1));
}

/** Whether a function is registered or named as a handler of failures. */
function isErrorHandler(model: FileModel, fn: FunctionNode, allowIn: ReadonlySet<string>): boolean {
  const name = functionName(fn);
  if (name !== null && (allowIn.has(name) || ERROR_FUNCTION_NAME.test(name))) {
    return true;
  }
  const events = eventsHandledBy(model).get(fn);
  if (events && [...events].some(event => ERROR_EVENTS.has(event) || allowIn.has(event))) {
    return true;
  }
  const { parent, child } = logicalParent(fn);
  if (parent?.type === AST_NODE_TYPES.CallExpression) {
    const method = calledMethod(parent);
    const index = parent.arguments.indexOf(child as TSESTree.CallExpressionArgument);
    if (method === 'addEventListener' && index === 1) {
      const event = staticString(parent.arguments[0]);
      return event !== null && (ERROR_EVENTS.has(event) || allowIn.has(event));
    }
    // Promise rejection handlers.
    return (method === 'catch' && index === 0) || (method === 'then' && index === 1);
  }
  if (parent?.type === AST_NODE_TYPES.AssignmentExpression && parent.right === child) {
    const left = unwrap(parent.left);
    const property = left.type === AST_NODE_TYPES.MemberExpression ? memberName(left) : null;
    if (property?.startsWith('on')) {
      const event = property.slice(2);
      return ERROR_EVENTS.has(event) || allowIn.has(event);
    }
  }
  return false;
}

/** The events each function of the file is registered for (through `on`/`once`/…, `setTimeout(ms, fn)`). */
function eventsHandledBy(model: FileModel): Map<FunctionNode, Set<string>> {
  let map = model.recall(HANDLER_EVENTS);
  if (map) {
    return map;
  }
  map = new Map();
  for (const listener of model.listeners) {
    if (listener.method === 'callback') {
      continue;
    }
    if (listener.method === 'setTimeout' && model.kindOf(listener.target) === null) {
      // `timers.setTimeout(…)` and other non-emitters.
      continue;
    }
    const fn = model.functionOf(listener.handlerArgument);
    if (!fn) {
      continue;
    }
    let events = map.get(fn);
    if (!events) {
      events = new Set();
      map.set(fn, events);
    }
    events.add(listener.event);
  }
  return model.remember(HANDLER_EVENTS, map);
}

/** The name a function is known by: its own, the variable or property it is assigned to, or its method key. */
function functionName(fn: FunctionNode): string | null {
  if (fn.id) {
    return fn.id.name;
  }
  const { parent } = logicalParent(fn);
  switch (parent?.type) {
    case AST_NODE_TYPES.VariableDeclarator:
      return parent.id.type === AST_NODE_TYPES.Identifier ? parent.id.name : null;
    case AST_NODE_TYPES.Property:
    case AST_NODE_TYPES.MethodDefinition:
    case AST_NODE_TYPES.PropertyDefinition:
      return !parent.computed && parent.key.type === AST_NODE_TYPES.Identifier ? parent.key.name : staticString(parent.key);
    case AST_NODE_TYPES.AssignmentExpression: {
      const left = unwrap(parent.left);
      return left.type === AST_NODE_TYPES.MemberExpression ? memberName(left) : dottedName(left);
    }
    default:
      return null;
  }
}
