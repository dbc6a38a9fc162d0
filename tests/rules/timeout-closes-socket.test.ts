import rule from '../../rules/timeout-closes-socket.js';
import { createRuleTester, jsFile } from '../rule-tester.js';

const ruleTester = createRuleTester();

const server = (body: string): string => `
import * as net from 'node:net';
net.createServer(socket => {
  socket.on('error', () => {});
${body}
}).listen(0);
`;

ruleTester.run('timeout-closes-socket', rule, {
  valid: [
    // A connect timeout, disarmed once connected; the early return only guards a timer that fired late.
    `
import * as net from 'node:net';
const socket = net.connect(6379);
socket.on('error', () => {});
let cleared = false;
socket.setTimeout(10_000, function () {
  if (cleared) {
    return;
  }
  socket.destroy();
});
socket.once('connect', () => {
  cleared = true;
  socket.setTimeout(0);
});
`,
    // Destroys on the only path.
    server(`  socket.setTimeout(1000);\n  socket.on('timeout', () => socket.destroy());`),
    // The setTimeout(ms, callback) form, ending gracefully.
    server(`  socket.setTimeout(1000, () => { socket.end(); });`),
    // A plain function listener: 'this' is the socket.
    server(`  socket.on('timeout', function () { this.destroy(); });`),
    // Through an alias.
    server(`  const s = socket;\n  socket.on('timeout', () => { s.end(); });`),
    // A helper in another file that closes on every path (and one that calls another helper).
    `
import * as net from 'node:net';
import { closeSocket, shutdown } from './helpers.js';
net.createServer(socket => {
  socket.on('error', () => {});
  socket.setTimeout(500, () => closeSocket(socket));
  socket.once('timeout', () => { shutdown(socket); });
});
`,
    // A JS helper in another file that destroys from a callback.
    `
import * as net from 'node:net';
import { destroyLater } from './helpers-js.js';
const socket = net.connect(80, 'example.test');
socket.on('timeout', () => destroyLater(socket));
`,
    // Throwing paths need no close; every other path destroys.
    server(`  socket.on('timeout', () => {\n    if (!socket.remoteAddress) throw new Error('gone');\n    socket.destroy();\n  });`),
    // Both branches close.
    server(`  socket.on('timeout', () => {\n    if (socket.writableLength > 0) { socket.destroy(); } else { socket.end(); }\n  });`),
    // Handed to code we cannot see: the obligation goes with it.
    `
import * as net from 'node:net';
declare function handOff(socket: net.Socket): void;
const socket = net.connect(80);
socket.on('timeout', () => handOff(socket));
`,
    // Not TCP: a tty stream is a net.Socket subclass.
    `
import * as tty from 'node:tty';
const input = new tty.ReadStream(0);
input.on('timeout', () => console.log('idle'));
`,
    // Not a socket at all.
    `
import { EventEmitter } from 'node:events';
const emitter = new EventEmitter();
emitter.on('timeout', () => console.log('idle'));
`,
    // An http server 'timeout' listener that destroys the socket it is given.
    `
import * as http from 'node:http';
const srv = http.createServer((req, res) => res.end('ok'));
srv.on('timeout', socket => { console.log('idle'); socket.destroy(); });
srv.setTimeout(5000, function (sock) { sock.end(); });
`,
    // A named function of the file that closes.
    server(`  function onTimeout() { socket.destroy(); }\n  socket.on('timeout', onTimeout);`),
    // Deferred close from a callback.
    server(`  socket.on('timeout', () => { socket.write('bye\\n', () => socket.destroy()); });`),
    // tls socket, destroyed.
    `
import * as tls from 'node:tls';
const secure = tls.connect({ host: 'example.test', port: 443 });
secure.setTimeout(3000);
secure.on('timeout', () => secure.destroy());
`,
    // A class that keeps the socket in a field and closes it there.
    `
import * as net from 'node:net';
class Client {
  socket = net.connect(80);
  start() {
    this.socket.setTimeout(1000);
    this.socket.on('timeout', () => this.socket.destroy());
  }
}
`,
    // A class that re-emits to its owner, which owns the socket's lifetime.
    `
import * as net from 'node:net';
import { EventEmitter } from 'node:events';
class Connection extends EventEmitter {
  socket: net.Socket;
  constructor() {
    super();
    this.socket = net.connect(80);
    this.socket.on('timeout', () => this.emit('timeout'));
  }
}
`,
    // A socket typed any: nothing is known, nothing is reported.
    `
declare const anything: any;
anything.on('timeout', () => console.log('idle'));
`,
    // Exiting the process frees everything.
    server(`  socket.on('timeout', () => { console.error('idle'); process.exit(1); });`),
    // An optional call still closes.
    `
import * as net from 'node:net';
let socket: net.Socket | undefined = net.connect(80);
socket.on('timeout', () => { socket?.destroy(); });
`,
    // A handler we cannot resolve.
    `
import * as net from 'node:net';
declare const handlers: { onTimeout(): void };
const socket = net.connect(80);
socket.on('timeout', handlers.onTimeout);
`,
    // JS with checkJs, closing.
    {
      code: `
import * as net from 'node:net';
const socket = net.connect(80);
socket.setTimeout(100, () => socket.destroy());
`,
      filename: jsFile,
    },
    // resetAndDestroy is a close too (abortive, but the idle socket goes away).
    server(`  socket.on('timeout', () => socket.resetAndDestroy());`),
  ],
  invalid: [
    {
      code: server(`  socket.setTimeout(1000);\n  socket.on('timeout', () => console.log('idle'));`),
      errors: [
        {
          messageId: 'socketTimeout',
          data: { name: 'socket' },
          line: 6,
          suggestions: [
            {
              messageId: 'addDestroy',
              data: { name: 'socket' },
              output: server(
                `  socket.setTimeout(1000);\n  socket.on('timeout', () => { console.log('idle'); socket.destroy(); });`,
              ),
            },
          ],
        },
      ],
    },
    {
      code: server(`  socket.setTimeout(1000, () => {\n    console.log('idle');\n  });`),
      errors: [
        {
          messageId: 'socketTimeout',
          suggestions: [
            {
              messageId: 'addDestroy',
              data: { name: 'socket' },
              output: server(`  socket.setTimeout(1000, () => {\n    console.log('idle');\n    socket.destroy();\n  });`),
            },
          ],
        },
      ],
    },
    // once() is still a listener.
    invalid(server(`  socket.once('timeout', () => { socket.write('idle\\n'); });`), 'socket', ["socket.write('idle\\n');", "socket.write('idle\\n'); socket.destroy();"]),
    // An early return skips the close (no suggestion: appending would not fix it).
    invalid(server(`  socket.on('timeout', () => {\n    if (socket.bytesWritten === 0) return;\n    socket.destroy();\n  });`), 'socket'),
    // Only one branch closes.
    invalid(
      server(`  socket.on('timeout', () => {\n    if (socket.writableLength > 0) { socket.destroy(); } else { console.log('idle'); }\n  });`),
      'socket',
    ),
    // A helper in another file that does not close.
    invalid(
      `
import * as net from 'node:net';
import { logSocket } from './helpers.js';
const socket = net.connect(80);
socket.on('timeout', () => logSocket(socket));
`,
      'socket',
      ['() => logSocket(socket)', '() => { logSocket(socket); socket.destroy(); }'],
    ),
    // A helper that closes on some paths only.
    invalid(
      `
import * as net from 'node:net';
import { maybeClose } from './helpers.js';
const socket = net.connect(80);
socket.on('timeout', () => maybeClose(socket, false));
`,
      'socket',
      ['() => maybeClose(socket, false)', '() => { maybeClose(socket, false); socket.destroy(); }'],
    ),
    // Registered through an alias.
    invalid(server(`  const s = socket;\n  s.on('timeout', () => {});`), 'socket', ["s.on('timeout', () => {})", "s.on('timeout', () => { s.destroy(); })"], 's'),
    // JS with checkJs.
    {
      ...invalid(
        `
import * as net from 'node:net';
const socket = net.connect(80);
socket.setTimeout(100);
socket.on('timeout', () => { console.log('idle'); });
`,
        'socket',
        ["console.log('idle');", "console.log('idle'); socket.destroy();"],
      ),
      filename: jsFile,
    },
    // JS with require().
    {
      ...invalid(
        `
const net = require('node:net');
net.createServer(function (conn) {
  conn.setTimeout(100);
  conn.on('timeout', function () { console.log('idle'); });
});
`,
        'conn',
        ["console.log('idle');", "console.log('idle'); conn.destroy();"],
      ),
      filename: jsFile,
    },
    // A tls socket.
    invalid(
      `
import * as tls from 'node:tls';
const secure = tls.connect({ host: 'example.test', port: 443 });
secure.setTimeout(3000);
secure.on('timeout', () => { console.warn('tls idle'); });
`,
      'secure',
      ["console.warn('tls idle');", "console.warn('tls idle'); secure.destroy();"],
    ),
    // An http server 'timeout' listener that does not destroy.
    {
      code: `
import * as http from 'node:http';
const srv = http.createServer((req, res) => res.end('ok'));
srv.on('timeout', socket => { console.log('timeout', socket.remoteAddress); });
`,
      errors: [
        {
          messageId: 'serverTimeout',
          data: { name: 'socket' },
          suggestions: [
            {
              messageId: 'addDestroy',
              data: { name: 'socket' },
              output: `
import * as http from 'node:http';
const srv = http.createServer((req, res) => res.end('ok'));
srv.on('timeout', socket => { console.log('timeout', socket.remoteAddress); socket.destroy(); });
`,
            },
          ],
        },
      ],
    },
    // server.setTimeout(ms, callback) adds the same listener; without a parameter it cannot destroy anything.
    {
      code: `
import * as https from 'node:https';
const srv = https.createServer({}, (req, res) => res.end('ok'));
srv.setTimeout(5000, () => { console.log('timeout'); });
`,
      errors: [{ messageId: 'serverTimeout', suggestions: [] }],
    },
    // A chained registration on a fresh connection (nothing to name in a suggestion).
    {
      code: `
import * as net from 'node:net';
net.connect(80).setTimeout(1000).on('timeout', () => console.log('idle'));
`,
      errors: [{ messageId: 'socketTimeout', suggestions: [] }],
    },
    // A named function of the file that does not close.
    {
      code: server(`  function onTimeout() { console.log('idle'); }\n  socket.on('timeout', onTimeout);`),
      errors: [{ messageId: 'socketTimeout', suggestions: [] }],
    },
    // A class field socket whose listener only logs.
    invalid(
      `
import * as net from 'node:net';
class Client {
  socket = net.connect(80);
  start() {
    this.socket.setTimeout(1000);
    this.socket.on('timeout', () => { console.log('idle'); });
  }
}
`,
      'this.socket',
      ["{ console.log('idle'); }", "{ console.log('idle'); this.socket.destroy(); }"],
    ),
    // A throw in the try block leaves the catch path open.
    invalid(server(`  socket.on('timeout', () => {\n    try { JSON.parse('{'); socket.end(); } catch { console.log('bad'); }\n  });`), 'socket'),
    // A closure that is made but never called does not close anything.
    invalid(
      server(`  socket.on('timeout', () => {\n    const close = () => socket.destroy();\n    console.log(close.name);\n  });`),
      'socket',
      ['console.log(close.name);', 'console.log(close.name);\n    socket.destroy();'],
    ),
    // Closing another socket is not closing this one.
    invalid(
      `
import * as net from 'node:net';
const a = net.connect(80);
const b = net.connect(81);
a.on('timeout', () => b.destroy());
`,
      'a',
      ['() => b.destroy()', '() => { b.destroy(); a.destroy(); }'],
    ),
    // A function listener that does not use 'this' to close.
    invalid(
      server(`  socket.on('timeout', function () { console.log(this.remotePort); });`),
      'socket',
      ['console.log(this.remotePort);', 'console.log(this.remotePort); socket.destroy();'],
    ),
    // A socket created by a helper in another file: the caller owns it.
    invalid(
      `
import { openConnection } from './connect.js';
const conn = openConnection(80);
conn.setTimeout(250);
conn.on('timeout', () => { console.log('idle'); });
`,
      'conn',
      ["console.log('idle');", "console.log('idle'); conn.destroy();"],
    ),
  ],
});

/**
 * An invalid case with one `socketTimeout` error. With `edit` (a `[before, after]` text replacement), the error
 * carries the `addDestroy` suggestion whose output is the code with that replacement; without, no suggestion.
 */
function invalid(code: string, name: string, edit?: [string, string], fixName = name) {
  return {
    code,
    errors: [
      {
        messageId: 'socketTimeout' as const,
        data: { name },
        suggestions: edit
          ? [{ messageId: 'addDestroy' as const, data: { name: fixName }, output: code.replace(edit[0], edit[1]) }]
          : [],
      },
    ],
  };
}
