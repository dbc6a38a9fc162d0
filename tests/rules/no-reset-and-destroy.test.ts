import rule from '../../rules/no-reset-and-destroy.js';
import { createRuleTester, jsFile } from '../rule-tester.js';

const ruleTester = createRuleTester();

/** A net server whose connection handler runs `body` (the shape of tests/tcp/no-reset-and-destroy.test.ts). */
const server = (body: string): string => `
import * as net from 'node:net';
net.createServer(socket => {
  socket.on('error', () => {});
${body}
}).listen(0);
`;

ruleTester.run('no-reset-and-destroy', rule, {
  valid: [
    // Inside an 'error' listener.
    server(`  socket.on('error', () => socket.resetAndDestroy());`),
    // Inside a 'timeout' callback: giving up on an idle peer.
    server(`  socket.setTimeout(200, () => {\n    socket.resetAndDestroy();\n  });`),
    // In a catch clause, around a helper from another file that throws.
    `
import * as net from 'node:net';
import { parseHeader } from './no-reset-and-destroy-helpers.js';
net.createServer(socket => {
  socket.on('data', chunk => {
    try {
      parseHeader(chunk.toString());
    } catch {
      socket.resetAndDestroy();
    }
  });
});
`,
    // Guarded by the error of a write callback.
    server(`  socket.write('hello', err => {\n    if (err) socket.resetAndDestroy();\n  });`),
    // After an early return on the no-error path.
    server(`  socket.write('hello', err => {\n    if (!err) return;\n    socket.resetAndDestroy();\n  });`),
    // A conditional on a caught error, and on an error checked by a helper in another file.
    `
import * as net from 'node:net';
import { isFatal } from './no-reset-and-destroy-helpers.js';
export function handle(socket: net.Socket, work: () => void): void {
  try {
    work();
  } catch (error) {
    console.error(error);
  }
  socket.on('error', () => {});
  socket.once('close', () => {});
  const failure: Error | undefined = Math.random() > 0.5 ? new Error('x') : undefined;
  failure ? socket.resetAndDestroy() : socket.end();
  if (failure && isFatal(failure)) socket.resetAndDestroy();
}
`,
    // socket.errored, and an aborted signal.
    `
import * as net from 'node:net';
export function close(socket: net.Socket, signal: AbortSignal): void {
  if (socket.errored) socket.resetAndDestroy();
  if (signal.aborted) socket.resetAndDestroy();
  signal.addEventListener('abort', () => socket.resetAndDestroy());
}
`,
    // An http request that was aborted.
    `
import * as http from 'node:http';
http.createServer((req, res) => {
  req.on('aborted', () => req.socket.resetAndDestroy());
  res.end('ok');
});
`,
    // A function whose name says it aborts.
    `
import * as net from 'node:net';
export function abortConnection(socket: net.Socket): void {
  socket.resetAndDestroy();
}
`,
    // A promise rejection handler.
    `
import * as net from 'node:net';
import { once } from 'node:events';
const socket = net.connect(80);
once(socket, 'connect').then(() => socket.end('hi'), () => socket.resetAndDestroy());
once(socket, 'ready').catch(() => socket.resetAndDestroy());
`,
    // Nested in an 'error' listener, and a named listener registered for 'error' only.
    server(`  socket.on('error', () => { setImmediate(() => socket.resetAndDestroy()); });\n  function cleanup() { socket.resetAndDestroy(); }\n  socket.once('error', cleanup);`),
    // `this` in a 'timeout' function listener.
    server(`  socket.on('timeout', function () { this.resetAndDestroy(); });`),
    // allowIn: a listener event.
    {
      code: server(`  socket.on('end', () => socket.resetAndDestroy());`),
      options: [{ allowIn: ['end'] }],
    },
    // allowIn: a function name.
    {
      code: `
import * as net from 'node:net';
export function shutdownNow(sockets: net.Socket[]): void {
  for (const socket of sockets) socket.resetAndDestroy();
}
`,
      options: [{ allowIn: ['shutdownNow'] }],
    },
    // tls, inside 'error'.
    `
import * as tls from 'node:tls';
const secure = tls.connect({ host: 'example.test', port: 443 });
secure.on('error', () => secure.resetAndDestroy());
`,
    // JS with checkJs, inside a catch clause.
    {
      code: `
const net = require('node:net');
const socket = net.connect(80);
socket.on('data', chunk => {
  try {
    JSON.parse(chunk.toString());
  } catch (e) {
    socket.resetAndDestroy();
  }
});
`,
      filename: jsFile,
    },
    // Not a socket, or nothing known.
    `
declare const handle: { resetAndDestroy(): void };
declare const anything: any;
handle.resetAndDestroy();
anything.resetAndDestroy();
`,
    // The 'close' listener's hadError.
    server(`  socket.on('close', hadError => { if (hadError) socket.resetAndDestroy(); });`),
  ],
  invalid: [
    // The TCP proof's bad case: a report is queued, then the connection is reset.
    invalid(server(`  socket.once('data', () => {\n    socket.write(Buffer.alloc(16 * 1024 * 1024, 0x61));\n    socket.resetAndDestroy();\n  });`)),
    // Right after connecting.
    invalid(`
import * as net from 'node:net';
const socket = net.connect(4000, '127.0.0.1');
socket.on('connect', () => socket.resetAndDestroy());
`),
    // Through an alias, on the peer's FIN (a normal close).
    invalid(server(`  const s = socket;\n  s.on('end', () => s.resetAndDestroy());`), 's'),
    // `this` in a 'data' function listener.
    invalid(server(`  socket.on('data', function () { this.resetAndDestroy(); });`), 'this'),
    // The wrong branch of an error test.
    invalid(server(`  socket.write('hello', err => {\n    if (!err) socket.resetAndDestroy();\n  });`)),
    // After an early return on the error path: what follows is the success path.
    invalid(server(`  socket.write('hello', err => {\n    if (err) return;\n    socket.resetAndDestroy();\n  });`)),
    // A write callback that resets whether or not there was an error.
    invalid(server(`  socket.write('hello', err => {\n    console.log(err);\n    socket.resetAndDestroy();\n  });`)),
    // In the try block, not the catch clause.
    invalid(server(`  try {\n    socket.resetAndDestroy();\n  } catch (err) {\n    console.error(err);\n  }`)),
    // A finally block runs on success too.
    invalid(server(`  try {\n    socket.write('bye');\n  } finally {\n    socket.resetAndDestroy();\n  }`)),
    // After handing a report to a helper in another file: the queued report is discarded.
    invalid(`
import * as net from 'node:net';
import { sendReport } from './no-reset-and-destroy-helpers.js';
net.createServer(socket => {
  socket.on('error', () => {});
  sendReport(socket, Buffer.from('report'));
  socket.resetAndDestroy();
});
`),
    // JS with checkJs.
    {
      ...invalid(`
const net = require('node:net');
const socket = net.connect(80);
socket.on('data', () => socket.resetAndDestroy());
`),
      filename: jsFile,
    },
    // tls.
    invalid(`
import * as tls from 'node:tls';
const secure = tls.connect({ host: 'example.test', port: 443 });
secure.on('secureConnect', () => secure.resetAndDestroy());
`, 'secure'),
    // A class field, in a plain method.
    invalid(`
import * as net from 'node:net';
class Client {
  socket = net.connect(80);
  close() {
    this.socket.resetAndDestroy();
  }
}
`, 'this.socket'),
    // A socket kept in a Map (escaped) is still reset abortively here.
    invalid(`
import * as net from 'node:net';
const pool = new Map<string, net.Socket>();
const socket = net.connect(80);
pool.set('a', socket);
socket.resetAndDestroy();
`),
    // A socket returned by a helper we own.
    invalid(`
import * as net from 'node:net';
function open(): net.Socket {
  return net.connect(80);
}
const conn = open();
conn.resetAndDestroy();
`, 'conn'),
    // allowIn names another event: 'end' is still reported.
    {
      ...invalid(server(`  socket.on('end', () => socket.resetAndDestroy());`)),
      options: [{ allowIn: ['close'] }],
    },
    // A function name that says nothing about errors.
    invalid(`
import * as net from 'node:net';
export function shutdown(socket: net.Socket): void {
  socket.resetAndDestroy();
}
`),
    // An optional call: the suggestions keep the optional chain.
    invalid(`
import * as net from 'node:net';
let socket: net.Socket | undefined = net.connect(80);
socket?.resetAndDestroy();
`),
    // A computed member: reported, no suggestion.
    {
      code: `
import * as net from 'node:net';
const socket = net.connect(80);
socket['resetAndDestroy']();
`,
      errors: [{ messageId: 'resetAndDestroy' as const, data: { name: 'socket' }, suggestions: [] }],
    },
    // Inside a loop that is not an error path.
    invalid(`
import * as net from 'node:net';
export function closeAll(sockets: Set<net.Socket>): void {
  for (const socket of sockets) {
    socket.resetAndDestroy();
  }
}
`),
  ],
});

/** An invalid case with one error, whose suggestions replace `resetAndDestroy` with `end` and `destroy`. */
function invalid(code: string, name = 'socket') {
  const at = code.lastIndexOf('resetAndDestroy');
  const replaced = (method: string): string => code.slice(0, at) + method + code.slice(at + 'resetAndDestroy'.length);
  return {
    code,
    errors: [
      {
        messageId: 'resetAndDestroy' as const,
        data: { name },
        suggestions: [
          { messageId: 'useEnd' as const, data: { name }, output: replaced('end') },
          { messageId: 'useDestroy' as const, data: { name }, output: replaced('destroy') },
        ],
      },
    ],
  };
}
