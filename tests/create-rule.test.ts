import { ESLintUtils } from '@typescript-eslint/utils';
import { Linter } from 'eslint';
import { describe, expect, it } from 'vitest';

import { createRule, REPOSITORY_URL } from '../src/create-rule.js';

interface Seen {
  options: unknown;
}

/** A rule made by `createRule` that records the options its `create` receives. */
function recorder(name: string, withMetaDefaults: boolean, seen: Seen[]) {
  const defaults: [{ allowIn: string[]; depth: number }] = [{ allowIn: [], depth: 2 }];
  return createRule<[{ allowIn?: string[]; depth?: number }], 'never'>({
    name,
    meta: {
      type: 'problem',
      docs: { description: 'records its options', recommended: 'strict', requiresTypeChecking: true },
      schema: [
        {
          type: 'object',
          properties: { allowIn: { type: 'array', items: { type: 'string' } }, depth: { type: 'number' } },
          additionalProperties: false,
        },
      ],
      ...(withMetaDefaults ? { defaultOptions: defaults } : {}),
      messages: { never: 'never reported' },
    },
    defaultOptions: defaults,
    create(context, options) {
      seen.push({ options });
      return {};
    },
  });
}

function optionsSeen(withMetaDefaults: boolean, given: unknown[] | null): unknown {
  const seen: Seen[] = [];
  const linter = new Linter({ configType: 'flat' });
  linter.verify('export {};\n', [
    {
      plugins: { test: { rules: { probe: recorder('probe', withMetaDefaults, seen) as never } } },
      rules: { 'test/probe': given === null ? 'error' : ['error', ...given] },
    },
  ]);
  expect(seen).toHaveLength(1);
  return seen[0]!.options;
}

describe('createRule', () => {
  it('hands a rule the options typescript-eslint’s RuleCreator would, without merging them on every file', () => {
    const reference = (given: unknown[]) => ESLintUtils.applyDefault([{ allowIn: [] as string[], depth: 2 }], given);
    for (const withMetaDefaults of [true, false]) {
      expect(optionsSeen(withMetaDefaults, null)).toEqual(reference([]));
      expect(optionsSeen(withMetaDefaults, [{ allowIn: ['close'] }])).toEqual(reference([{ allowIn: ['close'] }]));
      expect(optionsSeen(withMetaDefaults, [{ depth: 5 }])).toEqual(reference([{ depth: 5 }]));
    }
  });

  it('gives every file the same frozen defaults when the rule is given no options', () => {
    const options = optionsSeen(false, null) as [{ allowIn: string[] }];
    expect(Object.isFrozen(options)).toBe(true);
    expect(Object.isFrozen(options[0].allowIn)).toBe(true);
  });

  it('sets the documentation URL from the rule name', () => {
    const rule = recorder('probe', true, []);
    expect(rule.meta.docs?.url).toBe(`${REPOSITORY_URL}/blob/main/docs/rules/probe.md`);
    expect(rule.name).toBe('probe');
  });
});
