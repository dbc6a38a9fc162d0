// Lints the library code of a checked-out repository with the plugin (default: the `all` config) and typed linting,
// and writes a JSON report: findings, crashes, per-rule time (ESLint `stats`), file count and lines of code.
//
//   npm run lint-repo -- <repo-dir> [--out report.json] [--config all|strict|recommended] [--include <dir>]...
//                        [--debug]
//
// Typed linting is set up the way the try-out CLI does it (src/cli/typed-config.ts): a generated tsconfig in a
// temporary directory with `allowJs`, `checkJs: false` (unless the repository's own tsconfig type-checks its JS) and
// `"types": ["node"]` with `@types/node` from this package. Files that one of the repository's tsconfig.json or
// jsconfig.json includes keep that config's compiler options (its `extends` chain is followed where it resolves, also
// into workspace packages of a monorepo); only the options a lint run cannot use (emit, composite builds, `types`) are
// replaced. Nothing is written into the repository. Never throws: a rule that throws is recorded as a crash and the
// file is linted again without that rule.
import type { Linter } from 'eslint';

import { clearCaches } from '@typescript-eslint/parser';
import { ESLint } from 'eslint';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import ts from 'typescript';

import type { ConfigName, DefaultProject, NodeTypes } from '../src/cli/typed-config.js';

import { keepOwnMessages } from '../src/cli/lint.js';
import { CONFIG_NAMES, createDefaultProject, createTypedLintConfig, findNodeTypes } from '../src/cli/typed-config.js';

const require = createRequire(import.meta.url);

const RULE_PREFIX = 'socket-leaks/';

/** Code file extensions (the plugin configs' `files`), without `.d.ts`. */
const CODE_FILE = /\.(?:[cm]?[jt]s|[jt]sx)$/;

/** Directories that hold no library code: tests, benchmarks, examples, docs, fixtures, build output, vendored code. */
const EXCLUDED_DIRS = new Set([
  '.git',
  '.github',
  '.husky',
  '.vscode',
  '__fixtures__',
  '__mocks__',
  '__tests__',
  'assets',
  'bench',
  'benches',
  'benchmark',
  'benchmarks',
  'build',
  'built',
  'coverage',
  'deps',
  'dist',
  'doc',
  'docs',
  'documentation',
  'e2e',
  'electron-test',
  'example',
  'examples',
  'fixture',
  'fixtures',
  'integration',
  'media',
  'mocks',
  'node_modules',
  'out',
  'script',
  'scripts',
  'spec',
  'specs',
  'test',
  'test-d',
  'tests',
  'tools',
  'vendor',
  'web-test-runner',
]);

/** File names that are not library code even outside the excluded directories. */
const EXCLUDED_FILE = /(?:\.d\.[cm]?ts$|\.min\.js$|[.-](?:test|spec|bench)\.[cm]?[jt]sx?$|(?:^|[.-])config\.[cm]?[jt]s$|^(?:example|examples|bench|benchmark|gulpfile|gruntfile|esbuild|rollup|webpack|vite|jest|karma)\b)/i;

/**
 * Library roots of the repositories the evaluation uses, keyed by the checkout's directory name (`owner+name`).
 * Repositories not listed here are searched from their root.
 */
export const KNOWN_LIBRARY_ROOTS: Readonly<Record<string, readonly string[]>> = {
  'redis+ioredis': ['lib'],
  'brianc+node-postgres': ['packages/*/lib'],
  'TooTallNate+proxy-agents': ['packages/*/src'],
  'sindresorhus+got': ['source'],
  'mqttjs+MQTT.js': ['src'],
};

export interface Finding {
  ruleId: string;
  messageId: string | undefined;
  /** Relative to the repository, with `/` separators. */
  file: string;
  line: number;
  column: number;
  message: string;
}

export interface Crash {
  /** Relative to the repository. */
  file: string;
  /** The rule that threw, or null for a fatal message (a parse error) or an exception without a rule. */
  ruleId: string | null;
  kind: 'exception' | 'fatal';
  message: string;
  line?: number;
  /** First frames of the stack (exceptions only). */
  stack?: string;
}

export interface RuleTiming {
  /** Milliseconds spent in the parser (typescript-eslint: includes building the TypeScript program). */
  parseMs: number;
  /** Milliseconds per rule id, summed over files (`stats.times.passes[].rules[id].total`). */
  rules: Record<string, number>;
}

