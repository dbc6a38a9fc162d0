// The plugin as users load it: the README's eslint.config.mjs, in a project of its own, through ESLint's Node.js API.
import type { Linter } from 'eslint';

import { clearCaches } from '@typescript-eslint/parser';
import * as tsParser from '@typescript-eslint/parser';
import { ESLint } from 'eslint';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { rules } from '../../rules/index.js';
import {
  assertBuilt,
  BAD_JS,
  BAD_TS,
  GOOD_JS,
  GOOD_TS,
  linkNodeModules,
  makeTempDir,
  readmeSectionFiles,
  REPO_ROOT,
  removeDir,
} from './helpers.js';

const RULE = 'socket-leaks/timeout-closes-socket';
const hasTimeoutRule = 'timeout-closes-socket' in rules;
const hasAnyRule = Object.keys(rules).length > 0;

type Results = Map<string, ESLint.LintResult>;

/** Lints every file of `dir` with the project's own eslint.config.mjs, as `npx eslint .` there would. */
async function lintProjectDir(dir: string): Promise<Results> {
  const eslint = new ESLint({ cwd: dir });
  const results = await eslint.lintFiles(['.']);
  return new Map(results.map(result => [path.relative(dir, result.filePath), result]));
}

function messagesOf(results: Results, file: string): Linter.LintMessage[] {
  const result = results.get(file);
  if (!result) {
    throw new Error(`${file} was not linted; linted: ${[...results.keys()].join(', ')}`);
  }
  return result.messages;
}

function fatalMessages(results: Results): string[] {
  return [...results.values()].flatMap(result =>
    result.messages.filter(message => message.fatal === true).map(message => `${result.filePath}: ${message.message}`),
  );
}

let dirs: string[] = [];

beforeAll(() => {
  assertBuilt();
});

afterEach(() => {
  // typescript-eslint keeps one project service per process, made for the first project it saw.
  clearCaches();
});

afterAll(() => {
  dirs.forEach(removeDir);
  dirs = [];
});

function project(prefix: string, files: Record<string, string>): string {
  const dir = makeTempDir(prefix, files);
  dirs.push(dir);
  linkNodeModules(dir);
  return dir;
}

describe('the README configs', () => {
  it('show an eslint.config.mjs and a tsconfig.json with "types": ["node"] for TypeScript', () => {
    const files = readmeSectionFiles('TypeScript project');
    expect(Object.keys(files).sort()).toEqual(['eslint.config.mjs', 'tsconfig.json']);
    expect(files['eslint.config.mjs']).toMatch(/projectService: true/);
    expect(files['eslint.config.mjs']).toMatch(/tsconfigRootDir: import\.meta\.dirname/);
    expect(files['eslint.config.mjs']).toMatch(/socketLeaks\.configs\.recommended/);
    expect(files['tsconfig.json']).toMatch(/"types": \["node"\]/);
  });

  it('show an eslint.config.mjs and a jsconfig.json with "types": ["node"] for JavaScript', () => {
    const files = readmeSectionFiles('JavaScript project');
    expect(Object.keys(files).sort()).toEqual(['eslint.config.mjs', 'jsconfig.json']);
    expect(files['jsconfig.json']).toMatch(/"types": \["node"\]/);
  });
});

