// Claim: an `http.get`/`http.request` 'response' handler that never reads the body keeps the socket from going back
// to the agent, even when a small body has fully arrived, so later requests on that agent wait forever; and when the
// server closes first, the unread body leaves the client in CLOSE_WAIT and the server in FIN_WAIT2. `res.resume()`
// (or reading the body) releases the connection.
import http from 'node:http';
import stream from 'node:stream';

import { afterEach, describe, expect, it } from 'vitest';

import {
  cleanup,
  HOST,
  holdsFor,
  inStates,
  isLinux,
  note,
  onCleanup,
  recorder,
  sleep,
  startHttpServer,
  TEST_TIMEOUT,
  track,
  waitFor,
} from './harness.js';

import type { IncomingMessage } from 'node:http';

/** Requests queued on an agent, waiting for a socket. */
const queued = (agent: http.Agent): number => Object.values(agent.requests).flat().length;

/**
 * A body bigger than what Node buffers in JS before it stops reading (16 KiB highWaterMark on Node 20, 64 KiB from
 * Node 22), yet small enough for the rest to fit the loopback socket buffers, so the server can send its FIN.
 */
const CLOSE_BODY_BYTES = stream.getDefaultHighWaterMark(false) <= 16 * 1024 ? 100_000 : 200_000;

describe.skipIf(!isLinux)('consume-response-body', () => {
  afterEach(cleanup);

  it("bad: a 'response' handler that never reads the body pins the socket; the next request never gets one", async () => {
    const { log, lines } = recorder();
    const { port, peers } = await startHttpServer({}, (req, res) => {
      res.end('fine!');
    });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    onCleanup(() => agent.destroy());

    let first: IncomingMessage | undefined;
    const firstRequest = http.get({ host: HOST, port, path: '/status', agent }, (res) => {
      first = res;
      log(res.statusCode);
    });
    let secondDone = false;
    const secondRequest = http.get({ host: HOST, port, path: '/next', agent }, (res) => {
      res.resume();
      res.on('end', () => (secondDone = true));
    });
    track(firstRequest);
    track(secondRequest);

    await waitFor(() => first?.complete === true, 2000);
    await sleep(1000);
    // The 5-byte body has fully arrived, but nobody read it: the socket stays in use, the second request queued.
    expect(lines).toEqual(['200']);
    expect(secondDone).toBe(false);
    expect(queued(agent)).toBe(1);
    expect(first?.readableLength).toBe(5);
    expect(peers).toHaveLength(1);
    const clientPort = peers[0] ?? 0;
    expect(await holdsFor(inStates(port, clientPort, 'ESTABLISHED', 'ESTABLISHED'), 200)).toBe(true);
  }, TEST_TIMEOUT);

  it("fixed: res.resume() in the 'response' handler → the second request completes on the same connection", async () => {
    const { log, lines } = recorder();
    const served: number[] = [];
    const { port, peers } = await startHttpServer({}, (req, res) => {
      served.push(req.socket.remotePort ?? 0);
      res.end('fine!');
    });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    onCleanup(() => agent.destroy());

    const firstRequest = http.get({ host: HOST, port, path: '/status', agent }, (res) => {
      log(res.statusCode);
      res.resume();
    });
    let secondDone = false;
    const secondRequest = http.get({ host: HOST, port, path: '/next', agent }, (res) => {
      res.resume();
      res.on('end', () => (secondDone = true));
    });
    track(firstRequest);
    track(secondRequest);

    await waitFor(() => secondDone, 2000);
    expect(lines).toEqual(['200']);
    expect(queued(agent)).toBe(0);
    // One connection, reused for both requests.
    expect(peers).toHaveLength(1);
    expect(served).toEqual([peers[0], peers[0]]);
  }, TEST_TIMEOUT);

  it(`bad: server sends Connection: close with an unread ${CLOSE_BODY_BYTES / 1000} kB body → client CLOSE_WAIT, server FIN_WAIT2`, async () => {
    const { log } = recorder();
    const body = Buffer.alloc(CLOSE_BODY_BYTES, 0x61);
    const { port, peers } = await startHttpServer({}, (req, res) => {
      res.setHeader('Connection', 'close');
      res.end(body);
    });

    let response: IncomingMessage | undefined;
    const req = http.get({ host: HOST, port, path: '/export', agent: false }, (res) => {
      response = res;
      log(res.statusCode, res.headers['content-length']);
    });
    track(req);
    await waitFor(() => peers.length === 1, 2000);
    const clientPort = peers[0] ?? 0;

    const leaked = inStates(clientPort, port, 'CLOSE_WAIT', 'FIN_WAIT2');
    await waitFor(leaked, 3000, leaked.describe);
    expect(await holdsFor(leaked, 800)).toBe(true);
    note(`unread ${CLOSE_BODY_BYTES} B body: IncomingMessage buffered ${response?.readableLength} B`);
  }, TEST_TIMEOUT);

  it('fixed: res.resume() on the Connection: close response → the client closes too', async () => {
    const { log } = recorder();
    const body = Buffer.alloc(CLOSE_BODY_BYTES, 0x61);
    const { port, peers } = await startHttpServer({}, (req, res) => {
      res.setHeader('Connection', 'close');
      res.end(body);
    });

    let received = 0;
    const req = http.get({ host: HOST, port, path: '/export', agent: false }, (res) => {
      log(res.statusCode, res.headers['content-length']);
      res.on('data', (chunk: Buffer) => (received += chunk.length));
      res.resume();
    });
    track(req);
    await waitFor(() => peers.length === 1, 2000);
    const clientPort = peers[0] ?? 0;

    const closed = inStates(clientPort, port, 'CLOSED', 'TIME_WAIT');
    await waitFor(closed, 3000, closed.describe);
    expect(received).toBe(CLOSE_BODY_BYTES);
  }, TEST_TIMEOUT);
});
