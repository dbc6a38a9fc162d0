import type { TypeOrValueSpecifier } from '@typescript-eslint/type-utils';
import type { ParserServicesWithTypeInformation, TSESLint } from '@typescript-eslint/utils';

import { swallow } from './failure.js';
import { FileModel, mayUseSockets } from './model.js';
import { PathIndex } from './paths.js';
import { programHasNodeTypes, specifierNames, type TypeContext } from './types.js';

export type { Listener, Origin, Resource, Use } from './model.js';
export type { ValueKind } from './types.js';
export { FileModel } from './model.js';

/** The messages every rule carries for the configuration diagnostics. */
export const engineMessages = {
  missingNodeTypes:
    'socket-leaks cannot see @types/node, so its rules find nothing in this file. Install @types/node and add "node" to compilerOptions.types in the tsconfig/jsconfig that covers this file (TypeScript 6 loads no @types package that "types" does not name).',
  missingTypeInfo:
    'socket-leaks needs typed linting to find anything in this file: set languageOptions.parserOptions.projectService (with tsconfigRootDir) for @typescript-eslint/parser.',
} as const;

export type EngineMessageIds = keyof typeof engineMessages;

/** Files that import one of these modules are expected to have socket types. */
const USES_NODE_NETWORKING =
  /(?:\bfrom\s*|\brequire\s*\(\s*|\bimport\s*\(\s*)['"](?:node:)?(?:net|tls|http|https|http2)['"]/;

/** What a file offers the rules, decided once per file by the first socket-leaks rule created for it. */
type Setup =
  /** Types are missing: the rules only report the configuration diagnostic (`messageId`) on a networking file. */
  | { kind: 'unusable'; messageId: EngineMessageIds }
  /** Nothing in the text can be a socket: no work at all. */
  | { kind: 'irrelevant' }
  | { kind: 'ready'; services: ParserServicesWithTypeInformation; typeContext: TypeContext };

interface FileState {
  setup: Setup | null;
  /** The code-path index, built when the first rule is created, for the model built at the end of the traversal. */
  paths: PathIndex | null;
  model: FileModel | null;
  diagnosed: boolean;
}

/**
 * The file the last rule was created for, and its state. ESLint lints one file at a time, synchronously: it creates
 * all rules of a file one after the other, then traverses it (the first rule's `Program:exit` listener holds the state
 * it needs), so no rule of a file is created once another file has begun, and one entry is all the memory needed. It
 * keeps that file's state (and the program its setup names) alive until a rule is created for another file.
 */
let last: { ast: object; state: FileState } | null = null;

function stateOf(sourceCode: Readonly<TSESLint.SourceCode>): FileState {
  const ast = sourceCode.ast;
  if (last?.ast === ast) {
    return last.state;
  }
  const state: FileState = { setup: null, paths: null, model: null, diagnosed: false };
  last = { ast, state };
  return state;
}

/** The socket types a settings object names, and the names the text filter looks for (see `socketTypesSetting`). */
const socketTypesBySettings = new WeakMap<object, { socketTypes: TypeOrValueSpecifier[]; names: string[] }>();

/** What a configuration without `settings['socket-leaks']` names: nothing. */
const NO_SOCKET_TYPES: { socketTypes: TypeOrValueSpecifier[]; names: string[] } = Object.freeze({
  socketTypes: [],
  names: [],
});

/**
 * `settings['socket-leaks'].socketTypes` and their names, read once per settings object (one per configuration).
 * Settings without the plugin's key name nothing, and are not remembered: ESLint gives a configuration without
 * `settings` a new empty object for every file.
 */
function socketTypesOf(settings: Record<string, unknown> | undefined): { socketTypes: TypeOrValueSpecifier[]; names: string[] } {
  if (settings?.['socket-leaks'] === undefined) {
    return NO_SOCKET_TYPES;
  }
  const cached = socketTypesBySettings.get(settings);
  if (cached) {
    return cached;
  }
  const socketTypes = socketTypesSetting(settings);
  const read = { socketTypes, names: specifierNames(socketTypes) };
  socketTypesBySettings.set(settings, read);
  return read;
}

/** Reads `settings['socket-leaks'].socketTypes`, ignoring anything malformed. */
function socketTypesSetting(settings: Record<string, unknown> | undefined): TypeOrValueSpecifier[] {
  const own = settings?.['socket-leaks'];
  if (typeof own !== 'object' || own === null) {
    return [];
  }
  const list = (own as { socketTypes?: unknown }).socketTypes;
  if (!Array.isArray(list)) {
    return [];
  }
  return list.filter(
    (item): item is TypeOrValueSpecifier =>
      typeof item === 'string' || (typeof item === 'object' && item !== null && 'from' in item && 'name' in item),
  );
}

/**
 * The lint run whose rules are being created, and the checks its first socket-leaks rule will run (`null` when the
 * file needs no listener: nothing in it can be a socket, or types are missing). The first rule ESLint creates gets the
 * run's only listener, at `Program:exit`, and runs every rule's check there; the rules created after it only add
 * their check. ESLint gives all rule contexts of one run the same prototype (its per-file context), which names the
 * run; a context without such a prototype makes a run of its own rule.
 */
let lastRun: { readonly run: object; readonly checks: ((model: FileModel) => void)[] | null } | null = null;

const NO_LISTENERS: TSESLint.RuleListener = Object.freeze({});

/**
 * Registers a socket-leaks rule's `check` for the file `context` lints and returns the rule's listeners. Every rule of
 * a file reads one shared {@link FileModel}, and every check of a file runs in one `Program:exit` listener, the first
 * rule's: ESLint calls one listener per file instead of one per rule, and by then the other typed rules have asked the
 * checker for most types of the file (the model's type queries find them computed). The code-path index under the
 * model reads only ESLint's traversal, which is complete before any rule is created: the first rule builds it right
 * away, while the traversal is fresh in memory. Configuration problems (no typed linting, no @types/node) are reported
 * once per file, by whichever rule comes first. Nothing here throws into the lint run: a failure inside `check` drops
 * that rule's reports for this file.
 */
export function runSocketRule<MessageIds extends string>(
  context: Readonly<TSESLint.RuleContext<MessageIds | EngineMessageIds, readonly unknown[]>>,
  check: (model: FileModel) => void,
): TSESLint.RuleListener {
  const run = runOf(context);
  if (lastRun?.run === run) {
    // A later rule of the run: the first one has set the file up (and reported a configuration problem).
    lastRun.checks?.push(check);
    return NO_LISTENERS;
  }
  const sourceCode = context.sourceCode;
  const state = stateOf(sourceCode);
  state.setup ??= setupOf(context);
  const setup = state.setup;
  if (setup.kind === 'irrelevant') {
    // Nothing in the file can be a socket: no work at all.
    lastRun = { run, checks: null };
    return NO_LISTENERS;
  }
  if (setup.kind === 'unusable') {
    lastRun = { run, checks: null };
    if (!state.diagnosed && USES_NODE_NETWORKING.test(sourceCode.text)) {
      state.diagnosed = true;
      context.report({ node: sourceCode.ast, loc: { line: 1, column: 0 }, messageId: setup.messageId });
    }
    return NO_LISTENERS;
  }
  const checks = [check];
  lastRun = { run, checks };
  if (!state.model && !state.paths) {
    // The code-path index reads nothing but the traversal, which ESLint has just computed: read it while it is fresh.
    try {
      state.paths = PathIndex.of(sourceCode);
    } catch (error) {
      swallow(error);
      return NO_LISTENERS;
    }
  }
  const { services, typeContext } = setup;
  return {
    'Program:exit'() {
      let model: FileModel;
      try {
        model = state.model ??= new FileModel(sourceCode, services, typeContext, state.paths ?? PathIndex.of(sourceCode));
      } catch (error) {
        // Never break the lint run; no rule reports anything for this file.
        swallow(error);
        return;
      }
      for (const each of checks) {
        try {
          each(model);
        } catch (error) {
          // Never break the lint run; this rule reports nothing more for this file.
          swallow(error);
        }
      }
    },
  };
}

/** What names the lint run a rule context belongs to: ESLint's per-file context (its prototype), else the context. */
function runOf(context: object): object {
  const prototype: unknown = Object.getPrototypeOf(context);
  return typeof prototype === 'object' && prototype !== null && prototype !== Object.prototype ? prototype : context;
}

/** The parser services, type context and relevance of the file `context` lints (the same for every rule of a file). */
function setupOf(context: Readonly<TSESLint.RuleContext<string, readonly unknown[]>>): Setup {
  // What `ESLintUtils.getParserServices(context, true)` checks, read directly: that helper also works out the parser's
  // name for its error message on every call, which costs more than the check itself once per file.
  const services = context.sourceCode.parserServices as Partial<ParserServicesWithTypeInformation> | undefined;
  const program = services?.program ?? null;
  if (!services?.esTreeNodeToTSNodeMap || !services.tsNodeToESTreeNodeMap || !program) {
    // Not parsed by @typescript-eslint/parser (espree, another parser), or parsed without type information.
    return { kind: 'unusable', messageId: 'missingTypeInfo' };
  }
  if (!programHasNodeTypes(program)) {
    return { kind: 'unusable', messageId: 'missingNodeTypes' };
  }
  const { socketTypes, names } = socketTypesOf(context.settings);
  if (!mayUseSockets(context.sourceCode.text, names)) {
    return { kind: 'irrelevant' };
  }
  return {
    kind: 'ready',
    services: services as ParserServicesWithTypeInformation,
    typeContext: { program, checker: program.getTypeChecker(), socketTypes },
  };
}
