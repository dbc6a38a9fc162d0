// Claim: `socket.setKeepAlive(true)` without an initial delay (or with one under 1000 ms) only turns keep-alive on,
// so the kernel's default idle time applies: the first probe is about 2 hours away (tcp_keepalive_time, 7200 s by
// default). An explicit delay of at least 1000 ms (`setKeepAlive(true, 3000)`, or `keepAliveInitialDelay` on
// `net.createServer`) arms the keep-alive timer at that delay.
import { readFileSync } from 'node:fs';

import { afterEach, describe, expect, it } from 'vitest';

import {
  acceptedSocket,
  cleanup,
  connect,
  describeEntry,
  entryOf,
  isLinux,
  note,
  portOf,
  sleep,
  startNetServer,
  TEST_TIMEOUT,
} from './harness.js';

import type net from 'node:net';
import type { TcpEntry } from './harness.js';

/** The kernel's default idle time before the first keep-alive probe, in seconds. */
const systemIdleSeconds = (): number => Number(readFileSync('/proc/sys/net/ipv4/tcp_keepalive_time', 'utf8').trim());

/** Connects a client, lets `configure` run on it, and reads the kernel timer on the client's end. */
async function clientTimer(configure: (socket: net.Socket) => void): Promise<TcpEntry | undefined> {
  const started = await startNetServer({}, (socket) => {
    socket.resume();
  });
  const socket = await connect(started.port);
  socket.resume();
  configure(socket);
  await sleep(100);
  return entryOf(portOf(socket), started.port);
}

/** Starts a server with `options`, connects a client and reads the kernel timer on the accepted (server) end. */
async function acceptedTimer(options: net.ServerOpts): Promise<TcpEntry | undefined> {
  const started = await startNetServer(options, (socket) => {
    socket.resume();
  });
  const client = await connect(started.port);
  client.resume();
  await acceptedSocket(started);
  await sleep(100);
  return entryOf(started.port, portOf(client));
}

describe.skipIf(!isLinux)('keepalive-initial-delay', () => {
  afterEach(cleanup);

  it('baseline: without setKeepAlive no keep-alive timer is armed', async () => {
    const entry = await clientTimer(() => {});
    expect(entry?.state).toBe('ESTABLISHED');
    expect(entry?.timer).toBe('none');
  }, TEST_TIMEOUT);

  it('bad: socket.setKeepAlive(true) → first probe after the system idle time (~7200 s)', async () => {
    const entry = await clientTimer((socket) => {
      socket.setKeepAlive(true);
    });
    note('setKeepAlive(true):', describeEntry(entry), `(tcp_keepalive_time=${systemIdleSeconds()})`);
    expect(entry?.timer).toBe('keepalive');
    expect(Math.abs((entry?.timerSeconds ?? 0) - systemIdleSeconds())).toBeLessThan(5);
  }, TEST_TIMEOUT);

  it('bad: socket.setKeepAlive(true, 500) → a sub-second delay truncates to 0: also the system idle time', async () => {
    const entry = await clientTimer((socket) => {
      socket.setKeepAlive(true, 500);
    });
    note('setKeepAlive(true, 500):', describeEntry(entry));
    expect(entry?.timer).toBe('keepalive');
    expect(Math.abs((entry?.timerSeconds ?? 0) - systemIdleSeconds())).toBeLessThan(5);
  }, TEST_TIMEOUT);

  it('fixed: socket.setKeepAlive(true, 3000) → first probe after ~3 s', async () => {
    const entry = await clientTimer((socket) => {
      socket.setKeepAlive(true, 3000);
    });
    note('setKeepAlive(true, 3000):', describeEntry(entry));
    expect(entry?.timer).toBe('keepalive');
    expect(entry?.timerSeconds).toBeGreaterThan(2);
    expect(entry?.timerSeconds).toBeLessThanOrEqual(3);
  }, TEST_TIMEOUT);

  it('bad: net.createServer({ keepAlive: true }) without keepAliveInitialDelay → accepted sockets use ~7200 s', async () => {
    const entry = await acceptedTimer({ keepAlive: true });
    note('createServer({ keepAlive: true }):', describeEntry(entry));
    expect(entry?.timer).toBe('keepalive');
    expect(Math.abs((entry?.timerSeconds ?? 0) - systemIdleSeconds())).toBeLessThan(5);
  }, TEST_TIMEOUT);

  it('fixed: net.createServer({ keepAlive: true, keepAliveInitialDelay: 2000 }) → accepted sockets probe after ~2 s', async () => {
    const entry = await acceptedTimer({ keepAlive: true, keepAliveInitialDelay: 2000 });
    note('createServer({ keepAlive: true, keepAliveInitialDelay: 2000 }):', describeEntry(entry));
    expect(entry?.timer).toBe('keepalive');
    expect(entry?.timerSeconds).toBeGreaterThan(1);
    expect(entry?.timerSeconds).toBeLessThanOrEqual(2);
  }, TEST_TIMEOUT);
});
