// Kernel-proof harness for the scenarios under tests/tcp/.
//
// It reads the kernel's TCP table (/proc/net/tcp and /proc/net/tcp6) so a test can assert the real TCP state of
// each end of a loopback connection, the kernel timer armed on it, and whether this process still holds the
// socket's file descriptor. It also starts servers and clients on 127.0.0.1 with ephemeral ports, runs small
// programs in child `node` processes (for crash scenarios), and tracks everything it creates so that `cleanup()`
// (called from `afterEach`) leaves no handle behind. Linux only; every scenario skips itself elsewhere.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { endianness } from 'node:os';
import http from 'node:http';
import net from 'node:net';

import type { ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';

/** True on the only platform whose kernel table these proofs can read. */
export const isLinux = process.platform === 'linux';

/** Per-test timeout (ms) for every scenario: far above any scenario's run time, still bounded. */
export const TEST_TIMEOUT = 15_000;

/** The loopback address every server and client in the scenarios uses. */
export const HOST = '127.0.0.1';

// ---------------------------------------------------------------------------------------------------------------
// /proc/net/tcp parsing

/** TCP states as named by the kernel (include/net/tcp_states.h), in the order of their numeric codes 1..12. */
const STATE_BY_CODE = [
  'ESTABLISHED',
  'SYN_SENT',
  'SYN_RECV',
  'FIN_WAIT1',
  'FIN_WAIT2',
  'TIME_WAIT',
  'CLOSE',
  'CLOSE_WAIT',
  'LAST_ACK',
  'LISTEN',
  'CLOSING',
  'NEW_SYN_RECV',
] as const;

export type TcpState = (typeof STATE_BY_CODE)[number];

/** A connection's state, or 'CLOSED' when the kernel has no entry for the 4-tuple any more. */
export type ConnectionState = TcpState | 'CLOSED';

/** The `tr` column: which kernel timer is pending on the socket. */
const TIMER_BY_CODE = ['none', 'retransmit', 'keepalive', 'timewait', 'zero-window-probe'] as const;

export type TimerKind = (typeof TIMER_BY_CODE)[number] | 'unknown';

/** One row of /proc/net/tcp or /proc/net/tcp6. */
export interface TcpEntry {
  readonly family: 4 | 6;
  readonly localAddress: string;
  readonly localPort: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly state: TcpState;
  /** Bytes sent but not yet acknowledged (or, for LISTEN, 0). */
  readonly txQueue: number;
  /** Bytes received but not yet read by the process (for LISTEN: the accept backlog). */
  readonly rxQueue: number;
  readonly timer: TimerKind;
  /** Seconds until the pending timer expires (0 when there is none). */
  readonly timerSeconds: number;
  /** The socket inode; 0 for TIME_WAIT mini-sockets and orphaned sockets no descriptor refers to. */
  readonly inode: number;
}

/** /proc/net/tcp reports timer expiry in USER_HZ clock ticks, which is 100 per second on Linux. */
const USER_HZ = 100;

const littleEndian = endianness() === 'LE';

/** Decodes the kernel's hex address: 32-bit words, each printed in host byte order. */
function decodeAddress(hex: string): string {
  const bytes: number[] = [];
  for (let word = 0; word < hex.length; word += 8) {
    const wordBytes: number[] = [];
    for (let i = word; i < word + 8; i += 2) wordBytes.push(parseInt(hex.slice(i, i + 2), 16));
    if (littleEndian) wordBytes.reverse();
    bytes.push(...wordBytes);
  }
  if (bytes.length === 4) return bytes.join('.');
  const mappedPrefix = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];
  if (mappedPrefix.every((b, i) => bytes[i] === b)) return `::ffff:${bytes.slice(12).join('.')}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  // RFC 5952: compress the longest run (of two or more) of zero groups to '::'.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  if (bestStart < 0) return groups.join(':');
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLength).join(':')}`;
}

function splitEndpoint(field: string): [address: string, port: number] {
  const [addressHex = '', portHex = '0'] = field.split(':');
  return [decodeAddress(addressHex), parseInt(portHex, 16)];
}

