// Claim: `socket.resetAndDestroy()` closes with a RST: the peer gets ECONNRESET instead of 'end', and every byte not
// yet delivered (in Node's write buffer and the kernel's send queue) is discarded; it only spares our side the 60 s
// TIME_WAIT. `socket.end()` delivers everything, then closes with a FIN.
import { afterEach, describe, expect, it } from 'vitest';

import {
  cleanup,
  connect,
  describeEntry,
  entryOf,
  inStates,
  isLinux,
  note,
  portOf,
  recorder,
  startNetServer,
  TEST_TIMEOUT,
  waitFor,
} from './harness.js';


const PAYLOAD_BYTES = 16 * 1024 * 1024;

/** A client that reads everything and records how the connection ended. */
async function observingClient(port: number, { paused = false } = {}) {
  const client = await connect(port);
  const clientPort = portOf(client);
  const events: string[] = [];
  let received = 0;
  client.on('data', (chunk: Buffer) => (received += chunk.length));
  client.on('end', () => events.push('end'));
  client.on('error', (err: NodeJS.ErrnoException) => events.push(`error:${err.code}`));
  client.on('close', (hadError) => events.push(`close:${hadError}`));
  if (paused) client.pause();
  return { client, clientPort, events, received: () => received };
}

describe.skipIf(!isLinux)('no-reset-and-destroy', () => {
  afterEach(cleanup);

  it('bad: resetAndDestroy() on an idle connection → peer gets ECONNRESET; no TIME_WAIT on our side', async () => {
    const { log, lines } = recorder();
    const started = await startNetServer({}, (socket) => {
      socket.on('data', (chunk) => log('got', chunk.length));
      socket.setTimeout(200, () => {
        socket.resetAndDestroy();
      });
    });
    const { clientPort, events } = await observingClient(started.port);

    await waitFor(() => events.includes('close:true'), 3000, () => events.join(','));
    expect(events[0]).toBe('error:ECONNRESET');
    expect(events).not.toContain('end');
    // Both ends are gone from the kernel table at once: no TIME_WAIT anywhere.
    const gone = inStates(started.port, clientPort, 'CLOSED', 'CLOSED');
    await waitFor(gone, 1000, gone.describe);
    expect(lines).toEqual([]);
  }, TEST_TIMEOUT);

  it("fixed: end() on an idle connection → peer gets a clean 'end'; our side holds the TIME_WAIT", async () => {
    const started = await startNetServer({}, (socket) => {
      socket.setTimeout(200, () => {
        socket.end();
      });
    });
    const { clientPort, events } = await observingClient(started.port);

    await waitFor(() => events.includes('close:false'), 3000, () => events.join(','));
    expect(events).toEqual(['end', 'close:false']);
    const closed = inStates(started.port, clientPort, 'TIME_WAIT', 'CLOSED');
    await waitFor(closed, 1000, closed.describe);
    note('end() idle: ours', describeEntry(entryOf(started.port, clientPort)));
  }, TEST_TIMEOUT);

  it(`bad: write(${PAYLOAD_BYTES >> 20} MiB) then resetAndDestroy() to a paused peer → most of the data is lost`, async () => {
    const payload = Buffer.alloc(PAYLOAD_BYTES, 0x61);
    let writeQueuedInNode = 0;
    const started = await startNetServer({}, (socket) => {
      socket.on('error', () => {});
      socket.once('data', () => {
        socket.write(payload);
        writeQueuedInNode = socket.writableLength;
        socket.resetAndDestroy();
      });
    });
    const peer = await observingClient(started.port, { paused: true });
    peer.client.write('GET report\n');
    await waitFor(() => started.accepted[0]?.destroyed === true, 2000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    peer.client.resume();

    await waitFor(() => peer.client.destroyed, 5000, () => `${peer.received()} B, ${peer.events.join(',')}`);
    note(`resetAndDestroy: queued in Node ${writeQueuedInNode} B; peer received ${peer.received()} of ${PAYLOAD_BYTES} B;`,
      'peer events', peer.events.join(','));
    expect(peer.received()).toBeLessThan(PAYLOAD_BYTES / 4);
    expect(entryOf(started.port, peer.clientPort)).toBeUndefined();
  }, TEST_TIMEOUT);

  it(`fixed: end(${PAYLOAD_BYTES >> 20} MiB) to a paused peer → every byte arrives, then 'end'`, async () => {
    const payload = Buffer.alloc(PAYLOAD_BYTES, 0x61);
    const started = await startNetServer({}, (socket) => {
      socket.on('error', () => {});
      socket.once('data', () => {
        socket.end(payload);
      });
    });
    const peer = await observingClient(started.port, { paused: true });
    peer.client.write('GET report\n');
    await waitFor(() => started.accepted[0]?.writableEnded === true, 2000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    peer.client.resume();

    await waitFor(() => peer.events.includes('end'), 5000, () => `${peer.received()} B, ${peer.events.join(',')}`);
    expect(peer.received()).toBe(PAYLOAD_BYTES);
    expect(peer.events).not.toContain('error:ECONNRESET');
    const closed = inStates(started.port, peer.clientPort, 'TIME_WAIT', 'CLOSED');
    await waitFor(closed, 1000, closed.describe);
  }, TEST_TIMEOUT);
});

