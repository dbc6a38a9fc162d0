// The plugin as users install it, on each supported ESLint major and TypeScript minor: for every combination, a
// temporary project installs the packed tarball of this package with that ESLint and TypeScript (and the same
// @typescript-eslint/parser and @types/node as this repository), then lints small projects with the README's
// configs through ESLint's Node.js API, and runs the try-out CLI from the installed package.
//
// Installing needs the npm registry and takes a while, so this file only runs with SOCKET_LEAKS_MATRIX=1:
// `npm run test:matrix` (called by .ci/run after `npm test`). Under a plain `npm test` it is skipped.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { rules } from '../../rules/index.js';
import { assertBuilt, BAD_JS, BAD_TS, GOOD_JS, GOOD_TS, makeTempDir, readmeSectionFiles, REPO_ROOT, removeDir } from './helpers.js';

const ENABLED = process.env.SOCKET_LEAKS_MATRIX === '1';
const RULE = 'socket-leaks/timeout-closes-socket';
const hasTimeoutRule = 'timeout-closes-socket' in rules;

const exec = promisify(execFile);

interface Combination {
  eslint: string;
  typescript: string;
}

/** ESLint 9 (latest 9.x) and 10, TypeScript 5.9 and 6.0. */
const COMBINATIONS: readonly Combination[] = [
  { eslint: '^9.0.0', typescript: '~5.9.0' },
  { eslint: '^9.0.0', typescript: '~6.0.0' },
  { eslint: '^10.0.0', typescript: '~5.9.0' },
  { eslint: '^10.0.0', typescript: '~6.0.0' },
];

const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
  devDependencies: Record<string, string>;
};
const PARSER_VERSION = manifest.devDependencies['@typescript-eslint/parser'] ?? '8';
const NODE_TYPES_VERSION = manifest.devDependencies['@types/node'] ?? 'latest';

/**
 * Lints each project directory given with its own eslint.config.mjs (as `npx eslint .` there would) and prints the
 * versions and the messages as JSON. It lives in the combination's directory, so that `eslint` and `typescript`
 * resolve from that directory's node_modules; one process lints every project of a combination.
 */
const DRIVER = `import { clearCaches } from '@typescript-eslint/parser';
import { ESLint } from 'eslint';
import path from 'node:path';
import ts from 'typescript';

const projects = {};
for (const dir of process.argv.slice(2).map(arg => path.resolve(arg))) {
  // typescript-eslint keeps one project service per process, made for the first project it saw.
  clearCaches();
  const eslint = new ESLint({ cwd: dir });
  const results = await eslint.lintFiles(['.']);
  projects[path.basename(dir)] = results.map(result => ({
    file: path.relative(dir, result.filePath).split(path.sep).join('/'),
    messages: result.messages.map(({ ruleId, messageId, line, fatal, severity, message }) => ({ ruleId, messageId, line, fatal, severity, message })),
  }));
}
process.stdout.write(JSON.stringify({ eslint: ESLint.version, typescript: ts.version, projects }));
`;

interface Message {
  ruleId: string | null;
  messageId?: string;
  line: number;
  fatal?: boolean;
  severity: number;
  message: string;
}

type Output = { file: string; messages: Message[] }[];

interface DriverOutput {
  eslint: string;
  typescript: string;
  projects: Record<string, Output>;
}

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

interface CombinationRun {
  lint: DriverOutput;
  cli: CliRun;
}

const UNTYPED_CONFIG = `import tsParser from '@typescript-eslint/parser';
import socketLeaks from 'eslint-plugin-socket-leaks';

export default [
  { files: ['**/*.{js,mjs,ts}'], languageOptions: { parser: tsParser } },
  socketLeaks.configs.all,
];
`;

