import type { TSESLint } from '@typescript-eslint/utils';

import type { SocketLeaksDocs } from '../src/create-rule.js';

import timeoutClosesSocket from './timeout-closes-socket.js';

// Rules are listed in alphabetical order of their ids.
export const rules: Record<string, TSESLint.RuleModule<string, readonly unknown[], SocketLeaksDocs>> = {
  'timeout-closes-socket': timeoutClosesSocket,
};