describe('ESLint 10 with the README config', () => {
  it('loads the plugin and lints a TypeScript project without parse errors', async () => {
    const dir = project('ts', {
      ...readmeSectionFiles('TypeScript project'),
      'package.json': '{ "name": "ts-project", "private": true, "type": "module" }\n',
      'src/bad.ts': BAD_TS,
      'src/good.ts': GOOD_TS,
    });
    const results = await lintProjectDir(dir);
    expect(fatalMessages(results)).toEqual([]);
    expect([...results.keys()].sort()).toEqual(['eslint.config.mjs', 'src/bad.ts', 'src/good.ts']);
    for (const file of ['src/bad.ts', 'src/good.ts']) {
      expect(messagesOf(results, file).filter(message => message.messageId === 'missingNodeTypes')).toEqual([]);
      expect(messagesOf(results, file).filter(message => message.messageId === 'missingTypeInfo')).toEqual([]);
    }
    if (hasTimeoutRule) {
      expect(messagesOf(results, 'src/bad.ts').filter(message => message.ruleId === RULE)).toHaveLength(1);
      expect(messagesOf(results, 'src/good.ts').filter(message => message.ruleId === RULE)).toEqual([]);
    }
  });

  it('loads the plugin and lints a plain JavaScript project without parse errors', async () => {
    const dir = project('js', {
      ...readmeSectionFiles('JavaScript project'),
      'package.json': '{ "name": "js-project", "private": true }\n',
      'lib/bad.js': BAD_JS,
      'lib/good.js': GOOD_JS,
    });
    const results = await lintProjectDir(dir);
    expect(fatalMessages(results)).toEqual([]);
    expect([...results.keys()].sort()).toEqual(['eslint.config.mjs', 'lib/bad.js', 'lib/good.js']);
    for (const file of ['lib/bad.js', 'lib/good.js']) {
      expect(messagesOf(results, file).filter(message => message.messageId === 'missingNodeTypes')).toEqual([]);
    }
    if (hasTimeoutRule) {
      expect(messagesOf(results, 'lib/bad.js').filter(message => message.ruleId === RULE)).toHaveLength(1);
      expect(messagesOf(results, 'lib/good.js').filter(message => message.ruleId === RULE)).toEqual([]);
    }
  });

  it.skipIf(!hasTimeoutRule)('reports timeout-closes-socket on the bad file and not on the good one', async () => {
    const dir = project('ts-rule', {
      ...readmeSectionFiles('TypeScript project'),
      'package.json': '{ "name": "ts-rule", "private": true, "type": "module" }\n',
      'bad.ts': BAD_TS,
      'good.ts': GOOD_TS,
    });
    const results = await lintProjectDir(dir);
    const bad = messagesOf(results, 'bad.ts').filter(message => message.ruleId === RULE);
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({ severity: 2, line: 5 });
    expect(messagesOf(results, 'good.ts').filter(message => message.ruleId === RULE)).toEqual([]);
    expect(fatalMessages(results)).toEqual([]);
  });

  it.skipIf(!hasAnyRule)(
    'says once per networking file that @types/node is missing when the tsconfig has no "types": ["node"]',
    async () => {
      // All of the plugin's rules at once: the diagnostic must still come once per file, not once per rule.
      const readmeConfig = readmeSectionFiles('TypeScript project')['eslint.config.mjs'] ?? '';
      const allConfig = readmeConfig.replace('socketLeaks.configs.recommended', 'socketLeaks.configs.all');
      expect(allConfig).not.toEqual(readmeConfig);
      const dir = project('no-types', {
        'eslint.config.mjs': allConfig,
        // TypeScript 6 loads no @types package unless compilerOptions.types names it.
        'tsconfig.json': '{ "compilerOptions": { "module": "nodenext", "strict": true, "noEmit": true } }\n',
        'package.json': '{ "name": "no-types", "private": true, "type": "module" }\n',
        'a.ts': BAD_TS,
        'b.ts': GOOD_TS,
        'plain.ts': 'export const answer: number = 42;\n',
      });

      const results = await lintProjectDir(dir);
      expect(fatalMessages(results)).toEqual([]);
      for (const file of ['a.ts', 'b.ts']) {
        const missing = messagesOf(results, file).filter(message => message.messageId === 'missingNodeTypes');
        expect(missing, file).toHaveLength(1);
        expect(missing[0]?.message).toMatch(/^socket-leaks cannot see @types\/node/);
        expect(missing[0]?.ruleId).toMatch(/^socket-leaks\//);
      }
      expect(messagesOf(results, 'plain.ts')).toEqual([]);
    },
  );

  it.skipIf(!hasAnyRule)('says once per networking file that typed linting is missing without projectService', async () => {
    const dir = makeTempDir('untyped', {
      'a.ts': BAD_TS,
      'b.js': BAD_JS,
      'plain.ts': 'export const answer: number = 42;\n',
    });
    dirs.push(dir);
    const { default: plugin } = (await import(path.join(REPO_ROOT, 'dist/src/index.js'))) as {
      default: { configs: Record<string, Linter.Config> };
    };
    const eslint = new ESLint({
      cwd: dir,
      overrideConfigFile: true,
      overrideConfig: [
        { files: ['**/*.{js,ts}'], languageOptions: { parser: tsParser } },
        plugin.configs.all as Linter.Config,
      ],
    });
    const results = new Map((await eslint.lintFiles(['.'])).map(result => [path.relative(dir, result.filePath), result]));
    expect(fatalMessages(results)).toEqual([]);
    for (const file of ['a.ts', 'b.js']) {
      expect(
        messagesOf(results, file).filter(message => message.messageId === 'missingTypeInfo'),
        file,
      ).toHaveLength(1);
    }
    expect(messagesOf(results, 'plain.ts')).toEqual([]);
  });
});
