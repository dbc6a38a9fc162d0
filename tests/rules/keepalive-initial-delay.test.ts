import rule from '../../rules/keepalive-initial-delay.js';
import { createRuleTester, jsFile } from '../rule-tester.js';

const ruleTester = createRuleTester();

ruleTester.run('keepalive-initial-delay', rule, {
  valid: [
    // An explicit delay of at least a second.
    `
import * as net from 'node:net';
const socket = net.connect(80, 'example.test');
socket.on('error', () => {});
socket.setKeepAlive(true, 60_000);
`,
    // Exactly the smallest delay libuv applies.
    `
import * as net from 'node:net';
net.connect(80).setKeepAlive(true, 1000);
`,
    // Turning keep-alive off needs no delay.
    `
import * as net from 'node:net';
const socket = net.connect(80);
socket.setKeepAlive(false);
socket.setKeepAlive();
`,
    // A constant through a name, and an expression.
    `
import * as net from 'node:net';
const KEEPALIVE_MS = 30_000;
const socket = net.connect(80);
socket.setKeepAlive(true, KEEPALIVE_MS);
socket.setKeepAlive(true, 2 * 60 * 1000);
`,
    // A delay we cannot evaluate: not reported.
    `
import * as net from 'node:net';
export function configure(socket: net.Socket, delayMs: number): void {
  socket.setKeepAlive(true, delayMs);
}
`,
    // http.Agent keep-alive is HTTP connection reuse; the agent passes keepAliveMsecs (1000 by default) itself.
    `
import * as http from 'node:http';
import * as https from 'node:https';
export const agent = new http.Agent({ keepAlive: true });
export const secureAgent = new https.Agent({ keepAlive: true, keepAliveMsecs: 500 });
`,
    // Server and client options with a delay.
    `
import * as net from 'node:net';
net.createServer({ keepAlive: true, keepAliveInitialDelay: 2000 }, socket => socket.resume()).listen(0);
net.connect({ port: 80, host: 'example.test', keepAlive: true, keepAliveInitialDelay: 10_000 });
new net.Socket({ keepAlive: true, keepAliveInitialDelay: 5000 });
`,
    // The http server passes the same options to its net.Server.
    `
import * as http from 'node:http';
http.createServer({ keepAlive: true, keepAliveInitialDelay: 5000 }, (req, res) => res.end('ok')).listen(0);
`,
    // keepAlive off, or not a literal true.
    `
import * as net from 'node:net';
declare const enabled: boolean;
net.createServer({ keepAlive: false }).listen(0);
net.createServer({ keepAlive: enabled }).listen(0);
`,
    // Spread options may carry the delay.
    `
import * as net from 'node:net';
declare const defaults: net.ServerOpts;
net.createServer({ ...defaults, keepAlive: true }).listen(0);
`,
    // An options object changed later is not followed.
    `
import * as net from 'node:net';
const options: net.ServerOpts = { keepAlive: true };
options.keepAliveInitialDelay = 5000;
net.createServer(options).listen(0);
`,
    // Not TCP: a tty stream is a net.Socket subclass.
    `
import * as tty from 'node:tty';
new tty.ReadStream(0).setKeepAlive(true);
`,
    // Not a socket.
    `
class Connection {
  setKeepAlive(enable: boolean): void {
    console.log(enable);
  }
}
new Connection().setKeepAlive(true);
declare const anything: any;
anything.setKeepAlive(true);
`,
    // The options form (@types/node 24.19) with a delay.
    `
import * as net from 'node:net';
net.connect(80).setKeepAlive({ enable: true, initialDelay: 5000 });
`,
    // An accepted socket with a delay.
    `
import * as net from 'node:net';
net.createServer(socket => {
  socket.setKeepAlive(true, 30_000);
  socket.resume();
}).listen(0);
`,
    // JS with checkJs.
    {
      code: `
import * as net from 'node:net';
const socket = net.connect(80);
socket.setKeepAlive(true, 30000);
`,
      filename: jsFile,
    },
  ],
  invalid: [
    // The classic: no delay at all.
    {
      code: `
import * as net from 'node:net';
const socket = net.connect(80, 'example.test');
socket.setKeepAlive(true);
`,
      errors: [
        {
          messageId: 'missingDelay',
          data: { setting: 'setKeepAlive(true)' },
          line: 4,
          suggestions: [
            {
              messageId: 'addDelay',
              data: { fix: 'setKeepAlive(true, 60_000)' },
              output: `
import * as net from 'node:net';
const socket = net.connect(80, 'example.test');
socket.setKeepAlive(true, 60_000);
`,
            },
          ],
        },
      ],
    },
    // A sub-second delay truncates to 0.
    short(
      `
import * as net from 'node:net';
const socket = net.connect(80);
socket.setKeepAlive(true, 500);
`,
      '500',
    ),
    // Zero.
    short(
      `
import * as net from 'node:net';
net.connect(80).setKeepAlive(true, 0);
`,
      '0',
    ),
    // A constant through a name.
    short(
      `
import * as net from 'node:net';
const KEEPALIVE_MS = 999;
net.connect(80).setKeepAlive(true, KEEPALIVE_MS);
`,
      '999',
      'KEEPALIVE_MS)',
    ),
    // Seconds where milliseconds are expected.
    short(
      `
import * as net from 'node:net';
net.connect(80).setKeepAlive(true, 60);
`,
      '60',
    ),
    // An explicit undefined is no delay.
    {
      code: `
import * as net from 'node:net';
net.connect(80).setKeepAlive(true, undefined);
`,
      errors: [
        {
          messageId: 'missingDelay',
          suggestions: [
            {
              messageId: 'raiseDelay',
              output: `
import * as net from 'node:net';
net.connect(80).setKeepAlive(true, 60_000);
`,
            },
          ],
        },
      ],
    },
    // An accepted socket.
    missing(`
import * as net from 'node:net';
net.createServer(socket => {
  socket.setKeepAlive(true);
  socket.resume();
}).listen(0);
`),
    // Through an alias.
    missing(`
import * as net from 'node:net';
const socket = net.connect(80);
const s = socket;
s.setKeepAlive(true);
`),
    // A tls socket, chained.
    missing(`
import * as tls from 'node:tls';
tls.connect({ host: 'example.test', port: 443 }).setKeepAlive(true);
`),
    // A socket returned by a helper in another file.
    missing(`
import { openConnection } from './connect.js';
const conn = openConnection(80);
conn.setKeepAlive(true);
`),
    // The http server's socket.
    missing(`
import * as http from 'node:http';
http.createServer((req, res) => {
  req.socket.setKeepAlive(true);
  res.end('ok');
}).listen(0);
`),
    // A class field, inside try/catch.
    missing(`
import * as net from 'node:net';
class Client {
  socket = net.connect(80);
  start(): void {
    try {
      this.socket.setKeepAlive(true);
    } catch {
      return;
    }
  }
}
`),
    // The server option without a delay.
    option(
      `
import * as net from 'node:net';
net.createServer({ keepAlive: true }, socket => socket.resume()).listen(0);
`,
    ),
    // Client options, and the Socket constructor.
    {
      code: `
import * as net from 'node:net';
net.connect({ port: 80, keepAlive: true });
new net.Socket({ keepAlive: true, allowHalfOpen: false });
`,
      errors: [
        {
          messageId: 'missingDelay',
          data: { setting: 'keepAlive: true' },
          line: 3,
          suggestions: [
            {
              messageId: 'addDelay',
              data: { fix: 'keepAliveInitialDelay: 60_000' },
              output: `
import * as net from 'node:net';
net.connect({ port: 80, keepAlive: true, keepAliveInitialDelay: 60_000 });
new net.Socket({ keepAlive: true, allowHalfOpen: false });
`,
            },
          ],
        },
        {
          messageId: 'missingDelay',
          line: 4,
          suggestions: [
            {
              messageId: 'addDelay',
              output: `
import * as net from 'node:net';
net.connect({ port: 80, keepAlive: true });
new net.Socket({ keepAlive: true, keepAliveInitialDelay: 60_000, allowHalfOpen: false });
`,
            },
          ],
        },
      ],
    },
    // A sub-second option delay.
    {
      code: `
import * as net from 'node:net';
net.createConnection({ port: 80, keepAlive: true, keepAliveInitialDelay: 500 });
`,
      errors: [
        {
          messageId: 'shortDelay',
          data: { delay: '500' },
          suggestions: [
            {
              messageId: 'raiseDelay',
              data: { fix: 'keepAliveInitialDelay: 60_000' },
              output: `
import * as net from 'node:net';
net.createConnection({ port: 80, keepAlive: true, keepAliveInitialDelay: 60_000 });
`,
            },
          ],
        },
      ],
    },
    // http and tls servers take the same options.
    option(`
import * as http from 'node:http';
http.createServer({ keepAlive: true }, (req, res) => res.end('ok')).listen(0);
`),
    option(`
import * as tls from 'node:tls';
tls.createServer({ keepAlive: true }, socket => socket.end()).listen(0);
`),
    // Options in a const.
    option(`
import * as net from 'node:net';
const options = { keepAlive: true };
net.createServer(options).listen(0);
`),
    // The options form of setKeepAlive.
    {
      code: `
import * as net from 'node:net';
net.connect(80).setKeepAlive({ enable: true });
`,
      errors: [
        {
          messageId: 'missingDelay',
          data: { setting: 'setKeepAlive({ enable: true })' },
          suggestions: [
            {
              messageId: 'addDelay',
              data: { fix: 'initialDelay: 60_000' },
              output: `
import * as net from 'node:net';
net.connect(80).setKeepAlive({ enable: true, initialDelay: 60_000 });
`,
            },
          ],
        },
      ],
    },
    // JS with checkJs.
    { ...missing(`
const net = require('node:net');
const socket = net.connect(80);
socket.setKeepAlive(true);
`), filename: jsFile },
  ],
});