export interface ProjectGroup {
  /** The repository config that types these files (relative), or null for the generated default project. */
  tsconfig: string | null;
  files: number;
  /** What could not be taken over from the repository's config (unresolvable `extends`, options TypeScript rejects). */
  notes: string[];
}

export interface RepoReport {
  repo: string;
  repoDir: string;
  date: string;
  versions: { node: string; eslint: string; typescript: string; typescriptEslint: string; plugin: string };
  config: ConfigName;
  debug: boolean;
  roots: string[];
  fileCount: number;
  /** Physical lines of the linted files. */
  lines: number;
  /** Non-blank lines of the linted files (what "LOC" means in this report). */
  loc: number;
  projects: ProjectGroup[];
  nodeTypes: NodeTypes['source'] | null;
  findings: Finding[];
  findingsByRule: Record<string, number>;
  crashes: Crash[];
  timing: RuleTiming & {
    /** Sum of the plugin's rules. */
    socketLeaksMs: number;
    /** Wall time of the lint run (program creation included). */
    wallMs: number;
  };
  /** The files where the plugin's rules spent the most time (top 10). */
  slowestFiles: { file: string; socketLeaksMs: number; parseMs: number; lines: number }[];
  /** Set when the run could not start at all (no such directory, no files, no @types/node). */
  error?: string;
}

export interface LintRepoOptions {
  config?: ConfigName;
  /** Library roots relative to the repository (a `*` matches one path segment). Default: see KNOWN_LIBRARY_ROOTS. */
  roots?: readonly string[];
  /** Sets SOCKET_LEAKS_DEBUG=1 for the run so that failures the engine swallows become recorded crashes. */
  debug?: boolean;
  /** Extra flat config objects appended after the plugin config (the benchmark adds other rules). */
  extraConfig?: readonly Linter.Config[];
  /** Rule ids (with prefix) to keep besides the plugin's own; default none. */
  extraRules?: readonly string[];
}

function toPosix(file: string): string {
  return file.split(path.sep).join('/');
}

function isDirectory(file: string): boolean {
  try {
    return fs.statSync(file).isDirectory();
  } catch {
    return false;
  }
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Expands a root pattern (`packages/*\/lib`, `*` = one path segment) into existing paths under `repoDir`. */
function expandRoot(repoDir: string, pattern: string): string[] {
  let current = [repoDir];
  for (const segment of pattern.split('/').filter(part => part !== '' && part !== '.')) {
    const next: string[] = [];
    for (const dir of current) {
      if (segment.includes('*')) {
        const matcher = new RegExp(`^${segment.split('*').map(part => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`);
        if (!isDirectory(dir)) {
          continue;
        }
        for (const entry of fs.readdirSync(dir).sort()) {
          if (matcher.test(entry) && entry !== 'node_modules') {
            next.push(path.join(dir, entry));
          }
        }
      } else if (fs.existsSync(path.join(dir, segment))) {
        next.push(path.join(dir, segment));
      }
    }
    current = next;
  }
  return current;
}

/**
 * The library files of a repository (absolute, sorted): code files under the roots, without tests, benchmarks,
 * examples, docs, fixtures, build output, configs, declaration files and node_modules.
 */
export function selectLibraryFiles(repoDir: string, roots: readonly string[]): string[] {
  const out = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!EXCLUDED_DIRS.has(entry.name.toLowerCase()) && !entry.name.startsWith('.')) {
          walk(full);
        }
      } else if (entry.isFile() && CODE_FILE.test(entry.name) && !EXCLUDED_FILE.test(entry.name)) {
        out.add(full);
      }
    }
  };
  for (const root of roots) {
    for (const match of expandRoot(repoDir, root)) {
      if (isDirectory(match)) {
        walk(match);
      } else if (CODE_FILE.test(match)) {
        out.add(match);
      }
    }
  }
  return [...out].sort();
}

/** Physical and non-blank line counts of the files. */
export function countLines(files: readonly string[]): { lines: number; loc: number } {
  let lines = 0;
  let loc = 0;
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const split = text.split(/\r?\n/);
    lines += text.endsWith('\n') ? split.length - 1 : split.length;
    loc += split.filter(line => line.trim() !== '').length;
  }
  return { lines, loc };
}

