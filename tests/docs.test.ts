// Every code example in docs/rules/*.md is linted as its own file with that doc's rule:
// a block under a ❌ marker must get at least one report from the rule, a block under a ✅ marker none.
import type { Linter } from 'eslint';

import { clearCaches } from '@typescript-eslint/parser';
import * as tsParser from '@typescript-eslint/parser';
import { ESLint } from 'eslint';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { rules } from '../rules/index.js';
import plugin from '../src/index.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DOCS_DIR = path.join(REPO_ROOT, 'docs/rules');
const HEADER_END = '<!-- end auto-generated rule header -->';

type Kind = 'incorrect' | 'correct';

interface Example {
  /** The rule id, from the doc's file name. */
  rule: string;
  kind: Kind;
  /** 1-based line of the opening fence in the doc. */
  line: number;
  extension: string;
  code: string;
  /** `docs/rules/<rule>.md:<line> (❌)`, for test names and messages. */
  name: string;
}

const EXTENSIONS: Record<string, string> = {
  js: '.js',
  javascript: '.js',
  jsx: '.jsx',
  mjs: '.mjs',
  cjs: '.cjs',
  ts: '.ts',
  typescript: '.ts',
  tsx: '.tsx',
  mts: '.mts',
  cts: '.cts',
};

/**
 * The code blocks of a rule doc that follow a ❌ or ✅ marker: a heading (`#### ❌ Incorrect`) or a line starting
 * with the mark. A heading without a mark ends the marker's reach; the generated header is skipped. Blocks in other
 * languages (json, sh, …) are not examples.
 */
export function extractExamples(rule: string, markdown: string): Example[] {
  const lines = markdown.split(/\r?\n/);
  const headerEnd = lines.findIndex(line => line.trim() === HEADER_END);
  const examples: Example[] = [];
  let kind: Kind | null = null;
  let fence: { marker: string; extension: string | null; line: number; body: string[] } | null = null;
  for (let index = headerEnd + 1; index < lines.length; index++) {
    const line = lines[index] ?? '';
    if (fence) {
      if (line.trim() === fence.marker) {
        if (kind !== null && fence.extension !== null) {
          examples.push({
            rule,
            kind,
            line: fence.line,
            extension: fence.extension,
            code: `${fence.body.join('\n')}\n`,
            name: `docs/rules/${rule}.md:${fence.line} (${kind === 'incorrect' ? '❌' : '✅'})`,
          });
        }
        fence = null;
      } else {
        fence.body.push(line);
      }
      continue;
    }
    const open = /^\s*(`{3,}|~{3,})\s*([\w-]*)/.exec(line);
    if (open) {
      const language = (open[2] ?? '').toLowerCase();
      fence = { marker: open[1] ?? '```', extension: EXTENSIONS[language] ?? null, line: index + 1, body: [] };
      continue;
    }
    const heading = /^#{1,6}\s/.test(line);
    const text = line.replace(/^#{1,6}\s+/, '').trim();
    if (text.startsWith('❌')) {
      kind = 'incorrect';
    } else if (text.startsWith('✅')) {
      kind = 'correct';
    } else if (heading) {
      kind = null;
    }
  }
  return examples;
}

const docFiles = fs.existsSync(DOCS_DIR)
  ? fs
      .readdirSync(DOCS_DIR)
      .filter(name => name.endsWith('.md'))
      .sort()
  : [];
const examples = docFiles.flatMap(name =>
  extractExamples(path.basename(name, '.md'), fs.readFileSync(path.join(DOCS_DIR, name), 'utf8')),
);

let workDir: string | undefined;
const reports = new Map<Example, { rule: Linter.LintMessage[]; fatal: Linter.LintMessage[] }>();

/** Lints all examples in one ESLint run: one typed project holding every block as its own module. */
async function lintExamples(): Promise<void> {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'socket-leaks-docs-')));
  workDir = dir;
  fs.writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        allowJs: true,
        checkJs: false,
        noEmit: true,
        strict: true,
        target: 'esnext',
        lib: ['esnext'],
        module: 'nodenext',
        moduleResolution: 'nodenext',
        moduleDetection: 'force',
        jsx: 'preserve',
        skipLibCheck: true,
        types: ['node'],
        typeRoots: [path.join(REPO_ROOT, 'node_modules/@types')],
      },
      include: ['**/*'],
    }),
  );
  const files = new Map<string, Example>();
  examples.forEach((example, index) => {
    const file = path.join(dir, example.rule, `${String(index).padStart(3, '0')}-${example.kind}${example.extension}`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, example.code);
    files.set(file, example);
  });
  const ruleIds = [...new Set(examples.map(example => example.rule))];
  clearCaches();
  const eslint = new ESLint({
    cwd: dir,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.{js,jsx,mjs,cjs,ts,tsx,mts,cts}'],
        languageOptions: {
          parser: tsParser,
          parserOptions: { projectService: true, tsconfigRootDir: dir },
        },
        plugins: { 'socket-leaks': plugin as unknown as ESLint.Plugin },
        linterOptions: { reportUnusedDisableDirectives: 'off' },
      },
      ...ruleIds.map(rule => ({
        files: [`${rule}/**`],
        rules: { [`socket-leaks/${rule}`]: 'error' as const },
      })),
    ],
  });
  const results = await eslint.lintFiles([...files.keys()]);
  for (const result of results) {
    const example = files.get(result.filePath);
    if (example) {
      reports.set(example, {
        rule: result.messages.filter(message => message.ruleId === `socket-leaks/${example.rule}`),
        fatal: result.messages.filter(message => message.fatal === true),
      });
    }
  }
}

