// What `npm pack` publishes: the build, the docs, the README, the license, the manifest and the bin, and nothing of
// the tests, fixtures, examples, benchmark or maintainer scripts; publint and arethetypeswrong (esm-only profile)
// find nothing wrong with the packed tarball.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { publint } from 'publint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { rules } from '../../rules/index.js';
import { assertBuilt, makeTempDir, REPO_ROOT, removeDir } from './helpers.js';

const exec = promisify(execFile);

interface PackResult {
  filename: string;
  files: { path: string }[];
}

/** `npm pack` without lifecycle scripts: dist/ is already built (npm test builds first), and must not be rebuilt under the feet of the other test files. */
async function pack(args: readonly string[]): Promise<PackResult> {
  const { stdout } = await exec('npm', ['pack', '--ignore-scripts', '--json', ...args], { cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024 });
  const [result] = JSON.parse(stdout) as PackResult[];
  if (!result) {
    throw new Error(`npm pack printed no result: ${stdout}`);
  }
  return result;
}

const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
  main: string;
  types: string;
  bin: Record<string, string>;
  exports: Record<string, string | Record<string, string>>;
};

let listed: string[] = [];
let dir = '';
let tarball = '';

beforeAll(async () => {
  assertBuilt();
  listed = (await pack(['--dry-run'])).files.map(file => file.path).sort();
  dir = makeTempDir('pack');
  tarball = path.join(dir, (await pack(['--pack-destination', dir])).filename);
}, 120_000);

afterAll(() => {
  removeDir(dir);
});

/** The manifest's entry points, without a leading `./`. */
function entryPoints(): string[] {
  const targets = [manifest.main, manifest.types, ...Object.values(manifest.bin)];
  for (const value of Object.values(manifest.exports)) {
    targets.push(...(typeof value === 'string' ? [value] : Object.values(value)));
  }
  return [...new Set(targets.map(target => target.replace(/^\.\//, '')))];
}

describe('npm pack --dry-run', () => {
  it('lists the manifest, README, LICENSE, the bin, the build and the docs', () => {
    for (const file of ['package.json', 'README.md', 'LICENSE', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/cli/main.js', 'docs/tcp-states.md']) {
      expect(listed, file).toContain(file);
    }
    for (const file of entryPoints()) {
      expect(listed, `entry point ${file}`).toContain(file);
    }
    for (const id of Object.keys(rules)) {
      expect(listed, id).toContain(`dist/rules/${id}.js`);
      expect(listed, id).toContain(`dist/rules/${id}.d.ts`);
      expect(listed, id).toContain(`docs/rules/${id}.md`);
    }
  });

  it('lists no tests, fixtures, examples, benchmark, maintainer scripts, sources or repository config', () => {
    const forbidden = [
      /^tests?\//,
      /(^|\/)fixtures?\//,
      /^examples\//,
      /^bench\//,
      /^scripts\//,
      /^dist\/(tests|bench|scripts)\//,
      /^(src|rules)\//,
      /^\.ci\//,
      /\.test\.[cm]?[jt]s$/,
      /^tsconfig.*\.json$/,
      /^(vitest|eslint)\.config\./,
      /^\.eslint-doc-generatorrc/,
      /\.tgz$/,
      /^coverage\//,
      /^DEVELOPERS\.md$/,
    ];
    const offending = listed.filter(file => forbidden.some(pattern => pattern.test(file)));
    expect(offending).toEqual([]);
  });

  it('publishes no stale build output: every file in dist/ comes from a source file', () => {
    const stale = listed
      .filter(file => file.startsWith('dist/') && /\.(d\.ts|js)$/.test(file))
      .filter(file => {
        const source = file.replace(/^dist\//, '').replace(/(\.d\.ts|\.js)$/, '.ts');
        return !fs.existsSync(path.join(REPO_ROOT, source));
      });
    expect(stale, 'remove dist/ and build again').toEqual([]);
  });

  it('keeps the bin executable by node (shebang)', () => {
    for (const bin of Object.values(manifest.bin)) {
      expect(fs.readFileSync(path.join(REPO_ROOT, bin), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    }
  });
});

describe('the packed tarball', () => {
  it('is clean for publint (strict: warnings count)', async () => {
    const buffer = fs.readFileSync(tarball);
    const { messages } = await publint({
      pack: { tarball: buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) },
      strict: true,
    });
    expect(messages).toEqual([]);
  });

  it('is clean for @arethetypeswrong/cli --profile esm-only', async () => {
    const attw = path.join(REPO_ROOT, 'node_modules/.bin/attw');
    const run = await exec(attw, [tarball, '--profile', 'esm-only', '--format', 'json'], { maxBuffer: 16 * 1024 * 1024 }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code?: number; stdout?: string }) => ({ code: error.code ?? -1, stdout: error.stdout ?? '' }),
    );
    const report = JSON.parse(run.stdout) as { problems?: Record<string, { resolutionKind?: string }[]> };
    // esm-only ignores what CommonJS `require` sees (this package is ESM only); everything else must resolve.
    const problems = Object.values(report.problems ?? {})
      .flat()
      .filter(problem => problem.resolutionKind !== 'node16-cjs' && problem.resolutionKind !== 'node10');
    expect(problems).toEqual([]);
    expect(run.code).toBe(0);
  }, 60_000);
});
