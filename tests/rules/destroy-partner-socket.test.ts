import rule from '../../rules/destroy-partner-socket.js';
import { createRuleTester, jsFile } from '../rule-tester.js';

const ruleTester = createRuleTester();

/** A proxy server around `body`: `client` is the accepted socket. */
const proxy = (body: string): string => `
import * as net from 'node:net';
net.createServer(client => {
${body}
}).listen(0);
`;

/** The bug of tests/tcp/destroy-partner-socket.test.ts. */
const bad = `  const upstream = net.connect(4000, '127.0.0.1');
  client.pipe(upstream);
  upstream.pipe(client);
  client.on('error', err => console.log('client', err.message));
  upstream.on('error', err => console.log('upstream', err.message));`;

ruleTester.run('destroy-partner-socket', rule, {
  valid: [
    // The fix of the TCP test: stream.pipeline destroys every stream when one fails.
    `
import * as net from 'node:net';
import { pipeline } from 'node:stream';
net.createServer(client => {
  const upstream = net.connect(4000, '127.0.0.1');
  pipeline(client, upstream, client, err => {
    if (err) console.log('proxy', err.message);
  });
}).listen(0);
`,
    // The other fix: each side destroys the other on 'close'.
    proxy(`${bad}
  client.on('close', () => upstream.destroy());
  upstream.on('close', () => client.destroy());`),
    // pipeline from 'stream/promises'.
    `
import * as net from 'node:net';
import { pipeline } from 'node:stream/promises';
net.createServer(async client => {
  const upstream = net.connect(4000);
  try {
    await pipeline(client, upstream, client);
  } catch (error) {
    console.error(error);
  }
}).listen(0);
`,
    // 'error' listeners that destroy the partner (every failure of a socket emits 'error' or 'close').
    proxy(`  const upstream = net.connect(4000);
  client.pipe(upstream).pipe(client);
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());`),
    // One cleanup function for both, by name; once() is a listener too.
    proxy(`  const upstream = net.connect(4000);
  const cleanup = () => {
    client.destroy();
    upstream.destroy();
  };
  client.pipe(upstream);
  upstream.pipe(client);
  client.once('close', cleanup);
  upstream.once('close', cleanup);`),
    // A helper in another file that ties the lifetimes together.
    `
import * as net from 'node:net';
import { bindLifetimes } from './destroy-partner-socket-helpers.js';
net.createServer(client => {
  const upstream = net.connect(4000);
  client.pipe(upstream);
  upstream.pipe(client);
  bindLifetimes(client, upstream);
});
`,
    // A helper in another file that destroys, called from each 'close' listener.
    `
import * as net from 'node:net';
import { closeSocket } from './helpers.js';
net.createServer(client => {
  const upstream = net.connect(4000);
  client.pipe(upstream);
  upstream.pipe(client);
  client.on('close', () => closeSocket(upstream));
  upstream.on('close', () => closeSocket(client));
});
`,
    // Returned: the caller owns the upstream and its lifetime.
    `
import * as net from 'node:net';
export function bridge(client: net.Socket): net.Socket {
  const upstream = net.connect(4000);
  client.pipe(upstream);
  upstream.pipe(client);
  return upstream;
}
`,
    // Stored in a Map and in a field: whoever keeps it is responsible.
    `
import * as net from 'node:net';
const sessions = new Map<string, net.Socket>();
net.createServer(client => {
  const upstream = net.connect(4000);
  sessions.set(String(client.remotePort), upstream);
  client.pipe(upstream);
  upstream.pipe(client);
});
class Tunnel {
  upstream: net.Socket;
  constructor(client: net.Socket) {
    this.upstream = net.connect(4000);
    client.pipe(this.upstream);
    this.upstream.pipe(client);
  }
}
export { Tunnel };
`,
    // Not a socket destination (or source): a file, stdout.
    `
import * as net from 'node:net';
import * as fs from 'node:fs';
net.createServer(socket => {
  socket.pipe(fs.createWriteStream('/tmp/upload'));
  fs.createReadStream('/tmp/banner').pipe(socket);
  socket.pipe(process.stdout);
});
`,
    // An echo server pipes a socket into itself.
    proxy(`  client.pipe(client);`),
    // Both sockets are borrowed: their owner decides.
    `
import type * as net from 'node:net';
export function splice(a: net.Socket, b: net.Socket): void {
  a.pipe(b);
  b.pipe(a);
}
`,
    // tls upstream, stream.finished callbacks.
    `
import * as net from 'node:net';
import * as tls from 'node:tls';
import { finished } from 'node:stream';
net.createServer(client => {
  const upstream = tls.connect({ host: 'example.test', port: 443 });
  client.pipe(upstream);
  upstream.pipe(client);
  finished(client, () => upstream.destroy());
  finished(upstream, () => client.destroy());
});
`,
    // JS with checkJs.
    {
      code: `
const net = require('node:net');
net.createServer(function (client) {
  const upstream = net.connect(4000);
  client.pipe(upstream);
  upstream.pipe(client);
  client.on('close', function () { upstream.destroy(); });
  upstream.on('close', function () { client.destroy(); });
});
`,
      filename: jsFile,
    },
    // 'data' forwarding, with the lifetimes tied; the early return path still has a destroying path.
    proxy(`  const upstream = net.connect(4000);
  client.on('data', chunk => upstream.write(chunk));
  upstream.on('data', chunk => client.write(chunk));
  client.on('close', () => {
    if (upstream.destroyed) return;
    upstream.end();
  });
  upstream.on('close', () => {
    try {
      client.destroy();
    } catch (error) {
      console.error(error);
    }
  });`),
    // 'data' listeners that write nowhere (counting, logging): the sockets are not joined.
    proxy(`  const upstream = net.connect(4000);
  let bytes = 0;
  client.on('data', chunk => { bytes += chunk.length; });
  upstream.on('data', chunk => console.log(bytes, chunk.length));`),
    // Handed to code we cannot see.
    `
import * as net from 'node:net';
declare function supervise(a: net.Socket, b: net.Socket): void;
net.createServer(client => {
  const upstream = net.connect(4000);
  client.pipe(upstream);
  upstream.pipe(client);
  supervise(client, upstream);
});
`,
  ],
  invalid: [
    // The TCP test's bug.
    {
      code: proxy(bad),
      errors: [
        {
          messageId: 'destroyPartners',
          data: { a: 'client', b: 'upstream' },
          line: 5,
          suggestions: [
            {
              messageId: 'addCloseListeners',
              output: proxy(
                bad.replace(
                  '  upstream.pipe(client);',
                  "  upstream.pipe(client);\n  client.on('close', () => upstream.destroy());\n  upstream.on('close', () => client.destroy());",
                ),
              ),
            },
          ],
        },
      ],
    },
    // Only one direction is covered.
    {
      code: proxy(`${bad}
  client.on('close', () => upstream.destroy());`),
      errors: [
        {
          messageId: 'destroyPartner',
          data: { side: 'upstream', partner: 'client' },
          suggestions: [
            {
              messageId: 'addCloseListeners',
              output: proxy(`${bad.replace('  upstream.pipe(client);', "  upstream.pipe(client);\n  upstream.on('close', () => client.destroy());")}
  client.on('close', () => upstream.destroy());`),
            },
          ],
        },
      ],
    },
    // A one-way pipe: when the upstream dies the client stays, and the other way round.
    invalid(proxy(`  const upstream = net.connect(4000);\n  client.pipe(upstream);`), 'client', 'upstream', '  client.pipe(upstream);'),
    // 'data' forwarding, reported at the listener.
    invalid(
      proxy(`  const upstream = net.connect(4000);\n  client.on('data', chunk => upstream.write(chunk));\n  upstream.on('data', chunk => client.write(chunk));`),
      'client',
      'upstream',
      '  upstream.on(\'data\', chunk => client.write(chunk));',
    ),
    // A helper in another file that only logs.
    invalid(
      `
import * as net from 'node:net';
import { logClose } from './destroy-partner-socket-helpers.js';
net.createServer(client => {
  const upstream = net.connect(4000);
  client.pipe(upstream);
  upstream.pipe(client);
  logClose(client, upstream);
});
`,
      'client',
      'upstream',
      '  upstream.pipe(client);',
    ),
    // An upstream created by a helper in another file.
    invalid(
      `
import * as net from 'node:net';
import { openConnection } from './connect.js';
net.createServer(client => {
  const upstream = openConnection(4000);
  client.pipe(upstream);
  upstream.pipe(client);
});
`,
      'client',
      'upstream',
      '  upstream.pipe(client);',
    ),
    // tls.
    invalid(
      proxy(`  const upstream = tls.connect({ host: 'example.test', port: 443 });\n  client.pipe(upstream);\n  upstream.pipe(client);`).replace(
        "import * as net from 'node:net';",
        "import * as net from 'node:net';\nimport * as tls from 'node:tls';",
      ),
      'client',
      'upstream',
      '  upstream.pipe(client);',
    ),
    // JS with require().
    {
      ...invalid(
        `
const net = require('node:net');
net.createServer(function (client) {
  const upstream = net.connect(4000);
  client.pipe(upstream);
  upstream.pipe(client);
});
`,
        'client',
        'upstream',
        '  upstream.pipe(client);',
      ),
      filename: jsFile,
    },
    // Through an alias.
    invalid(proxy(`  const upstream = net.connect(4000);\n  const up = upstream;\n  client.pipe(up);\n  up.pipe(client);`), 'client', 'up', '  up.pipe(client);'),
    // An early return before the join does not matter.
    invalid(
      proxy(`  if (!client.remoteAddress) {\n    client.destroy();\n    return;\n  }\n  const upstream = net.connect(4000);\n  client.pipe(upstream);\n  upstream.pipe(client);`),
      'client',
      'upstream',
      '  upstream.pipe(client);',
    ),
    // Joined inside try/catch: the catch only handles the synchronous throw.
    invalid(
      proxy(`  const upstream = net.connect(4000);\n  try {\n    client.pipe(upstream);\n    upstream.pipe(client);\n  } catch {\n    client.destroy();\n  }`),
      'client',
      'upstream',
      '    upstream.pipe(client);',
    ),
    // The http 'connect' proxy of the Node docs: the tunnel stays open when either side dies.
    {
      code: `
import * as http from 'node:http';
import * as net from 'node:net';
const server = http.createServer();
server.on('connect', (req, clientSocket, head) => {
  const serverSocket = net.connect(443, 'example.test', () => {
    clientSocket.write('HTTP/1.1 200 Connection Established\\r\\n\\r\\n');
    serverSocket.write(head);
    serverSocket.pipe(clientSocket);
    clientSocket.pipe(serverSocket);
  });
});
`,
      errors: [
        {
          messageId: 'destroyPartners',
          data: { a: 'serverSocket', b: 'clientSocket' },
          suggestions: [
            {
              messageId: 'addCloseListeners',
              output: `
import * as http from 'node:http';
import * as net from 'node:net';
const server = http.createServer();
server.on('connect', (req, clientSocket, head) => {
  const serverSocket = net.connect(443, 'example.test', () => {
    clientSocket.write('HTTP/1.1 200 Connection Established\\r\\n\\r\\n');
    serverSocket.write(head);
    serverSocket.pipe(clientSocket);
    clientSocket.pipe(serverSocket);
    serverSocket.on('close', () => clientSocket.destroy());
    clientSocket.on('close', () => serverSocket.destroy());
  });
});
`,
            },
          ],
        },
      ],
    },
    // Error listeners that destroy their own socket, not the partner.
    invalid(
      proxy(`  const upstream = net.connect(4000);\n  client.pipe(upstream);\n  upstream.pipe(client);\n  client.on('error', () => client.destroy());\n  upstream.on('error', () => upstream.destroy());`),
      'client',
      'upstream',
      '  upstream.pipe(client);',
    ),
    // 'end' handlers cover a clean end only, not an error or a reset.
    invalid(
      proxy(`  const upstream = net.connect(4000);\n  client.pipe(upstream);\n  upstream.pipe(client);\n  client.on('end', () => upstream.end());\n  upstream.on('end', () => client.end());`),
      'client',
      'upstream',
      '  upstream.pipe(client);',
    ),
    // Joined in a sequence expression under an 'if': no suggestion (there is no statement list to add to).
    {
      code: `
import * as net from 'node:net';
net.createServer(client => {
  const upstream = net.connect(4000);
  if (client.remotePort) client.pipe(upstream), upstream.pipe(client);
});
`,
      errors: [{ messageId: 'destroyPartners', data: { a: 'client', b: 'upstream' }, suggestions: [] }],
    },
    // A function listener that destroys itself ('this'), not the partner.
    {
      code: proxy(`  const upstream = net.connect(4000);\n  client.pipe(upstream);\n  upstream.pipe(client);\n  client.on('close', function () { this.destroy(); });\n  upstream.on('close', () => client.destroy());`),
      errors: [
        {
          messageId: 'destroyPartner',
          data: { side: 'client', partner: 'upstream' },
          suggestions: [
            {
              messageId: 'addCloseListeners',
              output: proxy(
                `  const upstream = net.connect(4000);\n  client.pipe(upstream);\n  upstream.pipe(client);\n  client.on('close', () => upstream.destroy());\n  client.on('close', function () { this.destroy(); });\n  upstream.on('close', () => client.destroy());`,
              ),
            },
          ],
        },
      ],
    },
  ],
});

/**
 * An invalid case with one `destroyPartners` error between `a` and `b`, whose suggestion adds both 'close' listeners
 * after the statement `after`.
 */
function invalid(code: string, a: string, b: string, after: string) {
  const indent = /^ */.exec(after)![0];
  return {
    code,
    errors: [
      {
        messageId: 'destroyPartners' as const,
        data: { a, b },
        suggestions: [
          {
            messageId: 'addCloseListeners' as const,
            output: code.replace(
              after,
              `${after}\n${indent}${a}.on('close', () => ${b}.destroy());\n${indent}${b}.on('close', () => ${a}.destroy());`,
            ),
          },
        ],
      },
    ],
  };
}
