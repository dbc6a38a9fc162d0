import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import { describe, expect, it } from 'vitest';

import { isOnErrorPath } from '../../src/engine/error-paths.js';
import { analyze } from './analyze.js';

/**
 * For every call `mark('label')` of the snippet, whether it is on an error path. The snippet declares
 * `mark(label: string): void`.
 */
function marks(code: string, allowIn?: string[]): Record<string, boolean> {
  return analyze(`declare function mark(label: string): void; // on a socket's error path or not\n${code}`, model => {
    const out: Record<string, boolean> = {};
    for (const call of model.paths.calls) {
      if (
        call.type === AST_NODE_TYPES.CallExpression &&
        call.callee.type === AST_NODE_TYPES.Identifier &&
        call.callee.name === 'mark' &&
        call.arguments[0]?.type === AST_NODE_TYPES.Literal
      ) {
        out[String(call.arguments[0].value)] = isOnErrorPath(model, call, allowIn ? { allowIn } : {});
      }
    }
    return out;
  });
}

describe('isOnErrorPath', () => {
  it('knows catch clauses, and not try or finally blocks', () => {
    expect(
      marks(`
try { mark('try'); } catch { mark('catch'); } finally { mark('finally'); }
`),
    ).toEqual({ try: false, catch: true, finally: false });
  });

  it('reads the polarity of error tests', () => {
    expect(
      marks(`
export function cb(err: Error | null, other: string, e?: Error) {
  if (err) mark('if-err'); else mark('else-err');
  if (!err) mark('if-not-err'); else mark('else-not-err');
  if (err == null) mark('eq-null');
  if (err !== null) mark('neq-null');
  if (other) mark('unrelated');
  err ? mark('cond') : mark('cond-else');
  err && mark('and');
  !err || mark('or');
  if (e?.message.includes('x')) mark('member');
}
`),
    ).toEqual({
      'if-err': true,
      'else-err': false,
      'if-not-err': false,
      'else-not-err': true,
      'eq-null': false,
      'neq-null': true,
      unrelated: false,
      cond: true,
      'cond-else': false,
      and: true,
      or: true,
      member: true,
    });
  });

  it('treats what follows `if (!err) return;` as the error path, and what follows `if (err) return;` as not', () => {
    expect(
      marks(`
export function a(err?: Error) { if (!err) return; mark('after-no-error-exit'); }
export function b(err?: Error) { if (err) return; mark('after-error-exit'); }
`),
    ).toEqual({ 'after-no-error-exit': true, 'after-error-exit': false });
  });

  it('knows error, timeout and abort listeners, rejection handlers and failure-named functions', () => {
    expect(
      marks(`
import * as net from 'node:net';
const socket = net.connect(80);
socket.on('error', () => mark('error'));
socket.setTimeout(10, () => mark('timeout'));
socket.on('data', () => mark('data'));
socket.on('error', () => { setImmediate(() => mark('nested')); });
function named() { mark('named'); }
socket.once('error', named);
declare const signal: AbortSignal;
signal.addEventListener('abort', () => mark('abort'));
Promise.resolve().then(() => mark('then'), () => mark('then-rejected')).catch(() => mark('catch'));
function onFailure() { mark('by-name'); }
socket.on('close', (hadError: boolean) => { if (hadError) mark('had-error'); });
if (socket.errored) mark('errored');
if (signal.aborted) mark('aborted');
export { onFailure };
`),
    ).toEqual({
      error: true,
      timeout: true,
      data: false,
      nested: true,
      named: true,
      abort: true,
      then: false,
      'then-rejected': true,
      catch: true,
      'by-name': true,
      'had-error': true,
      errored: true,
      aborted: true,
    });
  });

  it('adds allowIn events and function names', () => {
    const code = `
import * as net from 'node:net';
const socket = net.connect(80);
socket.on('end', () => mark('end'));
export function shutdownNow() { mark('shutdown'); }
`;
    expect(marks(code)).toEqual({ end: false, shutdown: false });
    expect(marks(code, ['end', 'shutdownNow'])).toEqual({ end: true, shutdown: true });
  });
});
