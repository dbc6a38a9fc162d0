// Claim: with default options Node ends a socket after the peer's FIN only once 'end' fires, and 'end' fires only
// when the read buffer is drained; a socket nobody reads (no 'data', pipe, resume() or read() loop, or a
// `pauseOnConnect` socket never resumed) that was sent data stays in CLOSE_WAIT after the peer's FIN, with its peer in
// FIN_WAIT2. Consuming the stream (`socket.resume()`) lets it close.
import { afterEach, describe, expect, it } from 'vitest';

import {
  acceptedSocket,
  cleanup,
  connect,
  connectionStates,
  describeEntry,
  entryOf,
  holdsFor,
  holdsSocketFd,
  inStates,
  isLinux,
  note,
  portOf,
  recorder,
  startNetServer,
  TEST_TIMEOUT,
  waitFor,
} from './harness.js';

import type net from 'node:net';

/** A default Node client that reads everything, optionally sends `data`, then half-closes with end(). */
async function clientThatSendsAndEnds(port: number, data?: string): Promise<{ client: net.Socket; clientPort: number }> {
  const client = await connect(port);
  const clientPort = portOf(client);
  client.on('error', () => {});
  client.resume();
  if (data !== undefined) client.write(data);
  client.end();
  return { client, clientPort };
}

