import type { TypeOrValueSpecifier } from '@typescript-eslint/type-utils';

import { typeMatchesSomeSpecifier } from '@typescript-eslint/type-utils';
import * as ts from 'typescript';

/**
 * What a value is, as far as socket lifetimes go. `tty` marks `net.Socket` subclasses that are not TCP
 * (`tty.ReadStream`, `tty.WriteStream`, `process.stdin`/`stdout`/`stderr`): they are recognised so that they can be
 * excluded.
 */
export type ValueKind =
  | 'socket'
  | 'tty'
  | 'duplex'
  | 'net-server'
  | 'http-server'
  | 'client-request'
  | 'incoming-message'
  | 'fetch-response';

interface KnownType {
  kind: ValueKind;
  specifiers: TypeOrValueSpecifier[];
}

const pkg = (packageName: string, name: string): TypeOrValueSpecifier => ({
  from: 'package',
  package: packageName,
  name,
});

/**
 * The classes the engine knows, most specific first: a class's own entry wins over the entries of its bases
 * (`tty.ReadStream` over `net.Socket`, `http.Server` over `net.Server`).
 */
const KNOWN_TYPES: readonly KnownType[] = [
  { kind: 'tty', specifiers: [pkg('tty', 'ReadStream'), pkg('tty', 'WriteStream')] },
  { kind: 'socket', specifiers: [pkg('net', 'Socket'), pkg('tls', 'TLSSocket')] },
  { kind: 'http-server', specifiers: [pkg('http', 'Server'), pkg('https', 'Server')] },
  { kind: 'net-server', specifiers: [pkg('net', 'Server'), pkg('tls', 'Server')] },
  { kind: 'client-request', specifiers: [pkg('http', 'ClientRequest')] },
  { kind: 'incoming-message', specifiers: [pkg('http', 'IncomingMessage')] },
  {
    kind: 'fetch-response',
    specifiers: [{ from: 'lib', name: 'Response' }, pkg('undici-types', 'Response'), pkg('undici', 'Response'), pkg('node', 'Response')],
  },
  { kind: 'duplex', specifiers: [pkg('stream', 'Duplex')] },
];

const KNOWN_NAMES: ReadonlySet<string> = new Set([
  'ReadStream',
  'WriteStream',
  'Socket',
  'TLSSocket',
  'Server',
  'ClientRequest',
  'IncomingMessage',
  'Response',
  'Duplex',
]);

const MAX_BASE_DEPTH = 12;

/** Per-program classification caches, so a type is classified once however many rules and files ask. */
const caches = new WeakMap<ts.Program, WeakMap<ts.Type, ValueKind | null>>();

export interface TypeContext {
  program: ts.Program;
  checker: ts.TypeChecker;
  /** Extra classes that count as sockets (`settings['socket-leaks'].socketTypes`). */
  socketTypes: TypeOrValueSpecifier[];
}

/**
 * Classifies a type: sockets (and their subclasses), servers, http messages, fetch responses. Unions classify when
 * every non-nullish member agrees; intersections by their most specific member. `any`, `unknown` and error types
 * classify as `null`. Never throws.
 */
export function classifyType(type: ts.Type, context: TypeContext): ValueKind | null {
  let cache = caches.get(context.program);
  if (!cache) {
    cache = new WeakMap();
    caches.set(context.program, cache);
  }
  if (context.socketTypes.length === 0) {
    const cached = cache.get(type);
    if (cached !== undefined) {
      return cached;
    }
  }
  let result: ValueKind | null = null;
  try {
    result = classifyUncached(type, context, 0);
  } catch {
    result = null;
  }
  if (context.socketTypes.length === 0) {
    cache.set(type, result);
  }
  return result;
}

/**
 * Whether no narrowing of a value of `type` to a subtype or a member can have a kind: every member (nullish ones
 * aside) has none and is a fixed type, not `any`, `unknown`, `never` or a type parameter. (Narrowing to another type
 * altogether, by `instanceof` or a type guard, is the caller's to rule out.) Never throws.
 */
export function hasNoKindUnderNarrowing(type: ts.Type, context: TypeContext): boolean {
  try {
    const members = type.isUnion() ? type.types : [type];
    return members.every(
      member =>
        (member.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined | ts.TypeFlags.Void)) !== 0 ||
        ((member.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.Never | ts.TypeFlags.Instantiable)) === 0 &&
          classifyType(member, context) === null),
    );
  } catch {
    return false;
  }
}

/**
 * Whether `type` is `any` itself. An `any` is narrowed to a class only by a check that names it (`instanceof`, a type
 * guard or assertion function, `x.constructor ===`); equality and truthiness leave it `any`, and `typeof` gives at
 * most a primitive: a variable declared `any` that no such check reaches has no kind at any reference. (`unknown` is
 * narrowed by equality too.)
 */
