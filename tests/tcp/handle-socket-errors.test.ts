// Claim: a socket error (ECONNREFUSED, ECONNRESET) on a socket without an 'error' listener crashes the whole
// process with exit code 1; any 'error' listener prevents that, even one that only logs, because Node destroys the
// socket itself on error (autoDestroy): it ends up destroyed, gone from the kernel table, its descriptor closed.
// Not a crash: a `new tls.TLSSocket(socket)` constructed directly listens for its own 'error' (and re-emits it as
// '_tlsError') until `tls.connect()` or a tls server releases it, so the rule does not report one.
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';

import {
  type ChildResult,
  cleanup,
  closedPort,
  connect,
  entryOf,
  holdsSocketFd,
  isLinux,
  portOf,
  recorder,
  runNode,
  startNetServer,
  TEST_TIMEOUT,
  waitFor,
} from './harness.js';

describe.skipIf(!isLinux)('handle-socket-errors', () => {
  afterEach(cleanup);

  it("bad: net.connect to a closed port without an 'error' listener → the process exits with code 1 (ECONNREFUSED)", async () => {
    const port = await closedPort();
    const result = await runNode(
      `
import net from 'node:net';
const socket = net.connect(Number(process.env.PORT), '127.0.0.1');
socket.on('connect', () => socket.write('hello'));
setTimeout(() => console.log('survived'), 1000);
`,
      { PORT: String(port) },
    );
    expectUncaught(result, 'ECONNREFUSED');
  }, TEST_TIMEOUT);

  it("fixed: an 'error' listener that only logs → the process survives and the socket is destroyed", async () => {
    const port = await closedPort();
    const result = await runNode(
      `
import net from 'node:net';
const log = (...parts) => console.log(...parts);
const socket = net.connect(Number(process.env.PORT), '127.0.0.1');
socket.on('connect', () => socket.write('hello'));
socket.on('error', (err) => {
  log('error', err.code);
});
socket.on('close', (hadError) => log('close', hadError));
setTimeout(() => log('survived', 'destroyed=' + socket.destroyed), 300);
`,
      { PORT: String(port) },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('error ECONNREFUSED');
    expect(result.stdout).toContain('close true');
    expect(result.stdout).toContain('survived destroyed=true');
  }, TEST_TIMEOUT);

  it("bad: the peer resets the connection and there is no 'error' listener → the process exits with code 1 (ECONNRESET)", async () => {
    const { port } = await startNetServer({}, (socket) => {
      setTimeout(() => socket.resetAndDestroy(), 100);
    });
    const result = await runNode(
      `
import net from 'node:net';
const socket = net.connect(Number(process.env.PORT), '127.0.0.1');
socket.on('data', (chunk) => console.log('got', chunk.length));
setTimeout(() => console.log('survived'), 1500);
`,
      { PORT: String(port) },
    );
    expectUncaught(result, 'ECONNRESET');
  }, TEST_TIMEOUT);

  it("fixed: ECONNRESET with a logging 'error' listener → destroyed, no kernel entry, descriptor released", async () => {
    const { log, lines } = recorder();
    const started = await startNetServer({}, (socket) => {
      setTimeout(() => socket.resetAndDestroy(), 100);
    });
    const socket = await connect(started.port);
    const socketPort = portOf(socket);
    const inode = entryOf(socketPort, started.port)?.inode ?? 0;
    socket.on('data', (chunk: Buffer) => log('got', chunk.length));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      log('error', err.code);
    });
    expect(inode).toBeGreaterThan(0);
    expect(holdsSocketFd(inode)).toBe(true);

    await waitFor(() => lines.includes('error ECONNRESET'), 2000, () => lines.join(','));
    await waitFor(() => socket.destroyed, 1000);
    expect(entryOf(socketPort, started.port)).toBeUndefined();
    await waitFor(() => !holdsSocketFd(inode), 1000);
  }, TEST_TIMEOUT);

  it("bad: tls.connect({ socket }) over a connection the peer resets, without an 'error' listener → exit code 1", async () => {
    const { port } = await startResettingServer();
    const result = await runNode(
      `
import net from 'node:net';
import tls from 'node:tls';
const raw = net.connect(Number(process.env.PORT), '127.0.0.1', () => {
  tls.connect({ socket: raw, rejectUnauthorized: false });
});
raw.on('error', () => {});
setTimeout(() => console.log('survived'), 1500);
`,
      { PORT: String(port) },
    );
    expectUncaught(result, 'ECONNRESET');
  }, TEST_TIMEOUT);

  it("harmless: new tls.TLSSocket(socket) without an 'error' listener, the peer resets → the process survives", async () => {
    const { port } = await startResettingServer();
    const result = await runNode(
      `
import net from 'node:net';
import tls from 'node:tls';
const raw = net.connect(Number(process.env.PORT), '127.0.0.1', () => {
  const secure = new tls.TLSSocket(raw, { isServer: false, rejectUnauthorized: false });
  console.log('own error listeners', secure.listenerCount('error'));
  secure.on('_tlsError', (err) => console.log('_tlsError', err.code));
  secure.on('close', () => console.log('closed destroyed=' + secure.destroyed));
  secure._start();
});
setTimeout(() => console.log('survived'), 800);
`,
      { PORT: String(port) },
    );
    expect(result.timedOut).toBe(false);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('own error listeners 1');
    expect(result.stdout).toContain('_tlsError ECONNRESET');
    expect(result.stdout).toContain('closed destroyed=true');
    expect(result.stdout).toContain('survived');
  }, TEST_TIMEOUT);

  it('harmless: a directly constructed TLSSocket whose peer resets is destroyed: no kernel entry, descriptor released', async () => {
    const started = await startResettingServer();
    const raw = await connect(started.port);
    const socketPort = portOf(raw);
    const inode = entryOf(socketPort, started.port)?.inode ?? 0;
    expect(inode).toBeGreaterThan(0);
    const secure = new tls.TLSSocket(raw, { isServer: false, rejectUnauthorized: false });
    const { log, lines } = recorder();
    secure.on('_tlsError', (err: NodeJS.ErrnoException) => log('_tlsError', err.code));
    (secure as tls.TLSSocket & { _start(): void })._start();
    await waitFor(() => lines.includes('_tlsError ECONNRESET'), 2000, () => lines.join(','));
    await waitFor(() => secure.destroyed, 1000);
    expect(entryOf(socketPort, started.port)).toBeUndefined();
    await waitFor(() => !holdsSocketFd(inode), 1000);
  }, TEST_TIMEOUT);
});

/** The child died of the socket error `code`, thrown by EventEmitter for want of a listener, before its timer ran. */
function expectUncaught(result: ChildResult, code: string): void {
  expect(result.timedOut).toBe(false);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain(code);
  expect(result.stderr).toContain("Unhandled 'error' event");
  expect(result.stdout).not.toContain('survived');
}

/** A net server that resets each connection once the client's first bytes (a TLS ClientHello) arrive. */
function startResettingServer(): ReturnType<typeof startNetServer> {
  return startNetServer({}, (socket) => {
    socket.once('data', () => socket.resetAndDestroy());
  });
}
