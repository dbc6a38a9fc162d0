// Writes a synthetic corpus of realistic Node.js networking code for the benchmark: net/tls servers and clients
// with reconnects, proxies, http servers and clients, fetch, helpers in other files that close, consume or store
// sockets, a few leaks of the kinds the rules report, and ordinary code without sockets (about half of the lines).
// Deterministic: the same seed and size give the same files.
//
//   node dist/bench/generate.js --loc 10000 [--seed 1] [--out dir]
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

/** A small, fast, seedable PRNG (mulberry32). */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Rng {
  next(): number;
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

function rng(seed: number): Rng {
  const next = createRandom(seed);
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: items => items[Math.floor(next() * items.length)] as (typeof items)[number],
    chance: p => next() < p,
  };
}

const NOUNS = ['metrics', 'orders', 'session', 'relay', 'ingest', 'audit', 'billing', 'cache', 'feed', 'sync', 'gateway', 'ledger'];
const VERBS = ['load', 'parse', 'merge', 'score', 'render', 'collect', 'index', 'flush', 'route', 'encode'];

function cap(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** The helper modules every corpus has (src/helpers/): what other files import to close, consume or keep sockets. */
const HELPERS: Record<string, string> = {
  'close.ts': `import type * as net from 'node:net';

/** Ends the socket and destroys it if the peer does not finish in time. */
export function closeGracefully(socket: net.Socket, graceMs = 5_000): void {
  socket.end();
  const timer = setTimeout(() => socket.destroy(), graceMs);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

/** Destroys the socket, ignoring a second call. */
export function closeQuietly(socket: net.Socket | undefined): void {
  if (socket && !socket.destroyed) {
    socket.destroy();
  }
}

export function resetConnection(socket: net.Socket): void {
  socket.resetAndDestroy();
}
`,
  'consume.ts': `import type * as http from 'node:http';
import type * as net from 'node:net';

/** Reads and discards everything the peer sends. */
export function drain(stream: net.Socket | http.IncomingMessage): void {
  stream.resume();
}

export async function readAll(stream: AsyncIterable<Buffer | string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  }
  return Buffer.concat(chunks);
}

export function readLines(socket: net.Socket, onLine: (line: string) => void): void {
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    let index = buffered.indexOf('\\n');
    while (index !== -1) {
      onLine(buffered.slice(0, index));
      buffered = buffered.slice(index + 1);
      index = buffered.indexOf('\\n');
    }
  });
  socket.on('end', () => socket.end());
}
`,
  'registry.ts': `import type * as net from 'node:net';

/** Keeps track of open connections so that shutdown can close them. */
export class ConnectionRegistry {
  readonly #sockets = new Set<net.Socket>();

  add(socket: net.Socket): void {
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
  }

  get size(): number {
    return this.#sockets.size;
  }

  closeAll(): void {
    for (const socket of this.#sockets) {
      socket.destroy();
    }
    this.#sockets.clear();
  }
}

export const registry = new ConnectionRegistry();
`,
  'connect.ts': `import * as net from 'node:net';
import * as tls from 'node:tls';

export interface Endpoint {
  host: string;
  port: number;
  secure?: boolean;
}

/** Opens a connection to the endpoint; the caller owns it. */
export function openConnection(endpoint: Endpoint): net.Socket {
  const socket = endpoint.secure
    ? tls.connect({ host: endpoint.host, port: endpoint.port, servername: endpoint.host })
    : net.connect({ host: endpoint.host, port: endpoint.port });
  socket.setNoDelay(true);
  return socket;
}

export function parseEndpoint(text: string): Endpoint {
  const [host = '127.0.0.1', port = '80'] = text.split(':');
  return { host, port: Number(port) };
}
`,
};

/** An import a unit needs: module specifier and binding (`* as net`, `name`, `type Name`). */
type Import = [specifier: string, binding: string];

type Unit = (r: Rng, id: string) => { imports: Import[]; code: string };

/** Merges the units' imports: one namespace import and one named import statement per module. */
function importStatements(imports: readonly Import[]): string[] {
  const namespaces = new Map<string, string>();
  const named = new Map<string, Set<string>>();
  for (const [specifier, binding] of imports) {
    if (binding.startsWith('* as ')) {
      namespaces.set(specifier, binding);
    } else {
      const set = named.get(specifier) ?? new Set<string>();
      set.add(binding);
      named.set(specifier, set);
    }
  }
  const lines: string[] = [];
  for (const [specifier, binding] of [...namespaces].sort()) {
    lines.push(`import ${binding} from '${specifier}';`);
  }
  for (const [specifier, bindings] of [...named].sort()) {
    const names = [...bindings].filter(name => !(name.startsWith('type ') && bindings.has(name.slice(5)))).sort();
    lines.push(`import { ${names.join(', ')} } from '${specifier}';`);
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------------------------
// Socket code
// ---------------------------------------------------------------------------------------------------------------

const netServer: Unit = (r, id) => {
  const timeout = r.pick([5_000, 15_000, 30_000, 60_000]);
  const leaky = r.chance(0.1);
  return {
    imports: [['node:net', '* as net'], ['./helpers/registry.js', 'registry']],
    code: `
export function start${cap(id)}Server(port: number): net.Server {
  const server = net.createServer(socket => {
    registry.add(socket);
    socket.setTimeout(${timeout});
    socket.on('timeout', () => {
      console.warn('idle connection from %s', socket.remoteAddress);
      ${leaky ? '' : 'socket.destroy();'}
    });
    socket.on('error', (error: Error) => {
      console.error('${id} socket error', error.message);
    });
    let received = 0;
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > ${r.int(1, 64)} * 1024 * 1024) {
        socket.destroy(new Error('too much data'));
        return;
      }
      socket.write(chunk);
    });
    socket.on('end', () => {
      socket.end();
    });
  });
  server.on('error', (error: Error) => {
    console.error('${id} server error', error);
  });
  server.listen(port);
  return server;
}
`,
  };
};

const lineServer: Unit = (r, id) => ({
  imports: [['node:net', '* as net'], ['./helpers/consume.js', 'readLines'], ['./helpers/close.js', 'closeGracefully']],
  code: `
export function create${cap(id)}LineServer(): net.Server {
  return net.createServer({ allowHalfOpen: ${r.chance(0.5) ? 'true' : 'false'} }, socket => {
    socket.on('error', () => socket.destroy());
    socket.setTimeout(${r.int(10, 120)}_000, () => closeGracefully(socket));
    readLines(socket, line => {
      const command = line.trim().toUpperCase();
      if (command === 'QUIT') {
        closeGracefully(socket);
      } else if (command === 'PING') {
        socket.write('PONG\\n');
      } else {
        socket.write(\`ERR unknown command \${command}\\n\`);
      }
    });
  });
}
`,
});

const reconnectingClient: Unit = (r, id) => {
  const leaky = r.chance(0.08);
  return {
    imports: [
      ['node:net', '* as net'],
      ['./helpers/close.js', 'closeQuietly'],
      ['./helpers/connect.js', 'openConnection'], ['./helpers/connect.js', 'type Endpoint'],
    ],
    code: `
export class ${cap(id)}Client {
  private socket: net.Socket | undefined;
  private attempts = 0;
  private closed = false;
  private readonly queue: string[] = [];

  constructor(private readonly endpoint: Endpoint) {}

  connect(): void {
    ${leaky ? '' : 'closeQuietly(this.socket);'}
    const socket = openConnection(this.endpoint);
    this.socket = socket;
    socket.setKeepAlive(true, ${r.int(1, 60)}_000);
    socket.on('connect', () => {
      this.attempts = 0;
      this.flush();
    });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error: Error) => {
      console.error('${id}: %s', error.message);
    });
    socket.on('close', () => {
      if (!this.closed) {
        this.scheduleReconnect();
      }
    });
  }

  send(message: string): void {
    this.queue.push(message);
    this.flush();
  }

  close(): void {
    this.closed = true;
    this.socket?.end();
  }

  private flush(): void {
    const socket = this.socket;
    if (!socket || socket.connecting) {
      return;
    }
    while (this.queue.length > 0) {
      socket.write(\`\${this.queue.shift() ?? ''}\\n\`);
    }
  }

  private onData(chunk: Buffer): void {
    const text = chunk.toString('utf8');
    if (text.startsWith('ERR')) {
      console.warn('${id} server said %s', text.trim());
    }
  }

  private scheduleReconnect(): void {
    const delay = Math.min(30_000, ${r.int(50, 500)} * 2 ** this.attempts++);
    setTimeout(() => this.connect(), delay).unref();
  }
}
`,
  };
};

const tlsClient: Unit = (r, id) => ({
  imports: [['node:tls', '* as tls'], ['./helpers/consume.js', 'readAll']],
  code: `
export async function fetch${cap(id)}Banner(host: string, port = ${r.pick([443, 8443, 993, 465])}): Promise<string> {
  const socket = tls.connect({ host, port, servername: host, timeout: ${r.int(1, 30)}_000 });
  socket.on('timeout', () => socket.destroy(new Error('${id}: timed out')));
  try {
    socket.end('HELLO\\r\\n');
    const data = await readAll(socket);
    return data.toString('latin1').split('\\r\\n')[0] ?? '';
  } finally {
    socket.destroy();
  }
}
`,
});

const tcpProxy: Unit = (r, id) => ({
  imports: [['node:net', '* as net'], ['node:stream', 'pipeline'], ['./helpers/connect.js', 'parseEndpoint']],
  code: `
export function create${cap(id)}Proxy(target: string): net.Server {
  const { host, port } = parseEndpoint(target);
  return net.createServer(client => {
    const upstream = net.connect({ host, port });
    client.setTimeout(${r.int(30, 300)}_000, () => client.destroy());
    pipeline(client, upstream, client, error => {
      if (error) {
        console.debug('${id} proxy closed: %s', error.message);
      }
    });
  });
}
`,
});

const connectProxy: Unit = (r, id) => ({
  imports: [['node:http', '* as http'], ['node:net', '* as net']],
  code: `
export function create${cap(id)}ConnectProxy(): http.Server {
  const server = http.createServer((req, res) => {
    res.writeHead(405, { allow: 'CONNECT' });
    res.end();
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const [host = '', port = '443'] = (req.url ?? '').split(':');
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\\r\\n\\r\\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    const fail = (): void => {
      client.destroy();
      upstream.destroy();
    };
    upstream.on('error', fail);
    client.on('error', fail);
    upstream.setTimeout(${r.int(10, 120)}_000, fail);
  });
  server.keepAliveTimeout = ${r.int(1, 10)}_000;
  return server;
}
`,
});

const httpServer: Unit = (r, id) => {
  const leaky = r.chance(0.1);
  return {
    imports: [['node:http', '* as http'], ['./helpers/consume.js', 'drain']],
    code: `
export function create${cap(id)}Api(store: Map<string, string>): http.Server {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET') {
      ${leaky ? '' : 'drain(req);'}
      const value = store.get(url.pathname);
      res.writeHead(value === undefined ? 404 : 200, { 'content-type': 'text/plain' });
      res.end(value ?? 'not found');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      store.set(url.pathname, Buffer.concat(chunks).toString('utf8'));
      res.writeHead(204);
      res.end();
    });
    req.on('error', () => res.destroy());
  });
  server.headersTimeout = ${r.int(5, 60)}_000;
  server.requestTimeout = ${r.int(30, 300)}_000;
  return server;
}
`,
  };
};

const httpClient: Unit = (r, id) => ({
  imports: [['node:http', '* as http']],
  code: `
export function get${cap(id)}Status(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: ${r.int(1, 30)}_000 }, res => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('${id}: timeout')));
    req.on('error', reject);
  });
}
`,
});

const fetchClient: Unit = (r, id) => ({
  imports: [],
  code: `
export async function load${cap(id)}(baseUrl: string, ids: readonly number[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const item of ids) {
    const response = await fetch(\`\${baseUrl}/${id}/\${item}\`, { signal: AbortSignal.timeout(${r.int(1, 20)}_000) });
    if (!response.ok) {
      await response.body?.cancel();
      continue;
    }
    out.push(await response.json());
  }
  return out;
}
`,
});

const pool: Unit = (r, id) => ({
  imports: [['node:net', '* as net'], ['./helpers/connect.js', 'openConnection'], ['./helpers/close.js', 'closeGracefully']],
  code: `
export class ${cap(id)}Pool {
  private readonly idle = new Map<string, net.Socket[]>();

  acquire(host: string, port: number): net.Socket {
    const key = \`\${host}:\${port}\`;
    const socket = this.idle.get(key)?.pop() ?? openConnection({ host, port });
    socket.on('error', () => socket.destroy());
    return socket;
  }

  release(host: string, port: number, socket: net.Socket): void {
    if (socket.destroyed) {
      return;
    }
    const key = \`\${host}:\${port}\`;
    const list = this.idle.get(key) ?? [];
    if (list.length >= ${r.int(2, 16)}) {
      closeGracefully(socket);
      return;
    }
    list.push(socket);
    this.idle.set(key, list);
  }

  drain(): void {
    for (const list of this.idle.values()) {
      list.forEach(socket => socket.destroy());
    }
    this.idle.clear();
  }
}
`,
});

const halfOpenServer: Unit = (r, id) => {
  const leaky = r.chance(0.15);
  return {
    imports: [['node:net', '* as net']],
    code: `
export function ${id}Collector(onRecord: (record: string) => void): net.Server {
  return net.createServer({ allowHalfOpen: true }, socket => {
    let text = '';
    socket.setEncoding('utf8');
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('end', () => {
      for (const record of text.split('\\n')) {
        if (record !== '') {
          onRecord(record);
        }
      }
      ${leaky ? "socket.write('ok\\n');" : "socket.end('ok\\n');"}
    });
  });
}
`,
  };
};

const SOCKET_UNITS: readonly Unit[] = [
  netServer,
  lineServer,
  reconnectingClient,
  tlsClient,
  tcpProxy,
  connectProxy,
  httpServer,
  httpClient,
  fetchClient,
  pool,
  halfOpenServer,
];

// ---------------------------------------------------------------------------------------------------------------
// Ordinary code
// ---------------------------------------------------------------------------------------------------------------

const records: Unit = (r, id) => {
  const fields = Array.from({ length: r.int(3, 7) }, (_, index) => `${r.pick(NOUNS)}${index}`);
  return {
    imports: [],
    code: `
export interface ${cap(id)}Record {
${fields.map(field => `  ${field}: ${r.pick(['number', 'string', 'boolean'])};`).join('\n')}
}

export function ${r.pick(VERBS)}${cap(id)}(rows: readonly Record<string, unknown>[]): ${cap(id)}Record[] {
  const out: ${cap(id)}Record[] = [];
  for (const row of rows) {
    const record = {} as Record<string, unknown>;
${fields.map(field => `    record.${field} = row['${field}'] ?? null;`).join('\n')}
    if (Object.values(record).some(value => value === null)) {
      continue;
    }
    out.push(record as unknown as ${cap(id)}Record);
  }
  return out.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}
`,
  };
};

const stats: Unit = (r, id) => ({
  imports: [],
  code: `
export class ${cap(id)}Stats {
  private readonly values: number[] = [];

  add(value: number): void {
    if (Number.isFinite(value)) {
      this.values.push(value);
    }
  }

  get mean(): number {
    return this.values.length === 0 ? 0 : this.values.reduce((sum, value) => sum + value, 0) / this.values.length;
  }

  percentile(p: number): number {
    if (this.values.length === 0) {
      return 0;
    }
    const sorted = [...this.values].sort((a, b) => a - b);
    const index = Math.min(sorted.length - 1, Math.max(0, Math.round((p / 100) * (sorted.length - 1))));
    return sorted[index] ?? 0;
  }

  histogram(buckets = ${r.int(4, 20)}): number[] {
    const counts = new Array<number>(buckets).fill(0);
    const max = Math.max(...this.values, 1);
    for (const value of this.values) {
      const bucket = Math.min(buckets - 1, Math.floor((value / max) * buckets));
      counts[bucket] = (counts[bucket] ?? 0) + 1;
    }
    return counts;
  }
}
`,
});

const parser: Unit = (r, id) => ({
  imports: [],
  code: `
export type ${cap(id)}Token = { kind: 'word' | 'number' | 'symbol'; text: string; offset: number };

export function tokenize${cap(id)}(input: string): ${cap(id)}Token[] {
  const tokens: ${cap(id)}Token[] = [];
  let offset = 0;
  while (offset < input.length) {
    const rest = input.slice(offset);
    const space = /^\\s+/.exec(rest);
    if (space) {
      offset += space[0].length;
      continue;
    }
    const number = /^\\d+(?:\\.\\d+)?/.exec(rest);
    if (number) {
      tokens.push({ kind: 'number', text: number[0], offset });
      offset += number[0].length;
      continue;
    }
    const word = /^[A-Za-z_]\\w*/.exec(rest);
    if (word) {
      tokens.push({ kind: 'word', text: word[0], offset });
      offset += word[0].length;
      continue;
    }
    tokens.push({ kind: 'symbol', text: rest.charAt(0), offset });
    offset += 1;
  }
  return tokens.slice(0, ${r.int(1000, 100000)});
}
`,
});

const asyncWork: Unit = (r, id) => ({
  imports: [['node:timers/promises', 'setTimeout as delay']],
  code: `
export async function retry${cap(id)}<T>(task: () => Promise<T>, attempts = ${r.int(2, 8)}): Promise<T> {
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      return await task();
    } catch (error) {
      lastError = error;
      await delay(${r.int(10, 200)} * 2 ** attempt);
    }
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

export async function mapLimit${cap(id)}<T, U>(items: readonly T[], limit: number, fn: (item: T) => Promise<U>): Promise<U[]> {
  const results = new Array<U>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, limit) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  });
  await Promise.all(workers);
  return results;
}
`,
});

const ORDINARY_UNITS: readonly Unit[] = [records, stats, parser, asyncWork];

// ---------------------------------------------------------------------------------------------------------------
// CommonJS files
// ---------------------------------------------------------------------------------------------------------------

function commonJsFile(r: Rng, id: string): string {
  const leaky = r.chance(0.1);
  return `'use strict';
const net = require('node:net');
const http = require('node:http');

/** A line-based status server (CommonJS). */
function start${cap(id)}(port) {
  const clients = new Set();
  const server = net.createServer(socket => {
    clients.add(socket);
    socket.setTimeout(${r.int(5, 120)}_000);
    socket.on('timeout', () => {
      ${leaky ? "console.log('idle');" : 'socket.end();'}
    });
    socket.on('error', () => socket.destroy());
    socket.on('data', chunk => {
      for (const other of clients) {
        if (other !== socket) {
          other.write(chunk);
        }
      }
    });
    socket.on('close', () => clients.delete(socket));
  });
  server.listen(port);
  return server;
}

function probe${cap(id)}(url, callback) {
  const req = http.get(url, res => {
    let size = 0;
    res.on('data', chunk => {
      size += chunk.length;
    });
    res.on('end', () => callback(null, { status: res.statusCode, size }));
  });
  req.setTimeout(${r.int(1, 30)}_000, () => req.destroy());
  req.on('error', error => callback(error));
}

function summarize${cap(id)}(values) {
  const sorted = values.slice().sort((a, b) => a - b);
  const total = sorted.reduce((sum, value) => sum + value, 0);
  return {
    count: sorted.length,
    min: sorted[0],
    max: sorted[sorted.length - 1],
    mean: sorted.length ? total / sorted.length : 0,
  };
}

module.exports = { start${cap(id)}, probe${cap(id)}, summarize${cap(id)} };
`;
}

// ---------------------------------------------------------------------------------------------------------------
// Corpus
// ---------------------------------------------------------------------------------------------------------------

export interface Corpus {
  dir: string;
  /** Absolute paths of the generated source files. */
  files: string[];
  /** Non-blank lines of the source files. */
  loc: number;
}

export interface GenerateOptions {
  /** Target number of non-blank lines (the corpus stops at the first file past it). */
  loc: number;
  seed?: number;
  /** Directory to write into (created; must be empty or absent). Default: a new temporary directory. */
  dir?: string;
}

function nonBlankLines(text: string): number {
  return text.split('\n').filter(line => line.trim() !== '').length;
}

function nodeTypeRoot(): string {
  const manifest = createRequire(import.meta.url).resolve('@types/node/package.json');
  return path.dirname(path.dirname(manifest));
}

/** Writes the corpus: src/ with the helper modules and generated files, package.json and tsconfig.json. */
export function generateCorpus(options: GenerateOptions): Corpus {
  const seed = options.seed ?? 1;
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), `socket-leaks-bench-${options.loc}-`));
  const src = path.join(dir, 'src');
  fs.mkdirSync(path.join(src, 'helpers'), { recursive: true });
  const r = rng(seed);
  const files: string[] = [];
  let loc = 0;
  const write = (relative: string, text: string): void => {
    const file = path.join(src, relative);
    fs.writeFileSync(file, text);
    files.push(file);
    loc += nonBlankLines(text);
  };
  for (const [name, text] of Object.entries(HELPERS)) {
    write(path.join('helpers', name), text);
  }
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ name: 'socket-leaks-bench-corpus', private: true, type: 'module' }, null, 2)}\n`);
  fs.writeFileSync(
    path.join(dir, 'tsconfig.json'),
    `${JSON.stringify(
      {
        compilerOptions: {
          target: 'es2022',
          lib: ['es2023'],
          module: 'nodenext',
          moduleResolution: 'nodenext',
          strict: true,
          allowJs: true,
          checkJs: false,
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
          typeRoots: [nodeTypeRoot()],
        },
        include: ['src'],
      },
      null,
      2,
    )}\n`,
  );
  let index = 0;
  while (loc < options.loc) {
    const id = `${r.pick(NOUNS)}${index}`;
    if (r.chance(0.12)) {
      write(`${id}.cjs`, commonJsFile(r, id));
    } else {
      // About half of the units are ordinary code without sockets.
      const units = Array.from({ length: r.int(2, 4) }, (_, n) =>
        (r.chance(0.5) ? r.pick(SOCKET_UNITS) : r.pick(ORDINARY_UNITS))(r, `${id}x${n}`),
      );
      const imports = importStatements(units.flatMap(unit => unit.imports));
      write(`${id}.ts`, `${imports.join('\n')}${imports.length > 0 ? '\n' : ''}${units.map(unit => unit.code).join('')}`);
    }
    index++;
  }
  return { dir, files, loc };
}

function main(argv: readonly string[]): number {
  const { values } = parseArgs({
    args: [...argv],
    options: { loc: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' } },
  });
  const loc = Number(values.loc ?? '10000');
  if (!Number.isFinite(loc) || loc <= 0) {
    process.stderr.write('Usage: node dist/bench/generate.js --loc <lines> [--seed <n>] [--out <dir>]\n');
    return 2;
  }
  const corpus = generateCorpus({ loc, seed: Number(values.seed ?? '1'), ...(values.out ? { dir: path.resolve(values.out) } : {}) });
  process.stdout.write(`${corpus.dir}: ${corpus.files.length} files, ${corpus.loc} LOC\n`);
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
