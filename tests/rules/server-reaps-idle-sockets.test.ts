import rule from '../../rules/server-reaps-idle-sockets.js';
import { createRuleTester, jsFile } from '../rule-tester.js';

const ruleTester = createRuleTester();

/** A net server whose connection handler runs `body` (the shape of tests/tcp/server-reaps-idle-sockets.test.ts). */
const netServer = (body: string): string => `
import * as net from 'node:net';
const server = net.createServer(socket => {
  socket.on('data', chunk => console.log('got', chunk.length));
  socket.on('error', err => console.log('error', err.message));
${body}
});
server.listen(0);
`;

const IDLE = 'socket.setTimeout(60_000, () => socket.destroy());';

ruleTester.run('server-reaps-idle-sockets', rule, {
  valid: [
    // A timeout that is armed with a listener that only logs: one bug, reported once, by timeout-closes-socket.
    netServer(`  socket.setTimeout(30_000, () => console.log('idle'));`),
    // The same through a helper in another file (timeout-closes-socket reports it there).
    `
import * as net from 'node:net';
import { logWhenIdle } from './server-reaps-idle-sockets-helpers.js';
net.createServer(socket => {
  logWhenIdle(socket);
});
`,
    // The fix of the TCP proof.
    netServer(`  socket.setTimeout(300, () => {\n    socket.destroy();\n  });`),
    // setTimeout(ms) and a 'timeout' listener that ends the socket.
    netServer(`  socket.setTimeout(30_000);\n  socket.on('timeout', () => socket.end());`),
    // A helper in another file arms a closing timeout.
    `
import * as net from 'node:net';
import { armIdleTimeout } from './server-reaps-idle-sockets-helpers.js';
net.createServer(socket => {
  armIdleTimeout(socket, 30_000);
  socket.on('data', chunk => socket.write(chunk));
});
`,
    // A daytime server closes every connection itself, at once.
    `
import * as net from 'node:net';
net.createServer(socket => socket.end(new Date().toISOString() + '\\n')).listen(13);
`,
    // The socket is kept in a Set and a Map owned by someone else: they are responsible.
    `
import * as net from 'node:net';
const clients = new Set<net.Socket>();
class Hub {
  byId = new Map<number, net.Socket>();
  server = net.createServer(socket => {
    this.byId.set(this.byId.size, socket);
  });
}
net.createServer(socket => {
  clients.add(socket);
});
export { Hub };
`,
    // Handed to code we cannot see.
    `
import * as net from 'node:net';
declare function handOff(socket: net.Socket): void;
net.createServer({ pauseOnConnect: true }, socket => handOff(socket));
`,
    // No connection handler in this file, or one imported from another file: not reported.
    `
import * as net from 'node:net';
import { echo } from './server-reaps-idle-sockets-helpers.js';
export const bare = net.createServer();
bare.listen(0);
net.createServer(echo).listen(0);
`,
    // A 'connection' listener that arms the timeout; the callback itself does other work.
    `
import * as net from 'node:net';
const server = net.createServer(socket => {
  socket.on('data', chunk => socket.write(chunk));
});
server.on('connection', conn => conn.setTimeout(10_000, () => conn.destroy()));
`,
    // tls: a closing timeout on the secure socket.
    `
import * as tls from 'node:tls';
tls.createServer({}, secure => {
  secure.setTimeout(30_000, () => secure.end());
  secure.on('data', chunk => secure.write(chunk));
});
`,
    // JS with checkJs.
    {
      code: `
const net = require('node:net');
net.createServer(function (conn) {
  conn.setTimeout(5000);
  conn.on('timeout', function () { this.destroy(); });
  conn.on('data', chunk => conn.write(chunk));
});
`,
      filename: jsFile,
    },
    // Early return: every path closes or arms the timeout.
    `
import * as net from 'node:net';
const banned = new Set<string>();
net.createServer(socket => {
  if (banned.has(socket.remoteAddress ?? '')) {
    socket.destroy();
    return;
  }
  socket.setTimeout(60_000, () => socket.destroy());
});
`,
    // http servers reap by default (keep-alive 5 s + 1 s, silent clients after headersTimeout).
    `
import * as http from 'node:http';
http.createServer((req, res) => res.end('ok')).listen(0);
`,
    // The fix of the TCP proof for http: a keepAliveTimeout above 0, and other non-zero settings.
    `
import * as http from 'node:http';
const server = http.createServer({ keepAliveTimeout: 200, headersTimeout: 30_000, requestTimeout: 120_000 }, (req, res) => {
  res.end('ok');
});
let limit = 0;
limit = 65_000;
server.keepAliveTimeout = limit;
server.requestTimeout = 60_000;
`,
    // The server 'timeout' listener trap belongs to timeout-closes-socket.
    `
import * as http from 'node:http';
const server = http.createServer((req, res) => res.end('ok'));
server.on('timeout', socket => console.log('idle', socket.remotePort));
`,
    // A keepAliveTimeout property on something that is not an http server.
    `
const config = { keepAliveTimeout: 0 };
config.keepAliveTimeout = 0;
`,
    // Closes after the greeting is flushed, or after a hard deadline: neither waits for the client.
    `
import * as net from 'node:net';
net.createServer(socket => {
  socket.write('220 ready\\r\\n', () => socket.end());
});
net.createServer(socket => {
  socket.on('data', chunk => socket.write(chunk));
  setTimeout(() => socket.destroy(), 5_000);
});
`,
    // stream.pipeline owns the socket.
    `
import * as net from 'node:net';
import { pipeline, PassThrough } from 'node:stream';
net.createServer(socket => {
  pipeline(socket, new PassThrough(), socket, () => {});
});
`,
  ],
  invalid: [
    // The TCP proof's bad case.
    netInvalid(netServer(''), 'server', 'socket', `socket.on('data', chunk => console.log('got', chunk.length));`),
    // new net.Server(handler).
    netInvalid(
      `
import * as net from 'node:net';
const srv = new net.Server(socket => {
  socket.on('data', chunk => socket.write(chunk));
});
`,
      'srv',
      'socket',
      'socket.on(',
    ),
    // A 'connection' listener on an alias of the server (reported on the registration).
    netInvalid(
      `
import * as net from 'node:net';
const server = net.createServer();
const alias = server;
alias.on('connection', socket => {
  socket.on('data', chunk => socket.write(chunk));
});
`,
      'server',
      'socket',
      'socket.on(',
    ),
    // setTimeout(ms) with no 'timeout' listener: the timer fires into the void.
    netInvalid(netServer(`  socket.setTimeout(30_000);`), 'server', 'socket', `socket.on('data', chunk => console.log('got', chunk.length));`),
    // Closing on 'end' and 'error' waits for the client: a silent one never triggers them.
    netInvalid(
      netServer(`  socket.on('end', () => socket.end());\n  socket.on('close', () => socket.destroy());`),
      'server',
      'socket',
      `socket.on('data', chunk => console.log('got', chunk.length));`,
    ),
    // A closing 'timeout' listener, but no setTimeout: it never fires.
    netInvalid(netServer(`  socket.on('timeout', () => socket.destroy());`), 'server', 'socket', `socket.on('data', chunk => console.log('got', chunk.length));`),
    // setTimeout(0, …) turns the timer off.
    netInvalid(netServer(`  socket.setTimeout(0, () => socket.destroy());`), 'server', 'socket', `socket.on('data', chunk => console.log('got', chunk.length));`),
    // An early return closes one path only.
    netInvalid(
      `
import * as net from 'node:net';
const banned = new Set<string>();
net.createServer(socket => {
  if (banned.has(socket.remoteAddress ?? '')) {
    socket.destroy();
    return;
  }
  socket.on('data', chunk => socket.write(chunk));
});
`,
      'server',
      'socket',
      'if (banned',
    ),
    // try/catch: only the catch path closes.
    netInvalid(
      `
import * as net from 'node:net';
net.createServer(socket => {
  try {
    socket.write(JSON.stringify({ hello: true }));
  } catch {
    socket.destroy();
  }
});
`,
      'server',
      'socket',
      'try {',
    ),
    // A tls server's 'secureConnection' listener.
    netInvalid(
      `
import * as tls from 'node:tls';
const secureServer = tls.createServer({});
secureServer.on('secureConnection', secure => {
  secure.on('data', chunk => secure.write(chunk));
});
`,
      'secureServer',
      'secure',
      'secure.on(',
    ),
    // JS with checkJs and require().
    {
      ...netInvalid(
        `
const net = require('node:net');
net.createServer(function (conn) {
  conn.on('data', chunk => conn.write(chunk));
});
`,
        'server',
        'conn',
        'conn.on(',
      ),
      filename: jsFile,
    },
    // An expression-bodied handler.
    {
      code: `
import * as net from 'node:net';
net.createServer(socket => socket.on('data', chunk => socket.write(chunk)));
`,
      errors: [
        {
          messageId: 'netServerNeverReaps' as const,
          data: { server: 'server', socket: 'socket' },
          suggestions: [
            {
              messageId: 'addIdleTimeout' as const,
              data: { socket: 'socket' },
              output: `
import * as net from 'node:net';
net.createServer(socket => { ${IDLE} socket.on('data', chunk => socket.write(chunk)); });
`,
            },
          ],
        },
      ],
    },
    // A handler that never looks at the socket, and a named handler: no suggestion.
    {
      code: `
import * as net from 'node:net';
let connections = 0;
net.createServer(() => { connections++; });
function onConnection(socket: net.Socket): void {
  socket.on('data', chunk => socket.write(chunk));
}
export const named = net.createServer(onConnection);
`,
      errors: [
        { messageId: 'netServerNeverReaps' as const, data: { server: 'server', socket: 'the socket' }, suggestions: [] },
        { messageId: 'netServerNeverReaps' as const, data: { server: 'named', socket: 'socket' }, suggestions: [] },
      ],
    },
    // http: keepAliveTimeout 0 in the options (the TCP proof's bad case).
    httpInvalid(
      `
import * as http from 'node:http';
http.createServer({ keepAliveTimeout: 0 }, (req, res) => {
  res.end('ok');
});
`,
      'keepAliveTimeoutOff',
      'server',
      'keepAliveTimeout',
    ),
    // By assignment, through an alias.
    httpInvalid(
      `
import * as http from 'node:http';
const server = http.createServer((req, res) => res.end('ok'));
const srv = server;
srv.keepAliveTimeout = 0;
`,
      'keepAliveTimeoutOff',
      'server',
      'keepAliveTimeout',
    ),
    // https, requestTimeout 0 without a headersTimeout: both deadlines are off.
    httpInvalid(
      `
import * as https from 'node:https';
https.createServer({ requestTimeout: 0 }, (req, res) => res.end('ok'));
`,
      'connectionsCheckerOff',
      'server',
      'requestTimeout',
    ),
    // headersTimeout 0 alone.
    httpInvalid(
      `
import * as http from 'node:http';
export const api = new http.Server({ headersTimeout: 0 }, (req, res) => res.end('ok'));
`,
      'headersTimeoutOff',
      'api',
      'headersTimeout',
    ),
    // A server this file does not create (a parameter), in a file whose other "Timeout"s are timers.
    httpInvalid(
      `
import type * as http from 'node:http';
export function tune(server: http.Server) {
  setTimeout(() => server.close(), 60_000);
  server.headersTimeout = 0;
}
`,
      'headersTimeoutOff',
      'server',
      'headersTimeout',
    ),
    // requestTimeout 0 by assignment (headersTimeout keeps its 60 s).
    httpInvalid(
      `
import * as http from 'node:http';
const server = http.createServer((req, res) => res.end('ok'));
server.requestTimeout = 0;
`,
      'requestTimeoutOff',
      'server',
      'requestTimeout',
    ),
    // Options in a const object, and a named constant 0 assigned to a field server.
    {
      code: `
import * as http from 'node:http';
const options = { keepAliveTimeout: 0 };
export const plain = http.createServer(options);
const NEVER = 0;
class App {
  server = http.createServer();
  start() {
    this.server.keepAliveTimeout = NEVER;
  }
}
export { App };
`,
      errors: [
        { messageId: 'keepAliveTimeoutOff' as const, data: { server: 'plain', option: 'keepAliveTimeout' }, line: 3 },
        { messageId: 'keepAliveTimeoutOff' as const, data: { server: 'this.server', option: 'keepAliveTimeout' }, line: 9 },
      ],
    },
  ],
});

/**
 * An invalid net-server case with one error whose `addIdleTimeout` suggestion inserts the idle timeout before
 * `firstStatement` (the start of the handler's first statement), with its indentation.
 */
function netInvalid(code: string, server: string, socket: string, firstStatement: string) {
  const at = code.indexOf(firstStatement);
  if (at < 0) {
    throw new Error(`not in code: ${firstStatement}`);
  }
  const lineStart = code.lastIndexOf('\n', at) + 1;
  const indent = code.slice(lineStart, at);
  const idle = `${socket}.setTimeout(60_000, () => ${socket}.destroy());`;
  return {
    code,
    errors: [
      {
        messageId: 'netServerNeverReaps' as const,
        data: { server, socket },
        suggestions: [
          {
            messageId: 'addIdleTimeout' as const,
            data: { socket },
            output: `${code.slice(0, at)}${idle}\n${indent}${code.slice(at)}`,
          },
        ],
      },
    ],
  };
}

function httpInvalid(
  code: string,
  messageId: 'keepAliveTimeoutOff' | 'headersTimeoutOff' | 'requestTimeoutOff' | 'connectionsCheckerOff',
  server: string,
  option: string,
) {
  return { code, errors: [{ messageId, data: { server, option } }] };
}
