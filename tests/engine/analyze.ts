import type { TSESLint } from '@typescript-eslint/utils';

import * as parser from '@typescript-eslint/parser';
import { Linter } from 'eslint';
import * as path from 'node:path';

import type { FileModel } from '../../src/engine/index.js';

import { runSocketRule } from '../../src/engine/index.js';
import { fixturesDir } from '../rule-tester.js';

export interface Analysis {
  model: FileModel;
  messages: Linter.LintMessage[];
}

/**
 * Lints `code` as `tests/fixtures/file.ts` (or `filename`) with typed linting and hands back the engine's model of
 * the file, so engine tests can assert on it directly. `inspect` runs inside the rule, where the model is complete.
 */
export function analyze<T>(
  code: string,
  inspect: (model: FileModel) => T,
  options: { filename?: string; settings?: Record<string, unknown> } = {},
): T {
  let result: { value: T } | null = null;
  let failure: unknown = null;
  const rule: TSESLint.RuleModule<'unused'> = {
    defaultOptions: [],
    meta: { type: 'problem', messages: { unused: 'unused' }, schema: [] },
    create(context) {
      return runSocketRule(context as never, model => {
        try {
          result = { value: inspect(model) };
        } catch (error) {
          failure = error;
        }
      });
    },
  };
  const linter = new Linter({ configType: 'flat' });
  const messages = linter.verify(
    code,
    [
      {
        files: ['**/*.ts', '**/*.js'],
        languageOptions: {
          parser,
          parserOptions: { project: './tsconfig.json', tsconfigRootDir: fixturesDir },
        },
        plugins: { engine: { rules: { capture: rule as never } } },
        rules: { 'engine/capture': 'error' },
        settings: options.settings ?? {},
      },
    ],
    { filename: path.join(fixturesDir, options.filename ?? 'file.ts') },
  );
  if (failure) {
    throw failure instanceof Error ? failure : new Error('inspect failed', { cause: failure });
  }
  const fatal = messages.find(message => message.fatal);
  if (fatal) {
    throw new Error(`parse failed: ${fatal.message}`);
  }
  if (!result) {
    throw new Error(`the engine did not run: ${JSON.stringify(messages)}`);
  }
  return (result as { value: T }).value;
}
