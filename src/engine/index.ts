import type { TypeOrValueSpecifier } from '@typescript-eslint/type-utils';
import type { ParserServicesWithTypeInformation, TSESLint, TSESTree } from '@typescript-eslint/utils';

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
  /** Nothing in the text can be a socket: no listener at all. */
  | { kind: 'irrelevant' }
  | { kind: 'ready'; services: ParserServicesWithTypeInformation; typeContext: TypeContext };

interface FileState {
  setup: Setup | null;
  model: FileModel | null;
  diagnosed: boolean;
}

const states = new WeakMap<object, FileState>();

function stateOf(sourceCode: Readonly<TSESLint.SourceCode>): FileState {
  let state = states.get(sourceCode.ast);
  if (!state) {
    state = { setup: null, model: null, diagnosed: false };
    states.set(sourceCode.ast, state);
  }
  return state;
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
 * The listeners of a socket-leaks rule. They feed the file's shared code-path index, build the shared
 * {@link FileModel} once when the program's code path ends, and hand it to `check`. Configuration problems (no typed
 * linting, no @types/node) are reported once per file, by whichever rule gets there first. Nothing here throws into
 * the lint run: a failure inside `check` drops that rule's reports for this file.
 */
export function socketRuleListeners<MessageIds extends string>(
  context: Readonly<TSESLint.RuleContext<MessageIds | EngineMessageIds, readonly unknown[]>>,
  check: (model: FileModel) => void,
): TSESLint.RuleListener {
  const sourceCode = context.sourceCode;
  const state = stateOf(sourceCode);
  state.setup ??= setupOf(context);
  const setup = state.setup;
  if (setup.kind === 'unusable') {
    return {
      Program(node: TSESTree.Program) {
        if (state.diagnosed || !USES_NODE_NETWORKING.test(sourceCode.text)) {
          return;
        }
        state.diagnosed = true;
        context.report({ node, loc: { line: 1, column: 0 }, messageId: setup.messageId });
      },
    };
  }
  if (setup.kind === 'irrelevant') {
    // Nothing in the file can be a socket: no listener at all, so ESLint calls nothing of ours for it.
    return {};
  }
  const { services, typeContext } = setup;
  // The model (and the code-path index under it) is built by the first socket-leaks rule that reaches the end of the
  // program and shared by the others; no rule listens to anything else, so ESLint calls each rule once per file.
  return {
    'Program:exit'() {
      try {
        state.model ??= new FileModel(sourceCode, services, typeContext, PathIndex.of(sourceCode));
        check(state.model);
      } catch (error) {
        // Never break the lint run; this rule reports nothing more for this file.
        swallow(error);
      }
    },
  };
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
  const socketTypes = socketTypesSetting(context.settings);
  if (!mayUseSockets(context.sourceCode.text, specifierNames(socketTypes))) {
    return { kind: 'irrelevant' };
  }
  return {
    kind: 'ready',
    services: services as ParserServicesWithTypeInformation,
    typeContext: { program, checker: program.getTypeChecker(), socketTypes },
  };
}