// ---------------------------------------------------------------------------------------------------------------
// Typed linting for a repository
// ---------------------------------------------------------------------------------------------------------------

/** Compiler options a lint run replaces: emit and build-mode settings, and where types come from. */
const REPLACED_OPTIONS = new Set([
  'composite',
  'declaration',
  'declarationDir',
  'declarationMap',
  'emitDeclarationOnly',
  'incremental',
  'inlineSourceMap',
  'inlineSources',
  'noEmit',
  'outDir',
  'outFile',
  'out',
  'plugins',
  'rootDir',
  'sourceMap',
  'tsBuildInfoFile',
  'typeRoots',
  'types',
  'allowJs',
]);

/** Compiler options whose values are paths relative to the config file that sets them. */
const PATH_OPTIONS = new Set(['baseUrl', 'rootDirs']);

interface RawConfig {
  extends?: string | string[];
  compilerOptions?: Record<string, unknown>;
  files?: unknown;
  include?: unknown;
  exclude?: unknown;
}

function readRawConfig(file: string): RawConfig | undefined {
  const read = ts.readConfigFile(file, name => ts.sys.readFile(name));
  if (read.error || typeof read.config !== 'object' || read.config === null) {
    return undefined;
  }
  return read.config as RawConfig;
}

/** Workspace packages of a monorepo: package name → directory (package.json files up to three levels deep). */
function workspacePackages(repoDir: string): Map<string, string> {
  const found = new Map<string, string>();
  const visit = (dir: string, depth: number): void => {
    const manifest = path.join(dir, 'package.json');
    if (isFile(manifest)) {
      try {
        const { name } = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: unknown };
        if (typeof name === 'string' && !found.has(name)) {
          found.set(name, dir);
        }
      } catch {
        // Not JSON: not a package.
      }
    }
    if (depth === 0) {
      return;
    }
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && entry.name !== 'node_modules' && !entry.name.startsWith('.')) {
        visit(path.join(dir, entry.name), depth - 1);
      }
    }
  };
  visit(repoDir, 3);
  return found;
}

/** Resolves an `extends` specifier: a path, a package in some node_modules up the tree, or a workspace package. */
function resolveExtends(spec: string, fromDir: string, workspace: ReadonlyMap<string, string>): string | undefined {
  const withJson = (file: string): string | undefined => {
    for (const candidate of [file, `${file}.json`, path.join(file, 'tsconfig.json')]) {
      if (isFile(candidate)) {
        return candidate;
      }
    }
    return undefined;
  };
  if (spec.startsWith('.') || path.isAbsolute(spec)) {
    return withJson(path.resolve(fromDir, spec));
  }
  const parts = spec.split('/');
  const nameLength = spec.startsWith('@') ? 2 : 1;
  const name = parts.slice(0, nameLength).join('/');
  const subpath = parts.slice(nameLength).join('/');
  const packageDirs: string[] = [];
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    packageDirs.push(path.join(dir, 'node_modules', name));
    if (path.dirname(dir) === dir) {
      break;
    }
  }
  const fromWorkspace = workspace.get(name);
  if (fromWorkspace !== undefined) {
    packageDirs.push(fromWorkspace);
  }
  for (const packageDir of packageDirs) {
    if (!isDirectory(packageDir)) {
      continue;
    }
    if (subpath !== '') {
      const file = withJson(path.join(packageDir, subpath));
      if (file !== undefined) {
        return file;
      }
      continue;
    }
    try {
      const manifest = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { tsconfig?: unknown };
      if (typeof manifest.tsconfig === 'string' && isFile(path.join(packageDir, manifest.tsconfig))) {
        return path.join(packageDir, manifest.tsconfig);
      }
    } catch {
      // No manifest: look for tsconfig.json.
    }
    const file = withJson(path.join(packageDir, 'tsconfig.json'));
    if (file !== undefined) {
      return file;
    }
  }
  return undefined;
}

/**
 * The compiler options of a repository config with its `extends` chain applied (base first), as tsconfig JSON, with
 * path options made absolute. What cannot be resolved is described in `notes`.
 */