/** One `missingDelay` error on `setKeepAlive(true)`, fixed by adding `, 60_000`. */
function missing(code: string) {
  return {
    code,
    errors: [
      {
        messageId: 'missingDelay' as const,
        data: { setting: 'setKeepAlive(true)' },
        suggestions: [
          {
            messageId: 'addDelay' as const,
            data: { fix: 'setKeepAlive(true, 60_000)' },
            output: code.replace('setKeepAlive(true)', 'setKeepAlive(true, 60_000)'),
          },
        ],
      },
    ],
  };
}

/** One `shortDelay` error, fixed by replacing the delay (the text before `)`, or `replaced`) with `60_000`. */
function short(code: string, delay: string, replaced = `, ${delay})`) {
  return {
    code,
    errors: [
      {
        messageId: 'shortDelay' as const,
        data: { delay },
        suggestions: [
          {
            messageId: 'raiseDelay' as const,
            data: { fix: 'setKeepAlive(true, 60_000)' },
            output: code.replace(replaced, replaced.startsWith(',') ? ', 60_000)' : '60_000)'),
          },
        ],
      },
    ],
  };
}

/** One `missingDelay` error on a `keepAlive: true` option, fixed by adding `keepAliveInitialDelay: 60_000`. */
function option(code: string) {
  return {
    code,
    errors: [
      {
        messageId: 'missingDelay' as const,
        data: { setting: 'keepAlive: true' },
        suggestions: [
          {
            messageId: 'addDelay' as const,
            data: { fix: 'keepAliveInitialDelay: 60_000' },
            output: code.replace('keepAlive: true', 'keepAlive: true, keepAliveInitialDelay: 60_000'),
          },
        ],
      },
    ],
  };
}