/** The projects every combination lints, by directory name. */
function projects(): Record<string, Record<string, string>> {
  const readmeTs = readmeSectionFiles('TypeScript project');
  return {
    ts: {
      ...readmeTs,
      'package.json': '{ "name": "ts-project", "private": true, "type": "module" }\n',
      'src/bad.ts': BAD_TS,
      'src/good.ts': GOOD_TS,
    },
    js: {
      ...readmeSectionFiles('JavaScript project'),
      'package.json': '{ "name": "js-project", "private": true }\n',
      'lib/bad.js': BAD_JS,
      'lib/good.js': GOOD_JS,
    },
    'no-types': {
      'eslint.config.mjs': (readmeTs['eslint.config.mjs'] ?? '').replace('socketLeaks.configs.recommended', 'socketLeaks.configs.all'),
      // "types": [] loads no @types package on every TypeScript version.
      'tsconfig.json': '{ "compilerOptions": { "module": "nodenext", "strict": true, "noEmit": true, "types": [] } }\n',
      'package.json': '{ "name": "no-types", "private": true, "type": "module" }\n',
      'a.ts': BAD_TS,
      'plain.ts': 'export const answer: number = 42;\n',
    },
    untyped: {
      'eslint.config.mjs': UNTYPED_CONFIG,
      'package.json': '{ "name": "untyped", "private": true, "type": "module" }\n',
      'a.ts': BAD_TS,
      'b.js': BAD_JS,
    },
    cli: { 'server.js': BAD_JS },
  };
}

let root = '';
let tarball = '';
const runs = new Map<string, Promise<CombinationRun>>();

function key(combination: Combination): string {
  return `eslint@${combination.eslint} typescript@${combination.typescript}`;
}

function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
}

/**
 * One combination, start to end: install the packed plugin with that ESLint and TypeScript, lint every project in one
 * process, and run the installed CLI. The projects live under the combination's directory, so their imports resolve
 * from its node_modules.
 */
async function runCombination(combination: Combination, index: number): Promise<CombinationRun> {
  const dir = path.join(root, `combination-${index}`);
  writeFiles(dir, { 'package.json': `${JSON.stringify({ name: `matrix-${index}`, private: true, type: 'module' }, null, 2)}\n`, 'lint.mjs': DRIVER });
  await exec(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--loglevel=error',
      `eslint@${combination.eslint}`,
      `typescript@${combination.typescript}`,
      `@typescript-eslint/parser@${PARSER_VERSION}`,
      `@types/node@${NODE_TYPES_VERSION}`,
      tarball,
    ],
    { cwd: dir, maxBuffer: 16 * 1024 * 1024, timeout: 480_000 },
  );
  const all = projects();
  for (const [name, files] of Object.entries(all)) {
    writeFiles(path.join(dir, 'projects', name), files);
  }
  const linted = Object.keys(all)
    .filter(name => name !== 'cli')
    .map(name => path.join(dir, 'projects', name));
  const { stdout } = await exec(process.execPath, [path.join(dir, 'lint.mjs'), ...linted], {
    cwd: dir,
    maxBuffer: 16 * 1024 * 1024,
    timeout: 240_000,
  });
  const bin = path.join(dir, 'node_modules', '.bin', 'socket-leaks');
  const cli = await exec(bin, ['--format', 'json', path.join(dir, 'projects', 'cli')], {
    cwd: dir,
    maxBuffer: 16 * 1024 * 1024,
    timeout: 120_000,
  }).then(
    ({ stdout: out, stderr }) => ({ code: 0, stdout: out, stderr }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: error.code ?? -1, stdout: error.stdout ?? '', stderr: error.stderr ?? '' }),
  );
  return { lint: JSON.parse(stdout) as DriverOutput, cli };
}

function messagesOf(output: Output | undefined, file: string): Message[] {
  const result = output?.find(item => item.file === file);
  if (!result) {
    throw new Error(`${file} was not linted; linted: ${(output ?? []).map(item => item.file).join(', ')}`);
  }
  return result.messages;
}

function fatal(output: Output | undefined): string[] {
  return (output ?? []).flatMap(result => result.messages.filter(message => message.fatal === true).map(message => `${result.file}: ${message.message}`));
}

function majorMinor(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}

