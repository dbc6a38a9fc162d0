// Claim: a `net.Server` never closes idle connections by itself: a client that connects and goes silent stays
// ESTABLISHED on both sides until someone destroys the socket, and an `http.Server` with `keepAliveTimeout: 0` does
// the same to idle keep-alive connections. `socket.setTimeout(ms, () => socket.destroy())` (or a non-zero
// keepAliveTimeout, enforced as keepAliveTimeout + 1 s) reaps them.
import { afterEach, describe, expect, it } from 'vitest';

import {
  acceptedSocket,
  cleanup,
  connect,
  connectionStates,
  holdsFor,
  inStates,
  isLinux,
  note,
  portOf,
  rawKeepAliveRequest,
  recorder,
  startHttpServer,
  startNetServer,
  TEST_TIMEOUT,
  waitFor,
} from './harness.js';

describe.skipIf(!isLinux)('server-reaps-idle-sockets', () => {
  afterEach(cleanup);

  it('bad: net.createServer with no idle handling keeps a silent client ESTABLISHED', async () => {
    const { log } = recorder();
    const started = await startNetServer({}, (socket) => {
      socket.on('data', (chunk) => log('got', chunk.length));
      socket.on('error', (err) => log('error', err.message));
    });
    const client = await connect(started.port);
    const clientPort = portOf(client);
    client.resume();
    const server = await acceptedSocket(started);

    expect(await holdsFor(inStates(started.port, clientPort, 'ESTABLISHED', 'ESTABLISHED'), 1000)).toBe(true);
    // No inactivity timer is armed on accepted sockets at all.
    expect(server.timeout).toBeUndefined();
  }, TEST_TIMEOUT);

  it('fixed: socket.setTimeout(300, () => socket.destroy()) reaps the silent client; the server holds the TIME_WAIT', async () => {
    const { log } = recorder();
    const started = await startNetServer({}, (socket) => {
      socket.on('data', (chunk) => log('got', chunk.length));
      socket.on('error', (err) => log('error', err.message));
      socket.setTimeout(300, () => {
        socket.destroy();
      });
    });
    const client = await connect(started.port);
    const clientPort = portOf(client);
    client.resume();

    const reaped = inStates(started.port, clientPort, 'TIME_WAIT', 'CLOSED');
    const took = await waitFor(reaped, 3000, reaped.describe);
    expect(took).toBeGreaterThanOrEqual(250);
  }, TEST_TIMEOUT);

  it('bad: http.createServer({ keepAliveTimeout: 0 }) never reaps an idle keep-alive connection', async () => {
    const { port } = await startHttpServer({ keepAliveTimeout: 0 }, (req, res) => {
      res.end('ok');
    });
    const { localPort, response } = await rawKeepAliveRequest(port);
    expect(response).toMatch(/^HTTP\/1\.1 200/);
    // 1.5 s is past what keepAliveTimeout 200 would allow (200 ms + 1 s buffer).
    expect(await holdsFor(inStates(port, localPort, 'ESTABLISHED', 'ESTABLISHED'), 1500)).toBe(true);
  }, TEST_TIMEOUT);

  it('fixed: http.createServer({ keepAliveTimeout: 200 }) closes the idle keep-alive connection after 200 ms + 1 s', async () => {
    const { port } = await startHttpServer({ keepAliveTimeout: 200 }, (req, res) => {
      res.end('ok');
    });
    const { localPort, response } = await rawKeepAliveRequest(port);
    expect(response).toMatch(/\r\nKeep-Alive: timeout=0\r\n/i); // 200 ms, advertised in whole seconds
    const reaped = inStates(port, localPort, 'TIME_WAIT', 'CLOSED');
    const took = await waitFor(reaped, 4000, reaped.describe);
    note('keepAliveTimeout 200 reaped after (ms):', took);
    expect(took).toBeGreaterThanOrEqual(1100);
  }, TEST_TIMEOUT);

  it('default http.createServer(): the idle keep-alive socket is armed with keepAliveTimeout (5 s) + 1 s', async () => {
    const started = await startHttpServer({}, (req, res) => {
      res.end('ok');
    });
    const { localPort, response } = await rawKeepAliveRequest(started.port);
    const server = await acceptedSocket(started);
    expect(started.server.keepAliveTimeout).toBe(5000);
    expect(response).toMatch(/\r\nKeep-Alive: timeout=5\r\n/i);
    // Node's own reaping timer on the server socket (not waited for: it would take 6 s).
    expect(server.timeout).toBe(6000);
    expect(connectionStates(started.port, localPort)).toEqual({ local: 'ESTABLISHED', remote: 'ESTABLISHED' });
  }, TEST_TIMEOUT);
});
