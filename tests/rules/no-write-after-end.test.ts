import rule from '../../rules/no-write-after-end.js';
import { createRuleTester, jsFile } from '../rule-tester.js';

const ruleTester = createRuleTester();

/** A client that runs `body` once connected (the shape of tests/tcp/no-write-after-end.test.ts). */
const client = (body: string): string => `
import * as net from 'node:net';
const socket = net.connect(4000, '127.0.0.1');
socket.on('connect', () => {
  socket.write('hello|');
${body}
});
`;

ruleTester.run('no-write-after-end', rule, {
  valid: [
    // The fix of the TCP proof: the write is guarded by writableEnded after end().
    client(`  socket.end();\n  if (!socket.writableEnded) {\n    socket.write('x', err => console.log(err?.code));\n  }`),
    // end() without data after end() is harmless.
    client(`  socket.end();\n  socket.end();\n  socket.end(() => console.log('finished'));`),
    // Writes before end(), and data given to end() itself.
    client(`  socket.write('a');\n  socket.end('b');`),
    // Writing after the peer's FIN is not this rule (nothing on this path ended the socket).
    client(`  socket.on('end', () => { socket.write('bye'); });`),
    // end() and write() in different listeners: not the same code path.
    client(`  socket.on('data', chunk => socket.write(chunk));\n  socket.on('timeout', () => socket.end());`),
    // An early return after end().
    client(`  const done = Math.random() > 0.5;\n  if (done) {\n    socket.end();\n    return;\n  }\n  socket.write('more');`),
    // A loop that breaks out after end().
    `
import * as net from 'node:net';
export function send(socket: net.Socket, lines: string[]): void {
  for (const line of lines) {
    if (line === 'QUIT') {
      socket.end();
      break;
    }
    socket.write(line);
  }
}
`,
    // An early-exit guard on destroyed, after the close.
    `
import * as net from 'node:net';
export function reply(socket: net.Socket, body: string): void {
  socket.destroy();
  if (socket.destroyed) return;
  socket.write(body);
}
`,
    // && guard, and a guard through a helper the rule cannot see into (in another file).
    `
import * as net from 'node:net';
import { isOpen } from './no-write-after-end-helpers.js';
const socket = net.connect(80);
socket.end();
socket.writable && socket.write('x');
if (isOpen(socket)) socket.write('y');
`,
    // Helpers in another file that close only later (from a callback) or only on some paths.
    `
import * as net from 'node:net';
import { destroyWhenFlushed, maybeEnd } from './no-write-after-end-helpers.js';
const socket = net.connect(80);
destroyWhenFlushed(socket);
socket.write('still queued before the destroy');
maybeEnd(socket, false);
socket.write('maybe');
`,
    // Two different sockets.
    `
import * as net from 'node:net';
const a = net.connect(80);
const b = net.connect(81);
a.end();
b.write('x');
`,
    // A socket looked up in a Map (escaped there): which socket it is, nobody knows here.
    `
import * as net from 'node:net';
const pool = new Map<string, net.Socket>();
const socket = net.connect(80);
pool.set('a', socket);
socket.end();
pool.get('b')?.write('x');
`,
    // A class: end() and write() in different methods.
    `
import * as net from 'node:net';
class Client {
  socket = net.connect(80);
  close() { this.socket.end(); }
  send(data: string) { this.socket.write(data); }
}
`,
    // A throw in the catch clause: no path from destroy() to the write.
    `
import * as net from 'node:net';
export function forward(socket: net.Socket, raw: string): void {
  try {
    JSON.parse(raw);
  } catch (err) {
    socket.destroy();
    throw err;
  }
  socket.write(raw);
}
`,
    // tls, guarded.
    `
import * as tls from 'node:tls';
const secure = tls.connect({ host: 'example.test', port: 443 });
secure.end();
if (secure.writable) secure.write('x');
`,
    // Not a TCP socket: tty streams and plain streams are not this rule's.
    `
import { PassThrough } from 'node:stream';
const stream = new PassThrough();
stream.end();
stream.write('x');
process.stdout.end();
process.stdout.write('x');
`,
    // Typed any: nothing is known.
    `
declare const anything: any;
anything.end();
anything.write('x');
`,
    // JS with checkJs, guarded.
    {
      code: `
const net = require('node:net');
const socket = net.connect(80);
socket.destroy();
if (!socket.destroyed) socket.write('x');
`,
      filename: jsFile,
    },
    // A switch on readyState guards the write.
    `
import * as net from 'node:net';
export function ping(socket: net.Socket): void {
  socket.end();
  switch (socket.readyState) {
    case 'open':
      socket.write('ping');
      break;
    default:
      break;
  }
}
`,
  ],
  invalid: [
    // The TCP proof's first bad case: end(), then write with a callback, no 'error' listener.
    invalid(
      client(`  socket.end();\n  socket.write('x', err => console.log(err?.code));`),
      'writeAfterEnd',
      { name: 'socket', write: 'socket.write()', close: 'socket.end()', line: '6' },
      "socket.write('x', err => console.log(err?.code));",
      'socket.writableEnded',
    ),
    // The TCP proof's second bad case: destroy(), then write: the data is dropped.
    invalid(
      client(`  socket.destroy();\n  socket.write('x', err => console.log(err?.code));`),
      'writeAfterDestroy',
      { name: 'socket', write: 'socket.write()', close: 'socket.destroy()', line: '6' },
      "socket.write('x', err => console.log(err?.code));",
      'socket.destroyed',
    ),
    // resetAndDestroy() destroys too.
    invalid(
      client(`  socket.resetAndDestroy();\n  socket.write('x');`),
      'writeAfterDestroy',
      { name: 'socket', write: 'socket.write()', close: 'socket.resetAndDestroy()', line: '6' },
      "socket.write('x');",
      'socket.destroyed',
    ),
    // end(data) after end() is a write after end.
    invalid(client(`  socket.end();\n  socket.end('bye');`), 'writeAfterEnd', { name: 'socket', write: 'socket.end(data)', close: 'socket.end()', line: '6' }, "socket.end('bye');", 'socket.writableEnded'),
    // Through an alias.
    invalid(client(`  const s = socket;\n  socket.end();\n  s.write('x');`), 'writeAfterEnd', { name: 's', write: 's.write()', close: 'socket.end()', line: '7' }, "s.write('x');", 's.writableEnded'),
    // `this` in a function listener registered on the socket.
    invalid(
      `
import * as net from 'node:net';
net.createServer(conn => {
  conn.on('data', function () {
    this.end();
    this.write('late');
  });
});
`,
      'writeAfterEnd',
      { name: 'this', write: 'this.write()', close: 'this.end()', line: '5' },
      "this.write('late');",
      'this.writableEnded',
    ),
    // A loop: end() inside the body comes before the next iteration's write.
    invalid(
      `
import * as net from 'node:net';
export function send(socket: net.Socket, chunks: string[]): void {
  for (const chunk of chunks) {
    socket.write(chunk);
    socket.end();
  }
}
`,
      'writeAfterEnd',
      { name: 'socket', write: 'socket.write()', close: 'socket.end()', line: '6' },
      'socket.write(chunk);',
      'socket.writableEnded',
    ),
    // end(data) in a loop follows itself.
    invalid(
      `
import * as net from 'node:net';
export function send(socket: net.Socket, chunks: string[]): void {
  for (const chunk of chunks) socket.end(chunk);
}
`,
      'writeAfterEnd',
      { name: 'socket', write: 'socket.end(data)', close: 'socket.end()', line: '4' },
      'socket.end(chunk);',
      'socket.writableEnded',
    ),
    // An early return that does not guard the socket's state.
    invalid(
      `
import * as net from 'node:net';
export function reply(socket: net.Socket, payload: string | undefined): void {
  socket.end();
  if (!payload) return;
  socket.write(payload);
}
`,
      'writeAfterEnd',
      { name: 'socket', write: 'socket.write()', close: 'socket.end()', line: '4' },
      'socket.write(payload);',
      'socket.writableEnded',
    ),
    // try/catch: the catch destroys, then the code goes on writing.
    invalid(
      `
import * as net from 'node:net';
export function forward(socket: net.Socket, raw: string): void {
  try {
    JSON.parse(raw);
  } catch {
    socket.destroy();
  }
  socket.write(raw);
}
`,
      'writeAfterDestroy',
      { name: 'socket', write: 'socket.write()', close: 'socket.destroy()', line: '7' },
      'socket.write(raw);',
      'socket.destroyed',
    ),
    // A guard evaluated before the close does not protect a write after it.
    invalid(
      client(`  if (!socket.writableEnded) {\n    socket.end();\n    socket.write('x');\n  }`),
      'writeAfterEnd',
      { name: 'socket', write: 'socket.write()', close: 'socket.end()', line: '7' },
      "socket.write('x');",
      'socket.writableEnded',
    ),
    // A helper in another file that ends the socket (through another helper).
    invalid(
      `
import * as net from 'node:net';
import { finishLater } from './no-write-after-end-helpers.js';
const socket = net.connect(80);
finishLater(socket);
socket.write('x');
`,
      'writeAfterEnd',
      { name: 'socket', write: 'socket.write()', close: 'finishLater()', line: '5' },
      "socket.write('x');",
      'socket.writableEnded',
    ),
    // A helper in another file that destroys it.
    invalid(
      `
import * as net from 'node:net';
import { hangUp } from './no-write-after-end-helpers.js';
const socket = net.connect(80);
hangUp(socket);
socket.write('x');
`,
      'writeAfterDestroy',
      { name: 'socket', write: 'socket.write()', close: 'hangUp()', line: '5' },
      "socket.write('x');",
      'socket.destroyed',
    ),
    // JS with checkJs and require().
    {
      ...invalid(
        `
const net = require('node:net');
const socket = net.connect(80);
socket.end();
socket.write('x');
`,
        'writeAfterEnd',
        { name: 'socket', write: 'socket.write()', close: 'socket.end()', line: '4' },
        "socket.write('x');",
        'socket.writableEnded',
      ),
      filename: jsFile,
    },
    // A tls socket; the write's result is used, so there is no statement to wrap (no suggestion).
    {
      code: `
import * as tls from 'node:tls';
const secure = tls.connect({ host: 'example.test', port: 443 });
secure.end();
const queued = secure.write('x');
console.log(queued);
`,
      errors: [{ messageId: 'writeAfterEnd' as const, data: { name: 'secure', write: 'secure.write()', close: 'secure.end()', line: '4' }, suggestions: [] }],
    },
    // A socket kept in a class field.
    invalid(
      `
import * as net from 'node:net';
class Client {
  socket = net.connect(80);
  quit() {
    this.socket.end();
    this.socket.write('QUIT\\r\\n');
  }
}
`,
      'writeAfterEnd',
      { name: 'this.socket', write: 'this.socket.write()', close: 'this.socket.end()', line: '6' },
      "this.socket.write('QUIT\\r\\n');",
      'this.socket.writableEnded',
    ),
    // Stored in a Map (escaped): the write is still a bug on this path.
    invalid(
      `
import * as net from 'node:net';
const pool = new Map<string, net.Socket>();
const socket = net.connect(80);
pool.set('a', socket);
socket.destroy();
socket.write('x');
`,
      'writeAfterDestroy',
      { name: 'socket', write: 'socket.write()', close: 'socket.destroy()', line: '6' },
      "socket.write('x');",
      'socket.destroyed',
    ),
    // Returned to the caller afterwards: still reported.
    invalid(
      `
import * as net from 'node:net';
export function open(): net.Socket {
  const s = net.connect(80);
  s.end();
  s.write('x');
  return s;
}
`,
      'writeAfterEnd',
      { name: 's', write: 's.write()', close: 's.end()', line: '5' },
      "s.write('x');",
      's.writableEnded',
    ),
    // end() then destroy() then write(): the socket is destroyed, so the data is dropped without an 'error'.
    invalid(client(`  socket.end();\n  socket.destroy();\n  socket.write('x');`), 'writeAfterDestroy', { name: 'socket', write: 'socket.write()', close: 'socket.end()', line: '6' }, "socket.write('x');", 'socket.destroyed'),
    // destroySoon() ends the socket.
    invalid(client(`  socket.destroySoon();\n  socket.write('x');`), 'writeAfterEnd', { name: 'socket', write: 'socket.write()', close: 'socket.destroySoon()', line: '6' }, "socket.write('x');", 'socket.writableEnded'),
    // A conditional end() on one branch.
    invalid(
      client(`  const quitting = Math.random() > 0.5;\n  if (quitting) socket.end();\n  socket.write('x');`),
      'writeAfterEnd',
      { name: 'socket', write: 'socket.write()', close: 'socket.end()', line: '7' },
      "socket.write('x');",
      'socket.writableEnded',
    ),
    // A guard on another socket does not count.
    invalid(
      `
import * as net from 'node:net';
const a = net.connect(80);
const b = net.connect(81);
a.end();
if (!b.writableEnded) a.write('x');
`,
      'writeAfterEnd',
      { name: 'a', write: 'a.write()', close: 'a.end()', line: '5' },
      "a.write('x');",
      'a.writableEnded',
    ),
  ],
});

/**
 * An invalid case with one error of `messageId`, whose `guardWrite` suggestion wraps `statement` in
 * `if (!guard) { … }`.
 */
function invalid(
  code: string,
  messageId: 'writeAfterEnd' | 'writeAfterDestroy',
  data: Record<string, string>,
  statement: string,
  guard: string,
) {
  if (!code.includes(statement)) {
    throw new Error(`statement not in code: ${statement}`);
  }
  return {
    code,
    errors: [
      {
        messageId,
        data,
        suggestions: [
          {
            messageId: 'guardWrite' as const,
            data: { guard },
            output: code.replace(statement, `if (!${guard}) { ${statement} }`),
          },
        ],
      },
    ],
  };
}