describe.skipIf(!isLinux)('consume-socket', () => {
  afterEach(cleanup);

  it('bad: a connection handler that never reads, peer sends data then FIN → CLOSE_WAIT / FIN_WAIT2', async () => {
    const { log, lines } = recorder();
    const started = await startNetServer({}, (socket) => {
      socket.write('220 ready\r\n');
      socket.on('end', () => log('client left'));
      socket.on('close', () => log('closed'));
    });
    const { clientPort } = await clientThatSendsAndEnds(started.port, 'hello');
    const server = await acceptedSocket(started);

    const leaked = inStates(started.port, clientPort, 'CLOSE_WAIT', 'FIN_WAIT2');
    await waitFor(leaked, 2000, leaked.describe);
    expect(await holdsFor(leaked, 1000)).toBe(true);

    const ours = entryOf(started.port, clientPort);
    note('never-read bad:', describeEntry(ours), '| readableLength', server.readableLength);
    // The 5 unread bytes sit in Node's read buffer (or the kernel's receive queue): 'end' can never fire.
    expect(server.readableLength + (ours?.rxQueue ?? 0)).toBeGreaterThan(0);
    expect(ours?.timer).toBe('none');
    expect(lines).toEqual([]);
    expect(server.destroyed).toBe(false);
  }, TEST_TIMEOUT);

  it('harmless: the same handler closes normally when the peer sends FIN without any data', async () => {
    const { log, lines } = recorder();
    const started = await startNetServer({}, (socket) => {
      socket.write('220 ready\r\n');
      socket.on('end', () => log('client left'));
      socket.on('close', () => log('closed'));
    });
    const { clientPort } = await clientThatSendsAndEnds(started.port);

    const closed = inStates(started.port, clientPort, 'CLOSED', 'TIME_WAIT');
    await waitFor(closed, 2000, closed.describe);
    await waitFor(() => lines.includes('closed'), 1000);
    expect(lines).toEqual(['client left', 'closed']);
  }, TEST_TIMEOUT);

  it('fixed: socket.resume() drains the data, so Node ends the socket after the peer FIN', async () => {
    const { log, lines } = recorder();
    const started = await startNetServer({}, (socket) => {
      socket.write('220 ready\r\n');
      socket.resume();
      socket.on('end', () => log('client left'));
      socket.on('close', () => log('closed'));
    });
    const { clientPort } = await clientThatSendsAndEnds(started.port, 'hello');

    const closed = inStates(started.port, clientPort, 'CLOSED', 'TIME_WAIT');
    await waitFor(closed, 2000, closed.describe);
    await waitFor(() => lines.includes('closed'), 1000);
    expect(lines).toEqual(['client left', 'closed']);
  }, TEST_TIMEOUT);

  it('bad: pauseOnConnect without resume() → CLOSE_WAIT even when the peer sent no data', async () => {
    const { log, lines } = recorder();
    const started = await startNetServer({ pauseOnConnect: true }, (socket) => {
      log('accepted', socket.remotePort);
    });
    const { clientPort } = await clientThatSendsAndEnds(started.port);
    const server = await acceptedSocket(started);

    const leaked = inStates(started.port, clientPort, 'CLOSE_WAIT', 'FIN_WAIT2');
    await waitFor(leaked, 2000, leaked.describe);
    expect(await holdsFor(leaked, 1000)).toBe(true);
    const ours = entryOf(started.port, clientPort);
    note('pauseOnConnect bad:', describeEntry(ours));
    // libuv never read, so even the FIN is unseen by Node; the kernel counts it as 1 unread byte.
    expect(ours?.rxQueue).toBe(1);
    expect(ours?.timer).toBe('none');
    expect(lines).toHaveLength(1);
    expect(server.destroyed).toBe(false);
  }, TEST_TIMEOUT);

  it('fixed: pauseOnConnect with socket.resume() once the socket is handled → closed', async () => {
    const { log, lines } = recorder();
    const started = await startNetServer({ pauseOnConnect: true }, (socket) => {
      log('accepted', socket.remotePort);
      socket.on('data', (chunk) => log('got', chunk.length));
      socket.resume();
    });
    const { clientPort } = await clientThatSendsAndEnds(started.port, 'hello');

    const closed = inStates(started.port, clientPort, 'CLOSED', 'TIME_WAIT');
    await waitFor(closed, 2000, closed.describe);
    expect(lines).toContain('got 5');
  }, TEST_TIMEOUT);

  it('bad: a pauseOnConnect socket never resumed does not notice a RST: the kernel forgets it, the fd stays open', async () => {
    const { log, lines } = recorder();
    const started = await startNetServer({ pauseOnConnect: true }, (socket) => {
      log('accepted', socket.remotePort);
      socket.on('error', (err: NodeJS.ErrnoException) => log('error', err.code));
      socket.on('close', () => log('closed'));
    });
    const client = await connect(started.port);
    const clientPort = portOf(client);
    const server = await acceptedSocket(started);
    const inode = entryOf(started.port, clientPort)?.inode ?? 0;
    expect(inode).toBeGreaterThan(0);

    client.resetAndDestroy();
    const gone = inStates(started.port, clientPort, 'CLOSED', 'CLOSED');
    await waitFor(gone, 2000, gone.describe);
    // No 'error', no 'close': Node is not reading, so it never learns of the RST and keeps the descriptor.
    expect(await holdsFor(() => holdsSocketFd(inode) && !server.destroyed, 500)).toBe(true);
    expect(lines).toHaveLength(1);

    // Reading again surfaces the reset: Node sees ECONNRESET and destroys the socket itself.
    server.resume();
    await waitFor(() => lines.includes('closed'), 2000, () => lines.join(','));
    expect(lines.slice(1)).toEqual(['error ECONNRESET', 'closed']);
    expect(holdsSocketFd(inode)).toBe(false);
  }, TEST_TIMEOUT);

  it('daytime-style: a handler that writes and end()s on every path leaves no CLOSE_WAIT and releases the fd', async () => {
    const started = await startNetServer({}, (socket) => {
      socket.end(`${new Date().toISOString()}\r\n`);
    });
    const client = await connect(started.port);
    const clientPort = portOf(client);
    client.on('error', () => {});
    client.resume();
    const inode = entryOf(started.port, clientPort)?.inode ?? 0;
    const server = await acceptedSocket(started);

    // We closed first: our side ends in TIME_WAIT, the client (auto-ended by Node) CLOSED; never CLOSE_WAIT.
    const closed = inStates(started.port, clientPort, 'TIME_WAIT', 'CLOSED');
    await waitFor(closed, 2000, closed.describe);
    await waitFor(() => server.destroyed, 1000);
    expect(inode).toBeGreaterThan(0);
    expect(holdsSocketFd(inode)).toBe(false);
  }, TEST_TIMEOUT);

  it('daytime-style, client sends a request first: no CLOSE_WAIT, but the unread request pins our fd', async () => {
    const started = await startNetServer({}, (socket) => {
      socket.end(`${new Date().toISOString()}\r\n`);
    });
    const client = await connect(started.port);
    const clientPort = portOf(client);
    client.on('error', () => {});
    client.resume();
    client.write('what time is it?\r\n');
    const inode = entryOf(started.port, clientPort)?.inode ?? 0;
    const server = await acceptedSocket(started);

    // The kernel side is an orderly close: we sent FIN first and end in TIME_WAIT, the client CLOSED ...
    const closed = inStates(started.port, clientPort, 'TIME_WAIT', 'CLOSED');
    await waitFor(closed, 2000, closed.describe);
    // ... but the request bytes were never read, so 'end' never fires and Node never destroys our socket: the
    // kernel has forgotten the socket (TIME_WAIT is a descriptor-less mini-socket) while we still hold its fd.
    expect(await holdsFor(() => holdsSocketFd(inode) && !server.destroyed, 500)).toBe(true);
    note('daytime + unread request:', describeEntry(entryOf(started.port, clientPort)), '| readableLength',
      server.readableLength, '| fd held', holdsSocketFd(inode));
    expect(server.readableLength).toBeGreaterThan(0);
    expect(connectionStates(started.port, clientPort)).toEqual({ local: 'TIME_WAIT', remote: 'CLOSED' });
  }, TEST_TIMEOUT);

  it('fixed daytime-style: write then destroySoon() frees the fd even when the client sent a request first', async () => {
    const started = await startNetServer({}, (socket) => {
      socket.write(`${new Date().toISOString()}\r\n`);
      socket.destroySoon();
    });
    const client = await connect(started.port);
    const clientPort = portOf(client);
    client.on('error', () => {});
    client.resume();
    client.write('what time is it?\r\n');
    const inode = entryOf(started.port, clientPort)?.inode ?? 0;
    const server = await acceptedSocket(started);

    // destroySoon() destroys once the reply is flushed, whatever was left unread: the descriptor is released.
    await waitFor(() => server.destroyed, 2000);
    await waitFor(() => !holdsSocketFd(inode), 2000);
    expect(inode).toBeGreaterThan(0);
    // Never CLOSE_WAIT on our side.
    expect(connectionStates(started.port, clientPort).local).not.toBe('CLOSE_WAIT');
  }, TEST_TIMEOUT);
});
