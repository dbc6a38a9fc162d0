// Claim: a socket with `allowHalfOpen: true` (explicitly, or as handed out by an http.Server 'upgrade' listener)
// whose 'end' handler does not call `end()` stays in CLOSE_WAIT, with no kernel timer, after the peer's FIN, and a
// Node peer that called `end()` stays in FIN_WAIT2. `socket.on('end', () => socket.end())` closes both sides.
import { once } from 'node:events';
import { PassThrough, Writable, pipeline } from 'node:stream';

import { afterEach, describe, expect, it } from 'vitest';

import {
  acceptedSocket,
  cleanup,
  connect,
  connectionStates,
  describeEntry,
  entryOf,
  holdsFor,
  inStates,
  isLinux,
  note,
  portOf,
  recorder,
  startHttpServer,
  startNetServer,
  TEST_TIMEOUT,
  waitFor,
} from './harness.js';

import type net from 'node:net';

const UPGRADE_REQUEST =
  'GET /chat HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: line-echo\r\n\r\n';
const SWITCHING = 'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: line-echo\r\n\r\n';

/** A default Node client that sends a last message and half-closes (end()), reading everything it gets. */
async function clientThatEnds(port: number, preamble?: string): Promise<{ client: net.Socket; clientPort: number }> {
  const client = await connect(port);
  const clientPort = portOf(client);
  client.on('error', () => {});
  client.resume();
  if (preamble !== undefined) {
    client.write(preamble);
    await waitFor(() => client.bytesRead > 0, 2000); // the 101 response arrived
  }
  client.end('bye\n');
  return { client, clientPort };
}

describe.skipIf(!isLinux)('end-half-open-socket', () => {
  afterEach(cleanup);

  it("bad: allowHalfOpen server whose 'end' handler does not end → CLOSE_WAIT (no timer) / peer FIN_WAIT2", async () => {
    const { log, lines } = recorder();
    const started = await startNetServer({ allowHalfOpen: true }, (socket) => {
      socket.on('data', (chunk) => log('got', chunk.length));
      socket.on('end', () => {
        log('client done');
      });
    });
    const { client, clientPort } = await clientThatEnds(started.port);
    const server = await acceptedSocket(started);
    const states = () => connectionStates(started.port, clientPort);

    const leaked = inStates(started.port, clientPort, 'CLOSE_WAIT', 'FIN_WAIT2');
    await waitFor(leaked, 2000, leaked.describe);
    expect(await holdsFor(leaked, 1000)).toBe(true);
    expect(states()).toEqual({ local: 'CLOSE_WAIT', remote: 'FIN_WAIT2' });
    expect(lines).toContain('client done');

    // Neither end has a kernel timer: CLOSE_WAIT never expires, and the peer's FIN_WAIT2 is only timed
    // (tcp_fin_timeout) once its process lets go of the socket, which a Node peer waiting for our FIN does not.
    const ours = entryOf(started.port, clientPort);
    const peer = entryOf(clientPort, started.port);
    note('allowHalfOpen bad:', describeEntry(ours), '|', describeEntry(peer));
    expect(ours?.timer).toBe('none');
    expect(peer?.timer).toBe('none');
    expect(server.destroyed).toBe(false);
    expect(client.destroyed).toBe(false);
  }, TEST_TIMEOUT);

  it("fixed: socket.on('end', () => socket.end()) → our side CLOSED, the peer (who closed first) TIME_WAIT", async () => {
    const { log, lines } = recorder();
    const started = await startNetServer({ allowHalfOpen: true }, (socket) => {
      socket.on('data', (chunk) => log('got', chunk.length));
      socket.on('end', () => {
        log('client done');
        socket.end();
      });
    });
    const { client, clientPort } = await clientThatEnds(started.port);
    const closed = inStates(started.port, clientPort, 'CLOSED', 'TIME_WAIT');
    await waitFor(closed, 2000, closed.describe);
    expect(lines).toContain('client done');
    await waitFor(() => client.destroyed, 1000);
  }, TEST_TIMEOUT);

  it("bad: an http.Server 'upgrade' socket that consumes data but never ends stays CLOSE_WAIT after the client's FIN", async () => {
    const { log, lines } = recorder();
    const { server, port } = await startHttpServer({});
    server.on('upgrade', (req, socket) => {
      socket.write(SWITCHING);
      socket.on('data', (chunk: Buffer) => log('frame', chunk.length));
      socket.on('end', () => log('client done'));
      socket.on('error', (err) => log('error', err.message));
    });
    const { clientPort } = await clientThatEnds(port, UPGRADE_REQUEST);
    const states = () => connectionStates(port, clientPort);

    const leaked = inStates(port, clientPort, 'CLOSE_WAIT', 'FIN_WAIT2');
    await waitFor(leaked, 2000, leaked.describe);
    expect(await holdsFor(leaked, 1000)).toBe(true);
    expect(states()).toEqual({ local: 'CLOSE_WAIT', remote: 'FIN_WAIT2' });
    // The data was consumed and 'end' fired: the socket is half-open because http.Server hands it over that way.
    expect(lines).toContain('client done');
    expect(entryOf(port, clientPort)?.timer).toBe('none');
  }, TEST_TIMEOUT);

  it("fixed: the 'upgrade' socket ends itself on 'end' → closed", async () => {
    const { log, lines } = recorder();
    const { server, port } = await startHttpServer({});
    server.on('upgrade', (req, socket) => {
      socket.write(SWITCHING);
      socket.on('data', (chunk: Buffer) => log('frame', chunk.length));
      socket.on('end', () => {
        log('client done');
        socket.end();
      });
      socket.on('error', (err) => log('error', err.message));
    });
    const { clientPort } = await clientThatEnds(port, UPGRADE_REQUEST);
    const closed = inStates(port, clientPort, 'CLOSED', 'TIME_WAIT');
    await waitFor(closed, 2000, closed.describe);
    expect(lines).toContain('client done');
  }, TEST_TIMEOUT);

  it("the 'upgrade' socket is a net.Socket with allowHalfOpen === true at runtime", async () => {
    const { server, port } = await startHttpServer({});
    const upgraded = once(server, 'upgrade') as Promise<[unknown, net.Socket]>;
    const client = await connect(port);
    client.on('error', () => {});
    client.write(UPGRADE_REQUEST);
    const [, socket] = await upgraded;
    expect(socket.allowHalfOpen).toBe(true);
    socket.destroy();
  }, TEST_TIMEOUT);

  it('pipeline: a half-open socket that is only the source stays CLOSE_WAIT; as a destination it is ended', async () => {
    // Source only: pipeline(socket, sink) reads to the end but never ends the socket's writable side.
    const source = await startNetServer({ allowHalfOpen: true }, (socket) => {
      pipeline(socket, new Writable({ write: (_chunk, _encoding, done) => done() }), () => {});
    });
    const first = await clientThatEnds(source.port);
    const leaked = inStates(source.port, first.clientPort, 'CLOSE_WAIT', 'FIN_WAIT2');
    await waitFor(leaked, 2000, leaked.describe);
    expect(await holdsFor(leaked, 700)).toBe(true);

    // Destination too: pipeline(socket, transform, socket) ends the socket when the source side ends.
    const echo = await startNetServer({ allowHalfOpen: true }, (socket) => {
      pipeline(socket, new PassThrough(), socket, () => {});
    });
    const second = await clientThatEnds(echo.port);
    const closed = inStates(echo.port, second.clientPort, 'CLOSED', 'TIME_WAIT');
    await waitFor(closed, 2000, closed.describe);
  }, TEST_TIMEOUT);
});