function parseTable(path: string, family: 4 | 6): TcpEntry[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return []; // no IPv6 support, or not Linux
  }
  const entries: TcpEntry[] = [];
  for (const line of text.split('\n').slice(1)) {
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
    const fields = line.trim().split(/\s+/);
    if (fields.length < 10) continue;
    const [, local = '', remote = '', st = '', queues = '', timer = '', , , , inode = '0'] = fields;
    const state = STATE_BY_CODE[parseInt(st, 16) - 1];
    if (state === undefined) continue;
    const [localAddress, localPort] = splitEndpoint(local);
    const [remoteAddress, remotePort] = splitEndpoint(remote);
    const [txHex = '0', rxHex = '0'] = queues.split(':');
    const [timerHex = '0', whenHex = '0'] = timer.split(':');
    const timerCode = parseInt(timerHex, 16);
    entries.push({
      family,
      localAddress,
      localPort,
      remoteAddress,
      remotePort,
      state,
      txQueue: parseInt(txHex, 16),
      rxQueue: parseInt(rxHex, 16),
      timer: TIMER_BY_CODE[timerCode] ?? 'unknown',
      timerSeconds: timerCode === 0 ? 0 : parseInt(whenHex, 16) / USER_HZ,
      inode: Number(inode),
    });
  }
  return entries;
}

/** Every TCP socket of this network namespace, IPv4 and IPv6. */
export function readTcpTable(): TcpEntry[] {
  return [...parseTable('/proc/net/tcp', 4), ...parseTable('/proc/net/tcp6', 6)];
}

/** Guards against a port read from a socket after it was destroyed (`localPort` is then undefined). */
function checkPorts(...ports: number[]): void {
  for (const port of ports) {
    if (!Number.isInteger(port) || port <= 0) throw new Error(`not a connected port: ${port}`);
  }
}

/** The local port of a connected socket; capture it before the socket is destroyed. */
export function portOf(socket: net.Socket): number {
  const port = socket.localPort;
  if (port === undefined) throw new Error('socket has no local port (not connected, or already destroyed)');
  return port;
}

/** The kernel's entry for the socket bound to `localPort` and connected to `remotePort`, if any. */
export function entryOf(localPort: number, remotePort: number): TcpEntry | undefined {
  checkPorts(localPort, remotePort);
  return readTcpTable().find((e) => e.localPort === localPort && e.remotePort === remotePort);
}

/** The state of the socket `localPort` → `remotePort`, or 'CLOSED' when the kernel has no entry for it. */
export function stateOf(localPort: number, remotePort: number): ConnectionState {
  return entryOf(localPort, remotePort)?.state ?? 'CLOSED';
}

/** Both ends of one loopback connection: `local` is the socket bound to `localPort`, `remote` its peer. */
export function connectionStates(
  localPort: number,
  remotePort: number,
): { local: ConnectionState; remote: ConnectionState } {
  checkPorts(localPort, remotePort);
  const table = readTcpTable();
  const find = (l: number, r: number): ConnectionState =>
    table.find((e) => e.localPort === l && e.remotePort === r)?.state ?? 'CLOSED';
  return { local: find(localPort, remotePort), remote: find(remotePort, localPort) };
}

/**
 * A predicate for `waitFor`/`holdsFor`: the socket `localPort` → `remotePort` is in `local` and its peer in `remote`
 * (both read from one snapshot of the table). Its `describe` prints what the kernel shows instead.
 */
export function inStates(
  localPort: number,
  remotePort: number,
  local: ConnectionState,
  remote: ConnectionState,
): (() => boolean) & { describe: () => string } {
  const predicate = (): boolean => {
    const now = connectionStates(localPort, remotePort);
    return now.local === local && now.remote === remote;
  };
  const describe = (): string => {
    const now = connectionStates(localPort, remotePort);
    return `expected ${local}/${remote}, kernel shows ${now.local}/${now.remote}`;
  };
  return Object.assign(predicate, { describe });
}

/**
 * How many sockets are in `state` for `port`. `side: 'local'` counts sockets bound to the port (a server's accepted
 * connections), `'remote'` sockets connected to it (its clients' ends); the default counts both.
 */
export function countInState(port: number, state: TcpState, side: 'local' | 'remote' | 'both' = 'both'): number {
  return readTcpTable().filter(
    (e) =>
      e.state === state &&
      ((side !== 'remote' && e.localPort === port) || (side !== 'local' && e.remotePort === port)),
  ).length;
}