export function isAny(type: ts.Type): boolean {
  return (type.flags & ts.TypeFlags.Any) !== 0;
}

/** The global `Promise` symbol of each program, the type an `async` function returns (`null`: the program has none). */
const promiseSymbols = new WeakMap<ts.Program, ts.Symbol | null>();

/** Primitive types: never a promise, never generic. */
const PLAIN_PRIMITIVE =
  ts.TypeFlags.String |
  ts.TypeFlags.Number |
  ts.TypeFlags.BigInt |
  ts.TypeFlags.Boolean |
  ts.TypeFlags.ESSymbol |
  ts.TypeFlags.Literal |
  ts.TypeFlags.UniqueESSymbol |
  ts.TypeFlags.EnumLike |
  ts.TypeFlags.Void |
  ts.TypeFlags.Undefined |
  ts.TypeFlags.Null;

/**
 * The type `await` gives a value of `type`, as `checker.getAwaitedType` answers it. For the global `Promise<T>` whose
 * `T` is a primitive or an object type without a `then` member (no promise itself, and not a generic mapped type),
 * that is `T`, read off the reference: the checker's own answer also works out, on every call, that `T` is no
 * promise, through a type relation that allocates each time. `null` when the checker has no answer.
 */
export function awaitedTypeOf(type: ts.Type, context: TypeContext): ts.Type | null {
  const { checker, program } = context;
  let promise = promiseSymbols.get(program);
  if (promise === undefined) {
    promise = checker.resolveName('Promise', undefined, ts.SymbolFlags.Type, false) ?? null;
    promiseSymbols.set(program, promise);
  }
  if (
    promise !== null &&
    type.symbol === promise &&
    type.flags & ts.TypeFlags.Object &&
    (type as ts.ObjectType).objectFlags & ts.ObjectFlags.Reference
  ) {
    const [promised] = checker.getTypeArguments(type as ts.TypeReference);
    if (
      promised &&
      (promised.flags & PLAIN_PRIMITIVE ||
        (promised.flags & ts.TypeFlags.Object &&
          !((promised as ts.ObjectType).objectFlags & ts.ObjectFlags.Mapped) &&
          !checker.getPropertyOfType(promised, 'then')))
    ) {
      return promised;
    }
  }
  return checker.getAwaitedType(type) ?? null;
}

function classifyUncached(type: ts.Type, context: TypeContext, depth: number): ValueKind | null {
  if (depth > MAX_BASE_DEPTH) {
    return null;
  }
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.Never)) {
    return null;
  }
  if (type.flags & ts.TypeFlags.TypeParameter) {
    // The polymorphic `this` of a class (and any constrained type parameter) classifies as its constraint, so
    // `this.write()` inside `class Conn extends net.Socket` is a socket call.
    const constraint = context.checker.getBaseConstraintOfType(type);
    return constraint && constraint !== type ? classifyUncached(constraint, context, depth + 1) : null;
  }
  if (type.isUnion()) {
    let agreed: ValueKind | null = null;
    for (const member of type.types) {
      if (member.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined | ts.TypeFlags.Void)) {
        continue;
      }
      const kind = classifyUncached(member, context, depth + 1);
      if (kind === null || (agreed !== null && agreed !== kind)) {
        return null;
      }
      agreed = kind;
    }
    return agreed;
  }
  if (type.isIntersection()) {
    let best: ValueKind | null = null;
    for (const member of type.types) {
      const kind = classifyUncached(member, context, depth + 1);
      if (kind === 'tty') {
        return 'tty';
      }
      if (kind !== null && (best === null || rank(kind) < rank(best))) {
        best = kind;
      }
    }
    return best;
  }
  if (context.socketTypes.length > 0 && typeMatchesSomeSpecifier(type, context.socketTypes, context.program)) {
    return 'socket';
  }
  const symbol = type.aliasSymbol ?? type.getSymbol();
  if (symbol && KNOWN_NAMES.has(symbol.getName())) {
    for (const known of KNOWN_TYPES) {
      if (typeMatchesSomeSpecifier(type, known.specifiers, context.program)) {
        return known.kind;
      }
    }
  }
  if (!(type.flags & ts.TypeFlags.Object)) {
    return null;
  }
  const target = (type as ts.TypeReference).target ?? type;
  if (!target.isClassOrInterface()) {
    return null;
  }
  let best: ValueKind | null = null;
  for (const base of context.checker.getBaseTypes(target)) {
    const kind = classifyUncached(base, context, depth + 1);
    if (kind !== null && (best === null || rank(kind) < rank(best))) {
      best = kind;
    }
  }
  return best;
}

/**
 * The kind of what `new <expression>(…)` makes, from the constructor's declared instance type (asking for the type of
 * the whole `new` can make the checker infer through huge literal arguments), and only when the constructor's
 * declarations say it can make a known kind at all ({@link mayConstructKnownKind}). Never throws.
 */
