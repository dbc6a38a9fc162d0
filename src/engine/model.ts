import type { ParserServicesWithTypeInformation, TSESTree } from '@typescript-eslint/utils';
import type * as ts from 'typescript';

import type { NodeApi } from './node-api.js';

import { AST_NODE_TYPES, TSESLint } from '@typescript-eslint/utils';
import { isBuiltin } from 'node:module';

import {
  calledMethod,
  contains,
  dottedName,
  enclosingFunction,
  isFunctionNode,
  logicalParent,
  memberName,
  objectProperty,
  receiverOf,
  staticString,
  unwrap,
  type FunctionNode,
} from './ast.js';
import { swallow } from './failure.js';
import { codePathOwner, type PathIndex } from './paths.js';
import { ScopeLookup } from './scopes.js';
import {
  effectsOfArgument,
  effectsOfNodeApi,
  NO_EFFECTS,
  OPAQUE,
  resolveCallee,
  resolveCalleeDeclaredAt,
  returnsFreshSocket,
  type Callee,
  type ParamEffects,
  type SummaryContext,
} from './summaries.js';
import {
  awaitedTypeOf,
  classifyType,
  hasNoKindUnderNarrowing,
  isAny,
  kindOfConstruction,
  type TypeContext,
  type ValueKind,
} from './types.js';
import {
  CHAINABLE_METHODS,
  CLOSER_METHODS,
  LISTENER_METHODS,
  NON_SOCKET_GLOBALS,
  OBSERVER_CALLEES,
  WRITE_METHODS,
} from './vocabulary.js';

type Variable = TSESLint.Scope.Variable;

const builtinModules = new Map<string, boolean>();

/** `isBuiltin` of node:module, remembered per specifier (it is asked about the same few modules in every file). */
function isBuiltinModule(specifier: string): boolean {
  const first = specifier.charCodeAt(0);
  if (first === 46 || first === 47) {
    // `./x`, `../x`, `/x`: a file of the program, never a builtin.
    return false;
  }
  let builtin = builtinModules.get(specifier);
  if (builtin === undefined) {
    builtin = isBuiltin(specifier);
    builtinModules.set(specifier, builtin);
  }
  return builtin;
}

/**
 * The callees of names imported from a relative module (`import { readAll } from './helpers.js'`), per program, by
 * {@link relativeImportKey}: every file of a directory that imports the same name from the same specifier binds the
 * same function, which the checker would otherwise resolve through the import's alias once per importing file.
 */
const importedCallees = new WeakMap<ts.Program, Map<string, Callee>>();

function importedCalleesOf(program: ts.Program): Map<string, Callee> {
  let callees = importedCallees.get(program);
  if (!callees) {
    callees = new Map();
    importedCallees.set(program, callees);
  }
  return callees;
}

/**
 * What decides the function a name imported from a relative specifier binds: the importing file's directory and
 * module format (an ES module and a CommonJS file resolve extensionless specifiers differently), the specifier and
 * the imported name. `null` for any other binding (a package or builtin, a namespace import, a re-declared name).
 */
function relativeImportKey(variable: Variable, declarationName: ts.Node): string | null {
  const definition = variable.defs[0];
  if (definition?.type !== DefinitionType.ImportBinding || definition.parent?.type !== AST_NODE_TYPES.ImportDeclaration) {
    return null;
  }
  const specifier = definition.parent.source.value;
  if (specifier.charCodeAt(0) !== 46 /* . */) {
    return null;
  }
  const node = definition.node;
  const name =
    node.type === AST_NODE_TYPES.ImportSpecifier
      ? node.imported.type === AST_NODE_TYPES.Identifier
        ? node.imported.name
        : node.imported.value
      : node.type === AST_NODE_TYPES.ImportDefaultSpecifier
        ? 'default'
        : null;
  if (name === null) {
    return null;
  }
  const file = declarationName.getSourceFile();
  const directory = file.fileName.slice(0, file.fileName.lastIndexOf('/') + 1);
  return `${directory}\n${file.impliedNodeFormat ?? ''}\n${specifier}\n${name}`;
}

/** Global constructors of collections, whose methods are the language's (see `FileModel.isLocalCollectionMethod`). */
const COLLECTION_CONSTRUCTORS: ReadonlySet<string> = new Set(['Array', 'Map', 'Set', 'WeakMap', 'WeakSet']);

/** The module a `require('…')` call (possibly wrapped in a type assertion) names; `null` for anything else. */
function requiredModule(node: TSESTree.Node): string | null {
  const call = unwrap(node);
  return call.type === AST_NODE_TYPES.CallExpression && dottedName(call.callee) === 'require' ? staticString(call.arguments[0]) : null;
}

/** What the file's declarations bind, by name (see `FileModel.declaredNames`). */
interface DeclaredNames {
  /** Variables declared with a locally made object (`const cache = new Map()`): their methods are no module's. */
  readonly objectMade: Set<string>;
  /** Local names of Node factories imported or destructured under another name (`connect as dial`). */
  readonly renamedCreators: Set<string>;
  /** Names bound by an import or a `require` of a builtin module (`net`, `connect`, `{ pipeline }`). */
  readonly builtinBound: Set<string>;
}

/** The import declarations of a program, those of `declare module` / namespace blocks included. */
function importsOf(body: readonly TSESTree.Node[]): TSESTree.ImportDeclaration[] {
  const found: TSESTree.ImportDeclaration[] = [];
  for (const statement of body) {
    if (statement.type === AST_NODE_TYPES.ImportDeclaration) {
      found.push(statement);
    } else if (statement.type === AST_NODE_TYPES.TSModuleDeclaration && statement.body?.type === AST_NODE_TYPES.TSModuleBlock) {
      found.push(...importsOf(statement.body.body));
    }
  }
  return found;
}

const DefinitionType = TSESLint.Scope.DefinitionType;

/** `name` or `object.name`: the callee text `OBSERVER_CALLEES` lists (`console.log`, `util.inspect`, `assert`). */
function observedName(callee: TSESTree.Node): string | null {
  if (callee.type === AST_NODE_TYPES.Identifier) {
    return callee.name;
  }
  if (
    callee.type === AST_NODE_TYPES.MemberExpression &&
    !callee.computed &&
    callee.object.type === AST_NODE_TYPES.Identifier &&
    callee.property.type === AST_NODE_TYPES.Identifier
  ) {
    return `${callee.object.name}.${callee.property.name}`;
  }
  return null;
}

/** Whether an initializer makes an object right there (`new`, a literal): its methods are no module's or helper's. */
function makesObject(init: TSESTree.Node | null | undefined): boolean {
  const value = init ? unwrap(init) : null;
  return (
    value !== null &&
    (value.type === AST_NODE_TYPES.NewExpression ||
      value.type === AST_NODE_TYPES.ArrayExpression ||
      value.type === AST_NODE_TYPES.ObjectExpression ||
      value.type === AST_NODE_TYPES.Literal ||
      value.type === AST_NODE_TYPES.TemplateLiteral)
  );
}

/** Where a tracked object comes from, which decides whether this code owns it. */
export type Origin =
  /** `net.connect()`, `tls.connect()`, `new net.Socket()`, a server factory. */
  | 'created'
  /** The return value of a helper of the program that creates one. */
  | 'helper'
  /** The socket handed to a `net`/`tls` server's connection listener. */
  | 'accepted'
  /** The socket of an http server's `'upgrade'` or `'connect'` event: half-open, and ours to close. */
  | 'http-upgrade'
  /** The socket of a client request's `'upgrade'` or `'connect'` event. */
  | 'client-upgrade'
  /** `http.request()` / `http.get()`. */
  | 'request'
  /** The `IncomingMessage` of a client request's `'response'` event or callback. */
  | 'response'
  /** The `Response` of `fetch()`. */
  | 'fetch'
  /** Anything else we were asked about: a parameter, `req.socket`, a field set elsewhere. Not owned. */
  | 'borrowed';

export type Use =
  | { kind: 'method'; name: string; call: TSESTree.CallExpression; ref: TSESTree.Node }
  | { kind: 'argument'; call: TSESTree.CallExpression | TSESTree.NewExpression; index: number; ref: TSESTree.Node }
  | { kind: 'escape'; how: 'return' | 'store' | 'field' | 'export'; node: TSESTree.Node }
  | { kind: 'property'; name: string; node: TSESTree.MemberExpression }
  | { kind: 'iterate'; node: TSESTree.Node }
  | { kind: 'dispose'; node: TSESTree.Node };

export interface Resource {
  readonly id: number;
  readonly kind: ValueKind;
  readonly origin: Origin;
  readonly owned: boolean;
  /** `allowHalfOpen: true`, or a socket that is half-open by construction (http `'upgrade'`/`'connect'`). */
  readonly halfOpen: boolean;
  /** Accepted by a server with `pauseOnConnect: true`. */
  readonly pausedOnConnect: boolean;
  /** The creation call, or the handler parameter. */
  readonly node: TSESTree.Node;
  /** The options object literal given at creation (socket or server), when there is one. */
  readonly options: TSESTree.Node | undefined;
  /** For accepted sockets: the server's creation call or `'connection'` registration, and the handler. */
  readonly handler: FunctionNode | undefined;
  /** A name for messages: the variable, `this.socket`, or a description. */
  readonly name: string;
  readonly variables: ReadonlySet<Variable>;
  /** `this.<field>` when the resource lives in a field. */
  readonly field: string | null;
  /** Every expression known to evaluate to this object. */
  readonly refs: ReadonlySet<TSESTree.Node>;
  readonly uses: readonly Use[];
}