/** A histogram of the states of the given connections (each `[localPort, remotePort]`), CLOSED included. */
export function tallyStates(connections: ReadonlyArray<readonly [number, number]>): Partial<Record<ConnectionState, number>> {
  const table = readTcpTable();
  const tally: Partial<Record<ConnectionState, number>> = {};
  for (const [l, r] of connections) {
    checkPorts(l, r);
    const state = table.find((e) => e.localPort === l && e.remotePort === r)?.state ?? 'CLOSED';
    tally[state] = (tally[state] ?? 0) + 1;
  }
  return tally;
}

// ---------------------------------------------------------------------------------------------------------------
// File descriptors of this process

/** The inodes of every socket this process holds a descriptor for (/proc/self/fd links `socket:[inode]`). */
export function heldSocketInodes(): Set<number> {
  const inodes = new Set<number>();
  for (const fd of readdirSync('/proc/self/fd')) {
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue; // the descriptor closed while we listed them (or it was readdir's own)
    }
    const match = /^socket:\[(\d+)\]$/.exec(target);
    if (match?.[1] !== undefined) inodes.add(Number(match[1]));
  }
  return inodes;
}

/** Whether this process still holds a descriptor for the socket with this inode (taken from a TcpEntry). */
export function holdsSocketFd(inode: number): boolean {
  return inode !== 0 && heldSocketInodes().has(inode);
}

// ---------------------------------------------------------------------------------------------------------------
// Waiting

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const POLL_MS = 10;

/**
 * Polls `predicate` until it returns true; throws when `ms` pass first. `describe` is called for the error message
 * (e.g. to print the states actually seen). Resolves to the time it took, in ms.
 */
export async function waitFor(predicate: () => boolean, ms: number, describe?: () => string): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (predicate()) return Date.now() - start;
    if (Date.now() - start > ms) {
      throw new Error(`condition not met within ${ms} ms${describe ? `: ${describe()}` : ''}`);
    }
    await sleep(POLL_MS);
  }
}

/** Polls `predicate` for `ms`; resolves to false as soon as it fails once, to true if it held throughout. */
export async function holdsFor(predicate: () => boolean, ms: number): Promise<boolean> {
  const start = Date.now();
  do {
    if (!predicate()) return false;
    await sleep(POLL_MS * 2);
  } while (Date.now() - start < ms);
  return predicate();
}

/** Collects what handler code "logs", so scenarios can assert on it without printing. */
export function recorder(): { log: (...parts: unknown[]) => void; lines: string[] } {
  const lines: string[] = [];
  return { lines, log: (...parts) => lines.push(parts.map(String).join(' ')) };
}

// ---------------------------------------------------------------------------------------------------------------
// Resource tracking

const disposers: Array<() => void> = [];

/** Registers clean-up work for the current test; `cleanup()` runs it (newest first). */
export function onCleanup(dispose: () => void): void {
  disposers.push(dispose);
}

/** Destroys every socket, closes every server, destroys every agent and kills every child this test created. */
export async function cleanup(): Promise<void> {
  while (disposers.length > 0) {
    const dispose = disposers.pop();
    try {
      dispose?.();
    } catch {
      // already gone
    }
  }
  // Let 'close' callbacks run so no handle outlives the test.
  await sleep(10);
}

