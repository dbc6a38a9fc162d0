import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import { describe, expect, it } from 'vitest';

import type { FileModel } from '../../src/engine/index.js';

import {
  consumingAnchors,
  patternMayConsume,
  responseHandedOff,
  responseHandlers,
} from '../../src/engine/consumption.js';
import { codePathOwner } from '../../src/engine/paths.js';
import { jsFile } from '../rule-tester.js';
import { analyze } from './analyze.js';

/** For each 'response' handler: the source of its consuming anchors, and whether the response is handed off. */
function handlers(code: string, filename?: string) {
  return analyze(
    code,
    (model: FileModel) =>
      responseHandlers(model).map(({ handler, request, listener }) => {
        const param = handler.params[0];
        const response = param?.type === AST_NODE_TYPES.Identifier ? model.resourceOfParam(param, 'incoming-message') : null;
        return {
          method: listener.method,
          hasRequest: request !== null,
          anchors: response
            ? consumingAnchors(model, handler, response, request)
                .map(a => model.sourceCode.getText(a))
                .sort()
            : null,
          handedOff: response ? responseHandedOff(response) : null,
        };
      }),
    filename ? { filename } : {},
  );
}

/** For each fetch response: the source of its consuming anchors in the function that fetched it. */
function fetches(code: string) {
  return analyze(code, (model: FileModel) =>
    model
      .allResources()
      .filter(r => r.kind === 'fetch-response')
      .map(r => ({
        name: r.name,
        anchors: consumingAnchors(model, codePathOwner(r.node), r)
          .map(a => model.sourceCode.getText(a).split('\n')[0]!)
          .sort(),
        handedOff: responseHandedOff(r),
      })),
  );
}

describe('responseHandlers', () => {
  it('finds factory callbacks (inline and by name) and response listeners on requests, in TS and JS', () => {
    const found = handlers(`
import * as http from 'node:http';
import * as https from 'node:https';
function onResponse(res: http.IncomingMessage): void { res.resume(); }
http.get('http://example.test/', res => res.resume());
https.get('https://example.test/', onResponse);
const req = http.request({ host: 'example.test' });
req.on('response', res => res.resume());
req.end();
`);
    expect(found.map(f => f.method)).toEqual(['callback', 'callback', 'on']);
    expect(found.every(f => f.hasRequest)).toBe(true);
    const js = handlers(
      `
const http = require('node:http');
http.get('http://example.test/', function (res) { res.resume(); });
`,
      jsFile,
    );
    expect(js).toHaveLength(1);
  });

  it('ignores response events of things that are not client requests', () => {
    expect(
      handlers(`
import { EventEmitter } from 'node:events';
// An emitter, not an http.ClientRequest.
const e = new EventEmitter();
e.on('response', (res: unknown) => console.log(res));
`),
    ).toEqual([]);
  });
});

describe('consumingAnchors (http)', () => {
  it('finds readers, closers, data/readable listeners, pipes and code we cannot see', () => {
    const [found] = handlers(`
import * as http from 'node:http';
import { pipeline } from 'node:stream';
import { text } from 'node:stream/consumers';
declare const out: NodeJS.WritableStream;
http.get('http://example.test/', res => {
  res.resume();
  res.pipe(out);
  res.on('data', () => {});
  res.once('readable', () => {});
  res.destroy();
  res.socket.destroy();
  pipeline(res, out, () => {});
  void text(res);
  res.toArray();
  res.on('end', () => res.resume());
  res.setEncoding('utf8');
  console.log(res);
});
`);
    expect(found?.anchors).toEqual(
      [
        'res.resume()',
        'res.pipe(out)',
        "res.on('data', () => {})",
        "res.once('readable', () => {})",
        'res.destroy()',
        'res.socket.destroy()',
        'pipeline(res, out, () => {})',
        'text(res)',
        'res.toArray()',
      ].sort(),
    );
  });

  it('follows callbacks, for await, helpers in other files, and the request', () => {
    const [first, second] = handlers(`
import * as http from 'node:http';
import { logStatus, readBody } from './consume-response-body-helpers.js';
const req = http.get('http://example.test/', async res => {
  logStatus(res);
  setImmediate(() => res.resume());
  for await (const chunk of res) {
    console.log(chunk);
  }
  await readBody(res);
  req.destroy();
});
http.get('http://example.test/', res => {
  process.exit(1);
});
`);
    expect(first?.anchors).toEqual(
      [
        'setImmediate(() => res.resume())',
        'req.destroy()',
        'readBody(res)',
        'for await (const chunk of res) {\n    console.log(chunk);\n  }',
      ].sort(),
    );
    expect(second?.anchors).toEqual(['process.exit(1)']);
  });

  it('knows what hands a response off without a call', () => {
    const found = handlers(`
import * as http from 'node:http';
const kept: http.IncomingMessage[] = [];
class C {
  last?: http.IncomingMessage;
  go(): void {
    http.get('http://example.test/', res => { this.last = res; });
  }
}
http.get('http://example.test/', res => { const all = [res]; kept.push(...all); });
http.get('http://example.test/', res => { console.log(res.statusCode); });
`);
    expect(found.map(f => f.handedOff)).toEqual([true, true, false]);
  });
});

describe('consumingAnchors (fetch)', () => {
  it('finds body readers, body stream methods, body hand-offs and helpers', () => {
    const [found] = fetches(`
import { Readable } from 'node:stream';
import { readJson, statusOf } from './consume-response-body-helpers.js';
export async function f(url: string) {
  const res = await fetch(url);
  statusOf(res);
  await res.text();
  await res.json();
  await res.body?.cancel();
  res.body?.getReader();
  Readable.fromWeb(res.body as never);
  await readJson(res);
  for await (const chunk of res.body ?? []) {
    console.log(chunk);
  }
  console.log(res.ok, res.headers.get('x'));
}
`);
    expect(found?.anchors).toEqual(
      [
        'res.text()',
        'res.json()',
        'res.body?.cancel()',
        'res.body?.getReader()',
        'Readable.fromWeb(res.body as never)',
        'readJson(res)',
        'for await (const chunk of res.body ?? []) {',
      ].sort(),
    );
    expect(found?.handedOff).toBe(false);
  });

  it('knows what hands a response or its body off', () => {
    const found = fetches(`
export async function a(url: string) { const res = await fetch(url); return res; }
export async function b(url: string) { const res = await fetch(url); const body = res.body; return body; }
export async function c(url: string) { const res = await fetch(url); return { res }; }
export async function d(url: string) { const res = await fetch(url); return res.status; }
`);
    expect(found.map(f => f.handedOff)).toEqual([true, true, true, false]);
  });
});

describe('patternMayConsume', () => {
  it('tells head-only patterns from ones that may reach the body', () => {
    const result = analyze(
      `
// Patterns that destructure http responses.
const { statusCode, headers } = {} as any;
const { body } = {} as any;
const { ok, ...rest } = {} as any;
`,
      model =>
        model.sourceCode.ast.body.map(statement =>
          statement.type === AST_NODE_TYPES.VariableDeclaration
            ? [
                patternMayConsume(statement.declarations[0].id, 'incoming-message'),
                patternMayConsume(statement.declarations[0].id, 'fetch-response'),
              ]
            : null,
        ),
    );
    expect(result).toEqual([
      [false, true],
      [true, true],
      [true, true],
    ]);
  });
});