beforeAll(async () => {
  if (examples.length > 0) {
    await lintExamples();
  }
}, 120_000);

afterAll(() => {
  clearCaches();
  if (workDir) {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
});

function describeMessages(messages: readonly Linter.LintMessage[]): string {
  return messages.map(message => `${message.line}:${message.column} ${message.message}`).join('\n');
}

describe('rule docs', () => {
  it('docs/rules is a readable directory', () => {
    expect(fs.statSync(DOCS_DIR).isDirectory()).toBe(true);
    expect(Array.isArray(fs.readdirSync(DOCS_DIR))).toBe(true);
  });

  it.each(docFiles)('%s documents an existing rule with ❌ and ✅ examples', name => {
    const rule = path.basename(name, '.md');
    expect(Object.keys(rules), `no rule named ${rule}`).toContain(rule);
    const own = examples.filter(example => example.rule === rule);
    expect(own.filter(example => example.kind === 'incorrect').length, 'no ❌ example').toBeGreaterThan(0);
    expect(own.filter(example => example.kind === 'correct').length, 'no ✅ example').toBeGreaterThan(0);
  });

  it.each(examples.map(example => [example.name, example] as const))('%s', (_name, example) => {
    const report = reports.get(example);
    expect(report, `${example.name} was not linted`).toBeDefined();
    expect(describeMessages(report?.fatal ?? []), `${example.name} does not parse`).toBe('');
    if (example.kind === 'incorrect') {
      expect(report?.rule.length, `${example.name} gets no report from ${example.rule}`).toBeGreaterThan(0);
    } else {
      expect(describeMessages(report?.rule ?? []), `${example.name} gets a report from ${example.rule}`).toBe('');
    }
  });
});

describe('extractExamples', () => {
  const sample = [
    '# socket-leaks/demo',
    '',
    '💼 This rule is enabled in the ✅ `recommended` config.',
    '',
    '```js',
    'header();',
    '```',
    '',
    HEADER_END,
    '',
    '## Rule Details',
    '',
    '#### ❌ Incorrect',
    '',
    '```ts',
    'bad();',
    '```',
    '',
    '❌ Also incorrect:',
    '',
    '~~~javascript',
    'alsoBad();',
    '~~~',
    '',
    '#### ✅ Correct',
    '',
    '```ts',
    'good();',
    '```',
    '',
    '```json',
    '{ "not": "code" }',
    '```',
    '',
    '## Options',
    '',
    '```js',
    'config();',
    '```',
  ].join('\n');

  it('takes the blocks under ❌ / ✅ markers and nothing else', () => {
    expect(extractExamples('demo', sample).map(({ kind, extension, code, line }) => ({ kind, extension, code, line }))).toEqual([
      { kind: 'incorrect', extension: '.ts', code: 'bad();\n', line: 15 },
      { kind: 'incorrect', extension: '.js', code: 'alsoBad();\n', line: 21 },
      { kind: 'correct', extension: '.ts', code: 'good();\n', line: 27 },
    ]);
  });
});
