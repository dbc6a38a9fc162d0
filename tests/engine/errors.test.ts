import { describe, expect, it } from 'vitest';

import type { FileModel } from '../../src/engine/index.js';

import { errorCoverage, hasUncaughtExceptionHandler, needsErrorListener } from '../../src/engine/errors.js';
import { jsFile } from '../rule-tester.js';
import { analyze } from './analyze.js';

/** Every resource that needs an 'error' listener, with the kind of its coverage. */
function coverage(code: string, filename?: string): Record<string, string> {
  return analyze(
    code,
    (model: FileModel) =>
      Object.fromEntries(
        model
          .allResources()
          .filter(resource => needsErrorListener(model, resource))
          .map(resource => [resource.name, errorCoverage(model, resource).kind]),
      ),
    filename ? { filename } : {},
  );
}

describe('needsErrorListener', () => {
  it('covers created, accepted, upgraded and helper sockets and client requests; not borrowed ones', () => {
    const result = coverage(`
import * as net from 'node:net';
import * as http from 'node:http';
import * as tls from 'node:tls';
import { openConnection } from './connect.js';
const created = net.connect(80);
const secure = tls.connect({ port: 443 });
const fromHelper = openConnection(81);
const request = http.request({ host: 'example.test' });
net.createServer(accepted => accepted.end()).listen(0);
http.createServer((req, res) => {
  req.socket.write('x');
  res.end();
}).on('upgrade', (req, upgraded) => upgraded.end());
export function given(borrowed: net.Socket): void { borrowed.write('x'); }
`);
    expect(result).toEqual({
      created: 'missing',
      secure: 'missing',
      fromHelper: 'missing',
      request: 'missing',
      accepted: 'missing',
      upgraded: 'missing',
    });
  });

  it('skips sockets that never connect, user subclasses, raw tls connections, any-typed bindings and helpers that listen', () => {
    const result = coverage(`
import * as net from 'node:net';
import * as tls from 'node:tls';
import { openGuarded } from './handle-socket-errors-helpers.js';
class Mine extends net.Socket {}
const idle = new net.Socket();
const mine = new Mine();
mine.connect(80);
const untyped: any = net.connect(80);
const guarded = openGuarded(82);
const dialled = new net.Socket();
dialled.connect(83);
tls.createServer({}).on('connection', raw => raw.setNoDelay(true));
`);
    expect(result).toEqual({ dialled: 'missing' });
  });
});

describe('errorCoverage', () => {
  it('counts listeners (aliases, once, this), pipeline/finished/once, helpers, for await, unknown events', () => {
    const result = coverage(`
import * as net from 'node:net';
import { once } from 'node:events';
import { finished, pipeline } from 'node:stream';
import { wire } from './helpers.js';
declare const event: string;
declare const sink: NodeJS.WritableStream;
const a = net.connect(1); const a2 = a; a2.once('error', () => {});
const b = net.connect(2); pipeline(b, sink, () => {});
const c = net.connect(3); finished(c, () => {});
const d = net.connect(4); void once(d, 'connect');
const e = net.connect(5); wire(e);
const f = net.connect(6); f.on('data', function () { this.on('error', () => {}); });
const g = net.connect(7); g.on(event, () => {});
export async function h(): Promise<void> { const s = net.connect(8); for await (const x of s) console.log(x); }
`);
    // pipeline takes the stream over: an escape, which is as silent as 'handled'.
    expect(result).toEqual({ a: 'handled', b: 'escapes', c: 'handled', d: 'handled', e: 'handled', f: 'handled', g: 'handled', s: 'handled' });
  });

  it('knows escapes, and that being piped into is not one', () => {
    const result = coverage(`
import * as net from 'node:net';
declare function keep(s: net.Socket): void;
declare const source: import('node:stream').Readable;
const a = net.connect(1); keep(a);
const b = net.connect(2); const box = { b };
const c = net.connect(3); source.pipe(c);
const d = net.connect(4); console.log(d);
export { box };
`);
    expect(result).toEqual({ a: 'escapes', b: 'escapes', c: 'missing', d: 'missing' });
  });

  it('tells listeners registered only once connected', () => {
    const result = coverage(
      `
const net = require('node:net');
const a = net.connect(1);
a.on('connect', () => { a.on('error', () => {}); });
const b = net.connect({ port: 2 }, () => { b.on('error', () => {}); });
const c = new net.Socket();
c.connect(3, () => { c.on('error', () => {}); });
const d = net.connect(4);
d.on('connect', () => {});
d.on('error', () => {});
net.createServer(accepted => { accepted.on('connect', () => { accepted.on('error', () => {}); }); });
`,
      jsFile,
    );
    expect(result).toEqual({ a: 'late', b: 'late', c: 'late', d: 'handled', accepted: 'handled' });
  });

  it('sees a process-wide uncaughtException handler', () => {
    expect(analyze(`process.on('uncaughtException', () => {});\nimport 'node:net';`, hasUncaughtExceptionHandler)).toBe(true);
    expect(analyze(`process.on('exit', () => {});\nimport 'node:net';`, hasUncaughtExceptionHandler)).toBe(false);
  });
});
