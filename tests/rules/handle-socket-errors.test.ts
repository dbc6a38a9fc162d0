import rule from '../../rules/handle-socket-errors.js';
import { createRuleTester, jsFile } from '../rule-tester.js';

const ruleTester = createRuleTester();

const LISTENER = "(err) => { console.error(err); }";

ruleTester.run('handle-socket-errors', rule, {
  valid: [
    // An 'error' listener that only logs is enough: Node destroys the socket on error itself.
    `
import * as net from 'node:net';
const socket = net.connect(4000, '127.0.0.1');
socket.on('connect', () => socket.write('hello'));
socket.on('error', (err) => {
  console.log('error', err.message);
});
`,
    // Added later in the same function, after an early return on another path.
    `
import * as net from 'node:net';
export function start(port: number, verbose: boolean): void {
  const socket = net.connect(port);
  socket.on('data', chunk => console.log(chunk.length));
  if (!verbose) {
    socket.once('error', () => {});
    return;
  }
  socket.on('error', err => console.error(err));
}
`,
    // Accepted sockets, through an alias, and tls.
    `
import * as net from 'node:net';
import * as tls from 'node:tls';
net.createServer(socket => {
  const s = socket;
  s.on('error', () => {});
  s.pipe(s);
}).listen(0);
tls.createServer({}, secure => {
  secure.on('error', err => console.warn(err.message));
  secure.end('bye');
}).listen(0);
`,
    // A helper in another file registers the listener (and ones returning a guarded socket).
    `
import * as net from 'node:net';
import { wire } from './helpers.js';
import { openGuarded, openVia } from './handle-socket-errors-helpers.js';
wire(net.connect(80));
const guarded = openGuarded(81);
guarded.write('ping');
const via = openVia(82);
via.write('ping');
`,
    // stream.pipeline, finished and events.once all listen for 'error'.
    `
import * as net from 'node:net';
import { once } from 'node:events';
import { finished, pipeline } from 'node:stream';
import { createWriteStream } from 'node:fs';
const a = net.connect(80);
pipeline(a, createWriteStream('/tmp/out'), err => console.log(err));
const b = net.connect(81);
finished(b, err => console.log(err));
export async function greet(): Promise<void> {
  const c = net.connect(82);
  await once(c, 'connect');
  c.end('hi');
}
`,
    // Escapes: returned, stored in a Map or an object, handed to code we cannot see.
    `
import * as net from 'node:net';
declare function handOff(socket: net.Socket): void;
export function open(port: number): net.Socket {
  const socket = net.connect(port);
  return socket;
}
const pool = new Map<string, net.Socket>();
pool.set('a', net.connect(80));
const holder: { socket?: net.Socket } = {};
holder.socket = net.connect(81);
handOff(net.connect(82));
`,
    // Client requests: chained, in a promise wrapper, or through a helper.
    `
import * as http from 'node:http';
import * as https from 'node:https';
import { logRequestErrors } from './handle-socket-errors-helpers.js';
http.get('http://example.test/', res => res.resume()).on('error', err => console.error(err));
export function fetchStatus(url: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, res => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', reject);
  });
}
const posted = http.request({ host: 'example.test', method: 'POST' });
logRequestErrors(posted);
posted.end('{}');
`,
    // An http 'upgrade' socket with a listener.
    `
import * as http from 'node:http';
const server = http.createServer((req, res) => res.end('ok'));
server.on('upgrade', (req, socket, head) => {
  socket.on('error', () => socket.destroy());
  socket.write('HTTP/1.1 101 Switching Protocols\\r\\n\\r\\n');
  socket.pipe(socket);
});
`,
    // A for await loop rethrows the error from the loop.
    `
import * as net from 'node:net';
export async function drain(): Promise<number> {
  const socket = net.connect(80);
  let total = 0;
  for await (const chunk of socket) {
    total += (chunk as Buffer).length;
  }
  return total;
}
`,
    // The process survives unhandled errors: an uncaughtException handler.
    `
import * as net from 'node:net';
process.on('uncaughtException', err => console.error('uncaught', err));
const socket = net.connect(80);
socket.write('ping');
`,
    // Not owned: the http server's own socket, and a socket we are given.
    `
import * as http from 'node:http';
import type * as net from 'node:net';
http.createServer((req, res) => {
  req.socket.setNoDelay(true);
  res.end('ok');
});
export function use(socket: net.Socket): void {
  socket.write('x');
}
`,
    // A socket that never connects cannot be refused or reset.
    `
import * as net from 'node:net';
const idle = new net.Socket();
idle.setNoDelay(true);
`,
    // A subclass that registers its own listener.
    `
import * as net from 'node:net';
class Guarded extends net.Socket {
  constructor() {
    super();
    this.on('error', () => {});
  }
}
new Guarded().connect(80);
`,
    // The raw 'connection' socket of a tls server: its errors surface on the TLS socket.
    `
import * as tls from 'node:tls';
const server = tls.createServer({});
server.on('connection', raw => console.log('tcp from', raw.remoteAddress));
server.on('secureConnection', secure => {
  secure.on('error', () => {});
  secure.end();
});
`,
    // A TLSSocket constructed directly listens for its own 'error' (re-emitted as '_tlsError') until tls.connect() or
    // a tls server releases it: an error destroys it without crashing the process.
    `
import * as net from 'node:net';
import * as tls from 'node:tls';
const raw = net.connect(3306, 'db.example.test');
raw.on('error', () => {});
raw.once('connect', () => {
  const secure = new tls.TLSSocket(raw, { isServer: false, rejectUnauthorized: true });
  secure.on('_tlsError', (err: Error) => console.error(err));
  secure.pipe(process.stdout);
});
`,
    // A class that keeps the socket in a field and listens there.
    `
import * as net from 'node:net';
class Client {
  socket = net.connect(80);
  private other: net.Socket;
  constructor() {
    this.socket.on('error', () => this.reconnect());
    this.other = net.connect(81);
    this.other.on('error', () => {});
  }
  reconnect(): void {}
}
`,
    // Stored in a field: the class owns it (an escape, not reported here).
    `
import * as net from 'node:net';
class Client {
  socket = net.connect(80);
  other: net.Socket;
  constructor() {
    this.other = net.connect(81);
    this.other.on('data', chunk => console.log(chunk.length));
  }
}
`,
    // JS with checkJs.
    {
      code: `
const net = require('node:net');
const socket = net.connect(80);
socket.on('error', function (err) { console.error(err); });
`,
      filename: jsFile,
    },
    // Client upgrade sockets with a listener, and a listener registered in try/catch.
    `
import * as http from 'node:http';
const req = http.request({ host: 'example.test', headers: { Connection: 'Upgrade', Upgrade: 'websocket' } });
req.on('error', () => {});
req.on('upgrade', (res, socket) => {
  try {
    socket.on('error', () => {});
  } catch {
    socket.destroy();
  }
});
req.end();
`,
  ],
  invalid: [
    // ECONNREFUSED: the bad case of tests/tcp/handle-socket-errors.test.ts.
    {
      code: `
import * as net from 'node:net';
const socket = net.connect(4000, '127.0.0.1');
socket.on('connect', () => socket.write('hello'));
`,
      errors: [
        {
          messageId: 'missingErrorListener',
          data: { name: 'socket' },
          line: 3,
          suggestions: [
            {
              messageId: 'addErrorListener',
              data: { name: 'socket' },
              output: `
import * as net from 'node:net';
const socket = net.connect(4000, '127.0.0.1');
socket.on('error', ${LISTENER});
socket.on('connect', () => socket.write('hello'));
`,
            },
          ],
        },
      ],
    },
    // ECONNRESET while reading.
    afterCreation(
      `
import * as net from 'node:net';
export function listen(port: number): void {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('data', chunk => console.log('got', chunk.length));
}
`,
      "  const socket = net.connect(port, '127.0.0.1');",
      'socket',
    ),
    // An accepted socket.
    {
      code: `
import * as net from 'node:net';
net.createServer(socket => {
  socket.pipe(socket);
}).listen(0);
`,
      errors: [
        {
          messageId: 'missingErrorListener',
          data: { name: 'socket' },
          suggestions: [
            {
              messageId: 'addErrorListener',
              output: `
import * as net from 'node:net';
net.createServer(socket => {
  socket.on('error', ${LISTENER});
  socket.pipe(socket);
}).listen(0);
`,
            },
          ],
        },
      ],
    },
    // An accepted socket with an expression-bodied handler, on a 'connection' listener.
    {
      code: `
import * as net from 'node:net';
const server = net.createServer();
server.on('connection', conn => conn.end('bye'));
`,
      errors: [
        {
          messageId: 'missingErrorListener',
          data: { name: 'conn' },
          suggestions: [
            {
              messageId: 'addErrorListener',
              output: `
import * as net from 'node:net';
const server = net.createServer();
server.on('connection', conn => { conn.on('error', ${LISTENER}); conn.end('bye'); });
`,
            },
          ],
        },
      ],
    },
    // tls, client and server side.
    afterCreation(
      `
import * as tls from 'node:tls';
const secure = tls.connect({ host: 'example.test', port: 443 });
secure.write('GET / HTTP/1.0\\r\\n\\r\\n');
`,
      "const secure = tls.connect({ host: 'example.test', port: 443 });",
      'secure',
    ),
    // tls.connect() over an existing socket releases the TLS socket's own 'error' listener: this one crashes.
    afterCreation(
      `
import * as net from 'node:net';
import * as tls from 'node:tls';
const raw = net.connect(3306, 'db.example.test');
raw.on('error', () => {});
const secure = tls.connect({ socket: raw });
secure.pipe(process.stdout);
`,
      'const secure = tls.connect({ socket: raw });',
      'secure',
    ),
    {
      code: `
import * as tls from 'node:tls';
tls.createServer({}, secure => {
  secure.end('hello');
}).listen(0);
`,
      errors: [{ messageId: 'missingErrorListener', data: { name: 'secure' }, suggestions: [{ messageId: 'addErrorListener', output: `
import * as tls from 'node:tls';
tls.createServer({}, secure => {
  secure.on('error', ${LISTENER});
  secure.end('hello');
}).listen(0);
` }] }],
    },
    // An http 'upgrade' socket: Node removed its own 'error' listener before the hand-over.
    {
      code: `
import * as http from 'node:http';
const server = http.createServer((req, res) => res.end('ok'));
server.on('upgrade', (req, socket, head) => {
  socket.write('HTTP/1.1 101 Switching Protocols\\r\\n\\r\\n');
  socket.pipe(socket);
});
`,
      errors: [{ messageId: 'missingErrorListener', data: { name: 'socket' }, suggestions: [{ messageId: 'addErrorListener', output: `
import * as http from 'node:http';
const server = http.createServer((req, res) => res.end('ok'));
server.on('upgrade', (req, socket, head) => {
  socket.on('error', ${LISTENER});
  socket.write('HTTP/1.1 101 Switching Protocols\\r\\n\\r\\n');
  socket.pipe(socket);
});
` }] }],
    },
    // A client request with no listener at all: the listener is chained on.
    {
      code: `
import * as http from 'node:http';
http.get('http://example.test/', res => res.resume());
`,
      errors: [
        {
          messageId: 'missingRequestErrorListener',
          data: { name: 'http.get(…)' },
          suggestions: [
            {
              messageId: 'addErrorListener',
              data: { name: 'http.get(…)' },
              output: `
import * as http from 'node:http';
http.get('http://example.test/', res => res.resume()).on('error', ${LISTENER});
`,
            },
          ],
        },
      ],
    },
    // A named request.
    {
      ...afterCreation(
        `
import * as https from 'node:https';
const req = https.request({ host: 'example.test', method: 'POST' }, res => res.resume());
req.end('{}');
`,
        "const req = https.request({ host: 'example.test', method: 'POST' }, res => res.resume());",
        'req',
      ),
      errors: [
        {
          messageId: 'missingRequestErrorListener' as const,
          data: { name: 'req' },
          suggestions: [
            {
              messageId: 'addErrorListener' as const,
              output: `
import * as https from 'node:https';
const req = https.request({ host: 'example.test', method: 'POST' }, res => res.resume());
req.on('error', ${LISTENER});
req.end('{}');
`,
            },
          ],
        },
      ],
    },
    // The listener is added only once connected: ECONNREFUSED comes before 'connect'.
    {
      code: `
import * as net from 'node:net';
const socket = net.connect(80);
socket.on('connect', () => {
  socket.on('error', err => console.error(err));
  socket.write('hi');
});
`,
      errors: [{ messageId: 'lateErrorListener', data: { name: 'socket' }, suggestions: [{ messageId: 'addErrorListener', output: `
import * as net from 'node:net';
const socket = net.connect(80);
socket.on('error', ${LISTENER});
socket.on('connect', () => {
  socket.on('error', err => console.error(err));
  socket.write('hi');
});
` }] }],
    },
    // The same in the connect callback of the factory.
    {
      code: `
import * as net from 'node:net';
const client = net.connect({ port: 80 }, () => {
  client.on('error', () => {});
});
`,
      errors: [{ messageId: 'lateErrorListener', data: { name: 'client' }, suggestions: [{ messageId: 'addErrorListener', output: `
import * as net from 'node:net';
const client = net.connect({ port: 80 }, () => {
  client.on('error', () => {});
});
client.on('error', ${LISTENER});
` }] }],
    },
    // A helper in another file that only logs does not listen.
    afterCreation(
      `
import * as net from 'node:net';
import { logSocket } from './helpers.js';
const socket = net.connect(80);
logSocket(socket);
`,
      'const socket = net.connect(80);',
      'socket',
    ),
    // A socket made by a helper in another file: the caller owns it.
    afterCreation(
      `
import { openConnection } from './connect.js';
const conn = openConnection(80);
conn.write('ping');
`,
      'const conn = openConnection(80);',
      'conn',
    ),
    // JS with checkJs.
    {
      ...afterCreation(
        `
const net = require('node:net');
const socket = net.connect(80);
socket.write('ping');
`,
        'const socket = net.connect(80);',
        'socket',
      ),
      filename: jsFile,
    },
    // Created inside try/catch: the catch does not cover later socket errors.
    afterCreation(
      `
import * as net from 'node:net';
export function tryConnect(port: number): void {
  try {
    const socket = net.connect(port);
    socket.write('ping');
  } catch (err) {
    console.error(err);
  }
}
`,
      '    const socket = net.connect(port);',
      'socket',
    ),
    // new net.Socket() that connects.
    afterCreation(
      `
import * as net from 'node:net';
const socket = new net.Socket();
socket.connect(80, 'example.test');
`,
      'const socket = new net.Socket();',
      'socket',
    ),
    // Listening on another socket, or only for 'close', or logging it, does not count.
    afterCreation(
      `
import * as net from 'node:net';
const a = net.connect(80);
const b = net.connect(81);
b.on('error', () => {});
a.on('close', hadError => console.log(hadError));
console.log(a);
`,
      'const a = net.connect(80);',
      'a',
    ),
    // A client 'upgrade' socket.
    {
      code: `
import * as http from 'node:http';
const req = http.request({ host: 'example.test', headers: { Connection: 'Upgrade', Upgrade: 'websocket' } });
req.on('error', () => {});
req.on('upgrade', (res, upgraded) => {
  upgraded.write('hello');
});
req.end();
`,
      errors: [{ messageId: 'missingErrorListener', data: { name: 'upgraded' }, suggestions: [{ messageId: 'addErrorListener', output: `
import * as http from 'node:http';
const req = http.request({ host: 'example.test', headers: { Connection: 'Upgrade', Upgrade: 'websocket' } });
req.on('error', () => {});
req.on('upgrade', (res, upgraded) => {
  upgraded.on('error', ${LISTENER});
  upgraded.write('hello');
});
req.end();
` }] }],
    },
  ],
});

/** One `missingErrorListener` error on `name`, fixed by adding the listener after the line `creation`. */
function afterCreation(code: string, creation: string, name: string) {
  const indent = /^\s*/.exec(creation)?.[0] ?? '';
  return {
    code,
    errors: [
      {
        messageId: 'missingErrorListener' as const,
        data: { name },
        suggestions: [
          {
            messageId: 'addErrorListener' as const,
            data: { name },
            output: code.replace(creation, `${creation}\n${indent}${name}.on('error', ${LISTENER});`),
          },
        ],
      },
    ],
  };
}
