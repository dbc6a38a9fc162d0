import { ESLint } from 'eslint';

import { parseArgs } from 'node:util';

import type { ConfigName } from './typed-config.js';

import plugin from '../index.js';
import { lintProject, UsageError } from './lint.js';
import { CONFIG_NAMES } from './typed-config.js';

/** Where the CLI writes; `process.stdout`/`process.stderr` in the real binary. */
export interface CliIO {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  cwd?: string;
}

export const USAGE = `Usage: socket-leaks [options] [paths...]

Lints the given files and directories (default: .) of any project with
eslint-plugin-socket-leaks and typed linting, without a config file in the
project and without writing into it.

Options:
  -c, --config <name>   Plugin config to enable: recommended (default), strict, all
  -f, --format <name>   ESLint formatter (default: stylish)
  -h, --help            Show this help
  -v, --version         Show the version

Type information: a file that a tsconfig.json or jsconfig.json includes is typed
by it (searched from the file up to the project root, the nearest directory with
a package.json). Other files get a generated project with "types": ["node"].
@types/node comes from the project, else from next to socket-leaks.
node_modules, dist and .d.ts files are skipped.

Exit codes: 0 no problems, 1 problems found, 2 usage or setup error.
`;

interface ParsedArgs {
  help: boolean;
  version: boolean;
  format: string;
  config: ConfigName;
  paths: string[];
}

function parseCommandLine(argv: readonly string[]): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string', short: 'c' },
        format: { type: 'string', short: 'f' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const option = /'([^']*)'/.exec(message)?.[1] ?? message;
      throw new UsageError(`unknown option ${option} (see --help)`);
    }
    throw new UsageError(`${message.replace(/\.$/, '')} (see --help)`);
  }
  const { values, positionals } = parsed;
  const config = values.config ?? 'recommended';
  if (!(CONFIG_NAMES as readonly string[]).includes(config)) {
    throw new UsageError(`unknown config "${config}": use one of ${CONFIG_NAMES.join(', ')}`);
  }
  const format = values.format ?? 'stylish';
  if (format === '') {
    throw new UsageError('--format needs a formatter name (see --help)');
  }
  return {
    help: values.help === true,
    version: values.version === true,
    format,
    config: config as ConfigName,
    paths: positionals,
  };
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n').find(line => line.trim() !== '') ?? 'unknown error';
}

async function loadFormatter(eslint: ESLint, name: string): Promise<ESLint.LoadedFormatter> {
  try {
    return await eslint.loadFormatter(name);
  } catch (error) {
    throw new UsageError(`cannot load formatter "${name}": ${firstLine(error)}`);
  }
}

/**
 * Runs the CLI and resolves to its exit code: 0 no problems, 1 problems found, 2 usage or setup error.
 * Never rejects.
 */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  try {
    const args = parseCommandLine(argv);
    if (args.help) {
      io.stdout.write(USAGE);
      return 0;
    }
    if (args.version) {
      io.stdout.write(`${plugin.meta.version}\n`);
      return 0;
    }
    const cwd = io.cwd ?? process.cwd();
    // Check the formatter before the (slow) lint run. It is loaded again from the instance that linted, which
    // alone can give it the rules' metadata.
    await loadFormatter(new ESLint({ cwd, overrideConfigFile: true }), args.format);
    // Not TSESTREE_SINGLE_RUN: in that mode typescript-eslint builds the generated project's program without its
    // typeRoots, and every stray file would lose @types/node.
    const run = await lintProject(args.paths, { config: args.config, cwd });
    const formatter = await loadFormatter(run.eslint, args.format);
    const output = await formatter.format(run.results);
    if (output !== '') {
      io.stdout.write(output.endsWith('\n') ? output : `${output}\n`);
    }
    const errorCount = run.results.reduce((sum, result) => sum + result.errorCount, 0);
    const warningCount = run.results.reduce((sum, result) => sum + result.warningCount, 0);
    const files = `${run.fileCount} file${run.fileCount === 1 ? '' : 's'}`;
    if (errorCount === 0 && warningCount === 0) {
      io.stderr.write(`socket-leaks: ${files} checked, no problems found.\n`);
    }
    return errorCount > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`socket-leaks: ${error.message}\n`);
    } else {
      io.stderr.write(`socket-leaks: internal error: ${firstLine(error)}\n`);
    }
    return 2;
  }
}