export function kindOfConstruction(expression: ts.Expression, context: TypeContext): ValueKind | null {
  try {
    if (!mayConstructKnownKind(expression, context)) {
      return null;
    }
    const signature = context.checker.getTypeAtLocation(expression).getConstructSignatures()[0];
    return signature ? classifyType(context.checker.getReturnTypeOfSignature(signature), context) : null;
  } catch {
    return null;
  }
}

const constructCache = new WeakMap<ts.Symbol, boolean>();

/**
 * Whether `new <expression>(…)` can make a value of a known kind, judged from declarations alone (symbol lookups, no
 * type query): `false` only when the constructor is a class whose `extends` chain, as far as its declarations go,
 * never names a known class (`Socket`, `Server`, …) or one named in `socketTypes`. A mixin base, a constructor
 * typed by an interface or anything else unreadable counts as "can". Asking the checker for the instance type of a
 * large class (a client with thousands of generated command overloads) is what this avoids.
 */
export function mayConstructKnownKind(expression: ts.Expression, context: TypeContext): boolean {
  try {
    const extraNames = specifierNames(context.socketTypes);
    const start: ts.Symbol | undefined = symbolOfReference(expression, context.checker);
    if (!start) {
      return true;
    }
    const cached = extraNames.length === 0 ? constructCache.get(start) : undefined;
    if (cached !== undefined) {
      return cached;
    }
    const result = chainMayBeKnown(start, extraNames, context.checker);
    if (extraNames.length === 0) {
      constructCache.set(start, result);
    }
    return result;
  } catch {
    return true;
  }
}

function symbolOfReference(expression: ts.Expression, checker: ts.TypeChecker): ts.Symbol | undefined {
  const target = ts.isPropertyAccessExpression(expression) ? expression.name : ts.isIdentifier(expression) ? expression : null;
  let symbol = target ? checker.getSymbolAtLocation(target) : undefined;
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) {
    symbol = checker.getAliasedSymbol(symbol);
  }
  return symbol;
}

function chainMayBeKnown(start: ts.Symbol, extraNames: readonly string[], checker: ts.TypeChecker): boolean {
  const seen = new Set<ts.Symbol>();
  const work: ts.Symbol[] = [start];
  while (work.length > 0) {
    const symbol = work.pop()!;
    if (seen.has(symbol)) {
      continue;
    }
    seen.add(symbol);
    if (seen.size > MAX_BASE_DEPTH * 4) {
      return true;
    }
    const declarations = symbol.declarations ?? [];
    if (declarations.length === 0) {
      return true;
    }
    for (const declaration of declarations) {
      if (!ts.isClassLike(declaration) && !ts.isInterfaceDeclaration(declaration)) {
        // A constructor variable, a JS constructor function, an unresolved import: let the checker say.
        return true;
      }
      const name = declaration.name?.text ?? symbol.getName();
      if (KNOWN_NAMES.has(name) || extraNames.includes(name)) {
        return true;
      }
      for (const clause of declaration.heritageClauses ?? []) {
        if (clause.token !== ts.SyntaxKind.ExtendsKeyword) {
          continue;
        }
        for (const base of clause.types) {
          const baseSymbol = ts.isIdentifier(base.expression) || ts.isPropertyAccessExpression(base.expression)
            ? symbolOfReference(base.expression, checker)
            : undefined;
          if (!baseSymbol) {
            // `extends mixin(Base)`: not readable from declarations.
            return true;
          }
          work.push(baseSymbol);
        }
      }
    }
  }
  return false;
}

function rank(kind: ValueKind): number {
  return KNOWN_TYPES.findIndex(known => known.kind === kind);
}

/** Whether the kind is a TCP socket the rules may report (not a tty or a bare duplex). */
export function isSocketKind(kind: ValueKind | null): boolean {
  return kind === 'socket';
}

const nodeTypesCache = new WeakMap<ts.Program, boolean>();

/**
 * Whether the program can see `@types/node`'s `net` module. TypeScript 6 loads no `@types` package unless
 * `compilerOptions.types` names it, and then every socket type is an error type: the rules would find nothing.
 */
/** The class names that type specifiers mention (`'Connection'`, `{ name: ['A', 'B'] }`). */
export function specifierNames(specifiers: readonly TypeOrValueSpecifier[]): string[] {
  return specifiers.flatMap(specifier =>
    typeof specifier === 'string' ? [specifier] : Array.isArray(specifier.name) ? [...specifier.name] : [specifier.name],
  );
}

export function programHasNodeTypes(program: ts.Program): boolean {
  const cached = nodeTypesCache.get(program);
  if (cached !== undefined) {
    return cached;
  }
  let found = false;
  try {
    found = program
      .getTypeChecker()
      .getAmbientModules()
      .some(module => module.name === '"net"' || module.name === '"node:net"');
  } catch {
    found = true;
  }
  nodeTypesCache.set(program, found);
  return found;
}