/** Anything `cleanup()` can destroy: sockets, client requests, other streams. */
export interface Destroyable {
  destroy(): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

/** Tracks a socket or request so that `cleanup()` destroys it (swallowing late errors); returns it. */
export function track<T extends Destroyable>(resource: T): T {
  onCleanup(() => {
    resource.on('error', () => {});
    resource.destroy();
  });
  return resource;
}

// ---------------------------------------------------------------------------------------------------------------
// Servers and clients

export interface Started<S extends net.Server> {
  readonly server: S;
  readonly port: number;
  /** Every socket the server accepted, in order. */
  readonly accepted: net.Socket[];
  /** The remote (client) port of every accepted connection, recorded at accept time. */
  readonly peers: number[];
}

/** Listens on `host`:0 and records every accepted connection; `cleanup()` destroys them and closes the server. */
export async function listen<S extends net.Server>(server: S, host = HOST): Promise<Started<S>> {
  const accepted: net.Socket[] = [];
  const peers: number[] = [];
  server.on('connection', (socket: net.Socket) => {
    accepted.push(socket);
    peers.push(socket.remotePort ?? 0);
  });
  onCleanup(() => {
    if (server instanceof http.Server) server.closeAllConnections();
    for (const socket of accepted) {
      socket.on('error', () => {});
      socket.destroy();
    }
    server.close();
  });
  server.listen(0, host);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return { server, port, accepted, peers };
}

/** `net.createServer(options, handler)` listening on an ephemeral loopback port. */
export function startNetServer(
  options: net.ServerOpts,
  handler: (socket: net.Socket) => void,
): Promise<Started<net.Server>> {
  return listen(net.createServer(options, handler));
}

/** `http.createServer(options, handler)` listening on an ephemeral loopback port. */
export function startHttpServer(
  options: http.ServerOptions,
  handler?: http.RequestListener,
): Promise<Started<http.Server>> {
  return listen(handler ? http.createServer(options, handler) : http.createServer(options));
}

/** A loopback port nothing listens on (bound, then closed again). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, HOST);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Connects a tracked client to `port` (on 127.0.0.1 unless `options.host` says otherwise) and resolves once it is
 * connected. No listeners are added. */
export async function connect(port: number, options: Omit<net.TcpNetConnectOpts, 'port'> = {}): Promise<net.Socket> {
  const socket = track(net.connect({ host: HOST, ...options, port }));
  await once(socket, 'connect');
  return socket;
}

/** Waits until the server has accepted at least `count` connections and returns the last of them. */
export async function acceptedSocket(started: Started<net.Server>, count = 1): Promise<net.Socket> {
  await waitFor(() => started.accepted.length >= count, 2000, () => `accepted ${started.accepted.length}`);
  const socket = started.accepted[count - 1];
  if (!socket) throw new Error('no accepted socket');
  return socket;
}

/**
 * A raw HTTP/1.1 keep-alive client: connects, sends `GET path` and resolves when the whole response (by its
 * Content-Length) has arrived. The socket keeps reading afterwards, like an idle keep-alive client.
 */
export async function rawKeepAliveRequest(
  port: number,
  path = '/',
): Promise<{ socket: net.Socket; response: string; localPort: number }> {
  const socket = await connect(port);
  const localPort = portOf(socket);
  socket.on('error', () => {});
  let response = '';
  const done = new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      response += chunk.toString('latin1');
      const headerEnd = response.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(response)?.[1] ?? 0);
      if (response.length >= headerEnd + 4 + length) resolve();
    });
    socket.once('close', () => reject(new Error(`closed before the response completed: ${response}`)));
  });
  socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n`);
  await done;
  return { socket, response, localPort };
}

// ---------------------------------------------------------------------------------------------------------------
// Child processes

export interface ChildResult {
  /** Exit code, or null when the child was killed by a signal. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Whether the hard kill timeout had to end the child. */
  readonly timedOut: boolean;
}

/**
 * Runs `source` (an ES module) in a child `node` process with the given extra environment, capturing its exit
 * code and output. The child is killed (SIGKILL, this child only) after `timeoutMs`.
 */
export function runNode(
  source: string,
  env: Record<string, string> = {},
  timeoutMs = 8000,
): Promise<ChildResult> {
  const child: ChildProcess = spawn(process.execPath, ['--input-type=module', '--eval', source], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let timedOut = false;
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const killer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  onCleanup(() => {
    clearTimeout(killer);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Measurements

/** Prints a measured value when TCP_NOTES=1 (used to write the docs); silent otherwise. */
export function note(...parts: unknown[]): void {
  if (process.env['TCP_NOTES'] === '1') console.log(...parts);
}

/** A short human-readable form of a kernel entry: state, timer, queues. */
export function describeEntry(entry: TcpEntry | undefined): string {
  if (!entry) return 'CLOSED (no kernel entry)';
  let text = entry.state;
  if (entry.timer !== 'none') text += ` timer=${entry.timer} ${entry.timerSeconds.toFixed(2)}s`;
  if (entry.rxQueue) text += ` rx=${entry.rxQueue}`;
  if (entry.txQueue) text += ` tx=${entry.txQueue}`;
  return text;
}
