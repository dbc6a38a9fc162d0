import type { Linter } from 'eslint';

import { ESLint } from 'eslint';

import { clearCaches } from '@typescript-eslint/parser';
import fs from 'node:fs';
import path from 'node:path';

import type { ConfigName, DefaultProject } from './typed-config.js';

import { createDefaultProject, createTypedLintConfig, findNodeTypes } from './typed-config.js';

/** A problem with the input or the setup (not with the linted code): the CLI exits with code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface LintProjectOptions {
  /** Plugin config to enable. Default: `recommended`. */
  config?: ConfigName;
  /** Base for relative paths. Default: `process.cwd()`. */
  cwd?: string;
  /** Project root: bounds the tsconfig search and is ESLint's `cwd`. Default: see {@link findProjectRoot}. */
  rootDir?: string;
  /** ESLint's `stats` option: per-file parse and rule times in each result's `stats` (for benchmarks). */
  stats?: boolean;
}

export interface LintProjectResult {
  /** The instance whose `loadFormatter` should format the results. */
  eslint: ESLint;
  results: ESLint.LintResult[];
  rootDir: string;
  /** How many files were linted. */
  fileCount: number;
  /** How many of them no tsconfig.json or jsconfig.json included, so they got the generated default project. */
  defaultProjectFileCount: number;
  nodeTypesSource: 'project' | 'socket-leaks';
}

/** The text typescript-eslint's parser reports for a file that no tsconfig.json or jsconfig.json includes. */
const NOT_FOUND_BY_PROJECT_SERVICE = 'was not found by the project service';

function isDirectory(file: string): boolean {
  try {
    return fs.statSync(file).isDirectory();
  } catch {
    return false;
  }
}

function commonAncestor(dirs: readonly string[]): string {
  const [first, ...rest] = dirs;
  if (first === undefined) {
    return process.cwd();
  }
  let common = first;
  for (const dir of rest) {
    while (common !== path.dirname(common) && path.relative(common, dir).startsWith('..')) {
      common = path.dirname(common);
    }
    if (path.relative(common, dir).startsWith('..')) {
      common = path.parse(common).root;
    }
  }
  return common;
}

/**
 * The directory that plays the part of the project root for the given absolute paths: the nearest directory with a
 * package.json that contains them all, else their common ancestor directory.
 */
export function findProjectRoot(absolutePaths: readonly string[]): string {
  const common = commonAncestor(absolutePaths.map(file => (isDirectory(file) ? file : path.dirname(file))));
  let dir = common;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) {
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      return common;
    }
    dir = parent;
  }
}

const RULE_PREFIX = 'socket-leaks/';

/**
 * Keeps the plugin's own reports, parse errors, ESLint's note on an ignored file, and its problems with inline comments
 * that name one of the plugin's rules. The rest can only come from the project's inline comments about rules that are
 * not loaded here ("Definition for rule 'react/foo' was not found" for an `eslint-disable` comment, a rule configured
 * by two `eslint` configuration comments of one file, a configuration comment that is not valid JSON), which say
 * nothing about sockets.
 */
export function keepOwnMessages(result: ESLint.LintResult): ESLint.LintResult {
  const messages = result.messages.filter(isOwnMessage);
  if (messages.length === result.messages.length) {
    return result;
  }
  const count = (severity: number, fixable: boolean): number =>
    messages.filter(message => message.severity === severity && (!fixable || message.fix !== undefined)).length;
  return {
    ...result,
    messages,
    errorCount: count(2, false),
    fatalErrorCount: messages.filter(message => message.fatal === true).length,
    warningCount: count(1, false),
    fixableErrorCount: count(2, true),
    fixableWarningCount: count(1, true),
  };
}

function isOwnMessage(message: Linter.LintMessage): boolean {
  if (message.ruleId !== null) {
    return message.ruleId.startsWith(RULE_PREFIX);
  }
  // ESLint prefixes every parser failure (typescript-eslint's project service included) with "Parsing error:".
  return (
    message.message.startsWith('Parsing error:') ||
    message.message.startsWith('File ignored') ||
    message.message.includes(RULE_PREFIX)
  );
}

function isNotFoundByProjectService(result: ESLint.LintResult): boolean {
  return result.messages.some(message => message.fatal === true && message.message.includes(NOT_FOUND_BY_PROJECT_SERVICE));
}