export interface Listener {
  readonly call: TSESTree.CallExpression;
  /** `on`, `once`, …, or `setTimeout` (its callback is a `'timeout'` listener), or `callback` for factory callbacks. */
  readonly method: string;
  readonly event: string;
  /** The emitter expression (unwrapped); the creation call for factory callbacks. */
  readonly target: TSESTree.Node;
  /** The handler argument as written. */
  readonly handlerArgument: TSESTree.Node | undefined;
}

const MAX_ALIAS_STEPS = 50_000;
const MAX_DEFERRED_DEPTH = 3;
/** Kinds no subtype of which has another kind (a socket narrows to a tty stream; a duplex or a net server to others). */
const LEAF_KINDS: ReadonlySet<ValueKind> = new Set(['tty', 'http-server', 'client-request', 'incoming-message', 'fetch-response']);

/** The words a file must mention for the engine to look further (checked before anything is recorded). */
const FILE_FILTER = /\b(?:net|tls|https?|http2|Socket|socket|fetch|connect|createServer|createConnection)\b/;

/**
 * Whether a file's text can involve sockets at all: it mentions a networking word or one of the classes named in
 * `settings['socket-leaks'].socketTypes`. Files that cannot are neither recorded nor analysed.
 */
export function mayUseSockets(text: string, extraNames: readonly string[] = []): boolean {
  return FILE_FILTER.test(text) || extraNames.some(name => text.includes(name));
}

/** Whether a call's value is kept: declared, assigned or awaited (a helper's socket is owned only then). */
function keepsValue(call: TSESTree.CallExpression | TSESTree.NewExpression): boolean {
  const { parent } = logicalParent(call);
  return (
    parent?.type === AST_NODE_TYPES.VariableDeclarator ||
    parent?.type === AST_NODE_TYPES.AssignmentExpression ||
    parent?.type === AST_NODE_TYPES.AwaitExpression
  );
}

/**
 * Whether a reference sits where TypeScript can narrow it to a type its declared type does not have: the left of
 * `instanceof`, the right of `in`, an argument (a type guard or an assertion function narrows its argument), or the
 * object of `.constructor` (`x.constructor === net.Socket` narrows an `any` to a socket) or of a computed member whose
 * name is not a literal (it may be `constructor`).
 */
function isNarrowedToAnotherType(reference: TSESLint.Scope.Reference): boolean {
  const { parent, child } = logicalParent(reference.identifier);
  if (parent?.type === AST_NODE_TYPES.BinaryExpression) {
    return (parent.operator === 'instanceof' && parent.left === child) || (parent.operator === 'in' && parent.right === child);
  }
  if (parent?.type === AST_NODE_TYPES.MemberExpression) {
    return parent.object === child && (memberName(parent) === 'constructor' || (parent.computed && staticString(parent.property) === null));
  }
  return (
    (parent?.type === AST_NODE_TYPES.CallExpression || parent?.type === AST_NODE_TYPES.NewExpression) &&
    parent.arguments.includes(child as TSESTree.CallExpressionArgument)
  );
}

/** Events whose handler receives a socket or message this code owns (the rest need no type query). */
const HANDLER_RESOURCE_EVENTS: ReadonlySet<string> = new Set([
  'connection',
  'secureConnection',
  'upgrade',
  'connect',
  'response',
]);

const CREATOR_NAMES: ReadonlySet<string> = new Set([
  'connect',
  'createConnection',
  'createServer',
  'request',
  'get',
  'fetch',
]);

/**
 * The methods whose calls {@link FileModel.callsOf} lists, those the engine and the rules ask about: the data writes
 * (`WRITE_METHODS` and `end`), `pipe` and `resetAndDestroy`.
 */
const INDEXED_METHODS: ReadonlySet<string> = new Set([...WRITE_METHODS, 'end', 'pipe', 'resetAndDestroy']);

/**
 * Names one kind of fact that a module of the engine computes once per file and keeps on the file's model (see
 * {@link FileModel.recall}): a module-level constant, so that a file's facts go away with its model.
 */
export class MemoKey<T> {
  declare private readonly value: T;

  constructor(readonly name: string) {}
}

/**
 * Everything the rules know about one file: the sockets, servers and http messages it creates or receives, every
 * expression that refers to them, how each is used, and the listeners registered on them. Built once per file and
 * shared by every rule; every query is lazy and memoised, and every failure degrades to "nothing known".
 */
export class FileModel {
  readonly listeners: Listener[] = [];
  readonly resources: Resource[] = [];
  readonly summaryContext: SummaryContext;
  private readonly kinds = new Map<TSESTree.Node, ValueKind | null>();
  private readonly declaredKinds = new Map<Variable, ValueKind | null | undefined>();
  private readonly resourceByRef = new Map<TSESTree.Node, Resource>();
  private readonly resourceByVariable = new Map<Variable, Resource>();
  private readonly fieldResources = new Map<string, Resource>();
  private readonly apis = new Map<TSESTree.Node, NodeApi | null>();
  private readonly effects = new Map<TSESTree.Node, ParamEffects>();
  /**
   * What other modules keep for this file (see {@link recall}): one map on the model instead of a weak map per module
   * keyed by models, whose insertions cost microseconds each once their tables have grown over a large program.
   */
  private readonly memos = new Map<MemoKey<unknown>, unknown>();
  private readonly scopes: ScopeLookup;
  private nextId = 1;

