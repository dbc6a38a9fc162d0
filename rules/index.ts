import type { TSESLint } from '@typescript-eslint/utils';

import type { SocketLeaksDocs } from '../src/create-rule.js';

import consumeResponseBody from './consume-response-body.js';
import consumeSocket from './consume-socket.js';
import destroyPartnerSocket from './destroy-partner-socket.js';
import endHalfOpenSocket from './end-half-open-socket.js';
import handleSocketErrors from './handle-socket-errors.js';
import keepaliveInitialDelay from './keepalive-initial-delay.js';
import noResetAndDestroy from './no-reset-and-destroy.js';
import noSocketOverwrite from './no-socket-overwrite.js';
import noWriteAfterEnd from './no-write-after-end.js';
import serverReapsIdleSockets from './server-reaps-idle-sockets.js';
import timeoutClosesSocket from './timeout-closes-socket.js';

// Rules are listed in alphabetical order of their ids.
export const rules: Record<string, TSESLint.RuleModule<string, readonly unknown[], SocketLeaksDocs>> = {
  'consume-response-body': consumeResponseBody,
  'consume-socket': consumeSocket,
  'destroy-partner-socket': destroyPartnerSocket,
  'end-half-open-socket': endHalfOpenSocket,
  'handle-socket-errors': handleSocketErrors,
  'keepalive-initial-delay': keepaliveInitialDelay,
  'no-reset-and-destroy': noResetAndDestroy,
  'no-socket-overwrite': noSocketOverwrite,
  'no-write-after-end': noWriteAfterEnd,
  'server-reaps-idle-sockets': serverReapsIdleSockets,
  'timeout-closes-socket': timeoutClosesSocket,
};
