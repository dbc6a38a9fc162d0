// Claim: a client that reconnects by overwriting `this.socket = net.connect(...)` without destroying the old
// half-open socket keeps every old connection: after N reconnects against a server that closes each connection, the
// client holds N sockets in CLOSE_WAIT and the server N in FIN_WAIT2. Destroying the old socket and reconnecting
// from 'close' leaves none behind.
import net from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import {
  cleanup,
  HOST,
  isLinux,
  note,
  sleep,
  startNetServer,
  tallyStates,
  TEST_TIMEOUT,
  track,
  waitFor,
} from './harness.js';

const RECONNECTS = 10;

// In the client classes below, track() is test instrumentation only: it destroys every socket after the test.

/** A server that greets each client and closes the connection 20 ms later (server-initiated FIN). */
async function greetAndCloseServer() {
  return startNetServer({}, (socket) => {
    socket.on('error', () => {});
    socket.resume();
    socket.write('hello\n');
    setTimeout(() => socket.end(), 20);
  });
}

/** The bug: reconnects on 'end' by overwriting this.socket; the old, half-open socket is never ended. */
class LeakyClient {
  socket: net.Socket;
  connections = 1;
  readonly messages: string[] = [];

  constructor(
    readonly port: number,
    readonly maxConnections: number,
  ) {
    this.socket = this.connect();
  }

  connect(): net.Socket {
    const socket = track(net.connect({ port: this.port, host: HOST, allowHalfOpen: true }));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.messages.push(chunk));
    socket.on('error', (err) => this.messages.push(err.message));
    socket.on('end', () => {
      if (this.connections++ < this.maxConnections) this.socket = this.connect();
    });
    return socket;
  }
}

/** The fix: destroy the old socket, and reconnect only once it has closed. */
class ReconnectingClient {
  socket: net.Socket;
  connections = 1;
  readonly messages: string[] = [];

  constructor(
    readonly port: number,
    readonly maxConnections: number,
  ) {
    this.socket = this.connect();
  }

  connect(): net.Socket {
    const socket = track(net.connect({ port: this.port, host: HOST, allowHalfOpen: true }));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.messages.push(chunk));
    socket.on('error', (err) => this.messages.push(err.message));
    socket.on('end', () => {
      socket.destroy();
    });
    socket.on('close', () => {
      if (this.socket === socket && this.connections++ < this.maxConnections) this.socket = this.connect();
    });
    return socket;
  }
}

describe.skipIf(!isLinux)('no-socket-overwrite', () => {
  afterEach(cleanup);

  it(`bad: ${RECONNECTS} reconnects that overwrite this.socket → ${RECONNECTS} CLOSE_WAIT on the client, FIN_WAIT2 on the server`, async () => {
    const { port, peers, accepted } = await greetAndCloseServer();
    const client = new LeakyClient(port, RECONNECTS);

    await waitFor(() => accepted.length === RECONNECTS && accepted.every((s) => s.writableFinished), 5000);
    await sleep(100);
    const clientSide = tallyStates(peers.map((p) => [p, port] as const));
    const serverSide = tallyStates(peers.map((p) => [port, p] as const));
    note('overwrite bad: client', clientSide, 'server', serverSide);
    expect(clientSide).toEqual({ CLOSE_WAIT: RECONNECTS });
    expect(serverSide).toEqual({ FIN_WAIT2: RECONNECTS });
    expect(client.messages.filter((m) => m === 'hello\n')).toHaveLength(RECONNECTS);
  }, TEST_TIMEOUT);

  it("fixed: destroy the old socket and reconnect from 'close' → no CLOSE_WAIT, no FIN_WAIT2 left", async () => {
    const { port, peers, accepted } = await greetAndCloseServer();
    const client = new ReconnectingClient(port, RECONNECTS);

    await waitFor(() => accepted.length === RECONNECTS && accepted.every((s) => s.destroyed), 5000);
    await sleep(100);
    const clientSide = tallyStates(peers.map((p) => [p, port] as const));
    const serverSide = tallyStates(peers.map((p) => [port, p] as const));
    note('overwrite fixed: client', clientSide, 'server', serverSide);
    expect(clientSide).toEqual({ CLOSED: RECONNECTS });
    // The server closed first each time, so it holds the TIME_WAITs (kernel-only, no descriptors).
    expect(serverSide).toEqual({ TIME_WAIT: RECONNECTS });
    expect(client.messages.filter((m) => m === 'hello\n')).toHaveLength(RECONNECTS);
  }, TEST_TIMEOUT);
});
