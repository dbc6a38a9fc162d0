// Code scanning: a real lint of examples/ (the ESLint class, the recommended config, typed linting from the try-out
// CLI's config builder) formatted with @microsoft/eslint-formatter-sarif, as the README's SARIF workflow does.
import type { ESLint } from 'eslint';

import { clearCaches } from '@typescript-eslint/parser';
import { ESLint as ESLintClass } from 'eslint';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { DefaultProject } from '../../src/cli/typed-config.js';

import { REPOSITORY_URL } from '../../src/create-rule.js';
import { createDefaultProject, createTypedLintConfig, findNodeTypes } from '../../src/cli/typed-config.js';
import { REPO_ROOT } from './helpers.js';

const EXAMPLES = path.join(REPO_ROOT, 'examples');

interface SarifLog {
  version: string;
  runs: {
    tool: { driver: { name: string; rules?: { id: string; helpUri?: string; shortDescription?: { text: string } }[] } };
    artifacts?: { location: { uri: string } }[];
    results: {
      ruleId?: string;
      level: string;
      message: { text: string };
      locations?: { physicalLocation: { artifactLocation: { uri: string; index?: number }; region?: { startLine?: number; startColumn?: number } } }[];
    }[];
  }[];
}

let defaultProject: DefaultProject | undefined;
let results: ESLint.LintResult[] = [];
let sarif: SarifLog;

beforeAll(async () => {
  const nodeTypes = findNodeTypes(EXAMPLES);
  if (!nodeTypes) {
    throw new Error('@types/node is not installed');
  }
  defaultProject = createDefaultProject(nodeTypes);
  const files = fs
    .readdirSync(EXAMPLES)
    .filter(name => /\.[cm]?[jt]sx?$/.test(name))
    .map(name => path.join(EXAMPLES, name));
  clearCaches();
  // examples/ has no tsconfig of its own: every file gets the generated default project, as the CLI would do.
  const eslint = new ESLintClass({
    cwd: EXAMPLES,
    overrideConfigFile: true,
    overrideConfig: createTypedLintConfig(EXAMPLES, { config: 'recommended', defaultProject, defaultProjectFiles: files }),
  });
  results = await eslint.lintFiles(files);
  const formatter = await eslint.loadFormatter('@microsoft/eslint-formatter-sarif');
  sarif = JSON.parse(await formatter.format(results)) as SarifLog;
}, 120_000);

afterAll(() => {
  clearCaches();
  defaultProject?.dispose();
});

describe('SARIF output of a real lint run', () => {
  it('lints examples/ without fatal messages and finds leaks', () => {
    expect(results.length).toBeGreaterThanOrEqual(4);
    expect(results.flatMap(result => result.messages.filter(message => message.fatal === true))).toEqual([]);
    expect(results.flatMap(result => result.messages).length).toBeGreaterThan(0);
  });

  it('is SARIF 2.1.0 with one run and one result per ESLint message', () => {
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs).toHaveLength(1);
    const messageCount = results.reduce((sum, result) => sum + result.messages.length, 0);
    expect(sarif.runs[0]?.results).toHaveLength(messageCount);
  });

  it("lists the reported rules with our ids and help URIs that point to each rule's doc", () => {
    const reported = new Set(results.flatMap(result => result.messages.map(message => message.ruleId)));
    const rules = sarif.runs[0]?.tool.driver.rules ?? [];
    expect(rules.map(rule => rule.id).sort()).toEqual([...reported].sort());
    for (const rule of rules) {
      expect(rule.id).toMatch(/^socket-leaks\/[a-z-]+$/);
      const id = rule.id.slice('socket-leaks/'.length);
      expect(rule.helpUri).toBe(`${REPOSITORY_URL}/blob/main/docs/rules/${id}.md`);
      expect(fs.existsSync(path.join(REPO_ROOT, 'docs/rules', `${id}.md`)), `docs/rules/${id}.md`).toBe(true);
      expect(rule.shortDescription?.text.length ?? 0).toBeGreaterThan(0);
    }
  });

  it('gives every result a file URI and the line and column of the ESLint message', () => {
    const expected = results
      .flatMap(result => result.messages.map(message => `${result.filePath}:${message.line}:${message.column}:${message.ruleId ?? ''}`))
      .sort();
    const actual: string[] = [];
    for (const result of sarif.runs[0]?.results ?? []) {
      expect(result.level).toBe('error');
      expect(result.message.text.length).toBeGreaterThan(0);
      const location = result.locations?.[0]?.physicalLocation;
      expect(location?.artifactLocation.uri).toMatch(/^file:\/\//);
      const file = fileURLToPath(location?.artifactLocation.uri ?? 'file:///');
      expect(path.dirname(file)).toBe(EXAMPLES);
      expect(location?.region?.startLine).toBeGreaterThanOrEqual(1);
      actual.push(`${file}:${location?.region?.startLine}:${location?.region?.startColumn}:${result.ruleId ?? ''}`);
    }
    expect(actual.sort()).toEqual(expected);
  });
});
