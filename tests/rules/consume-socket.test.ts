import rule from '../../rules/consume-socket.js';
import { createRuleTester, jsFile } from '../rule-tester.js';

const ruleTester = createRuleTester();

/** A default net server with `body` as its connection handler's body. */
const server = (body: string, options = ''): string => `
import * as net from 'node:net';
net.createServer(${options}socket => {
  socket.on('error', () => {});
${body}
}).listen(0);
`;

const RESUME_FIRST: [string, string] = ["  socket.on('error', () => {});", "  socket.resume();\n  socket.on('error', () => {});"];

ruleTester.run('consume-socket', rule, {
  valid: [
    // The fixed code of the TCP proof: resume() drains whatever the peer sends.
    server(`  socket.write('220 ready\\r\\n');
  socket.resume();
  socket.on('end', () => console.log('client left'));
  socket.on('close', () => console.log('closed'));`),
    // pauseOnConnect, resumed once the socket is handled.
    server(`  socket.on('data', chunk => console.log('got', chunk.length));\n  socket.resume();`, '{ pauseOnConnect: true }, '),
    // Daytime-style, freeing the descriptor: destroySoon() destroys once the reply is flushed, read or not.
    server(`  socket.write(new Date().toISOString() + '\\r\\n');\n  socket.destroySoon();`),
    // Ending and destroying on every path.
    server(`  socket.end('bye\\r\\n', () => socket.destroy());`),
    // A 'data' listener through an alias (an 'error' handler without destroy is fine: autoDestroy).
    server(`  const conn = socket;\n  conn.on('data', chunk => conn.write(chunk));\n  conn.on('error', error => console.log(error.message));`),
    // Helpers in another file that read (through an alias) or end on every path.
    `
import * as net from 'node:net';
import { drain, greetAndEnd, logLines } from './consume-socket-helpers.js';
net.createServer(socket => drain(socket));
net.createServer(socket => { logLines(socket); });
net.createServer(socket => greetAndEnd(socket));
`,
    // Sockets from helpers that already read them.
    `
import { openChained, openReader } from './consume-socket-helpers.js';
const a = openReader(80);
a.write('ping');
const b = openChained(81);
b.write('ping');
`,
    // pipe() and pipeline() read it.
    server(`  socket.pipe(process.stdout);`),
    `
import * as net from 'node:net';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
net.createServer(async socket => {
  await pipeline(socket, createWriteStream('upload.bin'));
});
`,
    // for await reads it.
    `
import * as net from 'node:net';
net.createServer(async socket => {
  for await (const chunk of socket) {
    console.log(chunk);
  }
});
`,
    // A 'readable' listener that drains with read() until null (and one that uses 'this').
    server(`  socket.on('readable', () => {\n    let chunk;\n    while ((chunk = socket.read()) !== null) console.log(chunk);\n  });`),
    server(`  socket.on('readable', function () { while (this.read() !== null); });`),
    // Waiting for one 'data' event reads.
    `
import * as net from 'node:net';
import { once } from 'node:events';
async function greet(port: number): Promise<void> {
  const socket = net.connect(port);
  const [banner] = await once(socket, 'data');
  console.log(String(banner));
}
void greet(25);
`,
    // Escapes: returned, stored in a Map, stored in a field, handed to code we cannot see.
    `
import * as net from 'node:net';
export function open(port: number): net.Socket {
  const socket = net.connect(port);
  socket.on('error', () => {});
  return socket;
}
const pool = new Map<string, net.Socket>();
net.createServer(socket => { pool.set(String(socket.remotePort), socket); });
class Client {
  socket: net.Socket | null = null;
  start() { this.socket = net.connect(80); }
}
declare function handOff(socket: net.Socket): void;
net.createServer(socket => handOff(socket));
`,
    // A client that writes and destroys in its connect callback.
    `
import * as net from 'node:net';
function send(message: string): void {
  const client = net.connect(514, '127.0.0.1', () => {
    client.write(message, () => client.destroy());
  });
  client.on('error', () => {});
}
send('hello');
`,
    // An idle timeout that destroys it.
    server(`  socket.write('220 ready\\r\\n');\n  socket.setTimeout(30_000, () => socket.destroy());`),
    // A stream piped into it ends it when that stream ends (it ends itself, like the daytime server).
    `
import * as net from 'node:net';
import * as fs from 'node:fs';
net.createServer(socket => {
  fs.createReadStream('motd.txt').pipe(socket);
});
`,
    // 'upgrade' sockets of an http server are end-half-open-socket's territory.
    `
import * as http from 'node:http';
const srv = http.createServer();
srv.on('upgrade', (req, socket) => { socket.write('HTTP/1.1 101 Switching Protocols\\r\\n\\r\\n'); });
`,
    // Borrowed sockets (an http request's socket) and non-TCP net.Socket subclasses are not ours.
    `
import * as http from 'node:http';
http.createServer((req, res) => {
  console.log(req.socket.remoteAddress);
  res.end('ok');
});
process.stdin.on('end', () => console.log('eof'));
`,
    // tls, read.
    `
import * as tls from 'node:tls';
tls.createServer({}, secure => { secure.on('data', chunk => secure.write(chunk)); });
const client = tls.connect({ host: 'example.test', port: 443 });
client.setEncoding('utf8');
client.on('data', text => console.log(text));
`,
    // await using destroys it at the end of the block.
    `
import * as net from 'node:net';
async function probe(port: number): Promise<void> {
  await using socket = net.connect(port);
  socket.write('ping');
}
void probe(80);
`,
    // Bound to a variable typed any: nothing is known, nothing is reported.
    `
import * as net from 'node:net';
const s: any = net.connect(80);
s.write('ping');
`,
    // JS with checkJs.
    {
      code: `
const net = require('node:net');
net.createServer(function (socket) {
  socket.on('error', function () {});
  socket.resume();
});
`,
      filename: jsFile,
    },
  ],
  invalid: [
    // The bad code of the TCP proof: only 'end'/'close' listeners.
    invalid(
      server(`  socket.write('220 ready\\r\\n');
  socket.on('end', () => console.log('client left'));
  socket.on('close', () => console.log('closed'));`),
      'neverRead',
      'socket',
      RESUME_FIRST,
    ),
    // pauseOnConnect never resumed (the TCP proof's second bad case).
    {
      ...invalid(server(`  console.log('accepted', socket.remotePort);`, '{ pauseOnConnect: true }, '), 'paused', 'socket', RESUME_FIRST),
      errors: [
        {
          messageId: 'paused' as const,
          data: { name: 'socket', how: 'pauseOnConnect: true' },
          suggestions: [
            {
              messageId: 'addResume' as const,
              data: { name: 'socket' },
              output: server(`  console.log('accepted', socket.remotePort);`, '{ pauseOnConnect: true }, ').replace(...RESUME_FIRST),
            },
          ],
        },
      ],
    },
    // pauseOnConnect with a 'data' listener but no resume(): the listener does not restart reading.
    {
      code: server(`  socket.on('data', chunk => console.log(chunk.length));`, '{ pauseOnConnect: true }, '),
      errors: [
        {
          messageId: 'paused',
          data: { name: 'socket', how: 'pauseOnConnect: true' },
          suggestions: [
            {
              messageId: 'addResume',
              data: { name: 'socket' },
              output: server(`  socket.on('data', chunk => console.log(chunk.length));`, '{ pauseOnConnect: true }, ').replace(...RESUME_FIRST),
            },
          ],
        },
      ],
    },
    // An explicit pause() that is never undone (no suggestion: it may be flow control missing its resume).
    {
      code: server(`  socket.on('data', chunk => {\n    socket.pause();\n    console.log(chunk.length);\n  });`),
      errors: [{ messageId: 'paused', data: { name: 'socket', how: 'pause()' }, suggestions: [] }],
    },
    // A 'readable' listener that never calls read().
    {
      code: server(`  socket.on('readable', () => console.log('readable', socket.readableLength));`),
      errors: [{ messageId: 'readableWithoutRead', data: { name: 'socket' }, suggestions: [] }],
    },
    // Through an alias that only writes.
    invalid(server(`  const conn = socket;\n  conn.write('hello\\r\\n');`), 'neverRead', 'socket', RESUME_FIRST),
    // A helper in another file that only watches the socket.
    invalid(
      `
import * as net from 'node:net';
import { watch } from './consume-socket-helpers.js';
net.createServer(socket => {
  watch(socket);
});
`,
      'neverRead',
      'socket',
      ['  watch(socket);', '  socket.resume();\n  watch(socket);'],
    ),
    // A socket from a helper in another file that does not read it: the caller must.
    invalid(
      `
import { openWriter } from './consume-socket-helpers.js';
const conn = openWriter(8125);
conn.write('metric:1|c\\n');
`,
      'neverRead',
      'conn',
      ['const conn = openWriter(8125);', 'const conn = openWriter(8125);\nconn.resume();'],
    ),
    // Daytime-style with end() only: no CLOSE_WAIT, but a peer that sends anything first pins the descriptor
    // (measured by tests/tcp/consume-socket.test.ts).
    invalid(server(`  socket.end(new Date().toISOString() + '\\r\\n');`), 'endedUnread', 'socket', RESUME_FIRST),
    // A client that writes and ends in its connect callback, never reading the reply.
    invalid(
      `
import * as net from 'node:net';
function send(message: string): void {
  const client = net.connect(514, '127.0.0.1', () => {
    client.end(message);
  });
  client.on('error', () => {});
}
send('hello');
`,
      'endedUnread',
      'client',
      ['  client.on(\'error\', () => {});', '  client.resume();\n  client.on(\'error\', () => {});'],
    ),
    // An early return skips the end.
    invalid(server(`  if (!socket.remoteAddress) return;\n  socket.end('hello\\r\\n');`), 'neverRead', 'socket', RESUME_FIRST),
    // A throw in the try block leaves the catch path without an end.
    invalid(
      server(`  try {\n    const reply = JSON.stringify(JSON.parse('{'));\n    socket.end(reply);\n  } catch {\n    console.log('bad');\n  }`),
      'neverRead',
      'socket',
      RESUME_FIRST,
    ),
    // An 'end' listener that destroys never runs: 'end' waits for the buffer to drain.
    invalid(server(`  socket.on('end', () => socket.destroy());`), 'neverRead', 'socket', RESUME_FIRST),
    // A reconnecting writer that never reads: every socket it opens (here, with a helper of the file).
    {
      code: `
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
setInterval(() => socket.write('heap\\n'), 1_000);
`,
      errors: [
        {
          messageId: 'neverRead',
          data: { name: 'socket' },
          line: 8,
          suggestions: [
            {
              messageId: 'addResume',
              data: { name: 'socket' },
              output: `
import * as net from 'node:net';
function open(): net.Socket {
  const next = net.connect({ host: '127.0.0.1', port: 8125 });
  next.on('error', () => {});
  return next;
}
let socket = open();
socket.resume();
function reconnect(): void {
  socket = open();
}
setInterval(reconnect, 5_000);
setInterval(() => socket.write('heap\\n'), 1_000);
`,
            },
          ],
        },
        {
          messageId: 'neverRead',
          data: { name: 'socket' },
          line: 10,
          suggestions: [
            {
              messageId: 'addResume',
              data: { name: 'socket' },
              output: `
import * as net from 'node:net';
function open(): net.Socket {
  const next = net.connect({ host: '127.0.0.1', port: 8125 });
  next.on('error', () => {});
  return next;
}
let socket = open();
function reconnect(): void {
  socket = open();
  socket.resume();
}
setInterval(reconnect, 5_000);
setInterval(() => socket.write('heap\\n'), 1_000);
`,
            },
          ],
        },
      ],
    },
    // A client that only writes.
    invalid(
      `
import * as net from 'node:net';
const client = net.connect(80, 'example.test');
client.on('error', () => {});
client.write('GET / HTTP/1.0\\r\\n\\r\\n');
`,
      'neverRead',
      'client',
      ["const client = net.connect(80, 'example.test');", "const client = net.connect(80, 'example.test');\nclient.resume();"],
    ),
    // new net.Socket() that only writes.
    invalid(
      `
import { Socket } from 'node:net';
const s = new Socket();
s.connect(80, 'example.test', () => s.write('ping'));
`,
      'neverRead',
      's',
      ['const s = new Socket();', 'const s = new Socket();\ns.resume();'],
    ),
    // Reading another socket is not reading this one.
    invalid(
      server(`  const upstream = net.connect(8080);\n  upstream.on('data', chunk => socket.write(chunk));`),
      'neverRead',
      'socket',
      RESUME_FIRST,
    ),
    // A stream piped in with { end: false } does not end it.
    invalid(
      `
import * as net from 'node:net';
import * as fs from 'node:fs';
net.createServer(socket => {
  fs.createReadStream('motd.txt').pipe(socket, { end: false });
});
`,
      'neverRead',
      'socket',
      ['  fs.createReadStream', '  socket.resume();\n  fs.createReadStream'],
    ),
    // A client request's 'upgrade' socket is ours to read.
    invalid(
      `
import * as http from 'node:http';
const req = http.request({ host: 'example.test', headers: { Connection: 'Upgrade', Upgrade: 'x' } });
req.on('upgrade', (res, upgraded) => {
  upgraded.write('hello');
});
req.end();
`,
      'neverRead',
      'upgraded',
      ["  upgraded.write('hello');", "  upgraded.resume();\n  upgraded.write('hello');"],
    ),
    // tls: a TLS server whose handler never reads.
    invalid(
      `
import * as tls from 'node:tls';
tls.createServer({}, secure => {
  secure.write('hello\\r\\n');
});
`,
      'neverRead',
      'secure',
      ["  secure.write('hello", "  secure.resume();\n  secure.write('hello"],
    ),
    // tls: a client that never reads.
    invalid(
      `
import * as tls from 'node:tls';
const secure = tls.connect({ host: 'example.test', port: 443 });
secure.write('ping');
`,
      'neverRead',
      'secure',
      ["const secure = tls.connect({ host: 'example.test', port: 443 });", "const secure = tls.connect({ host: 'example.test', port: 443 });\nsecure.resume();"],
    ),
    // JS with checkJs and require() (examples/unread-uploads.cjs).
    {
      ...invalid(
        `
const net = require('node:net');
net.createServer(socket => {
  console.log('upload connection from', socket.remoteAddress);
  socket.on('close', () => console.log('closed'));
  socket.on('error', error => console.error(error.message));
});
`,
        'neverRead',
        'socket',
        ['  console.log(\'upload', "  socket.resume();\n  console.log('upload"],
      ),
      filename: jsFile,
    },
    // An expression-bodied handler: nothing safe to suggest.
    {
      code: `
import * as net from 'node:net';
net.createServer(socket => socket.write('hi')).listen(0);
`,
      errors: [{ messageId: 'neverRead', data: { name: 'socket' }, suggestions: [] }],
    },
  ],
});

/**
 * An invalid case with one error. With `edit` (a `[before, after]` text replacement), the error carries the
 * `addResume` suggestion whose output is the code with that replacement; without, no suggestion.
 */
function invalid(
  code: string,
  messageId: 'neverRead' | 'endedUnread' | 'paused',
  name: string,
  edit?: [string, string],
) {
  if (edit && !code.includes(edit[0])) {
    throw new Error(`test setup: ${JSON.stringify(edit[0])} is not in the code`);
  }
  return {
    code,
    errors: [
      {
        messageId,
        data: { name },
        suggestions: edit ? [{ messageId: 'addResume' as const, data: { name }, output: code.replace(edit[0], edit[1]) }] : [],
      },
    ],
  };
}
