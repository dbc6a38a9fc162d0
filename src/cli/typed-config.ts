import type { Linter } from 'eslint';

import * as tsParser from '@typescript-eslint/parser';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

import plugin, { FILES } from '../index.js';

/** The plugin configs a lint run can enable. */
export type ConfigName = 'recommended' | 'strict' | 'all';

export const CONFIG_NAMES: readonly ConfigName[] = ['recommended', 'strict', 'all'];

/** Directories and files never linted by the try-out CLI. */
export const DEFAULT_IGNORES = ['**/node_modules/', '**/dist/', '**/*.d.ts'];

/** Where `@types/node` was found. */
export interface NodeTypes {
  /** The `@types` directory that holds `node/`, usable as a `typeRoots` entry. */
  typeRoot: string;
  /** `project` when found from the linted project upwards, `socket-leaks` when taken from this package's install. */
  source: 'project' | 'socket-leaks';
}

/** A generated tsconfig used for files that no tsconfig.json or jsconfig.json of the target includes. */
export interface DefaultProject {
  /** Absolute path of the generated tsconfig.json. */
  tsconfigPath: string;
  nodeTypes: NodeTypes;
  /**
   * Writes a second generated tsconfig whose inputs are exactly these files (absolute paths) and returns its path.
   * A new file each time: typescript-eslint caches programs by tsconfig path.
   */
  withFiles(files: readonly string[]): string;
  /** Removes the temporary directory. Safe to call more than once. */
  dispose(): void;
}

export interface TypedLintConfigOptions {
  /** Plugin config to enable. Default: `recommended`. */
  config?: ConfigName;
  /** From {@link createDefaultProject}. */
  defaultProject: DefaultProject;
  /**
   * Absolute paths of the files that get the default project (files no tsconfig.json or jsconfig.json includes).
   * typescript-eslint refuses a file that is both allowed here and found in a tsconfig, so list exactly those.
   */
  defaultProjectFiles?: readonly string[];
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Finds `@types/node`: first in `node_modules/@types` of `rootDir` or one of its ancestors, then (when
 * `searchOwnInstall` is not false) wherever this package resolves it from.
 */
export function findNodeTypes(
  rootDir: string,
  { searchOwnInstall = true }: { searchOwnInstall?: boolean } = {},
): NodeTypes | undefined {
  let dir = path.resolve(rootDir);
  for (;;) {
    const typeRoot = path.join(dir, 'node_modules', '@types');
    if (isFile(path.join(typeRoot, 'node', 'package.json'))) {
      return { typeRoot, source: 'project' };
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      break;
    }
    dir = parent;
  }
  if (searchOwnInstall) {
    try {
      const manifest = createRequire(import.meta.url).resolve('@types/node/package.json');
      return { typeRoot: path.dirname(path.dirname(manifest)), source: 'socket-leaks' };
    } catch {
      // Not installed next to this package either.
    }
  }
  return undefined;
}

/** Writes a tsconfig for stray files into a new temporary directory (never into the linted project). */
export function createDefaultProject(nodeTypes: NodeTypes): DefaultProject {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'socket-leaks-'));
  const placeholder = 'socket-leaks-placeholder.ts';
  fs.writeFileSync(path.join(dir, placeholder), 'export {};\n');
  const tsconfig = {
    compilerOptions: {
      allowJs: true,
      checkJs: false,
      noEmit: true,
      skipLibCheck: true,
      strict: true,
      target: 'esnext',
      lib: ['esnext'],
      module: 'nodenext',
      moduleResolution: 'nodenext',
      jsx: 'preserve',
      resolveJsonModule: true,
      allowImportingTsExtensions: true,
      maxNodeModuleJsDepth: 0,
      types: ['node'],
      typeRoots: [nodeTypes.typeRoot],
    },
    // A config without inputs does not parse; the placeholder is never linted.
    files: [placeholder],
  };
  const tsconfigPath = path.join(dir, 'tsconfig.json');
  fs.writeFileSync(tsconfigPath, `${JSON.stringify(tsconfig, null, 2)}\n`);
  let written = 0;
  let disposed = false;
  return {
    tsconfigPath,
    nodeTypes,
    withFiles(files) {
      const filesPath = path.join(dir, `tsconfig.files-${++written}.json`);
      fs.writeFileSync(filesPath, `${JSON.stringify({ ...tsconfig, files: [placeholder, ...files] }, null, 2)}\n`);
      return filesPath;
    },
    dispose() {
      if (!disposed) {
        disposed = true;
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Escapes a relative path so that minimatch (used by `allowDefaultProject`) matches it literally. */
export function escapeGlob(relativePath: string): string {
  return relativePath.split(path.sep).join('/').replace(/[\\*?[\]{}()!+@#,]/g, '\\$&');
}

/**
 * The flat config that lints `rootDir` with the plugin and typed linting: typescript-eslint's project service
 * (each file keeps the nearest tsconfig.json or jsconfig.json that includes it, searched up to `rootDir`), and the
 * generated default project, which loads `@types/node`, for the `defaultProjectFiles`.
 */
export function createTypedLintConfig(rootDir: string, options: TypedLintConfigOptions): Linter.Config[] {
  const root = path.resolve(rootDir);
  const configName = options.config ?? 'recommended';
  const strays = [...new Set(options.defaultProjectFiles ?? [])].map(file => path.resolve(root, file));
  // Files no tsconfig of the project includes share one program: the generated tsconfig lists them all. (The project
  // service's default project handles a few files, one program each, and refuses a file another program opened.)
  const typed =
    strays.length > 0
      ? { project: options.defaultProject.withFiles(strays) }
      : { projectService: { defaultProject: options.defaultProject.tsconfigPath } };
  return [
    { name: 'socket-leaks/cli/ignores', ignores: DEFAULT_IGNORES },
    {
      name: 'socket-leaks/cli/typed-linting',
      files: FILES,
      languageOptions: {
        parser: tsParser,
        parserOptions: {
          ...typed,
          tsconfigRootDir: root,
          // CI=true would make typescript-eslint infer single-run mode, which keeps the first program it built for a
          // file: the second pass (stray files, the generated project) would lose @types/node.
          disallowAutomaticSingleRunInference: true,
        },
      },
      linterOptions: {
        // The target's own rules are not loaded, so their disable comments look unused: stay quiet about them.
        reportUnusedDisableDirectives: 'off',
        reportUnusedInlineConfigs: 'off',
      },
    },
    plugin.configs[configName] as unknown as Linter.Config,
  ];
}
