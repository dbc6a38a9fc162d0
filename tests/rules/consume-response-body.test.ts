import rule from '../../rules/consume-response-body.js';
import { createRuleTester, jsFile } from '../rule-tester.js';

const ruleTester = createRuleTester();

ruleTester.run('consume-response-body', rule, {
  valid: [
    // Instrumentation on a request created elsewhere: its owner's own 'response' handler reads the body.
    `
import type * as http from 'node:http';
export function timings(request: http.ClientRequest): void {
  const started = Date.now();
  request.prependOnceListener('response', response => {
    response.once('end', () => console.log('took', Date.now() - started));
  });
}
`,
    // The request (kept in a variable and a holder object, created through a chosen module) is aborted on every
    // path, by the handler or by a helper of the file: aborting the request releases its response too.
    {
      code: `
const http = require('node:http');
const https = require('node:https');
function fail(target, request) {
  if (request.setHeader) { request.abort(); } else { request.destroy(); }
}
function open(target, options, secure) {
  const create = secure ? https.request : http.request;
  let req;
  req = target.req = create(options);
  req.on('error', () => {});
  req.on('response', res => {
    if (res.statusCode >= 300 && res.statusCode < 400) {
      if (++target.redirects > 3) {
        fail(target, req);
        return;
      }
      req.abort();
      open(target, options, secure);
    } else {
      fail(target, req);
    }
  });
}
module.exports = open;
`,
      filename: jsFile,
    },
    // The fix of tests/tcp/consume-response-body.test.ts: resume() releases the socket.
    `
import * as http from 'node:http';
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
http.get({ host: '127.0.0.1', port: 8080, path: '/status', agent }, (res) => {
  console.log(res.statusCode);
  res.resume();
}).on('error', () => {});
`,
    // A 'data' listener (with setEncoding), the classic reader.
    `
import * as http from 'node:http';
http.get('http://example.test/', res => {
  let body = '';
  res.setEncoding('utf8');
  res.on('data', chunk => (body += chunk));
  res.on('end', () => console.log(body));
});
`,
    // An early return that resumes first; pipe on the other path.
    `
import * as http from 'node:http';
import { createWriteStream } from 'node:fs';
http.get('http://example.test/file', res => {
  if (res.statusCode !== 200) {
    res.resume();
    return;
  }
  res.pipe(createWriteStream('/tmp/file'));
});
`,
    // stream.pipeline, for await, and stream/consumers.
    `
import * as http from 'node:http';
import * as https from 'node:https';
import { pipeline } from 'node:stream';
import { text } from 'node:stream/consumers';
import { createWriteStream } from 'node:fs';
http.get('http://example.test/a', res => {
  pipeline(res, createWriteStream('/tmp/a'), err => console.log(err));
});
https.get('https://example.test/b', async res => {
  let size = 0;
  for await (const chunk of res) {
    size += (chunk as Buffer).length;
  }
  console.log(size);
});
https.get('https://example.test/c', async res => {
  if (res.statusCode !== 200) {
    res.destroy();
    return;
  }
  console.log(await text(res));
});
`,
    // A helper in another file that reads the body.
    `
import * as http from 'node:http';
import { readBody } from './consume-response-body-helpers.js';
http.get('http://example.test/', res => {
  readBody(res).then(body => console.log(body.length), console.error);
});
`,
    // No 'response' listener at all: Node discards the body itself.
    `
import * as http from 'node:http';
const req = http.request({ host: 'example.test', method: 'DELETE', path: '/item/1' });
req.on('error', () => {});
req.end();
http.get('http://example.test/ping').on('error', () => {});
`,
    // Destroying the request, or the response's socket, releases the connection.
    `
import * as http from 'node:http';
const req = http.get('http://example.test/', res => {
  if (res.statusCode === 204) {
    req.destroy();
    return;
  }
  if (res.statusCode !== 200) {
    res.socket.destroy();
    return;
  }
  res.resume();
});
`,
    // Escapes: stored in a field, pushed to a list, handed to a callback we cannot see.
    `
import * as http from 'node:http';
declare function handle(res: http.IncomingMessage): void;
class Client {
  last: http.IncomingMessage | null = null;
  start(): void {
    http.get('http://example.test/', res => {
      this.last = res;
    });
  }
}
const pending: http.IncomingMessage[] = [];
http.get('http://example.test/a', res => {
  pending.push(res);
});
http.get('http://example.test/b', res => handle(res));
`,
    // Handlers we cannot resolve: a promise's resolve.
    `
import * as http from 'node:http';
export function get(url: string): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    http.get(url, resolve).on('error', reject);
  });
}
`,
    // A 'readable' listener, and a named handler that consumes.
    `
import * as http from 'node:http';
function onResponse(res: http.IncomingMessage): void {
  res.on('readable', () => {
    while (res.read() !== null) {
      // drain
    }
  });
}
http.get('http://example.test/', onResponse);
`,
    // fetch: the body is read.
    `
export async function load(url: string): Promise<string> {
  const res = await fetch(url);
  console.log(res.status);
  return res.text();
}
`,
    // fetch: cancelled on the early return, read on the other path.
    `
export async function loadJson(url: string): Promise<unknown> {
  const res = await fetch(url);
  if (!res.ok) {
    await res.body?.cancel();
    return null;
  }
  return res.json();
}
`,
    // fetch: returned to the caller, or stored in a Map.
    `
const cache = new Map<string, Response>();
export async function open(url: string): Promise<Response> {
  const res = await fetch(url);
  return res;
}
export async function remember(url: string): Promise<void> {
  const res = await fetch(url);
  cache.set(url, res);
}
export async function direct(url: string): Promise<Response> {
  return await fetch(url);
}
`,
    // fetch: helpers in another file that read or cancel.
    `
import { discard, readJson } from './consume-response-body-helpers.js';
export async function a(url: string): Promise<unknown> {
  const res = await fetch(url);
  return readJson(res);
}
export async function b(url: string): Promise<void> {
  const res = await fetch(url);
  await discard(res);
}
`,
    // fetch: the body streamed, or handed to Node streams; an early return before the fetch.
    `
import { Readable } from 'node:stream';
import type { ReadableStream as WebStream } from 'node:stream/web';
export async function stream(url: string | null): Promise<number> {
  if (!url) {
    return 0;
  }
  const res = await fetch(url);
  let size = 0;
  for await (const chunk of res.body ?? []) {
    size += chunk.length;
  }
  return size;
}
export async function toNode(url: string): Promise<Readable | null> {
  const res = await fetch(url);
  if (res.body === null) {
    throw new Error('no body');
  }
  return Readable.fromWeb(res.body as WebStream<Uint8Array>);
}
`,
    // fetch: a throw needs no cancel (only normal exits are checked), try/catch with both paths reading.
    `
export async function strict(url: string): Promise<unknown> {
  const res = await fetch(url);
  if (!res.ok) {
    throw new Error(String(res.status));
  }
  try {
    return await res.json();
  } catch {
    return await res.text();
  }
}
`,
    // JS with checkJs.
    {
      code: `
const http = require('node:http');
http.get('http://example.test/', function (res) {
  res.resume();
});
async function load(url) {
  const res = await fetch(url);
  return res.arrayBuffer();
}
module.exports = { load };
`,
      filename: jsFile,
    },
    // Another 'response' listener of the same request reads the body.
    `
import * as http from 'node:http';
const req = http.request({ host: 'example.test' });
req.on('response', res => console.log('status', res.statusCode));
req.on('response', res => res.pipe(process.stdout));
req.end();
`,
  ],
  invalid: [
    // The bad case of tests/tcp/consume-response-body.test.ts: the body is never read.
    {
      code: `
import * as http from 'node:http';
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
http.get({ host: '127.0.0.1', port: 8080, path: '/status', agent }, (res) => {
  console.log(res.statusCode);
}).on('error', () => {});
`,
      errors: [
        {
          messageId: 'unreadResponse',
          data: { name: 'res' },
          line: 4,
          suggestions: [
            {
              messageId: 'addResume',
              data: { name: 'res' },
              output: `
import * as http from 'node:http';
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
http.get({ host: '127.0.0.1', port: 8080, path: '/status', agent }, (res) => {
  res.resume();
  console.log(res.statusCode);
}).on('error', () => {});
`,
            },
          ],
        },
      ],
    },
    // The classic: an early return on a non-200 status.
    {
      code: `
import * as http from 'node:http';
import { createWriteStream } from 'node:fs';
http.get('http://example.test/file', res => {
  if (res.statusCode !== 200) {
    console.error('status', res.statusCode);
    return;
  }
  res.pipe(createWriteStream('/tmp/file'));
});
`,
      errors: [
        {
          messageId: 'unreadResponse',
          suggestions: [
            {
              messageId: 'addResume',
              output: `
import * as http from 'node:http';
import { createWriteStream } from 'node:fs';
http.get('http://example.test/file', res => {
  if (res.statusCode !== 200) {
    console.error('status', res.statusCode);
    res.resume();
    return;
  }
  res.pipe(createWriteStream('/tmp/file'));
});
`,
            },
          ],
        },
      ],
    },
    // The same without braces.
    {
      code: `
import * as https from 'node:https';
https.get('https://example.test/', res => {
  if (res.statusCode !== 200) return;
  res.on('data', chunk => console.log(chunk.length));
});
`,
      errors: [
        {
          messageId: 'unreadResponse',
          data: { name: 'res' },
          suggestions: [
            {
              messageId: 'addResume',
              output: `
import * as https from 'node:https';
https.get('https://example.test/', res => {
  if (res.statusCode !== 200) { res.resume(); return; }
  res.on('data', chunk => console.log(chunk.length));
});
`,
            },
          ],
        },
      ],
    },
    // Only 'end' and 'close' listeners: 'end' never fires on an unread body.
    resumeFirst(
      `
import * as http from 'node:http';
http.get('http://example.test/', res => {
  res.on('end', () => console.log('done'));
  res.on('close', () => console.log('closed'));
});
`,
      "  res.on('end', () => console.log('done'));",
    ),
    // A helper in another file that only looks at the head.
    resumeFirst(
      `
import * as http from 'node:http';
import { logStatus } from './consume-response-body-helpers.js';
http.get('http://example.test/', res => {
  logStatus(res);
});
`,
      '  logStatus(res);',
    ),
    // req.on('response'), with an alias.
    resumeFirst(
      `
import * as http from 'node:http';
const req = http.request({ host: 'example.test', method: 'POST' });
req.on('response', response => {
  const r = response;
  console.log(r.headers['content-type']);
});
req.end('{}');
`,
      '  const r = response;',
      'response',
    ),
    // A named handler of this file.
    resumeFirst(
      `
import * as http from 'node:http';
function onResponse(res: http.IncomingMessage): void {
  console.log(res.statusCode);
}
http.get('http://example.test/', onResponse);
`,
      '  console.log(res.statusCode);',
    ),
    // A handler that never looks at the response, and one that only destructures the head.
    {
      code: `
import * as http from 'node:http';
http.get('http://example.test/a', () => console.log('done'));
http.get('http://example.test/b', ({ statusCode }) => console.log(statusCode));
`,
      errors: [
        { messageId: 'unreadResponse', data: { name: 'the response' }, line: 3, suggestions: [] },
        { messageId: 'unreadResponse', data: { name: 'the response' }, line: 4, suggestions: [] },
      ],
    },
    // try/catch: the catch path leaves without reading.
    {
      code: `
import * as http from 'node:http';
declare const out: NodeJS.WritableStream;
http.get('http://example.test/', res => {
  try {
    JSON.parse(String(res.headers['x-meta']));
    res.pipe(out);
  } catch {
    return;
  }
});
`,
      errors: [
        {
          messageId: 'unreadResponse',
          suggestions: [
            {
              messageId: 'addResume',
              output: `
import * as http from 'node:http';
declare const out: NodeJS.WritableStream;
http.get('http://example.test/', res => {
  try {
    JSON.parse(String(res.headers['x-meta']));
    res.pipe(out);
  } catch {
    res.resume();
    return;
  }
});
`,
            },
          ],
        },
      ],
    },
    // An expression-bodied handler.
    {
      code: `
import * as http from 'node:http';
http.get('http://example.test/', res => console.log(res.statusCode));
`,
      errors: [
        {
          messageId: 'unreadResponse',
          suggestions: [
            {
              messageId: 'addResume',
              output: `
import * as http from 'node:http';
http.get('http://example.test/', res => { res.resume(); console.log(res.statusCode); });
`,
            },
          ],
        },
      ],
    },
    // JS with checkJs.
    {
      ...resumeFirst(
        `
const http = require('node:http');
http.get('http://example.test/', function (res) {
  console.log(res.statusCode);
});
`,
        '  console.log(res.statusCode);',
      ),
      filename: jsFile,
    },
    // fetch: only the status is read, then the function returns.
    {
      code: `
export async function isUp(url: string): Promise<boolean> {
  const res = await fetch(url);
  return res.ok;
}
`,
      errors: [
        {
          messageId: 'unreadFetchBody',
          data: { name: 'res' },
          line: 3,
          suggestions: [
            {
              messageId: 'addCancel',
              data: { name: 'res' },
              output: `
export async function isUp(url: string): Promise<boolean> {
  const res = await fetch(url);
  await res.body?.cancel();
  return res.ok;
}
`,
            },
          ],
        },
      ],
    },
    // fetch: an early return skips the read.
    {
      code: `
export async function loadJson(url: string): Promise<unknown> {
  const res = await fetch(url);
  if (!res.ok) {
    return null;
  }
  return res.json();
}
`,
      errors: [
        {
          messageId: 'unreadFetchBody',
          suggestions: [
            {
              messageId: 'addCancel',
              output: `
export async function loadJson(url: string): Promise<unknown> {
  const res = await fetch(url);
  if (!res.ok) {
    await res.body?.cancel();
    return null;
  }
  return res.json();
}
`,
            },
          ],
        },
      ],
    },
    // fetch: a response nobody names.
    {
      code: `
export async function notify(url: string): Promise<void> {
  await fetch(url, { method: 'POST', body: '{}' });
}
`,
      errors: [
        {
          messageId: 'unreadFetchBody',
          data: { name: 'the response' },
          suggestions: [
            {
              messageId: 'addCancel',
              output: `
export async function notify(url: string): Promise<void> {
  await (await fetch(url, { method: 'POST', body: '{}' })).body?.cancel();
}
`,
            },
          ],
        },
      ],
    },
    // fetch at the top level of a module: the body is read on one branch only, so the program's fall-through end (an
    // exit ESLint adds to the program's code path only after the last node event) is a path that leaves it unread.
    {
      code: `
const res = await fetch('http://localhost:8080/health');
if (res.ok) {
  console.log(await res.text());
}
export {};
`,
      errors: [{ messageId: 'unreadFetchBody', line: 2 }],
    },
    // fetch: destructuring only the head.
    {
      code: `
export async function statusOf(url: string): Promise<number> {
  const { status } = await fetch(url);
  return status;
}
`,
      errors: [{ messageId: 'unreadFetchBody', data: { name: 'the response' }, suggestions: [] }],
    },
    // fetch: a helper in another file that only reads the status.
    {
      code: `
import { statusOf } from './consume-response-body-helpers.js';
export async function check(url: string): Promise<boolean> {
  const res = await fetch(url);
  return statusOf(res) === 200;
}
`,
      errors: [
        {
          messageId: 'unreadFetchBody',
          suggestions: [
            {
              messageId: 'addCancel',
              output: `
import { statusOf } from './consume-response-body-helpers.js';
export async function check(url: string): Promise<boolean> {
  const res = await fetch(url);
  await res.body?.cancel();
  return statusOf(res) === 200;
}
`,
            },
          ],
        },
      ],
    },
    // fetch in a loop: 'continue' drops an unread body (no safe place for a single cancel).
    {
      code: `
export async function firstOk(urls: string[]): Promise<string | null> {
  for (const url of urls) {
    const res = await fetch(url);
    if (!res.ok) {
      continue;
    }
    return await res.text();
  }
  return null;
}
`,
      errors: [{ messageId: 'unreadFetchBody', data: { name: 'res' }, suggestions: [] }],
    },
    // fetch at the top level of a module, in JS with checkJs.
    {
      code: `
const res = await fetch('http://example.test/health');
console.log(res.status);
`,
      filename: jsFile,
      errors: [
        {
          messageId: 'unreadFetchBody',
          suggestions: [
            {
              messageId: 'addCancel',
              output: `
const res = await fetch('http://example.test/health');
await res.body?.cancel();
console.log(res.status);
`,
            },
          ],
        },
      ],
    },
  ],
});

/** One `unreadResponse` error on `name`, fixed by `name.resume();` before the line `first`. */
function resumeFirst(code: string, first: string, name = 'res') {
  const indent = /^\s*/.exec(first)?.[0] ?? '';
  return {
    code,
    errors: [
      {
        messageId: 'unreadResponse' as const,
        data: { name },
        suggestions: [
          {
            messageId: 'addResume' as const,
            data: { name },
            output: code.replace(first, `${indent}${name}.resume();\n${first}`),
          },
        ],
      },
    ],
  };
}