function effectiveCompilerOptions(
  configFile: string,
  repoDir: string,
  workspace: ReadonlyMap<string, string>,
  notes: string[],
  seen = new Set<string>(),
): Record<string, unknown> {
  if (seen.has(configFile)) {
    return {};
  }
  seen.add(configFile);
  const raw = readRawConfig(configFile);
  if (!raw) {
    notes.push(`cannot read ${toPosix(path.relative(repoDir, configFile))}`);
    return {};
  }
  const configDir = path.dirname(configFile);
  const merged: Record<string, unknown> = {};
  const bases = raw.extends === undefined ? [] : Array.isArray(raw.extends) ? raw.extends : [raw.extends];
  for (const spec of bases) {
    if (typeof spec !== 'string') {
      continue;
    }
    const base = resolveExtends(spec, configDir, workspace);
    if (base === undefined) {
      notes.push(`extends "${spec}" (from ${toPosix(path.relative(repoDir, configFile))}) not found: its options are not applied`);
      continue;
    }
    Object.assign(merged, effectiveCompilerOptions(base, repoDir, workspace, notes, seen));
  }
  for (const [key, value] of Object.entries(raw.compilerOptions ?? {})) {
    if (PATH_OPTIONS.has(key)) {
      merged[key] = Array.isArray(value)
        ? (value as unknown[]).map(item => (typeof item === 'string' ? path.resolve(configDir, item) : item))
        : typeof value === 'string'
          ? path.resolve(configDir, value)
          : value;
    } else if (key === 'paths' && typeof value === 'object' && value !== null && typeof raw.compilerOptions?.baseUrl !== 'string') {
      // Without baseUrl, `paths` are relative to the config that sets them.
      merged[key] = Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([pattern, targets]) => [
          pattern,
          Array.isArray(targets)
            ? (targets as unknown[]).map(target => (typeof target === 'string' ? path.resolve(configDir, target) : target))
            : targets,
        ]),
      );
    } else {
      merged[key] = value;
    }
  }
  return merged;
}

/** Config diagnostics TypeScript reports for a tsconfig (typescript-eslint refuses a config that has any). */
function configErrors(tsconfigPath: string): readonly ts.Diagnostic[] {
  const host: ts.ParseConfigFileHost = {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: () => {},
  };
  const parsed = ts.getParsedCommandLineOfConfigFile(tsconfigPath, {}, host);
  return parsed?.errors.filter(diagnostic => diagnostic.category === ts.DiagnosticCategory.Error) ?? [];
}

const TS_MAJOR = Number(ts.versionMajorMinor.split('.')[0]);

function writeJson(file: string, value: unknown): void {
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Writes a tsconfig for one group of files: the default project's options (module nodenext, allowJs, types node),
 * then the repository config's options, then what a lint run needs. Options TypeScript rejects are left out (each is
 * tried alone) so that the config parses cleanly.
 */
function writeGroupTsconfig(
  tsconfigPath: string,
  defaultProject: DefaultProject,
  repoOptions: Record<string, unknown>,
  files: readonly string[],
  notes: string[],
): void {
  const ours: Record<string, unknown> = {
    allowJs: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
    typeRoots: [defaultProject.nodeTypes.typeRoot],
    ...(TS_MAJOR >= 6 ? { ignoreDeprecations: '6.0' } : {}),
  };
  const kept = Object.fromEntries(Object.entries(repoOptions).filter(([key]) => !REPLACED_OPTIONS.has(key)));
  const build = (options: Record<string, unknown>): Record<string, unknown> => ({
    extends: defaultProject.tsconfigPath,
    compilerOptions: { ...options, ...ours },
    files: [...files],
  });
  writeJson(tsconfigPath, build(kept));
  if (configErrors(tsconfigPath).length === 0) {
    return;
  }
  const accepted: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(kept)) {
    writeJson(tsconfigPath, build({ ...accepted, [key]: value }));
    if (configErrors(tsconfigPath).length === 0) {
      accepted[key] = value;
    } else {
      notes.push(`compiler option ${key}: ${JSON.stringify(value)} rejected by TypeScript ${ts.version}: left out`);
    }
  }
  writeJson(tsconfigPath, build(accepted));
}