/** True for the warning ESLint gives an explicitly named file that it does not lint. */
export function isIgnoredFileResult(result: ESLint.LintResult): boolean {
  return (
    result.messages.length > 0 &&
    result.messages.every(message => message.ruleId === null && message.severity === 1 && message.message.startsWith('File ignored'))
  );
}

function noLintableFiles(given: readonly string[]): UsageError {
  const shown = given.join(', ');
  return new UsageError(
    `no lintable files in ${shown} (looked for .js, .mjs, .cjs, .jsx, .ts, .mts, .cts and .tsx files outside node_modules and dist)`,
  );
}

function errorTemplate(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'messageTemplate' in error) {
    return typeof error.messageTemplate === 'string' ? error.messageTemplate : undefined;
  }
  return undefined;
}

async function lintPhase(
  rootDir: string,
  defaultProject: DefaultProject,
  config: ConfigName,
  patterns: string[],
  defaultProjectFiles: readonly string[],
  shownPaths: readonly string[],
  stats: boolean,
): Promise<{ eslint: ESLint; results: ESLint.LintResult[] }> {
  // typescript-eslint keeps one project service per process, made with the first file's options: start afresh.
  clearCaches();
  const eslint = new ESLint({
    cwd: rootDir,
    overrideConfigFile: true,
    overrideConfig: createTypedLintConfig(rootDir, { config, defaultProject, defaultProjectFiles }),
    // Inline `/* eslint rule: ... */` comments in the project must not switch on rules of other plugins or the core.
    ruleFilter: ({ ruleId }) => ruleId.startsWith(RULE_PREFIX),
    stats,
  });
  try {
    return { eslint, results: await eslint.lintFiles(patterns) };
  } catch (error) {
    const template = errorTemplate(error);
    if (template === 'file-not-found' || template === 'all-matched-files-ignored') {
      throw noLintableFiles(shownPaths);
    }
    throw error;
  }
}

/**
 * Lints paths of any project with the plugin and typed linting set up for it, without a config file in the project
 * and without writing into it.
 *
 * Files that a tsconfig.json or jsconfig.json (searched from the file up to the root directory) includes are typed by
 * that config, exactly as typescript-eslint's project service does. The others are linted a second time with a
 * generated default project that loads `@types/node` (the project's own, else the one next to this package).
 */
export async function lintProject(paths: readonly string[], options: LintProjectOptions = {}): Promise<LintProjectResult> {
  const cwd = options.cwd ?? process.cwd();
  const config = options.config ?? 'recommended';
  const stats = options.stats === true;
  const given = paths.length > 0 ? paths : ['.'];
  for (const file of given) {
    if (file === '' || !fs.existsSync(path.resolve(cwd, file))) {
      throw new UsageError(`no such file or directory: ${JSON.stringify(file)}`);
    }
  }
  const absolutePaths = given.map(file => path.resolve(cwd, file));
  const rootDir = path.resolve(options.rootDir ?? findProjectRoot(absolutePaths));
  const nodeTypes = findNodeTypes(rootDir);
  if (!nodeTypes) {
    throw new UsageError(
      `cannot find @types/node from ${rootDir} or from eslint-plugin-socket-leaks; install it (npm install --save-dev @types/node) and run again`,
    );
  }
  const defaultProject = createDefaultProject(nodeTypes);
  try {
    const first = await lintPhase(rootDir, defaultProject, config, absolutePaths, [], given, stats);
    const strays = first.results.filter(isNotFoundByProjectService).map(result => result.filePath);
    let results = first.results;
    if (strays.length > 0) {
      const second = await lintPhase(rootDir, defaultProject, config, strays, strays, given, stats);
      const byPath = new Map(second.results.map(result => [result.filePath, result]));
      results = first.results.map(result => byPath.get(result.filePath) ?? result);
    }
    results = results.map(keepOwnMessages);
    const fileCount = results.filter(result => !isIgnoredFileResult(result)).length;
    if (fileCount === 0) {
      throw noLintableFiles(given);
    }
    return {
      eslint: first.eslint,
      results,
      rootDir,
      fileCount,
      defaultProjectFileCount: strays.length,
      nodeTypesSource: nodeTypes.source,
    };
  } finally {
    clearCaches();
    defaultProject.dispose();
  }
}
