import { ESLintUtils } from '@typescript-eslint/utils';

/** The `meta.docs` fields every rule of this plugin declares. */
export interface SocketLeaksDocs {
  /** The config that first enables the rule: `recommended` (and everything above it) or `strict`. */
  recommended: 'recommended' | 'strict';
  /** All rules read types through typescript-eslint's typed linting. */
  requiresTypeChecking: true;
}

export const REPOSITORY_URL = 'https://github.com/socket-leaks/eslint-plugin-socket-leaks';

export const createRule = ESLintUtils.RuleCreator<SocketLeaksDocs>(
  name => `${REPOSITORY_URL}/blob/main/docs/rules/${name}.md`,
);