export interface RepoProjects {
  /** Absolute paths of the generated tsconfigs (typescript-eslint `parserOptions.project`). */
  tsconfigPaths: string[];
  groups: ProjectGroup[];
  nodeTypes: NodeTypes;
  dispose(): void;
}

/** The nearest tsconfig.json or jsconfig.json, from the file's directory up to the repository root, that includes it. */
function owningConfig(
  file: string,
  repoDir: string,
  includedBy: (configFile: string) => ReadonlySet<string>,
): string | undefined {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    for (const name of ['tsconfig.json', 'jsconfig.json']) {
      const candidate = path.join(dir, name);
      if (isFile(candidate) && includedBy(candidate).has(file)) {
        return candidate;
      }
    }
    if (dir === repoDir || path.dirname(dir) === dir || path.relative(repoDir, dir).startsWith('..')) {
      return undefined;
    }
  }
}

/** The files a repository config includes (its own `files`/`include`/`exclude`; JS counts where it allows JS). */
function includedFiles(configFile: string, repoDir: string, workspace: ReadonlyMap<string, string>): Set<string> {
  const raw = readRawConfig(configFile);
  if (!raw) {
    return new Set();
  }
  const notes: string[] = [];
  const options = effectiveCompilerOptions(configFile, repoDir, workspace, notes);
  const allowJs = path.basename(configFile) === 'jsconfig.json' || options.allowJs === true;
  const parsed = ts.parseJsonConfigFileContent(
    { files: raw.files, include: raw.include, exclude: raw.exclude, compilerOptions: { allowJs } },
    ts.sys,
    path.dirname(configFile),
  );
  return new Set(parsed.fileNames.map(file => path.resolve(file)));
}

/**
 * Generated tsconfigs (in a temporary directory) that type every file: one per repository config that includes some
 * of them, and one default project for the rest.
 */
export function createRepoProjects(repoDir: string, files: readonly string[], nodeTypes: NodeTypes): RepoProjects {
  const defaultProject = createDefaultProject(nodeTypes);
  const dir = path.dirname(defaultProject.tsconfigPath);
  const workspace = workspacePackages(repoDir);
  const includedCache = new Map<string, Set<string>>();
  const includedBy = (configFile: string): Set<string> => {
    let included = includedCache.get(configFile);
    if (!included) {
      included = includedFiles(configFile, repoDir, workspace);
      includedCache.set(configFile, included);
    }
    return included;
  };
  const byConfig = new Map<string | null, string[]>();
  for (const file of files) {
    const owner = owningConfig(file, repoDir, includedBy) ?? null;
    const list = byConfig.get(owner) ?? [];
    list.push(file);
    byConfig.set(owner, list);
  }
  const tsconfigPaths: string[] = [];
  const groups: ProjectGroup[] = [];
  let index = 0;
  for (const [configFile, groupFiles] of [...byConfig].sort(([a], [b]) => (a ?? '').localeCompare(b ?? ''))) {
    const notes: string[] = [];
    const repoOptions = configFile === null ? {} : effectiveCompilerOptions(configFile, repoDir, workspace, notes);
    const tsconfigPath = path.join(dir, `tsconfig.group-${index++}.json`);
    writeGroupTsconfig(tsconfigPath, defaultProject, repoOptions, groupFiles, notes);
    tsconfigPaths.push(tsconfigPath);
    groups.push({
      tsconfig: configFile === null ? null : toPosix(path.relative(repoDir, configFile)),
      files: groupFiles.length,
      notes,
    });
  }
  return { tsconfigPaths, groups, nodeTypes, dispose: () => defaultProject.dispose() };
}

/**
 * The flat config for a repository: the try-out CLI's config (createTypedLintConfig: parser, ignores, plugin config)
 * with the project service swapped for the generated tsconfigs.
 */
