import type { TSESLint } from '@typescript-eslint/utils';

import { ESLintUtils } from '@typescript-eslint/utils';

/** The `meta.docs` fields every rule of this plugin declares. */
export interface SocketLeaksDocs {
  /** The config that first enables the rule: `recommended` (and everything above it) or `strict`. */
  recommended: 'recommended' | 'strict';
  /** All rules read types through typescript-eslint's typed linting. */
  requiresTypeChecking: true;
}

export const REPOSITORY_URL = 'https://github.com/socket-leaks/eslint-plugin-socket-leaks';

type RuleDefinition<Options extends readonly unknown[], MessageIds extends string> = Readonly<
  ESLintUtils.RuleWithMetaAndName<Options, MessageIds, SocketLeaksDocs>
>;

/**
 * typescript-eslint's `RuleCreator`, without its cost per file: it deep-clones and merges the default options into
 * `context.options` every time a rule is created, that is once per rule and file (a few microseconds each, tens of
 * milliseconds over a large program). Here a rule with `meta.defaultOptions` gets `context.options` as they are (ESLint
 * 9.15 and later have already merged the defaults into them), a rule given no options (or taking none: `schema: []`)
 * gets its (frozen) defaults, and only options given to a rule without `meta.defaultOptions` are merged the way
 * `RuleCreator` merges them.
 */
export function createRule<Options extends readonly unknown[], MessageIds extends string>({
  name,
  meta,
  defaultOptions,
  create,
}: RuleDefinition<Options, MessageIds>): TSESLint.RuleModule<MessageIds, Options, SocketLeaksDocs> & { name: string } {
  const defaults = deepFreeze(structuredClone(meta.defaultOptions ?? defaultOptions ?? ([] as unknown as Options)));
  const mergedByESLint = meta.defaultOptions !== undefined;
  // `schema: []`: ESLint rejects any options for the rule, so there is nothing to read or merge.
  const takesNoOptions = Array.isArray(meta.schema) && meta.schema.length === 0;
  return {
    name,
    meta: { ...meta, docs: { ...meta.docs, url: `${REPOSITORY_URL}/blob/main/docs/rules/${name}.md` } },
    defaultOptions: defaults,
    create(context) {
      if (takesNoOptions) {
        return create(context, defaults);
      }
      const given = context.options;
      if (given.length === 0) {
        return create(context, defaults);
      }
      return create(context, mergedByESLint ? given : (ESLintUtils.applyDefault(defaults, given) as Readonly<Options>));
    },
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) {
      deepFreeze(child);
    }
  }
  return value;
}