describe.skipIf(!ENABLED)('ESLint 9/10 × TypeScript 5.9/6.0 with the packed plugin', () => {
  beforeAll(async () => {
    assertBuilt();
    root = makeTempDir('matrix');
    // dist/ is already built (assertBuilt); packing must not rebuild it under the other test files' feet.
    const { stdout } = await exec('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', root], {
      cwd: REPO_ROOT,
      maxBuffer: 16 * 1024 * 1024,
    });
    const [packed] = JSON.parse(stdout) as { filename: string }[];
    tarball = path.join(root, packed?.filename ?? '');
    // Every combination runs from the start, side by side (installs wait on the network and disk, lint runs on
    // the two cores); each combination's tests wait for their own run.
    COMBINATIONS.forEach((combination, index) => {
      const run = runCombination(combination, index);
      // Reported by the combination's tests; not an unhandled rejection here.
      run.catch(() => {});
      runs.set(key(combination), run);
    });
  }, 120_000);

  afterAll(() => {
    removeDir(root);
  });

  for (const combination of COMBINATIONS) {
    describe(key(combination), () => {
      let run: CombinationRun;

      beforeAll(async () => {
        run = await (runs.get(key(combination)) ?? Promise.reject(new Error('not started')));
      }, 600_000);

      it('has the requested ESLint major and TypeScript minor installed', () => {
        expect(run.lint.eslint.split('.')[0]).toBe(combination.eslint.replace(/^\^/, '').split('.')[0]);
        expect(majorMinor(run.lint.typescript)).toBe(majorMinor(combination.typescript.replace(/^~/, '')));
      });

      it('lints a TypeScript project with the README config', () => {
        const output = run.lint.projects.ts;
        expect(fatal(output)).toEqual([]);
        for (const file of ['src/bad.ts', 'src/good.ts']) {
          expect(messagesOf(output, file).filter(message => message.messageId === 'missingNodeTypes' || message.messageId === 'missingTypeInfo')).toEqual([]);
        }
        if (hasTimeoutRule) {
          const bad = messagesOf(output, 'src/bad.ts').filter(message => message.ruleId === RULE);
          expect(bad).toHaveLength(1);
          expect(bad[0]).toMatchObject({ severity: 2, line: 5 });
          expect(messagesOf(output, 'src/good.ts').filter(message => message.ruleId === RULE)).toEqual([]);
        }
      });

      it('lints a plain JavaScript project with the README config', () => {
        const output = run.lint.projects.js;
        expect(fatal(output)).toEqual([]);
        expect(messagesOf(output, 'lib/bad.js').filter(message => message.messageId === 'missingNodeTypes')).toEqual([]);
        if (hasTimeoutRule) {
          expect(messagesOf(output, 'lib/bad.js').filter(message => message.ruleId === RULE)).toHaveLength(1);
          expect(messagesOf(output, 'lib/good.js').filter(message => message.ruleId === RULE)).toEqual([]);
        }
      });

      it('says once per networking file that @types/node is missing', () => {
        const output = run.lint.projects['no-types'];
        expect(fatal(output)).toEqual([]);
        expect(messagesOf(output, 'a.ts').filter(message => message.messageId === 'missingNodeTypes')).toHaveLength(1);
        expect(messagesOf(output, 'plain.ts')).toEqual([]);
      });

      it('says once per networking file that typed linting is missing without projectService', () => {
        const output = run.lint.projects.untyped;
        expect(fatal(output)).toEqual([]);
        for (const file of ['a.ts', 'b.js']) {
          expect(messagesOf(output, file).filter(message => message.messageId === 'missingTypeInfo'), file).toHaveLength(1);
        }
      });

      it('runs the try-out CLI of the installed package', () => {
        const results = JSON.parse(run.cli.stdout || '[]') as { messages: Message[] }[];
        expect(results, run.cli.stderr).toHaveLength(1);
        expect(results[0]?.messages.filter(message => message.fatal === true)).toEqual([]);
        if (hasTimeoutRule) {
          expect(run.cli.code, run.cli.stderr).toBe(1);
          expect(
            results[0]?.messages.filter(message => message.ruleId === RULE),
            JSON.stringify(results[0]?.messages.map(({ ruleId, messageId, line, message }) => ({ ruleId, messageId, line, message }))),
          ).toHaveLength(1);
        } else {
          expect([0, 1]).toContain(run.cli.code);
        }
      });
    });
  }
});
