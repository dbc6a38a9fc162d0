import rule from '../../rules/end-half-open-socket.js';
import { createRuleTester, jsFile } from '../rule-tester.js';

const ruleTester = createRuleTester();

/** A net server accepting half-open connections, with `body` as its connection handler's body. */
const halfOpenServer = (body: string): string => `
import * as net from 'node:net';
net.createServer({ allowHalfOpen: true }, socket => {
  socket.on('error', () => {});
${body}
}).listen(0);
`;

/** An http server with `body` as its 'upgrade' listener's body. */
const upgradeServer = (body: string, event = 'upgrade'): string => `
import * as http from 'node:http';
const server = http.createServer((req, res) => res.end('ok'));
server.on('${event}', (req, socket, head) => {
  socket.on('error', () => {});
${body}
});
`;

const ADD_END = "socket.on('end', () => socket.end());";

ruleTester.run('end-half-open-socket', rule, {
  valid: [
    // The fixed code of the TCP proof: the 'end' listener ends our side.
    halfOpenServer(`  socket.on('data', chunk => console.log('got', chunk.length));
  socket.on('end', () => {
    console.log('client done');
    socket.end();
  });`),
    // Through an alias, with destroy().
    halfOpenServer(`  const conn = socket;\n  conn.once('end', () => conn.destroy());`),
    // A plain function listener: 'this' is the socket.
    halfOpenServer(`  socket.on('end', function () { this.end(); });`),
    // A named function of the file that ends it.
    halfOpenServer(`  function onEnd() { socket.end(); }\n  socket.on('end', onEnd);`),
    // The socket's own end method as the listener.
    halfOpenServer(`  socket.on('end', socket.end);`),
    // An 'end' listener that ends on some path is an 'end' path.
    halfOpenServer(`  socket.on('end', () => { if (socket.writable) socket.end(); });`),
    // A helper in another file registers a closing 'end' listener (and one that echoes, through an alias and 'this').
    `
import * as net from 'node:net';
import { echoUntilEnd, endOnPeerEnd } from './end-half-open-socket-helpers.js';
net.createServer({ allowHalfOpen: true }, socket => endOnPeerEnd(socket));
net.createServer({ allowHalfOpen: true }, conn => { echoUntilEnd(conn); });
`,
    // An echo: the socket piped into itself is ended when its readable side ends.
    halfOpenServer(`  socket.pipe(socket);`),
    // A proxy: the partner is piped into the socket and ends it when it ends.
    upgradeServer(`  const upstream = net.connect(8080, '127.0.0.1', () => {
    upstream.write(head);
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  upstream.on('error', () => socket.destroy());`).replace("import * as http from 'node:http';", "import * as http from 'node:http';\nimport * as net from 'node:net';"),
    // A manual proxy: the partner's 'end' ends the socket.
    upgradeServer(`  const upstream = net.connect(8080);
  upstream.on('error', () => socket.destroy());
  socket.on('data', chunk => upstream.write(chunk));
  upstream.on('data', chunk => socket.write(chunk));
  socket.on('end', () => upstream.end());
  upstream.on('end', () => socket.end());`).replace("import * as http from 'node:http';", "import * as http from 'node:http';\nimport * as net from 'node:net';"),
    // The socket as the destination of a pipeline is ended by it.
    `
import * as net from 'node:net';
import { pipeline, PassThrough } from 'node:stream';
net.createServer({ allowHalfOpen: true }, socket => {
  pipeline(socket, new PassThrough(), socket, error => console.log(error));
});
`,
    // An upgrade that is refused: written to and destroyed on every path of the handler.
    upgradeServer(`  socket.write('HTTP/1.1 403 Forbidden\\r\\n\\r\\n');\n  socket.destroy();`),
    // A daytime-style half-open server that writes and ends on every path.
    halfOpenServer(`  socket.end(new Date().toISOString() + '\\r\\n');`),
    // A write callback that destroys.
    halfOpenServer(`  socket.write('bye\\r\\n', () => socket.destroy());`),
    // Handed to code we cannot see (a WebSocket library).
    `
import * as http from 'node:http';
import type { Duplex } from 'node:stream';
declare const wss: { handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, cb: (ws: unknown) => void): void };
const server = http.createServer();
server.on('upgrade', (req, socket, head) => {
  wss.handleUpgrade(req, socket, head, ws => console.log(ws));
});
`,
    // Stored in a Map: the registry owns it.
    `
import * as net from 'node:net';
const connections = new Map<number, net.Socket>();
let next = 0;
net.createServer({ allowHalfOpen: true }, socket => {
  connections.set(next++, socket);
});
`,
    // Stored in a field.
    `
import * as net from 'node:net';
class Session {
  socket: net.Socket | null = null;
  attach(server: net.Server) {
    server.on('connection', socket => {
      this.socket = socket;
    });
  }
}
const s = new Session();
s.attach(net.createServer({ allowHalfOpen: true }));
`,
    // Returned to the caller, who owns it.
    `
import * as net from 'node:net';
export function open(port: number): net.Socket {
  const socket = net.connect({ port, allowHalfOpen: true });
  return socket;
}
`,
    // A half-open client that waits for the peer's end, then ends.
    `
import * as net from 'node:net';
import { once } from 'node:events';
async function request(port: number): Promise<void> {
  const socket = net.connect({ port, allowHalfOpen: true });
  socket.on('error', () => {});
  socket.resume();
  socket.write('GET\\r\\n');
  await once(socket, 'end');
  socket.end();
}
void request(80);
`,
    // for await drains it; the end() after the loop runs after the peer's FIN.
    `
import * as net from 'node:net';
async function collect(port: number): Promise<string> {
  const socket = net.connect({ port, allowHalfOpen: true });
  let text = '';
  for await (const chunk of socket) {
    text += String(chunk);
  }
  socket.end();
  return text;
}
void collect(80);
`,
    // Default options: Node ends the socket itself after 'end' (consume-socket covers unread ones).
    `
import * as net from 'node:net';
net.createServer(socket => {
  socket.on('error', error => console.log(error.message));
  socket.on('data', chunk => socket.write(chunk));
});
const client = net.connect({ port: 80, allowHalfOpen: false });
client.on('data', chunk => console.log(chunk));
`,
    // An 'error' handler without destroy is fine (autoDestroy), with an 'end' path.
    halfOpenServer(`  socket.on('error', error => console.log(error.message));\n  socket.on('end', () => socket.end());`),
    // A client request's 'upgrade' socket is not half-open.
    `
import * as http from 'node:http';
const req = http.request({ host: 'example.test', headers: { Connection: 'Upgrade', Upgrade: 'x' } });
req.on('upgrade', (res, socket) => {
  socket.on('data', chunk => console.log(chunk.length));
});
req.end();
`,
    // tls, ended on 'end'.
    `
import * as tls from 'node:tls';
tls.createServer({ allowHalfOpen: true }, secure => {
  secure.on('data', chunk => secure.write(chunk));
  secure.on('end', () => secure.end());
});
const client = tls.connect({ host: 'example.test', port: 443, allowHalfOpen: true });
client.on('end', () => client.destroy());
`,
    // Bound to a variable typed any: nothing is known, nothing is reported.
    `
import * as net from 'node:net';
const s: any = net.connect({ port: 80, allowHalfOpen: true });
s.on('data', (chunk: Buffer) => console.log(chunk.length));
`,
    // JS with checkJs.
    {
      code: `
import * as net from 'node:net';
net.createServer({ allowHalfOpen: true }, function (socket) {
  socket.on('data', chunk => socket.write(chunk));
  socket.on('end', function () { this.end(); });
});
`,
      filename: jsFile,
    },
    // An http 'connect' tunnel piped both ways.
    upgradeServer(
      `  const upstream = net.connect(443, 'example.test', () => {
    socket.write('HTTP/1.1 200 Connection Established\\r\\n\\r\\n');
    upstream.pipe(socket).pipe(upstream);
  });`,
      'connect',
    ).replace("import * as http from 'node:http';", "import * as http from 'node:http';\nimport * as net from 'node:net';"),
  ],
  invalid: [
    // The bad code of the TCP proof: the 'end' listener only logs.
    invalid(
      halfOpenServer(`  socket.on('data', chunk => console.log('got', chunk.length));
  socket.on('end', () => {
    console.log('client done');
  });`),
      'halfOpen',
      'socket',
      ["  socket.on('error', () => {});", `  ${ADD_END}\n  socket.on('error', () => {});`],
    ),
    // The 'upgrade' socket of the TCP proof: consumed, never ended.
    invalid(
      `
import * as http from 'node:http';
const server = http.createServer((req, res) => res.end('ok'));
server.on('upgrade', (req, socket) => {
  socket.write('HTTP/1.1 101 Switching Protocols\\r\\nConnection: Upgrade\\r\\nUpgrade: line-echo\\r\\n\\r\\n');
  socket.on('data', (chunk: Buffer) => console.log('frame', chunk.length));
  socket.on('end', () => console.log('client done'));
  socket.on('error', err => console.log('error', err.message));
});
`,
      'upgradeHalfOpen',
      'socket',
      ["  socket.write('HTTP/1.1", `  ${ADD_END}\n  socket.write('HTTP/1.1`],
    ),
    // An http 'connect' socket that is written to and read but never ended.
    invalid(
      upgradeServer(`  socket.write('HTTP/1.1 200 Connection Established\\r\\n\\r\\n');\n  socket.on('data', chunk => console.log(chunk.length));`, 'connect'),
      'upgradeHalfOpen',
      'socket',
      ["  socket.on('error', () => {});", `  ${ADD_END}\n  socket.on('error', () => {});`],
    ),
    // A half-open client with no 'end' listener: the fix goes after its declaration.
    invalid(
      `
import * as net from 'node:net';
const client = net.connect({ port: 80, allowHalfOpen: true });
client.on('data', chunk => console.log(chunk.length));
client.write('hello');
`,
      'halfOpen',
      'client',
      [
        'const client = net.connect({ port: 80, allowHalfOpen: true });',
        "const client = net.connect({ port: 80, allowHalfOpen: true });\nclient.on('end', () => client.end());",
      ],
    ),
    // The 'end' listener, registered through an alias, does not end it.
    invalid(
      halfOpenServer(`  const conn = socket;\n  conn.on('data', chunk => conn.write(chunk));\n  conn.on('end', () => console.log('done'));`),
      'halfOpen',
      'socket',
      ["  socket.on('error', () => {});", `  ${ADD_END}\n  socket.on('error', () => {});`],
    ),
    // A helper in another file that registers an 'end' listener that only logs.
    invalid(
      `
import * as net from 'node:net';
import { logPeerEnd } from './end-half-open-socket-helpers.js';
net.createServer({ allowHalfOpen: true }, socket => {
  logPeerEnd(socket);
});
`,
      'halfOpen',
      'socket',
      ['  logPeerEnd(socket);', `  ${ADD_END}\n  logPeerEnd(socket);`],
    ),
    // Ending another socket is not ending this one.
    invalid(
      halfOpenServer(`  const other = net.connect(81);\n  other.on('error', () => {});\n  socket.on('end', () => other.end());`),
      'halfOpen',
      'socket',
      ["  socket.on('error', () => {});", `  ${ADD_END}\n  socket.on('error', () => {});`],
    ),
    // An early return skips the unconditional end, and there is no 'end' path.
    invalid(
      halfOpenServer(`  if (!socket.remoteAddress) return;\n  socket.end('hello\\r\\n');`),
      'halfOpen',
      'socket',
      ["  socket.on('error', () => {});", `  ${ADD_END}\n  socket.on('error', () => {});`],
    ),
    // A throw in the try block leaves the catch path without an end.
    invalid(
      halfOpenServer(`  try {\n    const reply = JSON.stringify(JSON.parse('{'));\n    socket.end(reply);\n  } catch {\n    console.log('bad');\n  }`),
      'halfOpen',
      'socket',
      ["  socket.on('error', () => {});", `  ${ADD_END}\n  socket.on('error', () => {});`],
    ),
    // Ending only on a command the peer may never send.
    invalid(
      halfOpenServer(`  socket.setEncoding('utf8');\n  socket.on('data', (line: string) => { if (line.trim() === 'quit') socket.end('bye'); });`),
      'halfOpen',
      'socket',
      ["  socket.on('error', () => {});", `  ${ADD_END}\n  socket.on('error', () => {});`],
    ),
    // The socket is only the source of a pipeline: the pipeline does not end it.
    invalid(
      `
import * as net from 'node:net';
import { pipeline, Writable } from 'node:stream';
const sink = new Writable({ write(chunk, encoding, done) { done(); } });
net.createServer({ allowHalfOpen: true }, socket => {
  pipeline(socket, sink, error => console.log(error));
});
`,
      'halfOpen',
      'socket',
      ['  pipeline(socket, sink', `  ${ADD_END}\n  pipeline(socket, sink`],
    ),
    // A partner piped in with { end: false } does not end it.
    invalid(
      `
import * as net from 'node:net';
import * as fs from 'node:fs';
net.createServer({ allowHalfOpen: true }, socket => {
  fs.createReadStream('motd.txt').pipe(socket, { end: false });
});
`,
      'halfOpen',
      'socket',
      ["  fs.createReadStream", `  ${ADD_END}\n  fs.createReadStream`],
    ),
    // 'close' never comes while our side is open; a 'timeout' that destroys is not an 'end' path.
    invalid(
      halfOpenServer(`  socket.on('close', () => socket.destroy());\n  socket.setTimeout(30_000, () => socket.destroy());`),
      'halfOpen',
      'socket',
      ["  socket.on('error', () => {});", `  ${ADD_END}\n  socket.on('error', () => {});`],
    ),
    // A named connection handler (the fix goes at the start of its body).
    invalid(
      `
import { createServer, type Socket } from 'node:net';
function echo(socket: Socket): void {
  socket.on('data', (chunk: Buffer) => socket.write(chunk));
  socket.on('end', () => console.log('client finished sending'));
}
createServer({ allowHalfOpen: true }, echo).listen(7007);
`,
      'halfOpen',
      'socket',
      ['  socket.on(\'data\'', `  ${ADD_END}\n  socket.on('data'`],
    ),
    // A 'connection' listener on a half-open server.
    invalid(
      `
import * as net from 'node:net';
const server = net.createServer({ allowHalfOpen: true });
server.on('connection', conn => { conn.on('data', d => conn.write(d)); });
`,
      'halfOpen',
      'conn',
      ['{ conn.on(', "{ conn.on('end', () => conn.end()); conn.on("],
    ),
    // An expression-bodied handler: nothing safe to suggest.
    {
      code: `
import * as net from 'node:net';
net.createServer({ allowHalfOpen: true }, socket => socket.write('hi')).listen(0);
`,
      errors: [{ messageId: 'halfOpen', data: { name: 'socket' }, suggestions: [] }],
    },
    // new net.Socket({ allowHalfOpen: true }).
    invalid(
      `
import * as net from 'node:net';
const socket = new net.Socket({ allowHalfOpen: true });
socket.connect(80, 'example.test');
socket.on('data', chunk => console.log(chunk.length));
`,
      'halfOpen',
      'socket',
      ['const socket = new net.Socket({ allowHalfOpen: true });', `const socket = new net.Socket({ allowHalfOpen: true });\n${ADD_END}`],
    ),
    // tls: a half-open TLS server.
    invalid(
      `
import * as tls from 'node:tls';
tls.createServer({ allowHalfOpen: true }, secure => {
  secure.on('data', chunk => secure.write(chunk));
});
`,
      'halfOpen',
      'secure',
      ['  secure.on(', "  secure.on('end', () => secure.end());\n  secure.on("],
    ),
    // tls: a half-open TLS client.
    invalid(
      `
import * as tls from 'node:tls';
const secure = tls.connect({ host: 'example.test', port: 443, allowHalfOpen: true });
secure.on('data', chunk => console.log(chunk.length));
`,
      'halfOpen',
      'secure',
      ["port: 443, allowHalfOpen: true });", "port: 443, allowHalfOpen: true });\nsecure.on('end', () => secure.end());"],
    ),
    // JS with checkJs and require().
    {
      ...invalid(
        `
const net = require('node:net');
net.createServer({ allowHalfOpen: true }, function (conn) {
  conn.on('data', function (chunk) { conn.write(chunk); });
});
`,
        'halfOpen',
        'conn',
        ['  conn.on(', "  conn.on('end', () => conn.end());\n  conn.on("],
      ),
      filename: jsFile,
    },
    // JS with checkJs: an 'upgrade' socket on an https server.
    {
      ...invalid(
        `
import * as https from 'node:https';
const server = https.createServer({});
server.on('upgrade', (req, sock) => {
  sock.on('data', chunk => sock.write(chunk));
});
`,
        'upgradeHalfOpen',
        'sock',
        ['  sock.on(', "  sock.on('end', () => sock.end());\n  sock.on("],
      ),
      filename: jsFile,
    },
  ],
});

/**
 * An invalid case with one error. With `edit` (a `[before, after]` text replacement), the error carries the
 * `addEndListener` suggestion whose output is the code with that replacement; without, no suggestion.
 */
function invalid(code: string, messageId: 'halfOpen' | 'upgradeHalfOpen', name: string, edit?: [string, string]) {
  if (edit && !code.includes(edit[0])) {
    throw new Error(`test setup: ${JSON.stringify(edit[0])} is not in the code`);
  }
  return {
    code,
    errors: [
      {
        messageId,
        data: { name },
        suggestions: edit ? [{ messageId: 'addEndListener' as const, data: { name }, output: code.replace(edit[0], edit[1]) }] : [],
      },
    ],
  };
}