export function createRepoLintConfig(
  repoDir: string,
  projects: RepoProjects,
  config: ConfigName,
  extraConfig: readonly Linter.Config[] = [],
): Linter.Config[] {
  // createTypedLintConfig wants a default project; the generated one is never used because projectService is
  // replaced below, so a throwaway is disposed straight away.
  const placeholder = createDefaultProject(projects.nodeTypes);
  try {
    const base = createTypedLintConfig(repoDir, { config, defaultProject: placeholder });
    return [
      ...base.map(entry => {
        const parserOptions = entry.languageOptions?.parserOptions;
        if (!parserOptions) {
          return entry;
        }
        const rest: Record<string, unknown> = { ...(parserOptions as Record<string, unknown>) };
        delete rest.projectService;
        return {
          ...entry,
          languageOptions: {
            ...entry.languageOptions,
            parserOptions: { ...rest, project: projects.tsconfigPaths, tsconfigRootDir: repoDir },
          },
        };
      }),
      ...extraConfig,
    ];
  } finally {
    placeholder.dispose();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Stats
// ---------------------------------------------------------------------------------------------------------------

/** Sums ESLint's per-file stats (`stats: true`) over the results: parse time and time per rule. */
export function sumStats(results: readonly ESLint.LintResult[]): RuleTiming {
  const timing: RuleTiming = { parseMs: 0, rules: {} };
  for (const result of results) {
    for (const pass of result.stats?.times.passes ?? []) {
      timing.parseMs += pass.parse?.total ?? 0;
      for (const [ruleId, time] of Object.entries(pass.rules ?? {})) {
        timing.rules[ruleId] = (timing.rules[ruleId] ?? 0) + time.total;
      }
    }
  }
  return timing;
}

/** The plugin's share of a timing: the sum of its rules. */
export function socketLeaksTime(timing: RuleTiming): number {
  return Object.entries(timing.rules)
    .filter(([ruleId]) => ruleId.startsWith(RULE_PREFIX))
    .reduce((sum, [, ms]) => sum + ms, 0);
}

// ---------------------------------------------------------------------------------------------------------------
// The lint run
// ---------------------------------------------------------------------------------------------------------------

function packageVersion(name: string): string {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function pluginVersion(): string {
  try {
    const manifest = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../package.json');
    return (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function crashOf(error: unknown, file: string): Crash {
  const ruleId =
    typeof error === 'object' && error !== null && 'ruleId' in error && typeof error.ruleId === 'string' ? error.ruleId : null;
  const message = errorText(error);
  const line = /Occurred while linting .*:(\d+)/.exec(message)?.[1];
  const stack = error instanceof Error && error.stack ? error.stack.split('\n').slice(1, 7).map(frame => frame.trim()).join('\n') : undefined;
  return {
    file,
    ruleId,
    kind: 'exception',
    message: message.split('\nOccurred while linting')[0] ?? message,
    ...(line === undefined ? {} : { line: Number(line) }),
    ...(stack === undefined ? {} : { stack }),
  };
}

/**
 * Lints the files; when a rule throws, lints them one by one, and a file whose rule throws again without that rule
 * (until none is left). Every exception is recorded in `crashes`.
 */
async function lintRecovering(
  eslint: ESLint,
  files: readonly string[],
  disabled: Set<string>,
  crashes: Crash[],
  repoDir: string,
): Promise<ESLint.LintResult[]> {
  try {
    return await eslint.lintFiles([...files]);
  } catch (error) {
    if (files.length > 1) {
      const results: ESLint.LintResult[] = [];
      for (const file of files) {
        results.push(...(await lintRecovering(eslint, [file], disabled, crashes, repoDir)));
      }
      return results;
    }
    const file = files[0] ?? '';
    const crash = crashOf(error, toPosix(path.relative(repoDir, file)));
    crashes.push(crash);
    if (crash.ruleId === null || disabled.has(crash.ruleId)) {
      return [];
    }
    disabled.add(crash.ruleId);
    try {
      return await lintRecovering(eslint, files, disabled, crashes, repoDir);
    } finally {
      disabled.delete(crash.ruleId);
    }
  }
}

/** Files per lintFiles call: a crash re-lints only its batch, one file at a time. */
const BATCH = 100;

function emptyReport(repoDir: string, config: ConfigName, debug: boolean, roots: readonly string[]): RepoReport {
  return {
    repo: path.basename(repoDir),
    repoDir,
    date: new Date().toISOString(),
    versions: {
      node: process.version,
      eslint: ESLint.version,
      typescript: ts.version,
      typescriptEslint: packageVersion('@typescript-eslint/parser'),
      plugin: pluginVersion(),
    },
    config,
    debug,
    roots: [...roots],
    fileCount: 0,
    lines: 0,
    loc: 0,
    projects: [],
    nodeTypes: null,
    findings: [],
    findingsByRule: {},
    crashes: [],
    timing: { parseMs: 0, rules: {}, socketLeaksMs: 0, wallMs: 0 },
    slowestFiles: [],
  };
}

/** Lints a repository's library code and reports what happened. Never rejects. */
export async function lintRepo(repoDirIn: string, options: LintRepoOptions = {}): Promise<RepoReport> {
  const repoDir = path.resolve(repoDirIn);
  const config = options.config ?? 'all';
  const debug = options.debug === true;
  const roots = options.roots ?? KNOWN_LIBRARY_ROOTS[path.basename(repoDir)] ?? ['.'];
  const report = emptyReport(repoDir, config, debug, roots);
  if (!isDirectory(repoDir)) {
    report.error = `no such directory: ${repoDir}`;
    return report;
  }
  const previousDebug = process.env.SOCKET_LEAKS_DEBUG;
  const previousSingleRun = process.env.TSESTREE_SINGLE_RUN;
  let projects: RepoProjects | undefined;
  try {
    const files = selectLibraryFiles(repoDir, roots);
    report.fileCount = files.length;
    Object.assign(report, countLines(files));
    if (files.length === 0) {
      report.error = `no library files under ${roots.join(', ')}`;
      return report;
    }
    const nodeTypes = findNodeTypes(repoDir);
    if (!nodeTypes) {
      report.error = 'cannot find @types/node';
      return report;
    }
    report.nodeTypes = nodeTypes.source;
    projects = createRepoProjects(repoDir, files, nodeTypes);
    report.projects = projects.groups;

    if (debug) {
      process.env.SOCKET_LEAKS_DEBUG = '1';
    }
    // One lint of each file, as the CLI does: typescript-eslint skips its editor-oriented bookkeeping.
    process.env.TSESTREE_SINGLE_RUN = 'true';
    clearCaches();
    const disabled = new Set<string>();
    const keep = new Set(options.extraRules ?? []);
    const eslint = new ESLint({
      cwd: repoDir,
      overrideConfigFile: true,
      overrideConfig: createRepoLintConfig(repoDir, projects, config, options.extraConfig),
      ruleFilter: ({ ruleId }) => (ruleId.startsWith(RULE_PREFIX) || keep.has(ruleId)) && !disabled.has(ruleId),
      stats: true,
    });
    const started = performance.now();
    const results: ESLint.LintResult[] = [];
    for (let start = 0; start < files.length; start += BATCH) {
      results.push(...(await lintRecovering(eslint, files.slice(start, start + BATCH), disabled, report.crashes, repoDir)));
    }
    report.timing.wallMs = performance.now() - started;

    const timing = sumStats(results);
    report.timing = { ...timing, socketLeaksMs: socketLeaksTime(timing), wallMs: report.timing.wallMs };
    report.slowestFiles = results
      .map(result => {
        const fileTiming = sumStats([result]);
        return {
          file: toPosix(path.relative(repoDir, result.filePath)),
          socketLeaksMs: Math.round(socketLeaksTime(fileTiming) * 10) / 10,
          parseMs: Math.round(fileTiming.parseMs * 10) / 10,
          lines: countLines([result.filePath]).lines,
        };
      })
      .sort((a, b) => b.socketLeaksMs - a.socketLeaksMs)
      .slice(0, 10);
    for (const result of results.map(keepOwnMessages)) {
      const file = toPosix(path.relative(repoDir, result.filePath));
      for (const message of result.messages) {
        if (message.fatal === true || message.ruleId === null) {
          report.crashes.push({ file, ruleId: message.ruleId, kind: 'fatal', message: message.message, line: message.line });
          continue;
        }
        report.findings.push({
          ruleId: message.ruleId,
          messageId: message.messageId,
          file,
          line: message.line,
          column: message.column,
          message: message.message,
        });
        report.findingsByRule[message.ruleId] = (report.findingsByRule[message.ruleId] ?? 0) + 1;
      }
    }
  } catch (error) {
    report.error = errorText(error);
  } finally {
    if (previousDebug === undefined) {
      delete process.env.SOCKET_LEAKS_DEBUG;
    } else {
      process.env.SOCKET_LEAKS_DEBUG = previousDebug;
    }
    if (previousSingleRun === undefined) {
      delete process.env.TSESTREE_SINGLE_RUN;
    } else {
      process.env.TSESTREE_SINGLE_RUN = previousSingleRun;
    }
    clearCaches();
    projects?.dispose();
  }
  return report;
}

// ---------------------------------------------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------------------------------------------

const USAGE = `Usage: npm run lint-repo -- <repo-dir> [options]

Lints a repository's library code with eslint-plugin-socket-leaks and typed linting, and writes a JSON report.

Options:
  --out <file>        Write the JSON report to this file (default: stdout)
  --config <name>     all (default), strict or recommended
  --include <root>    Library root relative to the repository (repeatable; '*' matches one path segment).
                      Default: the known roots of the evaluation repositories, else the whole repository.
  --debug             SOCKET_LEAKS_DEBUG=1: failures the engine would swallow are recorded as crashes
  -h, --help          Show this help
`;

function formatSummary(report: RepoReport): string {
  const lines = [
    `${report.repo}: ${report.fileCount} files, ${report.loc} LOC (${report.lines} lines), config ${report.config}${report.debug ? ', debug' : ''}`,
  ];
  if (report.error !== undefined) {
    lines.push(`  error: ${report.error}`);
  }
  for (const group of report.projects) {
    lines.push(`  project ${group.tsconfig ?? '(generated default)'}: ${group.files} files${group.notes.length > 0 ? `; ${group.notes.join('; ')}` : ''}`);
  }
  lines.push(`  findings: ${report.findings.length}`);
  for (const [ruleId, count] of Object.entries(report.findingsByRule).sort()) {
    lines.push(`    ${ruleId}: ${count}`);
  }
  lines.push(`  crashes: ${report.crashes.length}`);
  for (const crash of report.crashes.slice(0, 20)) {
    lines.push(`    ${crash.kind} ${crash.ruleId ?? '(no rule)'} in ${crash.file}${crash.line === undefined ? '' : `:${crash.line}`}: ${crash.message.split('\n')[0] ?? ''}`);
  }
  const { timing } = report;
  lines.push(
    `  time: wall ${(timing.wallMs / 1000).toFixed(1)} s, parse ${(timing.parseMs / 1000).toFixed(1)} s, socket-leaks rules ${timing.socketLeaksMs.toFixed(0)} ms (${((100 * timing.socketLeaksMs) / Math.max(timing.wallMs, 1)).toFixed(1)} % of wall, ${(timing.socketLeaksMs / Math.max(report.loc / 1000, 0.001)).toFixed(1)} ms/kLOC)`,
  );
  for (const [ruleId, ms] of Object.entries(timing.rules).sort(([, a], [, b]) => b - a)) {
    lines.push(`    ${ruleId}: ${ms.toFixed(1)} ms`);
  }
  lines.push('  slowest files (socket-leaks rules):');
  for (const slow of report.slowestFiles.slice(0, 5)) {
    lines.push(`    ${slow.file} (${slow.lines} lines): ${slow.socketLeaksMs.toFixed(0)} ms`);
  }
  return `${lines.join('\n')}\n`;
}

async function main(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        config: { type: 'string' },
        include: { type: 'string', multiple: true },
        debug: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    process.stderr.write(`lint-repo: ${errorText(error)}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    process.stdout.write(USAGE);
    return 0;
  }
  const config = values.config ?? 'all';
  if (positionals.length !== 1 || !(CONFIG_NAMES as readonly string[]).includes(config)) {
    process.stderr.write(USAGE);
    return 2;
  }
  const report = await lintRepo(positionals[0] ?? '.', {
    config: config as ConfigName,
    debug: values.debug === true,
    ...(values.include ? { roots: values.include } : {}),
  });
  const json = `${JSON.stringify(report, null, 2)}\n`;
  if (values.out === undefined) {
    process.stdout.write(json);
  } else {
    try {
      fs.mkdirSync(path.dirname(path.resolve(values.out)), { recursive: true });
      fs.writeFileSync(values.out, json);
    } catch (error) {
      process.stderr.write(`lint-repo: cannot write ${values.out}: ${errorText(error)}\n`);
      process.stdout.write(json);
    }
  }
  process.stderr.write(formatSummary(report));
  return report.error === undefined ? 0 : 2;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}

export { formatSummary };
