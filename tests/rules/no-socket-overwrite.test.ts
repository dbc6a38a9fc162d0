import rule from '../../rules/no-socket-overwrite.js';
import { createRuleTester, jsFile } from '../rule-tester.js';

const ruleTester = createRuleTester();

/** The bug of tests/tcp/no-socket-overwrite.test.ts: reconnect on 'end' of an allowHalfOpen socket. */
const leakyClient = `
import * as net from 'node:net';

class Client {
  socket: net.Socket;
  connections = 1;

  constructor(readonly port: number, readonly maxConnections: number) {
    this.socket = this.connect();
  }

  connect(): net.Socket {
    const socket = net.connect({ port: this.port, host: '127.0.0.1', allowHalfOpen: true });
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => console.log(chunk));
    socket.on('error', err => console.error(err.message));
    socket.on('end', () => {
      if (this.connections++ < this.maxConnections) this.socket = this.connect();
    });
    return socket;
  }
}
`;

ruleTester.run('no-socket-overwrite', rule, {
  valid: [
    // A `let` declared inside the loop body starts empty on every iteration: each assignment is a first one.
    `
import * as net from 'node:net';
import * as tls from 'node:tls';
export async function tryAll(routes: string[], secure: boolean): Promise<net.Socket | null> {
  for (const route of routes) {
    let socket: net.Socket | null = null;
    if (route === 'DIRECT') {
      if (secure) {
        socket = tls.connect({ host: 'example.test', port: 443 });
      } else {
        socket = net.connect({ host: 'example.test', port: 80 });
      }
    }
    if (socket) {
      return socket;
    }
  }
  return null;
}
`,
    // The fix of the TCP test: destroy on 'end', reconnect from the old socket's 'close'.
    `
import * as net from 'node:net';

class Client {
  socket: net.Socket;
  connections = 1;

  constructor(readonly port: number, readonly maxConnections: number) {
    this.socket = this.connect();
  }

  connect(): net.Socket {
    const socket = net.connect({ port: this.port, host: '127.0.0.1', allowHalfOpen: true });
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => console.log(chunk));
    socket.on('error', err => console.error(err.message));
    socket.on('end', () => {
      socket.destroy();
    });
    socket.on('close', () => {
      if (this.socket === socket && this.connections++ < this.maxConnections) this.socket = this.connect();
    });
    return socket;
  }
}
`,
    // 'error': the socket auto-destroys before the listener runs.
    `
import * as net from 'node:net';
let socket = net.connect(8080);
socket.on('error', () => {
  socket = net.connect(8080);
});
`,
    // Destroy, then reconnect, in a 'timeout' listener.
    `
import * as net from 'node:net';
class Client {
  socket = net.connect(80);
  start() {
    this.socket.setTimeout(1000, () => {
      this.socket.destroy();
      this.socket = net.connect(80);
    });
  }
}
`,
    // end() counts too, in a timer.
    `
import * as net from 'node:net';
let client = net.connect(7000);
setInterval(() => {
  client.end();
  client = net.connect(7000);
}, 5000);
`,
    // Default options and a consumer: Node ends the old socket right after 'end' (semantics §1, §11).
    `
import * as net from 'node:net';
function connect(): net.Socket {
  const s = net.connect(7000);
  s.on('data', data => console.log(data.length));
  s.on('error', () => {});
  s.on('end', () => {
    current = connect();
  });
  return s;
}
let current = connect();
`,
    // A first assignment: the variable holds nothing yet.
    `
import * as net from 'node:net';
let s: net.Socket;
s = net.connect(80);
s.on('error', () => {});
`,
    // The constructor's first write.
    `
import * as net from 'node:net';
class Client {
  socket: net.Socket;
  constructor(port: number) {
    this.socket = net.connect(port);
  }
}
`,
    // A guarded destroy: nothing to close when the field is empty.
    `
import * as net from 'node:net';
class Client {
  socket: net.Socket | undefined = net.connect(80);
  reconnect() {
    if (this.socket) {
      this.socket.removeAllListeners();
      this.socket.destroy();
    }
    this.socket = net.connect(80);
  }
}
`,
    // An optional destroy.
    `
import * as net from 'node:net';
class Client {
  socket?: net.Socket;
  constructor() {
    this.socket = net.connect(80);
  }
  reconnect() {
    this.socket?.destroy();
    this.socket = net.connect(80);
  }
}
`,
    // Lazy creation: only when the field is empty or its socket destroyed.
    `
import * as net from 'node:net';
class Pool {
  socket: net.Socket | null = null;
  get(): net.Socket {
    if (!this.socket || this.socket.destroyed) {
      this.socket = net.connect(80);
    }
    return this.socket;
  }
}
`,
    // After an early return when the socket is still open.
    `
import * as net from 'node:net';
let conn = net.connect(80);
export function ensure(): void {
  if (conn && !conn.destroyed) return;
  conn = net.connect(80);
}
`,
    // The old socket is stored in a Map first: the map's owner is responsible for it.
    `
import * as net from 'node:net';
const retired = new Map<number, net.Socket>();
let socket = net.connect(80);
export function rotate(id: number): void {
  retired.set(id, socket);
  socket = net.connect(80);
}
`,
    // Kept in a local and ended after the swap; returned from another swap.
    `
import * as net from 'node:net';
class Client {
  socket = net.connect(80);
  rotate() {
    const old = this.socket;
    this.socket = net.connect(80);
    old.end();
  }
  swap(): net.Socket {
    const previous = this.socket;
    this.socket = net.connect(81);
    return previous;
  }
}
`,
    // Kept in another field before the swap: that field is responsible now.
    `
import * as net from 'node:net';
class Client {
  previous: net.Socket | null = null;
  socket = net.connect(80);
  rotate() {
    this.previous = this.socket;
    this.socket = net.connect(80);
  }
}
`,
    // 'end' of a default socket that never reads: if 'end' is emitted at all, the buffer was empty and Node ends
    // the socket right after it (semantics §1). If data stays unread, 'end' never fires and nothing is overwritten
    // (the unread socket is consume-socket's report).
    `
import * as net from 'node:net';
let socket = net.connect(7000);
socket.on('error', () => {});
socket.on('end', () => {
  socket = net.connect(7000);
});
`,
    // Created and wired in a local, then stored; reconnecting from 'close'.
    `
import * as net from 'node:net';
class Client {
  socket!: net.Socket;
  constructor() {
    this.connect();
  }
  connect() {
    const socket = net.connect(80);
    socket.on('error', () => {});
    socket.on('close', () => this.connect());
    this.socket = socket;
  }
}
`,
    // A helper in another file that destroys the old socket, and one that creates the new one.
    `
import { closeSocket } from './helpers.js';
import { openConnection } from './connect.js';
let conn = openConnection(80);
setInterval(() => {
  closeSocket(conn);
  conn = openConnection(80);
}, 1000);
`,
    // try/catch: the write is in the try block, after the destroy.
    `
import * as net from 'node:net';
let socket = net.connect(80);
socket.setTimeout(1000, () => {
  try {
    socket.destroy();
    socket = net.connect(80);
  } catch (error) {
    console.error(error);
  }
});
`,
    // tls, reconnecting from 'close' after a backoff timer.
    `
import * as tls from 'node:tls';
class SecureClient {
  socket: tls.TLSSocket;
  constructor() {
    this.socket = this.open();
  }
  open(): tls.TLSSocket {
    const socket = tls.connect({ host: 'example.test', port: 443 });
    socket.on('error', () => {});
    socket.on('close', () => {
      setTimeout(() => {
        this.socket = this.open();
      }, 1000);
    });
    return socket;
  }
}
`,
    // A method only called from the old socket's 'close' listener.
    `
import * as net from 'node:net';
class Client {
  socket = net.connect(80);
  constructor() {
    this.socket.on('close', () => this.reconnect());
  }
  reconnect() {
    this.socket = net.connect(80);
    this.socket.on('close', () => this.reconnect());
  }
}
`,
    // JS with checkJs, reconnecting from 'close'.
    {
      code: `
import * as net from 'node:net';
let socket = net.connect(80);
function watch() {
  socket.on('close', () => {
    socket = net.connect(80);
    watch();
  });
}
watch();
`,
      filename: jsFile,
    },
    // Logical assignment only writes an empty field.
    `
import * as net from 'node:net';
class Client {
  socket?: net.Socket;
  get() {
    this.socket ??= net.connect(80);
    return this.socket;
  }
}
`,
    // A new binding per iteration is not an overwrite.
    `
import * as net from 'node:net';
for (const port of [80, 81]) {
  const s = net.connect(port);
  s.on('error', () => s.destroy());
}
`,
    // STARTTLS: the old socket is handed to the new one, which owns it from then on.
    `
import * as net from 'node:net';
import * as tls from 'node:tls';
class Mailer {
  socket: net.Socket = net.connect(25);
  upgrade() {
    this.socket = tls.connect({ socket: this.socket, servername: 'mail.example.test' });
  }
}
`,
    // Waiting for the old socket's 'close' before reconnecting.
    `
import * as net from 'node:net';
import { once } from 'node:events';
export async function keepConnected(): Promise<void> {
  let socket = net.connect(80);
  for (;;) {
    socket.on('error', () => {});
    await once(socket, 'close');
    socket = net.connect(80);
  }
}
`,
    // Not a socket.
    `
let timer = setTimeout(() => {}, 10);
timer = setTimeout(() => {}, 20);
clearTimeout(timer);
`,
  ],
  invalid: [
    // The TCP test's bug: reconnect on 'end' of an allowHalfOpen socket.
    invalid(leakyClient, 'overwriteHalfOpen', 'this.socket', [
      'this.socket = this.connect();\n    });',
      '{ this.socket.destroy(); this.socket = this.connect(); }\n    });',
    ]),
    // Reconnect from 'timeout': the old connection stays ESTABLISHED.
    invalid(
      `
import * as net from 'node:net';
class Client {
  socket = net.connect(80);
  start() {
    this.socket.setTimeout(1000);
    this.socket.on('timeout', () => {
      console.log('idle, reconnecting');
      this.socket = net.connect(80);
    });
  }
}
`,
      'overwrite',
      'this.socket',
      ['      this.socket = net.connect(80);', '      this.socket.destroy();\n      this.socket = net.connect(80);'],
    ),
    // Timer-driven reconnect through a local helper (examples/reconnecting-client.ts).
    invalid(
      `
import * as net from 'node:net';
function open(): net.Socket {
  const next = net.connect({ host: '127.0.0.1', port: 8125 });
  next.on('error', () => {});
  return next;
}
let socket = open();
function reconnect(): void {
  socket = open();
}
setInterval(reconnect, 5_000);
`,
      'overwrite',
      'socket',
      ['  socket = open();', '  socket.destroy();\n  socket = open();'],
    ),
    // Straight-line overwrite.
    invalid(
      `
import * as net from 'node:net';
let s = net.connect(80);
s.on('error', () => {});
s = net.connect(81);
`,
      'overwrite',
      's',
      ['s = net.connect(81);', 's.destroy();\ns = net.connect(81);'],
    ),
    // A loop: every iteration but the first drops the previous socket (the type admits undefined: '?.').
    invalid(
      `
import * as net from 'node:net';
let s: net.Socket | undefined;
for (const port of [80, 81, 82]) {
  s = net.connect(port);
}
`,
      'overwrite',
      's',
      ['  s = net.connect(port);', '  s?.destroy();\n  s = net.connect(port);'],
      's?.destroy();',
    ),
    // Closed on one branch only.
    invalid(
      `
import * as net from 'node:net';
class Client {
  socket = net.connect(80);
  reconnect(force: boolean) {
    if (force) this.socket.destroy();
    this.socket = net.connect(80);
  }
}
`,
      'overwrite',
      'this.socket',
      ['    this.socket = net.connect(80);', '    this.socket.destroy();\n    this.socket = net.connect(80);'],
    ),
    // An early path writes before the destroy; the later write is fine.
    {
      ...invalid(
        `
import * as net from 'node:net';
class Client {
  busy = false;
  socket = net.connect(80);
  start() {
    this.socket.on('timeout', () => {
      if (this.busy) {
        this.socket = net.connect(80);
        return;
      }
      this.socket.destroy();
      this.socket = net.connect(80);
    });
  }
}
`,
        'overwrite',
        'this.socket',
        ['        this.socket = net.connect(80);', '        this.socket.destroy();\n        this.socket = net.connect(80);'],
      ),
    },
    // try/catch: the catch path skips the end().
    invalid(
      `
import * as net from 'node:net';
let socket = net.connect(80);
socket.setTimeout(1000, () => {
  try {
    JSON.parse('{');
    socket.end();
  } catch {
    console.log('bad');
  }
  socket = net.connect(80);
});
`,
      'overwrite',
      'socket',
      ['  socket = net.connect(80);\n});', '  socket.destroy();\n  socket = net.connect(80);\n});'],
    ),
    // tls.
    invalid(
      `
import * as tls from 'node:tls';
let secure = tls.connect({ host: 'example.test', port: 443 });
secure.setTimeout(3000);
secure.on('timeout', () => {
  secure = tls.connect({ host: 'example.test', port: 443 });
});
`,
      'overwrite',
      'secure',
      ['  secure = tls.connect', '  secure.destroy();\n  secure = tls.connect'],
    ),
    // A helper in another file that returns a fresh socket, reconnecting from a timer.
    invalid(
      `
import { openConnection } from './connect.js';
let conn = openConnection(80);
setTimeout(() => {
  conn = openConnection(81);
}, 1000);
`,
      'overwrite',
      'conn',
      ['  conn = openConnection(81);', '  conn.destroy();\n  conn = openConnection(81);'],
    ),
    // A helper in another file that only closes on some paths.
    invalid(
      `
import * as net from 'node:net';
import { maybeClose } from './helpers.js';
let conn = net.connect(80);
setTimeout(() => {
  maybeClose(conn, false);
  conn = net.connect(80);
}, 1000);
`,
      'overwrite',
      'conn',
      ['  conn = net.connect(80);\n}', '  conn.destroy();\n  conn = net.connect(80);\n}'],
    ),
    // The 'timeout' listener is registered through an alias.
    invalid(
      `
import * as net from 'node:net';
class Client {
  socket: net.Socket = net.connect(80);
  watch() {
    const current = this.socket;
    current.on('timeout', () => { this.socket = net.connect(80); });
  }
}
`,
      'overwrite',
      'this.socket',
      ['{ this.socket = net.connect(80); }', '{ this.socket.destroy(); this.socket = net.connect(80); }'],
    ),
    // JS with checkJs.
    {
      ...invalid(
        `
import * as net from 'node:net';
let socket = net.connect(80);
socket.setTimeout(1000);
socket.on('timeout', () => {
  socket = net.connect(80);
});
`,
        'overwrite',
        'socket',
        ['  socket = net.connect(80);', '  socket.destroy();\n  socket = net.connect(80);'],
      ),
      filename: jsFile,
    },
    // new net.Socket() in a method, over the field initializer's socket.
    invalid(
      `
import * as net from 'node:net';
class Link {
  socket = new net.Socket();
  reset() {
    this.socket = new net.Socket();
    this.socket.connect(80);
  }
}
`,
      'overwrite',
      'this.socket',
      ['    this.socket = new net.Socket();', '    this.socket.destroy();\n    this.socket = new net.Socket();'],
    ),
    // A backoff timer inside the 'end' listener of a half-open socket.
    invalid(
      `
import * as net from 'node:net';
function connect(): net.Socket {
  const s = net.connect({ port: 7000, allowHalfOpen: true });
  s.on('data', data => console.log(data.length));
  s.on('end', () => {
    setTimeout(() => {
      current = connect();
    }, 100);
  });
  return s;
}
let current = connect();
`,
      'overwriteHalfOpen',
      'current',
      ['      current = connect();', '      current.destroy();\n      current = connect();'],
    ),
    // A method called from the 'timeout' listener.
    invalid(
      `
import * as net from 'node:net';
class Client {
  socket = net.connect(80);
  constructor() {
    this.socket.on('timeout', () => this.reconnect());
  }
  reconnect() {
    this.socket = net.connect(80);
  }
}
`,
      'overwrite',
      'this.socket',
      ['    this.socket = net.connect(80);\n  }', '    this.socket.destroy();\n    this.socket = net.connect(80);\n  }'],
    ),
    // An interval started in 'close' keeps replacing its own sockets.
    invalid(
      `
import * as net from 'node:net';
let socket = net.connect(80);
socket.on('close', () => {
  setInterval(() => {
    socket = net.connect(80);
  }, 1000);
});
`,
      'overwrite',
      'socket',
      ['    socket = net.connect(80);', '    socket.destroy();\n    socket = net.connect(80);'],
    ),
    // Created and wired in a local, then stored; reconnecting from 'timeout'. The first call (from the constructor)
    // finds the field empty, so the suggestion uses '?.'.
    invalid(
      `
import * as net from 'node:net';
class Client {
  socket!: net.Socket;
  constructor() {
    this.connect();
  }
  connect() {
    const socket = net.connect(80);
    socket.on('error', () => {});
    socket.setTimeout(1000, () => this.connect());
    this.socket = socket;
  }
}
`,
      'overwrite',
      'this.socket',
      ['    this.socket = socket;', '    this.socket?.destroy();\n    this.socket = socket;'],
      'this.socket?.destroy();',
    ),
    // A 'data' listener: the old socket is obviously still open.
    invalid(
      `
import * as net from 'node:net';
let socket = net.connect(80);
socket.on('data', chunk => {
  if (chunk.includes('moved')) socket = net.connect(81);
});
`,
      'overwrite',
      'socket',
      ["socket = net.connect(81);", "{ socket.destroy(); socket = net.connect(81); }"],
    ),
  ],
});

/**
 * An invalid case with one error. With `edit` (a `[before, after]` text replacement), the error carries the
 * `destroyOld` suggestion whose output is the code with that replacement.
 */
function invalid(
  code: string,
  messageId: 'overwrite' | 'overwriteHalfOpen',
  name: string,
  edit: [string, string],
  fix = `${name}.destroy();`,
) {
  return {
    code,
    errors: [
      {
        messageId,
        data: { name },
        suggestions: [{ messageId: 'destroyOld' as const, data: { fix }, output: code.replace(edit[0], edit[1]) }],
      },
    ],
  };
}
