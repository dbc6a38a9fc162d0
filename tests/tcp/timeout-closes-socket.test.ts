// Claim: `socket.setTimeout(ms)` only emits 'timeout'; a listener that does not call `destroy()` or `end()` leaves
// the idle connection ESTABLISHED on both sides, and the same listener on an http.Server stops it from reaping
// idle keep-alive connections. Destroying the socket in the listener closes it (our side ends in TIME_WAIT).
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

describe.skipIf(!isLinux)('timeout-closes-socket', () => {
  afterEach(cleanup);

  it('bad: a net.Socket whose timeout listener only logs stays ESTABLISHED on both sides', async () => {
    const { log, lines } = recorder();
    const started = await startNetServer({}, (socket) => {
      socket.on('data', (chunk) => log('got', chunk.length));
      socket.setTimeout(300);
      socket.on('timeout', () => {
        log('idle');
      });
    });
    const client = await connect(started.port);
    client.resume();
    const clientPort = portOf(client);
    const server = await acceptedSocket(started);

    await waitFor(() => lines.includes('idle'), 3000);
    // The event fired, yet nothing was closed: both ends stay ESTABLISHED well past the timeout.
    expect(await holdsFor(inStates(started.port, clientPort, 'ESTABLISHED', 'ESTABLISHED'), 700)).toBe(true);
    expect(connectionStates(started.port, clientPort)).toEqual({ local: 'ESTABLISHED', remote: 'ESTABLISHED' });
    expect(server.destroyed).toBe(false);
    // 'timeout' fires once per idle period; it is not re-armed without activity.
    expect(lines.filter((l) => l === 'idle')).toHaveLength(1);
  }, TEST_TIMEOUT);

  it('fixed: destroying the socket in the timeout listener closes it; we are the active closer (TIME_WAIT)', async () => {
    const { log, lines } = recorder();
    const started = await startNetServer({}, (socket) => {
      socket.on('data', (chunk) => log('got', chunk.length));
      socket.setTimeout(300);
      socket.on('timeout', () => {
        log('idle');
        socket.destroy();
      });
    });
    const client = await connect(started.port);
    client.resume();
    const clientPort = portOf(client);
    const server = await acceptedSocket(started);

    const closed = inStates(started.port, clientPort, 'TIME_WAIT', 'CLOSED');
    await waitFor(closed, 3000, closed.describe);
    expect(lines).toContain('idle');
    expect(server.destroyed).toBe(true);
    await waitFor(() => client.destroyed, 1000); // the client got our FIN, ended its side and closed
  }, TEST_TIMEOUT);

  it("bad: an http.Server 'timeout' listener that does not destroy keeps idle keep-alive connections open", async () => {
    const { log, lines } = recorder();
    const { server, port } = await startHttpServer({ keepAliveTimeout: 200 }, (req, res) => {
      res.end('ok');
    });
    server.setTimeout(300, (socket) => {
      log('idle', socket.remotePort);
    });

    const { localPort } = await rawKeepAliveRequest(port);
    const responded = Date.now();
    // After the response the idle keep-alive socket's timer is keepAliveTimeout + 1 s (1.2 s here). It fires, but
    // the listener took over from Node's own destroy, so nothing closes the connection.
    await waitFor(() => lines.length > 0, 4000);
    note("http 'timeout' fired after the response (ms):", Date.now() - responded);
    expect(await holdsFor(inStates(port, localPort, 'ESTABLISHED', 'ESTABLISHED'), 800)).toBe(true);
    expect(connectionStates(port, localPort)).toEqual({ local: 'ESTABLISHED', remote: 'ESTABLISHED' });
  }, TEST_TIMEOUT);

  it("fixed: an http.Server 'timeout' listener that destroys the socket closes it", async () => {
    const { log, lines } = recorder();
    const { server, port } = await startHttpServer({ keepAliveTimeout: 200 }, (req, res) => {
      res.end('ok');
    });
    server.setTimeout(300, (socket) => {
      log('idle', socket.remotePort);
      socket.destroy();
    });

    const { localPort } = await rawKeepAliveRequest(port);
    const closed = inStates(port, localPort, 'TIME_WAIT', 'CLOSED');
    await waitFor(closed, 4000, closed.describe);
    expect(lines).toHaveLength(1);
  }, TEST_TIMEOUT);

  it("fixed: with no 'timeout' listener http.Server reaps the idle keep-alive connection after keepAliveTimeout + 1 s", async () => {
    const { port } = await startHttpServer({ keepAliveTimeout: 200 }, (req, res) => {
      res.end('ok');
    });

    const { localPort } = await rawKeepAliveRequest(port);
    const reaped = inStates(port, localPort, 'TIME_WAIT', 'CLOSED');
    const took = await waitFor(reaped, 4000, reaped.describe);
    note('http.Server reaped the idle keep-alive connection after (ms):', took);
    // 200 ms keepAliveTimeout plus Node's fixed 1000 ms buffer; timers never fire early.
    expect(took).toBeGreaterThanOrEqual(1100);
  }, TEST_TIMEOUT);
});