  constructor(
    readonly sourceCode: Readonly<TSESLint.SourceCode>,
    readonly services: ParserServicesWithTypeInformation,
    readonly typeContext: TypeContext,
    readonly paths: PathIndex,
  ) {
    const { program, checker, socketTypes } = typeContext;
    this.summaryContext = { program, checker, socketTypes, depth: 0 };
    this.scopes = new ScopeLookup(sourceCode.scopeManager);
    // Built only for files that `mayUseSockets` lets through (see runSocketRule). The calls of the methods asked
    // about are listed on the way (see `callsOf`).
    const byMethod = new Map<string, TSESTree.CallExpression[]>();
    this.callsByMethod = byMethod;
    for (const call of paths.calls) {
      try {
        const method = call.type === AST_NODE_TYPES.CallExpression ? calledMethod(call) : null;
        if (method !== null && INDEXED_METHODS.has(method)) {
          const list = byMethod.get(method);
          if (list) {
            list.push(call as TSESTree.CallExpression);
          } else {
            byMethod.set(method, [call as TSESTree.CallExpression]);
          }
        }
        this.discover(call, method);
      } catch (error) {
        // An unexpected shape: this call contributes nothing.
        swallow(error);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Facts other modules keep for this file

  /** The fact `key` names for this file, `undefined` until it is remembered. */
  recall<T>(key: MemoKey<T>): T | undefined {
    return this.memos.get(key) as T | undefined;
  }

  /** Keeps `value` as this file's fact `key`; returns it. */
  remember<T>(key: MemoKey<T>, value: NoInfer<T>): T {
    this.memos.set(key, value);
    return value;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Types and APIs

  /** The kind of value an expression evaluates to, through the checker; memoised. */
  kindOf(node: TSESTree.Node): ValueKind | null {
    const target = unwrap(node);
    const known = this.kinds.get(target);
    if (known !== undefined) {
      return known;
    }
    let kind: ValueKind | null = null;
    try {
      const declared = target.type === AST_NODE_TYPES.Identifier ? this.declaredKind(target) : undefined;
      if (declared !== undefined) {
        kind = declared;
      } else {
        const tsNode = this.services.esTreeNodeToTSNodeMap.get(target);
        if (tsNode) {
          const type = this.callResultType(target) ?? this.typeContext.checker.getTypeAtLocation(tsNode);
          kind = classifyType(type, this.typeContext);
        }
      }
    } catch {
      kind = null;
    }
    this.kinds.set(target, kind);
    return kind;
  }

  /**
   * The type of `f(…)` or `await f(…)` where `f` is a plain name whose type has exactly one call signature, without
   * type parameters: that signature's return type (awaited), which is the call's type whatever its arguments. It is
   * read off the type of `f`, which the checker computes once for every call of it, where typing the call resolves it
   * against its arguments each time (`await fetch(url)`: the checker relates the arguments to its parameters).
   * `null` for any other expression.
   */
  private callResultType(target: TSESTree.Node): ts.Type | null {
    const awaited = target.type === AST_NODE_TYPES.AwaitExpression;
    const call = awaited ? unwrap(target.argument) : target;
    if (call.type !== AST_NODE_TYPES.CallExpression || call.optional || call.callee.type !== AST_NODE_TYPES.Identifier) {
      return null;
    }
    const tsCallee = this.services.esTreeNodeToTSNodeMap.get(call.callee);
    if (!tsCallee) {
      return null;
    }
    const checker = this.typeContext.checker;
    const signatures = checker.getTypeAtLocation(tsCallee).getCallSignatures();
    const signature = signatures.length === 1 ? signatures[0]! : null;
    if (!signature || signature.typeParameters) {
      return null;
    }
    const returned = checker.getReturnTypeOfSignature(signature);
    return awaited ? awaitedTypeOf(returned, this.typeContext) : returned;
  }

  /**
   * The kind of a reference read from its variable's declared type, once per variable, when that is the answer the
   * reference's own (narrowed) type would give: a variable never written after its declaration (a `const`, an import,
   * a parameter nothing assigns) can only be narrowed to a subtype, and the kinds returned here have no subtype of
   * another kind (a socket could narrow only to a tty stream, so not in a file that names one). `null` (no kind) when
   * no narrowing can give the references a kind: every member of the declared type has none and is a fixed type (no
   * `any`, `unknown` or type parameter), or the type is `any` itself, and no reference sits where a value is narrowed
   * to another type (`instanceof`, `in`, an argument, which a type guard or assertion function narrows, `.constructor`)
   * — the callback parameters `res` and `error`, whose contextual types cost the checker most, and the untyped values
   * of plain JavaScript or of a `Set` made without a type argument. `undefined` when it cannot say; the checker then
   * types the reference itself (flow analysis included).
   */
  private declaredKind(identifier: TSESTree.Identifier): ValueKind | null | undefined {
    const variable = this.variableOf(identifier);
    if (!variable || variable.defs.length !== 1) {
      return undefined;
    }
    if (this.declaredKinds.has(variable)) {
      return this.declaredKinds.get(variable);
    }
    let kind: ValueKind | null | undefined = undefined;
    const definition = variable.defs[0]!;
    const fixed =
      definition.type === DefinitionType.Parameter ||
      definition.type === DefinitionType.ImportBinding ||
      definition.type === DefinitionType.CatchClause ||
      (definition.type === DefinitionType.Variable &&
        definition.parent.type === AST_NODE_TYPES.VariableDeclaration &&
        definition.parent.kind === 'const');
    if (fixed && variable.references.every(reference => !reference.isWrite() || reference.init === true)) {
      // `const x = f(…)` without an annotation has the type of its initialiser, read off `f`'s signature when it can be
      // (not in JavaScript, where a JSDoc `@type` may give the variable another type).
      const initialized =
        definition.type === DefinitionType.Variable &&
        !this.isJavaScript() &&
        definition.node.id === definition.name &&
        !definition.name.typeAnnotation &&
        definition.node.init
          ? this.callResultType(definition.node.init)
          : null;
      const tsName = initialized ? null : this.services.esTreeNodeToTSNodeMap.get(definition.name);
      const type = initialized ?? (tsName ? this.typeContext.checker.getTypeAtLocation(tsName) : null);
      const declared = type ? classifyType(type, this.typeContext) : null;
      if (declared !== null && (LEAF_KINDS.has(declared) || (declared === 'socket' && !this.mayNameTtyStreams()))) {
        kind = declared;
      } else if (
        type &&
        declared === null &&
        (hasNoKindUnderNarrowing(type, this.typeContext) || isAny(type)) &&
        !variable.references.some(isNarrowedToAnotherType)
      ) {
        kind = null;
      }
    }
    this.declaredKinds.set(variable, kind);
    return kind;
  }

  private javaScript: boolean | null = null;

  /** Whether the file is JavaScript (types may come from JSDoc comments the ESTree does not carry). */
  private isJavaScript(): boolean {
    if (this.javaScript === null) {
      const file = this.services.esTreeNodeToTSNodeMap.get(this.sourceCode.ast) as ts.Node | undefined;
      const name = file && 'fileName' in file && typeof file.fileName === 'string' ? file.fileName : '';
      this.javaScript = !/\.[cm]?tsx?$/.test(name);
    }
    return this.javaScript;
  }

  private ttyNames: boolean | null = null;

  /** Whether the file's text could narrow a socket to a tty stream (`tty`, `ReadStream`, `WriteStream`). */
  private mayNameTtyStreams(): boolean {
    const text = this.sourceCode.text;
    this.ttyNames ??= text.includes('tty') || text.includes('ReadStream') || text.includes('WriteStream');
    return this.ttyNames;
  }

  private readonly callsByMethod: Map<string, TSESTree.CallExpression[]>;

  /**
   * The calls `x.method(…)` of the file (those on a code path), in source order, for a method of `INDEXED_METHODS`
   * (the only ones listed: any other name has none).
   */
  callsOf(method: string): readonly TSESTree.CallExpression[] {
    return this.callsByMethod.get(method) ?? [];
  }

  /**
   * The Node builtin a call's callee refers to (`net.connect`, `stream.pipeline`, …). A callee bound straight to a
   * builtin module by an import or `require` (`net.connect` with `import net from 'node:net'`, `connect` imported from
   * it) is read from that binding; anything else (re-exports, aliases, values) is resolved by the checker, once per
   * callee variable (see {@link calleeOf}).
   */
  apiOf(call: TSESTree.CallExpression | TSESTree.NewExpression): NodeApi | null {
    const known = this.apis.get(call);
    if (known !== undefined) {
      return known;
    }
    let api: NodeApi | null = null;
    try {
      const callee = unwrap(call.callee);
      api = this.boundApi(callee) ?? (this.isLocalCollectionMethod(callee) ? null : this.calleeOf(call).api);
    } catch {
      api = null;
    }
    this.apis.set(call, api);
    return api;
  }

  private readonly calleesByVariable = new Map<Variable, Callee>();
  private readonly calleesByCall = new Map<TSESTree.Node, Callee>();

  /**
   * What a call's callee is (the Node API, the visible function it runs), resolved by the checker once per callee
   * variable of this file: every call of `helper(…)` resolves the same binding to the same symbol, unless the function
   * is overloaded (then the call's own signature decides, and each call is resolved). Method calls and overloaded
   * callees are remembered per call (discovery and several rules ask about the same call). A callee bound by an import,
   * a function declaration or a variable declaration is looked up at that declaration's name.
   */
  calleeOf(call: TSESTree.CallExpression | TSESTree.NewExpression): Callee {
    const known = this.calleesByCall.get(call);
    if (known) {
      return known;
    }
    const callee = unwrap(call.callee);
    const variable = callee.type === AST_NODE_TYPES.Identifier ? this.variableOf(callee) : null;
    const cached = variable ? this.calleesByVariable.get(variable) : undefined;
    if (cached) {
      return cached;
    }
    const tsCall = this.services.esTreeNodeToTSNodeMap.get(call) as ts.CallExpression | ts.NewExpression | undefined;
    if (!tsCall) {
      return { api: null, declaration: null, perCall: true };
    }
    const declarationName = variable ? this.declarationNameOf(variable) : null;
    const importKey = variable && declarationName ? relativeImportKey(variable, declarationName) : null;
    const imported = importKey !== null ? importedCalleesOf(this.typeContext.program) : null;
    const shared = imported?.get(importKey!);
    const resolved =
      shared ??
      (declarationName
        ? resolveCalleeDeclaredAt(declarationName, tsCall, this.typeContext)
        : resolveCallee(tsCall, this.typeContext));
    if (imported && !shared && !resolved.perCall) {
      imported.set(importKey!, resolved);
    }
    if (variable && !resolved.perCall) {
      this.calleesByVariable.set(variable, resolved);
    } else {
      this.calleesByCall.set(call, resolved);
    }
    return resolved;
  }

  /**
   * The TypeScript name of the one declaration that binds `variable`, for the kinds whose symbol the checker reads
   * straight off the declaration: an import specifier or default import, a function declaration, a variable
   * declarator. `null` for anything else (parameters, redeclared names, implicit globals).
   */
  private declarationNameOf(variable: Variable): ts.Node | null {
    if (variable.defs.length !== 1) {
      return null;
    }
    const definition = variable.defs[0]!;
    const bound =
      (definition.type === DefinitionType.ImportBinding &&
        (definition.node.type === AST_NODE_TYPES.ImportSpecifier ||
          definition.node.type === AST_NODE_TYPES.ImportDefaultSpecifier)) ||
      definition.type === DefinitionType.FunctionName ||
      (definition.type === DefinitionType.Variable && definition.node.id === definition.name);
    if (!bound || definition.name.type !== AST_NODE_TYPES.Identifier) {
      return null;
    }
    return this.services.esTreeNodeToTSNodeMap.get(definition.name) ?? null;
  }

  /** `module.name` for a callee whose binding names a builtin module's export; `null` when the binding does not say. */
  private boundApi(callee: TSESTree.Node): NodeApi | null {
    if (callee.type === AST_NODE_TYPES.Identifier) {
      const binding = this.builtinBinding(callee);
      return binding && typeof binding.member === 'string' ? { module: binding.module, name: binding.member } : null;
    }
    if (callee.type === AST_NODE_TYPES.MemberExpression) {
      const object = unwrap(callee.object);
      const name = memberName(callee);
      if (object.type !== AST_NODE_TYPES.Identifier || name === null) {
        return null;
      }
      const binding = this.builtinBinding(object);
      return binding?.member === null ? { module: binding.module, name } : null;
    }
    return null;
  }

  /** Whether `node` names a builtin module itself (`net` after `import net from 'node:net'`): no value of a socket kind. */
  private isModuleObject(node: TSESTree.Node): boolean {
    const target = unwrap(node);
    return target.type === AST_NODE_TYPES.Identifier && this.builtinBinding(target)?.member === null;
  }

  /**
   * The builtin module an identifier is bound to by an import or a `require` of this file, and what of it: `member`
   * is the export's name (`import { connect } from 'net'`, `const { connect } = require('net')`), `null` for the
   * module itself (a default or namespace import, `const net = require('net')`), `undefined` when the pattern does
   * not say. `null` when the identifier is bound some other way.
   */
  private builtinBinding(identifier: TSESTree.Identifier): { module: string; member: string | null | undefined } | null {
    if (!this.declaredNames().builtinBound.has(identifier.name)) {
      return null;
    }
    const definition = this.variableOf(identifier)?.defs[0];
    if (!definition) {
      return null;
    }
    if (definition.type === DefinitionType.ImportBinding) {
      const declaration = definition.parent;
      if (declaration?.type !== AST_NODE_TYPES.ImportDeclaration || !isBuiltinModule(declaration.source.value)) {
        return null;
      }
      const module = declaration.source.value.replace(/^node:/, '');
      const specifier = definition.node;
      if (specifier.type === AST_NODE_TYPES.ImportSpecifier) {
        const imported = specifier.imported;
        return { module, member: imported.type === AST_NODE_TYPES.Identifier ? imported.name : imported.value };
      }
      return {
        module,
        member:
          specifier.type === AST_NODE_TYPES.ImportDefaultSpecifier || specifier.type === AST_NODE_TYPES.ImportNamespaceSpecifier
            ? null
            : undefined,
      };
    }
    const declarator = definition.node;
    if (declarator.type !== AST_NODE_TYPES.VariableDeclarator || !declarator.init) {
      return null;
    }
    const source = requiredModule(declarator.init);
    if (source === null || !isBuiltinModule(source)) {
      return null;
    }
    const module = source.replace(/^node:/, '');
    if (declarator.id.type === AST_NODE_TYPES.Identifier) {
      return { module, member: null };
    }
    if (declarator.id.type === AST_NODE_TYPES.ObjectPattern) {
      for (const property of declarator.id.properties) {
        if (
          property.type === AST_NODE_TYPES.Property &&
          !property.computed &&
          property.key.type === AST_NODE_TYPES.Identifier &&
          property.value.type === AST_NODE_TYPES.Identifier &&
          property.value.name === identifier.name
        ) {
          return { module, member: property.key.name };
        }
      }
    }
    return { module, member: undefined };
  }

  /** What a call does to its argument at `index` (a helper summary, a known API, or "opaque"). */
  effectsOf(call: TSESTree.CallExpression | TSESTree.NewExpression, index: number): ParamEffects {
    const key = call.arguments[index];
    if (!key) {
      return NO_EFFECTS;
    }
    const cached = this.effects.get(key);
    if (cached) {
      return cached;
    }
    let result: ParamEffects = OPAQUE;
    try {
      const callee = unwrap(call.callee);
      const name = observedName(callee);
      const bound = name !== null && OBSERVER_CALLEES.has(name) ? null : this.boundApi(callee);
      if (bound) {
        // A Node API by its import: what the checker would say, without asking it (a builtin has no code we can see).
        result = effectsOfNodeApi(bound) ?? OPAQUE;
      } else if (this.isLocalCollectionMethod(callee)) {
        // The language's own method (`clients.add(socket)`): code we cannot see, which the checker would say too.
        result = OPAQUE;
      } else {
        const tsCall = this.services.esTreeNodeToTSNodeMap.get(call) as ts.CallExpression | ts.NewExpression | undefined;
        if (tsCall) {
          result = effectsOfArgument(tsCall, index, this.summaryContext, this.calleeOf(call));
        }
      }
    } catch {
      result = OPAQUE;
    }
    this.effects.set(key, result);
    return result;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Discovery

  private discover(call: TSESTree.CallExpression | TSESTree.NewExpression, method: string | null): void {
    if (call.type === AST_NODE_TYPES.CallExpression && method !== null) {
      const target = receiverOf(call);
      if (target && LISTENER_METHODS.has(method)) {
        const event = staticString(call.arguments[0]);
        if (event !== null) {
          this.listeners.push({ call, method, event, target, handlerArgument: call.arguments[1] });
        }
      } else if (target && method === 'setTimeout' && call.arguments.length >= 2) {
        this.listeners.push({ call, method, event: 'timeout', target, handlerArgument: call.arguments[1] });
      }
    }
    const callee = unwrap(call.callee);
    const name =
      callee.type === AST_NODE_TYPES.Identifier
        ? callee.name
        : callee.type === AST_NODE_TYPES.MemberExpression
          ? memberName(callee)
          : null;
    if (name === null) {
      return;
    }
    if (call.type === AST_NODE_TYPES.NewExpression) {
      if (!this.isBuiltinCall(callee)) {
        this.discoverNew(call);
      }
      return;
    }
    const creator = CREATOR_NAMES.has(name) || this.isRenamedCreator(callee);
    if (!creator && !keepsValue(call)) {
      // Only a factory makes a resource whose value is dropped (`http.get(url, onResponse)`); a helper's must be kept.
      // (Tested before the scope lookups below: most calls are statements.)
      return;
    }
    if (this.isBuiltinCall(callee)) {
      return;
    }
    // Resolving `x.get` makes the checker type `x`, which for `new Map([...a huge literal...])` costs seconds: look
    // only at calls whose receiver could be a module (an import, a `require()`, `this`) or at plain function calls.
    if (!this.mayBeModuleCall(callee)) {
      return;
    }
    if (creator) {
      this.discoverFactory(call, name);
    } else {
      this.discoverHelper(call);
    }
  }

  /**
   * Whether a callee can reach a Node factory or a helper of the program, judged from syntax and scope alone: a plain
   * identifier, `this.x`, or `m.x` where `m` is an import, a `require()` result, a parameter or a module-level
   * binding without an object-making initialiser.
   */
  private mayBeModuleCall(callee: TSESTree.Node): boolean {
    if (callee.type === AST_NODE_TYPES.Identifier) {
      return true;
    }
    if (callee.type !== AST_NODE_TYPES.MemberExpression) {
      return false;
    }
    const object = unwrap(callee.object);
    if (object.type === AST_NODE_TYPES.ThisExpression) {
      return true;
    }
    if (object.type === AST_NODE_TYPES.MemberExpression) {
      // `this.http.get`, `lib.net.connect`: a property path; its root decides.
      return this.mayBeModuleCall(object);
    }
    if (object.type !== AST_NODE_TYPES.Identifier) {
      return object.type === AST_NODE_TYPES.CallExpression && dottedName(object.callee) === 'require';
    }
    if (!this.declaredNames().objectMade.has(object.name)) {
      // No variable of that name holds a locally made object: an import, a parameter, a global, …
      return true;
    }
    const definition = this.variableOf(object)?.defs[0];
    // A global (`http` in a script with no import) or an unresolved name: let the checker say.
    return !(definition?.node.type === AST_NODE_TYPES.VariableDeclarator && makesObject(definition.node.init));
  }

  private names: DeclaredNames | null = null;

  /**
   * Names the file's declarations bind, read from its import declarations and declarators (no scope is walked): those
   * given a locally made object, those bound to a Node factory under another name, and those bound to a builtin module
   * or one of its exports. A name not listed needs no resolution to rule that out.
   */
  private declaredNames(): DeclaredNames {
    if (this.names) {
      return this.names;
    }
    const names: DeclaredNames = { objectMade: new Set(), renamedCreators: new Set(), builtinBound: new Set() };
    this.names = names;
    for (const statement of importsOf(this.sourceCode.ast.body)) {
      const builtin = isBuiltinModule(statement.source.value);
      for (const specifier of statement.specifiers) {
        if (builtin) {
          names.builtinBound.add(specifier.local.name);
        }
        if (specifier.type === AST_NODE_TYPES.ImportSpecifier) {
          const imported = specifier.imported;
          if (CREATOR_NAMES.has(imported.type === AST_NODE_TYPES.Identifier ? imported.name : imported.value)) {
            names.renamedCreators.add(specifier.local.name);
          }
        }
      }
    }
    for (const store of this.paths.stores) {
      if (store.type !== AST_NODE_TYPES.VariableDeclarator) {
        continue;
      }
      const required = store.init ? requiredModule(store.init) : null;
      if (required !== null && isBuiltinModule(required)) {
        for (const variable of this.sourceCode.getDeclaredVariables(store)) {
          names.builtinBound.add(variable.name);
        }
      }
      if (store.id.type === AST_NODE_TYPES.Identifier) {
        if (makesObject(store.init)) {
          names.objectMade.add(store.id.name);
        }
      } else if (store.id.type === AST_NODE_TYPES.ObjectPattern) {
        for (const property of store.id.properties) {
          const value = property.type === AST_NODE_TYPES.Property ? unwrap(property.value) : null;
          if (
            property.type === AST_NODE_TYPES.Property &&
            property.key.type === AST_NODE_TYPES.Identifier &&
            CREATOR_NAMES.has(property.key.name) &&
            value?.type === AST_NODE_TYPES.Identifier
          ) {
            names.renamedCreators.add(value.name);
          }
        }
      }
    }
    return names;
  }

  /**
   * `new Map()`, `Math.min()`, `JSON.parse()`, `require()`: a call or `new` of a global that never makes a socket,
   * judged from the name and the scope alone (a local binding of the same name is not the global).
   */
  private isBuiltinCall(callee: TSESTree.Node): boolean {
    const root =
      callee.type === AST_NODE_TYPES.MemberExpression && !callee.computed ? unwrap(callee.object) : callee;
    if (root.type !== AST_NODE_TYPES.Identifier || !NON_SOCKET_GLOBALS.has(root.name)) {
      return false;
    }
    // Most often the global itself: one of the references of the global scope's variable of that name.
    const global = this.sourceCode.scopeManager?.globalScope?.set.get(root.name);
    if (global?.defs.length === 0 && global.references.some(reference => reference.identifier === root)) {
      return true;
    }
    const variable = this.variableOf(root);
    return variable === null || variable.defs.length === 0;
  }

  /**
   * Whether a callee certainly is no function of the program, from scope alone: a parameter (`task()`), or a binding
   * of a Node builtin module (`delay()` imported from 'node:timers/promises', `path.join()`, `crypto.randomBytes()`).
   * The checker would say the same after resolving it: a parameter has no body, @types/node has no code.
   */
  private isLibraryBinding(callee: TSESTree.Node): boolean {
    const root = callee.type === AST_NODE_TYPES.MemberExpression ? unwrap(callee.object) : callee;
    if (root.type !== AST_NODE_TYPES.Identifier) {
      return false;
    }
    const definition = this.variableOf(root)?.defs[0];
    if (definition?.type === DefinitionType.Parameter) {
      // `param.method()` may be a helper handed in; only a call of the parameter itself is settled.
      return root === callee;
    }
    return this.builtinBinding(root) !== null;
  }

  /**
   * Whether a callee is a method of a collection this file makes in a `const` (`const clients = new Set()`, `const
   * list = []`, the global constructor not shadowed): the language's own method, no Node API and no code of the
   * program, judged from scope alone where the checker would type the receiver to say the same.
   */
  private isLocalCollectionMethod(callee: TSESTree.Node): boolean {
    if (callee.type !== AST_NODE_TYPES.MemberExpression || callee.computed) {
      return false;
    }
    const object = unwrap(callee.object);
    if (object.type !== AST_NODE_TYPES.Identifier || !this.declaredNames().objectMade.has(object.name)) {
      return false;
    }
    const variable = this.variableOf(object);
    const definition = variable?.defs.length === 1 ? variable.defs[0] : undefined;
    if (
      definition?.type !== DefinitionType.Variable ||
      definition.parent.kind !== 'const' ||
      definition.node.id !== definition.name ||
      !definition.node.init
    ) {
      return false;
    }
    const init = unwrap(definition.node.init);
    if (init.type === AST_NODE_TYPES.ArrayExpression) {
      return true;
    }
    return (
      init.type === AST_NODE_TYPES.NewExpression &&
      init.callee.type === AST_NODE_TYPES.Identifier &&
      COLLECTION_CONSTRUCTORS.has(init.callee.name) &&
      this.isBuiltinCall(init.callee)
    );
  }

  /** `import { connect as dial } from 'node:net'` and `const { connect: dial } = require('net')`. */
  private isRenamedCreator(callee: TSESTree.Node): boolean {
    if (callee.type !== AST_NODE_TYPES.Identifier || !this.declaredNames().renamedCreators.has(callee.name)) {
      return false;
    }
    const definition = this.variableOf(callee)?.defs[0];
    if (!definition) {
      return false;
    }
    const node = definition.node;
    if (node.type === AST_NODE_TYPES.ImportSpecifier) {
      const imported = node.imported.type === AST_NODE_TYPES.Identifier ? node.imported.name : node.imported.value;
      return CREATOR_NAMES.has(imported);
    }
    if (node.type === AST_NODE_TYPES.VariableDeclarator && node.id.type === AST_NODE_TYPES.ObjectPattern) {
      return node.id.properties.some(
        property =>
          property.type === AST_NODE_TYPES.Property &&
          property.key.type === AST_NODE_TYPES.Identifier &&
          CREATOR_NAMES.has(property.key.name) &&
          unwrap(property.value).type === AST_NODE_TYPES.Identifier &&
          (unwrap(property.value) as TSESTree.Identifier).name === callee.name,
      );
    }
    return false;
  }

  /** The kind of what `new C(...)` makes ({@link kindOfConstruction}); memoised. */
  private kindOfNew(call: TSESTree.NewExpression): ValueKind | null {
    const known = this.kinds.get(call);
    if (known !== undefined) {
      return known;
    }
    const tsNew = this.services.esTreeNodeToTSNodeMap.get(call) as ts.NewExpression | undefined;
    const kind = tsNew ? kindOfConstruction(tsNew.expression, this.typeContext) : null;
    this.kinds.set(call, kind);
    return kind;
  }

  private discoverNew(call: TSESTree.NewExpression): void {
    const kind = this.kindOfNew(call);
    if (kind === 'socket') {
      this.createResource(call, 'socket', 'created', call.arguments[0]);
    } else if (kind === 'net-server' || kind === 'http-server') {
      this.discoverServer(call, kind);
    }
  }

  private discoverFactory(call: TSESTree.CallExpression, name: string): void {
    if (name === 'fetch') {
      if (this.isFetchCall(call) || this.kindOf(call) === 'fetch-response') {
        this.discoverFetch(call);
      }
      return;
    }
    const api = this.apiOf(call);
    if (!api) {
      this.discoverHelper(call);
      return;
    }
    if ((api.module === 'net' || api.module === 'tls') && (api.name === 'connect' || api.name === 'createConnection')) {
      const callee = unwrap(call.callee);
      if (callee.type === AST_NODE_TYPES.MemberExpression && !this.isModuleObject(callee.object) && this.kindOf(callee.object) !== null) {
        // `socket.connect(…)`: the method of an existing socket (declared in 'net' too), not the factory.
        return;
      }
      const options = call.arguments.find(arg => unwrap(arg).type === AST_NODE_TYPES.ObjectExpression);
      this.createResource(call, 'socket', 'created', options);
      const callback = call.arguments.at(-1);
      if (callback && isFunctionNode(unwrap(callback))) {
        this.listeners.push({ call, method: 'callback', event: 'connect', target: call, handlerArgument: callback });
      }
      return;
    }
    if (api.name === 'createServer' && ['net', 'tls', 'http', 'https'].includes(api.module)) {
      this.discoverServer(call, api.module === 'net' || api.module === 'tls' ? 'net-server' : 'http-server');
      return;
    }
    if ((api.module === 'http' || api.module === 'https') && (api.name === 'request' || api.name === 'get')) {
      this.createResource(call, 'client-request', 'request', undefined);
      const callback = call.arguments.at(-1);
      // An inline callback, or a function of this file by name (`http.get(url, onResponse)`).
      if (callback && (isFunctionNode(unwrap(callback)) || this.functionOf(callback) !== null)) {
        this.listeners.push({ call, method: 'callback', event: 'response', target: call, handlerArgument: callback });
      }
    }
  }

  private isFetchCall(call: TSESTree.CallExpression): boolean {
    const callee = unwrap(call.callee);
    return callee.type === AST_NODE_TYPES.Identifier && callee.name === 'fetch';
  }

  private discoverFetch(call: TSESTree.CallExpression): void {
    const { parent } = logicalParent(call);
    const holder = parent?.type === AST_NODE_TYPES.AwaitExpression ? parent : null;
    if (holder) {
      this.createResource(holder, 'fetch-response', 'fetch', undefined, call);
    }
  }

  private discoverServer(call: TSESTree.CallExpression | TSESTree.NewExpression, kind: 'net-server' | 'http-server'): void {
    const options = call.arguments.find(arg => unwrap(arg).type === AST_NODE_TYPES.ObjectExpression);
    this.createResource(call, kind, 'created', options);
    const listener = call.arguments.find(arg => isFunctionNode(unwrap(arg)) || unwrap(arg).type === AST_NODE_TYPES.Identifier);
    if (listener && listener !== options) {
      this.listeners.push({
        call: call as TSESTree.CallExpression,
        method: 'callback',
        event: kind === 'net-server' ? 'connection' : 'request',
        target: call,
        handlerArgument: listener,
      });
    }
  }

  private discoverHelper(call: TSESTree.CallExpression): void {
    // Only calls whose value is kept are worth a type query.
    if (!keepsValue(call)) {
      return;
    }
    if (this.isLibraryBinding(unwrap(call.callee))) {
      return;
    }
    // The declaration first (a symbol lookup, memoised summary): most calls go to library code and stop here,
    // before any type query.
    const { declaration } = this.calleeOf(call);
    if (declaration && returnsFreshSocket(declaration, this.summaryContext) && this.kindOf(call) === 'socket') {
      this.createResource(call, 'socket', 'helper', undefined);
    }
  }

  /** Sockets handed to listeners: connection handlers, http upgrades, client upgrades and responses. */
  private handlerResources: boolean = false;

  private discoverHandlerResources(): void {
    if (this.handlerResources) {
      return;
    }
    this.handlerResources = true;
    for (const listener of [...this.listeners]) {
      try {
        this.discoverHandlerResource(listener);
      } catch (error) {
        // Unknown shape: nothing tracked.
        swallow(error);
      }
    }
  }

  private discoverHandlerResource(listener: Listener): void {
    const { event } = listener;
    if (!HANDLER_RESOURCE_EVENTS.has(event)) {
      return;
    }
    const handler = this.functionOf(listener.handlerArgument);
    if (!handler) {
      return;
    }
    const param = (index: number): TSESTree.Identifier | null => {
      const p = handler.params[index];
      return p?.type === AST_NODE_TYPES.Identifier ? p : null;
    };
    const server = this.serverOf(listener);
    if ((event === 'connection' || event === 'secureConnection') && server?.kind === 'net-server') {
      const socket = param(0);
      if (socket) {
        const options = server.options;
        const halfOpen = objectProperty(options, 'allowHalfOpen')?.literal === true;
        const paused = objectProperty(options, 'pauseOnConnect')?.literal === true;
        this.createParamResource(socket, 'socket', 'accepted', handler, options, halfOpen, paused);
      }
      return;
    }
    if (event === 'upgrade' || event === 'connect') {
      if (listener.method === 'callback') {
        return;
      }
      const targetKind = this.resourceByRef.get(unwrap(listener.target))?.kind ?? this.kindOf(listener.target);
      if (listener.method !== 'callback' && targetKind === 'http-server') {
        const socket = param(1);
        if (socket) {
          this.createParamResource(socket, 'socket', 'http-upgrade', handler, undefined, true, false);
        }
      } else if (listener.method !== 'callback' && targetKind === 'client-request') {
        const socket = param(1);
        if (socket) {
          this.createParamResource(socket, 'socket', 'client-upgrade', handler, undefined, false, false);
        }
      }
      return;
    }
    if (event === 'response') {
      const target = listener.method === 'callback' ? 'client-request' : this.kindOf(listener.target);
      const message = param(0);
      if (target === 'client-request' && message) {
        this.createParamResource(message, 'incoming-message', 'response', handler, undefined, false, false);
      }
    }
  }

  /** The server resource a listener is registered on (the factory itself for factory callbacks). */
  serverOf(listener: Listener): Resource | null {
    // Ask the checker first: building a borrowed resource for a non-server target (`socket.on('data')` inside a
    // named connection handler declared before `createServer(opts, handler)`) would claim the handler's parameter
    // before its accepted-socket resource is created.
    const known = this.resourceByRef.get(unwrap(listener.target));
    if (!known && !isServerKind(this.kindOf(listener.target))) {
      return null;
    }
    const resource = this.resourceOf(listener.target);
    if (resource && (resource.kind === 'net-server' || resource.kind === 'http-server')) {
      return resource;
    }
    if (known) {
      // A tracked socket, request or message: not a server, no type query needed.
      return null;
    }
    const kind = this.kindOf(listener.target);
    if (kind === 'net-server' || kind === 'http-server') {
      return resource ?? this.transientResource(listener.target, kind);
    }
    return null;
  }

  private createParamResource(
    param: TSESTree.Identifier,
    kind: ValueKind,
    origin: Origin,
    handler: FunctionNode,
    options: TSESTree.Node | undefined,
    halfOpen: boolean,
    pausedOnConnect: boolean,
  ): void {
    const variable = this.declaredVariable(param);
    if (!variable || this.resourceByVariable.has(variable)) {
      return;
    }
    const resource = this.buildResource({
      kind,
      origin,
      owned: origin !== 'borrowed',
      halfOpen,
      pausedOnConnect,
      node: param,
      options,
      handler,
      name: param.name,
      seedVariables: [variable],
      seedRefs: [],
      field: null,
    });
    this.resources.push(resource);
  }

  private createResource(
    creation: TSESTree.Node,
    kind: ValueKind,
    origin: Origin,
    options: TSESTree.Node | undefined,
    reportNode: TSESTree.Node = creation,
  ): void {
    if (this.resourceByRef.has(creation)) {
      return;
    }
    const halfOpen = objectProperty(options ? unwrap(options) : undefined, 'allowHalfOpen')?.literal === true;
    const pausedOnConnect = objectProperty(options ? unwrap(options) : undefined, 'pauseOnConnect')?.literal === true;
    const binding = this.bindingOf(creation);
    const resource = this.buildResource({
      kind,
      origin,
      owned: true,
      halfOpen,
      pausedOnConnect,
      node: reportNode,
      options: options ? unwrap(options) : undefined,
      handler: undefined,
      name: binding.name ?? describe(kind),
      seedVariables: binding.variables,
      seedRefs: binding.refs,
      field: binding.field,
      dispose: binding.dispose,
    });
    this.resources.push(resource);
  }

  /** Where a created value goes: a variable, a field, or nowhere in particular. */
  private bindingOf(creation: TSESTree.Node): {
    name: string | null;
    variables: Variable[];
    refs: TSESTree.Node[];
    field: string | null;
    dispose: TSESTree.Node | null;
  } {
    let expression: TSESTree.Node = creation;
    const refs: TSESTree.Node[] = [creation];
    // Climb through `net.connect(...).on(...).setTimeout(...)` chains, which return the socket itself.
    for (let i = 0; i < 64; i++) {
      const { parent, child } = logicalParent(expression);
      if (
        parent?.type === AST_NODE_TYPES.MemberExpression &&
        parent.object === child &&
        parent.parent?.type === AST_NODE_TYPES.CallExpression &&
        parent.parent.callee === parent &&
        CHAINABLE_METHODS.has(memberName(parent) ?? '')
      ) {
        expression = parent.parent;
        refs.push(expression);
        continue;
      }
      break;
    }
    // `req = holder.req = http.request(...)`: a chained assignment through a property binds the outer target too
    // (the property store itself is an escape, found among the uses).
    for (let i = 0; i < 16; i++) {
      const { parent, child } = logicalParent(expression);
      if (
        parent?.type === AST_NODE_TYPES.AssignmentExpression &&
        parent.operator === '=' &&
        parent.right === child &&
        unwrap(parent.left).type === AST_NODE_TYPES.MemberExpression &&
        unwrap((unwrap(parent.left) as TSESTree.MemberExpression).object).type !== AST_NODE_TYPES.ThisExpression
      ) {
        const outer = logicalParent(parent);
        if (
          (outer.parent?.type === AST_NODE_TYPES.AssignmentExpression && outer.parent.right === outer.child) ||
          (outer.parent?.type === AST_NODE_TYPES.VariableDeclarator && outer.parent.init === outer.child)
        ) {
          expression = parent;
          continue;
        }
      }
      break;
    }
    const { parent, child } = logicalParent(expression);
    if (parent?.type === AST_NODE_TYPES.VariableDeclarator && parent.init === child && parent.id.type === AST_NODE_TYPES.Identifier) {
      const variables = this.sourceCode.getDeclaredVariables(parent) as Variable[];
      const declaration = parent.parent;
      const dispose =
        declaration.type === AST_NODE_TYPES.VariableDeclaration &&
        (declaration.kind === 'using' || declaration.kind === 'await using')
          ? declaration
          : null;
      return { name: parent.id.name, variables: [...variables], refs, field: null, dispose };
    }
    if (parent?.type === AST_NODE_TYPES.AssignmentExpression && parent.right === child) {
      const left = unwrap(parent.left);
      if (left.type === AST_NODE_TYPES.Identifier) {
        const variable = this.variableOf(left);
        return { name: left.name, variables: variable ? [variable] : [], refs, field: null, dispose: null };
      }
      if (
        left.type === AST_NODE_TYPES.MemberExpression &&
        unwrap(left.object).type === AST_NODE_TYPES.ThisExpression &&
        memberName(left) !== null
      ) {
        const field = memberName(left)!;
        return { name: `this.${field}`, variables: [], refs: [...refs, ...this.fieldRefs(left, field)], field, dispose: null };
      }
    }
    if (
      parent?.type === AST_NODE_TYPES.PropertyDefinition &&
      parent.value === child &&
      !parent.static &&
      !parent.computed &&
      parent.key.type === AST_NODE_TYPES.Identifier
    ) {
      const field = parent.key.name;
      return { name: `this.${field}`, variables: [], refs: [...refs, ...this.fieldRefs(parent, field)], field, dispose: null };
    }
    return { name: null, variables: [], refs, field: null, dispose: null };
  }

  // ---------------------------------------------------------------------------------------------------------------
  // References and uses

  private buildResource(init: {
    kind: ValueKind;
    origin: Origin;
    owned: boolean;
    halfOpen: boolean;
    pausedOnConnect: boolean;
    node: TSESTree.Node;
    options: TSESTree.Node | undefined;
    handler: FunctionNode | undefined;
    name: string;
    seedVariables: Variable[];
    seedRefs: TSESTree.Node[];
    field: string | null;
    dispose?: TSESTree.Node | null;
  }): Resource {
    const variables = new Set<Variable>();
    const refs = new Set<TSESTree.Node>();
    const uses: Use[] = [];
    if (init.dispose) {
      uses.push({ kind: 'dispose', node: init.dispose });
    }
    const pendingVariables = [...init.seedVariables];
    const pendingRefs = [...init.seedRefs];
    let steps = 0;
    while ((pendingVariables.length > 0 || pendingRefs.length > 0) && steps++ < MAX_ALIAS_STEPS) {
      const variable = pendingVariables.pop();
      if (variable) {
        if (variables.has(variable)) {
          continue;
        }
        variables.add(variable);
        for (const reference of variable.references) {
          if (reference.isRead()) {
            pendingRefs.push(reference.identifier);
          }
        }
        continue;
      }
      const ref = pendingRefs.pop()!;
      if (refs.has(ref)) {
        continue;
      }
      refs.add(ref);
      this.classifyUse(ref, uses, pendingVariables, pendingRefs);
    }
    const resource: Resource = {
      id: this.nextId++,
      kind: init.kind,
      origin: init.origin,
      owned: init.owned,
      halfOpen: init.halfOpen,
      pausedOnConnect: init.pausedOnConnect,
      node: init.node,
      options: init.options,
      handler: init.handler,
      name: init.name,
      variables,
      field: init.field,
      refs,
      uses,
    };
    for (const ref of refs) {
      if (!this.resourceByRef.has(ref)) {
        this.resourceByRef.set(ref, resource);
      }
    }
    for (const variable of variables) {
      if (!this.resourceByVariable.has(variable)) {
        this.resourceByVariable.set(variable, resource);
      }
    }
    return resource;
  }

  private classifyUse(ref: TSESTree.Node, uses: Use[], variables: Variable[], refs: TSESTree.Node[]): void {
    const { parent, child } = logicalParent(ref);
    if (!parent) {
      return;
    }
    switch (parent.type) {
      case AST_NODE_TYPES.MemberExpression: {
        if (parent.object !== child) {
          return;
        }
        const name = memberName(parent);
        const call = logicalParent(parent);
        if (call.parent?.type === AST_NODE_TYPES.CallExpression && call.parent.callee === call.child) {
          if (name !== null) {
            uses.push({ kind: 'method', name, call: call.parent, ref });
            if (CHAINABLE_METHODS.has(name)) {
              refs.push(call.parent);
            }
          }
          return;
        }
        if (name !== null) {
          uses.push({ kind: 'property', name, node: parent });
        }
        return;
      }
      case AST_NODE_TYPES.CallExpression:
      case AST_NODE_TYPES.NewExpression: {
        const index = parent.arguments.indexOf(child as TSESTree.CallExpressionArgument);
        if (index >= 0) {
          uses.push({ kind: 'argument', call: parent, index, ref });
        }
        return;
      }
      case AST_NODE_TYPES.VariableDeclarator: {
        if (parent.init === child) {
          if (parent.id.type === AST_NODE_TYPES.Identifier) {
            variables.push(...this.sourceCode.getDeclaredVariables(parent));
          }
        }
        return;
      }
      case AST_NODE_TYPES.AssignmentExpression: {
        if (parent.right !== child) {
          return;
        }
        const left = unwrap(parent.left);
        if (left.type === AST_NODE_TYPES.Identifier) {
          const variable = this.variableOf(left);
          if (variable) {
            variables.push(variable);
          }
          refs.push(parent);
          return;
        }
        const isField =
          left.type === AST_NODE_TYPES.MemberExpression && unwrap(left.object).type === AST_NODE_TYPES.ThisExpression;
        uses.push({ kind: 'escape', how: isField ? 'field' : 'store', node: parent });
        return;
      }
      case AST_NODE_TYPES.ReturnStatement:
        uses.push({ kind: 'escape', how: 'return', node: parent });
        return;
      case AST_NODE_TYPES.ArrowFunctionExpression:
        if (parent.body === child) {
          uses.push({ kind: 'escape', how: 'return', node: parent });
        }
        return;
      case AST_NODE_TYPES.Property:
      case AST_NODE_TYPES.ArrayExpression:
      case AST_NODE_TYPES.SpreadElement:
      case AST_NODE_TYPES.YieldExpression:
      case AST_NODE_TYPES.PropertyDefinition:
      case AST_NODE_TYPES.JSXExpressionContainer:
        uses.push({ kind: 'escape', how: 'store', node: parent });
        return;
      case AST_NODE_TYPES.ExportDefaultDeclaration:
      case AST_NODE_TYPES.ExportSpecifier:
        uses.push({ kind: 'escape', how: 'export', node: parent });
        return;
      case AST_NODE_TYPES.ConditionalExpression:
        if (parent.test !== child) {
          refs.push(parent);
        }
        return;
      case AST_NODE_TYPES.LogicalExpression:
      case AST_NODE_TYPES.AwaitExpression:
      case AST_NODE_TYPES.SequenceExpression:
        refs.push(parent);
        return;
      case AST_NODE_TYPES.ForOfStatement:
        if (parent.right === child) {
          uses.push({ kind: 'iterate', node: parent });
        }
        return;
      default:
        return;
    }
  }

  /** The variable a declaring identifier (a parameter, a `const` name) declares. */
  declaredVariable(identifier: TSESTree.Identifier): Variable | null {
    return this.scopes.declaredVariable(identifier);
  }

  /**
   * The resource a handler parameter is: a tracked one, or a borrowed one built from its references. `kind` says
   * what the parameter is at run time where the declared type is too wide (http.Server's `'timeout'` listener gets
   * a `net.Socket` but is typed `any`).
   */
  resourceOfParam(param: TSESTree.Identifier, kind?: ValueKind): Resource | null {
    this.discoverHandlerResources();
    const variable = this.declaredVariable(param);
    if (!variable) {
      return null;
    }
    const known = this.resourceByVariable.get(variable);
    if (known) {
      return known;
    }
    const paramKind = kind ?? this.kindOf(param);
    if (paramKind === null) {
      return null;
    }
    return this.buildResource({
      kind: paramKind,
      origin: 'borrowed',
      owned: false,
      halfOpen: false,
      pausedOnConnect: false,
      node: param,
      options: undefined,
      handler: undefined,
      name: param.name,
      seedVariables: [variable],
      seedRefs: [],
      field: null,
    });
  }

  /** The variable an identifier reference resolves to. */
  variableOf(identifier: TSESTree.Identifier): Variable | null {
    return this.scopes.variableOf(identifier);
  }

  /** Every `this.<field>` in the class around `member` where `this` is the instance. */
  private fieldRefs(member: TSESTree.Node, field: string): TSESTree.Node[] {
    let classBody: TSESTree.Node | undefined = member.parent;
    while (classBody && classBody.type !== AST_NODE_TYPES.ClassBody) {
      classBody = classBody.parent;
    }
    if (!classBody) {
      return [member];
    }
    const found: TSESTree.Node[] = [];
    const keys = this.sourceCode.visitorKeys;
    let budget = 200_000;
    const walk = (node: TSESTree.Node, inOwnFunction: boolean): void => {
      if (--budget < 0) {
        return;
      }
      if (
        node.type === AST_NODE_TYPES.MemberExpression &&
        unwrap(node.object).type === AST_NODE_TYPES.ThisExpression &&
        memberName(node) === field
      ) {
        found.push(node);
      }
      for (const key of keys[node.type] ?? []) {
        const value = (node as unknown as Record<string, unknown>)[key];
        const children = Array.isArray(value) ? value : [value];
        for (const childNode of children) {
          if (!childNode || typeof (childNode as TSESTree.Node).type !== 'string') {
            continue;
          }
          const typed = childNode as TSESTree.Node;
          // A plain `function` rebinds `this`; methods and arrows keep the instance.
          if (typed.type === AST_NODE_TYPES.FunctionExpression && inOwnFunction && typed.parent.type !== AST_NODE_TYPES.MethodDefinition && typed.parent.type !== AST_NODE_TYPES.Property) {
            continue;
          }
          if (typed.type === AST_NODE_TYPES.FunctionDeclaration || typed.type === AST_NODE_TYPES.ClassBody) {
            continue;
          }
          walk(typed, inOwnFunction || isFunctionNode(typed));
        }
      }
    };
    walk(classBody, false);
    return found.length > 0 ? found : [member];
  }

  /**
   * The resource an expression evaluates to: one this file creates or receives, or, for a variable or `this.field`
   * nobody here created, a borrowed one (not owned) so that its references are still known.
   */
  resourceOf(node: TSESTree.Node): Resource | null {
    this.discoverHandlerResources();
    const target = unwrap(node);
    const known = this.resourceByRef.get(target);
    if (known) {
      return known;
    }
    if (target.type === AST_NODE_TYPES.Identifier) {
      const variable = this.variableOf(target);
      if (!variable) {
        return null;
      }
      const byVariable = this.resourceByVariable.get(variable);
      if (byVariable) {
        return byVariable;
      }
      const kind = this.kindOf(target);
      if (kind === null) {
        return null;
      }
      return this.buildResource({
        kind,
        origin: 'borrowed',
        owned: false,
        halfOpen: false,
        pausedOnConnect: false,
        node: target,
        options: undefined,
        handler: undefined,
        name: target.name,
        seedVariables: [variable],
        seedRefs: [],
        field: null,
      });
    }
    if (
      target.type === AST_NODE_TYPES.MemberExpression &&
      unwrap(target.object).type === AST_NODE_TYPES.ThisExpression &&
      memberName(target) !== null
    ) {
      const field = memberName(target)!;
      const key = `${classOf(target)?.range.join(':') ?? '?'}#${field}`;
      const cached = this.fieldResources.get(key);
      if (cached) {
        return cached;
      }
      const kind = this.kindOf(target);
      if (kind === null) {
        return null;
      }
      const resource = this.buildResource({
        kind,
        origin: 'borrowed',
        owned: false,
        halfOpen: false,
        pausedOnConnect: false,
        node: target,
        options: undefined,
        handler: undefined,
        name: `this.${field}`,
        seedVariables: [],
        seedRefs: this.fieldRefs(target, field),
        field,
      });
      this.fieldResources.set(key, resource);
      return resource;
    }
    const kind = this.kindOf(target);
    return kind === null ? null : this.transientResource(target, kind);
  }

  private transientResource(target: TSESTree.Node, kind: ValueKind): Resource {
    return this.buildResource({
      kind,
      origin: 'borrowed',
      owned: false,
      halfOpen: false,
      pausedOnConnect: false,
      node: target,
      options: undefined,
      handler: undefined,
      name: this.sourceCode.getText(target).slice(0, 40),
      seedVariables: [],
      seedRefs: [target],
      field: null,
    });
  }

  /** All resources, including the sockets handed to listeners (computed on first use). */
  allResources(): readonly Resource[] {
    this.discoverHandlerResources();
    return this.resources;
  }

  private listenerEvents: Set<string> | null = null;
  private listenerEventsCount = 0;

  /**
   * Whether any listener of the file is for `event` (registrations, factory callbacks and `setTimeout(ms, cb)`'s
   * `'timeout'` alike; discovery lists them all). Checks ask it before anything else: in a file with nothing for them
   * to look at they then read none of its nodes and make no type query, which costs more than their own work.
   */
  hasListenerFor(event: string): boolean {
    if (!this.listenerEvents || this.listenerEventsCount !== this.listeners.length) {
      // (Re)built if a listener was added since it was read.
      this.listenerEvents = new Set();
      for (const listener of this.listeners) {
        this.listenerEvents.add(listener.event);
      }
      this.listenerEventsCount = this.listeners.length;
    }
    return this.listenerEvents.has(event);
  }

  /** Whether the file has a resource of `kind` (any origin, the handlers' sockets included). */
  hasResourceOfKind(kind: ValueKind): boolean {
    return this.allResources().some(resource => resource.kind === kind);
  }

  /** The listeners registered on a resource (through any of its references), optionally for one event. */
  listenersOf(resource: Resource, event?: string): Listener[] {
    return this.listeners.filter(
      listener => (event === undefined || listener.event === event) && resource.refs.has(listener.target),
    );
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Handlers

  /** The function a handler argument is: inline, a function of this file by name, or `this.method(.bind(this))`. */
  functionOf(argument: TSESTree.Node | undefined): FunctionNode | null {
    if (!argument) {
      return null;
    }
    let target = unwrap(argument);
    if (
      target.type === AST_NODE_TYPES.CallExpression &&
      calledMethod(target) === 'bind' &&
      receiverOf(target) !== null
    ) {
      target = receiverOf(target)!;
    }
    if (isFunctionNode(target)) {
      return target;
    }
    if (target.type === AST_NODE_TYPES.Identifier) {
      const variable = this.variableOf(target);
      const definition = variable?.defs[0];
      if (!definition) {
        return null;
      }
      if (isFunctionNode(definition.node)) {
        return definition.node;
      }
      if (definition.node.type === AST_NODE_TYPES.VariableDeclarator && definition.node.init) {
        const init = unwrap(definition.node.init);
        return isFunctionNode(init) ? init : null;
      }
      return null;
    }
    if (target.type === AST_NODE_TYPES.MemberExpression) {
      try {
        const tsNode = this.services.esTreeNodeToTSNodeMap.get(target);
        const symbol = tsNode ? this.typeContext.checker.getSymbolAtLocation(tsNode) : undefined;
        const declaration = symbol?.valueDeclaration;
        const estree = declaration ? this.services.tsNodeToESTreeNodeMap.get(declaration) : undefined;
        if (estree?.type === AST_NODE_TYPES.MethodDefinition || estree?.type === AST_NODE_TYPES.PropertyDefinition) {
          const value = estree.value ? unwrap(estree.value) : null;
          return isFunctionNode(value) ? value : null;
        }
        return isFunctionNode(estree) ? estree : null;
      } catch {
        return null;
      }
    }
    return null;
  }

  /**
   * Whether every path through `handler` that returns normally ends or destroys `resource` (directly, through an
   * alias, `this` in a `function` listener registered on it, a helper that closes it on all paths, a callback that
   * closes it, or by handing it to code we cannot see). Throwing paths are fine. `true` when it cannot tell.
   */
  closesOnEveryPath(handler: FunctionNode, resource: Resource, registeredOn?: TSESTree.Node): boolean {
    try {
      const anchors = this.closingAnchors(handler, resource, registeredOn, 0);
      if (anchors === 'unknown') {
        return true;
      }
      return this.paths.everyPathPasses(handler, anchors);
    } catch (error) {
      swallow(error);
      return true;
    }
  }

  /** The calls on `fn`'s own code path that close `resource` (or `'unknown'` when `fn` hands it off opaquely). */
  closingAnchors(
    fn: FunctionNode,
    resource: Resource,
    registeredOn: TSESTree.Node | undefined,
    depth: number,
  ): TSESTree.Node[] | 'unknown' {
    const calls = this.paths.callsIn(fn);
    const anchors: TSESTree.Node[] = [];
    for (const call of calls) {
      const verdict = this.callCloses(call, fn, resource, registeredOn, depth);
      if (verdict) {
        anchors.push(anchorOf(call));
      }
    }
    return anchors;
  }

  /** Whether one call, made in `fn`, closes `resource` (or may, as far as we can see). */
  callCloses(
    call: TSESTree.CallExpression | TSESTree.NewExpression,
    fn: FunctionNode,
    resource: Resource,
    registeredOn: TSESTree.Node | undefined,
    depth: number,
  ): boolean {
    const method = calledMethod(call);
    const receiver = call.type === AST_NODE_TYPES.CallExpression ? receiverOf(call) : null;
    if (method !== null && receiver !== null) {
      if (CLOSER_METHODS.has(method) || (resource.kind === 'client-request' && method === 'abort')) {
        if (this.refersTo(receiver, resource, fn, registeredOn)) {
          return true;
        }
      }
      if (dottedName(call.callee) === 'process.exit') {
        return true;
      }
      // Delegation to the object that owns the socket: `this.emit('timeout')`, `this.close()`.
      if (
        receiver.type === AST_NODE_TYPES.ThisExpression &&
        thisIsInstance(receiver) &&
        (resource.field !== null || resource.uses.some(use => use.kind === 'escape' && use.how === 'field'))
      ) {
        return true;
      }
    }
    for (let index = 0; index < call.arguments.length; index++) {
      const argument = call.arguments[index]!;
      if (this.refersTo(argument, resource, fn, registeredOn)) {
        const effects = this.effectsOf(call, index);
        if (effects.closesAll || effects.escapes) {
          return true;
        }
      }
      const callback = unwrap(argument);
      // A callback passed to a call runs later and its close counts (`write(data, () => s.destroy())`), except a
      // listener: `s.on('end', () => s.end())` closes only if that event ever comes.
      if (isFunctionNode(callback) && depth < MAX_DEFERRED_DEPTH && !LISTENER_METHODS.has(method ?? '')) {
        const inner = this.closingAnchors(callback, resource, registeredOn, depth + 1);
        if (inner === 'unknown' || inner.length > 0) {
          return true;
        }
      }
    }
    return false;
  }

  /** Whether `node` (evaluated inside `fn`) is `resource`: one of its references, or `this` of a `function` listener. */
  refersTo(node: TSESTree.Node, resource: Resource, fn: FunctionNode, registeredOn: TSESTree.Node | undefined): boolean {
    const target = unwrap(node);
    if (resource.refs.has(target)) {
      return true;
    }
    if (target.type === AST_NODE_TYPES.Identifier) {
      const variable = this.variableOf(target);
      if (variable && resource.variables.has(variable)) {
        return true;
      }
    }
    if (target.type === AST_NODE_TYPES.ThisExpression) {
      const owner = thisOwner(target);
      return (
        owner?.type === AST_NODE_TYPES.FunctionExpression &&
        contains(fn, owner) &&
        (isListenerOn(owner, resource) || (registeredOn !== undefined && owner === fn))
      );
    }
    return false;
  }

  /** Whether the resource is handed off: returned, stored, exported, or passed to code that keeps it. */
  escapes(resource: Resource): boolean {
    return resource.uses.some(use => {
      if (use.kind === 'escape') {
        return true;
      }
      if (use.kind === 'argument') {
        return this.effectsOf(use.call, use.index).escapes;
      }
      return false;
    });
  }
}

function isServerKind(kind: ValueKind | null): boolean {
  return kind === 'net-server' || kind === 'http-server';
}

function describe(kind: ValueKind): string {
  switch (kind) {
    case 'net-server':
    case 'http-server':
      return 'server';
    case 'client-request':
      return 'request';
    case 'incoming-message':
    case 'fetch-response':
      return 'response';
    default:
      return 'socket';
  }
}

/** An optional call is anchored at its chain, which is where its code path forks. */
export function anchorOf(call: TSESTree.Node): TSESTree.Node {
  let current = call;
  while (current.parent?.type === AST_NODE_TYPES.ChainExpression) {
    current = current.parent;
  }
  return current;
}

function classOf(node: TSESTree.Node): TSESTree.Node | null {
  let current = node.parent;
  while (current) {
    if (current.type === AST_NODE_TYPES.ClassBody) {
      return current;
    }
    current = current.parent;
  }
  return null;
}

/** The nearest non-arrow function (the one whose `this` a `this` expression is). */
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

/** Whether `this` is the instance of the class around it (a method, a field arrow, a constructor). */
function thisIsInstance(node: TSESTree.Node): boolean {
  let current = node.parent;
  while (current) {
    if (current.type === AST_NODE_TYPES.MethodDefinition || current.type === AST_NODE_TYPES.PropertyDefinition) {
      return true;
    }
    if (
      (current.type === AST_NODE_TYPES.FunctionExpression && current.parent.type !== AST_NODE_TYPES.MethodDefinition) ||
      current.type === AST_NODE_TYPES.FunctionDeclaration
    ) {
      return false;
    }
    current = current.parent;
  }
  return false;
}

/** Whether `fn` is passed straight to a call on `resource` (`resource.on('x', function () {…})`). */
function isListenerOn(fn: TSESTree.Node, resource: Resource): boolean {
  const { parent } = logicalParent(fn);
  if (parent?.type !== AST_NODE_TYPES.CallExpression) {
    return false;
  }
  const receiver = receiverOf(parent);
  return receiver !== null && resource.refs.has(receiver);
}

export { enclosingFunction, codePathOwner };
