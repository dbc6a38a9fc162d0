// The try-out CLI as a user runs it: `node bin/socket-leaks.js [options] [paths...]` (built code in dist/).
import type { ESLint } from 'eslint';

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { rules } from '../../rules/index.js';
import { escapeGlob, findNodeTypes } from '../../src/cli/typed-config.js';
import { assertBuilt, listFiles, makeTempDir, REPO_ROOT, removeDir } from './helpers.js';

const BIN = path.join(REPO_ROOT, 'bin/socket-leaks.js');
const EXAMPLES = path.join(REPO_ROOT, 'examples');
const hasTimeoutRule = 'timeout-closes-socket' in rules;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: readonly string[], cwd = REPO_ROOT): Promise<Run> {
  return new Promise(resolve => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd, timeout: 60_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, FORCE_COLOR: '0' } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

function parseJson(run: Run): ESLint.LintResult[] {
  return JSON.parse(run.stdout) as ESLint.LintResult[];
}

const LEAKY_TIMEOUT = `import net from 'node:net';

net.createServer(socket => {
  socket.setTimeout(1000);
  socket.on('timeout', () => console.log('idle'));
  socket.on('data', chunk => socket.write(chunk));
  socket.on('error', () => {});
}).listen(0);
`;

const dirs: string[] = [];

function tempDir(prefix: string, files: Record<string, string>): string {
  const dir = makeTempDir(prefix, files);
  dirs.push(dir);
  return dir;
}

beforeAll(() => {
  assertBuilt();
});

afterAll(() => {
  dirs.forEach(removeDir);
});

describe('socket-leaks CLI', () => {
  it('--help prints the usage and exits 0', async () => {
    const run = await cli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: socket-leaks \[options\] \[paths\.\.\.\]/);
    expect(run.stdout).toMatch(/--config <name>/);
    expect(run.stdout).toMatch(/--format <name>/);
  });

  it('types every example with @types/node, without an examples/tsconfig.json', async () => {
    expect(fs.existsSync(path.join(EXAMPLES, 'tsconfig.json'))).toBe(false);
    const run = await cli(['--format', 'json', 'examples/']);
    expect(run.code === 0 || run.code === 1, run.stderr).toBe(true);
    const results = parseJson(run);
    const linted = results.map(result => path.relative(EXAMPLES, result.filePath)).sort();
    const examples = fs.readdirSync(EXAMPLES).filter(name => /\.[cm]?[jt]sx?$/.test(name)).sort();
    expect(examples.length).toBeGreaterThanOrEqual(4);
    expect(linted).toEqual(examples);
    for (const result of results) {
      expect(result.messages.filter(message => message.fatal === true)).toEqual([]);
      expect(result.messages.filter(message => message.messageId === 'missingNodeTypes')).toEqual([]);
      expect(result.messages.filter(message => message.messageId === 'missingTypeInfo')).toEqual([]);
      expect(result.messages.every(message => message.ruleId?.startsWith('socket-leaks/'))).toBe(true);
    }
  });

  it.skipIf(!hasTimeoutRule)('finds the leaks in examples/ and exits 1', async () => {
    const run = await cli(['examples/']);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/daytime-server\.js/);
    expect(run.stdout).toMatch(/socket-leaks\/timeout-closes-socket/);
    expect(run.stdout).toMatch(/✖ \d+ problems? \(\d+ errors?, 0 warnings\)/);
  });

  it('exits 0 on a clean directory and writes nothing into it', async () => {
    const dir = tempDir('clean', {
      'index.js': "'use strict';\nconst path = require('node:path');\nconsole.log(path.join('a', 'b'));\n",
    });
    const before = listFiles(dir);
    const run = await cli([dir]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/1 file checked, no problems found/);
    expect(listFiles(dir)).toEqual(before);
  });

  it('exits 2 with a clear message for a path that does not exist', async () => {
    const run = await cli(['no/such/dir']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('socket-leaks: no such file or directory: "no/such/dir"\n');
    expect(run.stdout).toBe('');
  });

  it('exits 2 with a clear message for an unknown flag, a bad --config and a bad --format', async () => {
    const unknown = await cli(['--frobnicate', 'examples/']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('socket-leaks: unknown option --frobnicate (see --help)\n');

    const config = await cli(['--config', 'loose', 'examples/']);
    expect(config.code).toBe(2);
    expect(config.stderr).toMatch(/^socket-leaks: unknown config "loose": use one of recommended, strict, all\n$/);

    const format = await cli(['--format', 'no-such-formatter', 'examples/']);
    expect(format.code).toBe(2);
    expect(format.stderr).toMatch(/^socket-leaks: cannot load formatter "no-such-formatter"/);
    expect(format.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('exits 2 when there is nothing to lint', async () => {
    const dir = tempDir('nothing', { 'README.md': '# nothing here\n', 'node_modules/dep/index.js': 'module.exports = 1;\n' });
    const run = await cli([dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^socket-leaks: no lintable files in .*\n$/);
  });

  it.skipIf(!hasTimeoutRule)(
    "keeps the project's tsconfig for the files it includes and types the others itself",
    async () => {
      const dir = tempDir('own-tsconfig', {
        'package.json': '{ "name": "own-tsconfig", "private": true, "type": "module" }\n',
        // No "types": ["node"]: TypeScript 6 then loads no @types, and the rules must say so.
        'tsconfig.json': '{ "compilerOptions": { "module": "nodenext", "strict": true, "noEmit": true }, "include": ["src"] }\n',
        'src/server.ts': LEAKY_TIMEOUT,
        'scripts/tool.ts': LEAKY_TIMEOUT,
        // Comments about rules that are not loaded must not become problems: an `eslint-disable` comment, a rule
        // configured twice in one file, a configuration comment that is not JSON.
        'scripts/other.js': [
          '// eslint-disable-next-line no-console, react/no-danger',
          'console.log(1);',
          '/* eslint func-names: 0 */',
          'function a() {}',
          '/* eslint func-names: 0 */',
          'function b() {}',
          '/* eslint no-console: [2, {bad json */',
          'module.exports = { a, b };',
          '',
        ].join('\n'),
        // One about a rule of the plugin that is not valid JSON is reported.
        'scripts/own.js': '/* eslint socket-leaks/consume-socket: bogus */\nmodule.exports = 1;\n',
      });
      const run = await cli(['--format', 'json', dir]);
      expect(run.code, run.stderr).toBe(1);
      const byFile = new Map(parseJson(run).map(result => [path.relative(dir, result.filePath), result.messages]));
      expect([...byFile.keys()].sort()).toEqual(['scripts/other.js', 'scripts/own.js', 'scripts/tool.ts', 'src/server.ts']);
      expect(byFile.get('src/server.ts')?.map(message => message.messageId)).toEqual(['missingNodeTypes']);
      expect(byFile.get('scripts/tool.ts')?.map(message => message.ruleId)).toEqual(['socket-leaks/timeout-closes-socket']);
      expect(byFile.get('scripts/other.js')).toEqual([]);
      expect(byFile.get('scripts/own.js')?.map(message => [message.ruleId, message.line])).toEqual([[null, 1]]);
      expect(byFile.get('scripts/own.js')?.[0]?.message).toContain('socket-leaks/consume-socket');
    },
  );
});

describe('typed-config helpers', () => {
  it('findNodeTypes prefers the project and falls back to this package only when asked to', () => {
    const empty = tempDir('no-node-types', { 'index.js': '' });
    expect(findNodeTypes(empty, { searchOwnInstall: false })).toBeUndefined();
    expect(findNodeTypes(empty)?.source).toBe('socket-leaks');

    const withTypes = tempDir('node-types', { 'node_modules/@types/node/package.json': '{ "name": "@types/node" }\n' });
    expect(findNodeTypes(path.join(withTypes, 'src'), { searchOwnInstall: false })).toEqual({
      typeRoot: path.join(withTypes, 'node_modules/@types'),
      source: 'project',
    });
  });

  it('escapeGlob keeps odd file names literal', () => {
    expect(escapeGlob('a [1] {b,c}.js')).toBe('a \\[1\\] \\{b\\,c\\}.js');
    expect(escapeGlob('#x/!y*?.ts')).toBe('\\#x/\\!y\\*\\?.ts');
  });
});
