import { RuleTester } from '@typescript-eslint/rule-tester';
import * as path from 'node:path';
import { afterAll, describe, it } from 'vitest';

RuleTester.afterAll = afterAll;
RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

/** The folder of the on-disk fixtures (`file.ts`, `script.js`, helpers) and their tsconfig. */
export const fixturesDir = path.join(import.meta.dirname, 'fixtures');

/** A JS file type-checked with `checkJs`. */
export const jsFile = 'script.js';

export function createRuleTester(): RuleTester {
  return new RuleTester({
    languageOptions: {
      parserOptions: {
        project: './tsconfig.json',
        tsconfigRootDir: fixturesDir,
      },
    },
  });
}
