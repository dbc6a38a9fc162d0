// Claim: `a.pipe(b)` ends `b` only when `a` ends cleanly; when one side of a TCP proxy fails (the client resets),
// the partner connection stays ESTABLISHED unless it is destroyed too. `stream.pipeline(client, upstream, client,
// cb)`, or destroying the partner on 'close', closes the upstream connection with it.
import net from 'node:net';
import { pipeline } from 'node:stream';

import { afterEach, describe, expect, it } from 'vitest';

import {
  acceptedSocket,
  cleanup,
  connect,
  HOST,
  holdsFor,
  inStates,
  isLinux,
  note,
  recorder,
  startNetServer,
  TEST_TIMEOUT,
  track,
  waitFor,
} from './harness.js';

import type { Started } from './harness.js';

type ProxyHandler = (client: net.Socket, backendPort: number) => net.Socket;

/**
 * A backend that reads everything, a proxy running `handler`, and a client connected through it. Resolves once the
 * proxy's upstream connection to the backend is established, with the upstream's ports.
 */
async function proxyChain(handler: ProxyHandler) {
  const backend = await startNetServer({}, (socket) => {
    socket.on('error', () => {});
    socket.resume();
  });
  let upstream: net.Socket | undefined;
  const proxy: Started<net.Server> = await startNetServer({}, (client) => {
    upstream = track(handler(client, backend.port));
  });
  const client = await connect(proxy.port);
  client.on('error', () => {});
  client.resume();
  client.write('hello\n');
  await acceptedSocket(backend);
  await waitFor(() => upstream?.localPort !== undefined, 2000);
  const upstreamPort = upstream?.localPort ?? 0;
  return { backend, proxy, client, upstreamPort, upstream: () => upstream };
}

describe.skipIf(!isLinux)('destroy-partner-socket', () => {
  afterEach(cleanup);

  it('bad: client.pipe(upstream); upstream.pipe(client) with logging error handlers → upstream stays ESTABLISHED after the client resets', async () => {
    const { log, lines } = recorder();
    const chain = await proxyChain((client, backendPort) => {
      const upstream = net.connect(backendPort, HOST);
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('error', (err: NodeJS.ErrnoException) => log('client', err.code));
      upstream.on('error', (err: NodeJS.ErrnoException) => log('upstream', err.code));
      return upstream;
    });
    const upstreamLink = inStates(chain.upstreamPort, chain.backend.port, 'ESTABLISHED', 'ESTABLISHED');
    expect(upstreamLink()).toBe(true);

    chain.client.resetAndDestroy();
    await waitFor(() => chain.proxy.accepted[0]?.destroyed === true, 2000);
    // The proxy's client-side socket died with ECONNRESET; its partner was never told.
    expect(lines).toEqual(['client ECONNRESET']);
    expect(await holdsFor(upstreamLink, 1000)).toBe(true);
    expect(chain.upstream()?.destroyed).toBe(false);
  }, TEST_TIMEOUT);

  it('fixed: stream.pipeline(client, upstream, client, cb) → the upstream connection is closed with the client', async () => {
    const { log, lines } = recorder();
    const chain = await proxyChain((client, backendPort) => {
      const upstream = net.connect(backendPort, HOST);
      pipeline(client, upstream, client, (err) => {
        if (err) log('proxy', err.code);
      });
      return upstream;
    });

    chain.client.resetAndDestroy();
    // The proxy destroyed the upstream first, so it holds the TIME_WAIT; the backend (a default socket that reads)
    // ended its side and is CLOSED.
    const closed = inStates(chain.upstreamPort, chain.backend.port, 'TIME_WAIT', 'CLOSED');
    await waitFor(closed, 2000, closed.describe);
    expect(lines).toEqual(['proxy ECONNRESET']);
    note('pipeline fixed: upstream destroyed =', chain.upstream()?.destroyed);
  }, TEST_TIMEOUT);

  it("fixed: destroying the partner on 'close' → the upstream connection is closed with the client", async () => {
    const { log, lines } = recorder();
    const chain = await proxyChain((client, backendPort) => {
      const upstream = net.connect(backendPort, HOST);
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('error', (err: NodeJS.ErrnoException) => log('client', err.code));
      upstream.on('error', (err: NodeJS.ErrnoException) => log('upstream', err.code));
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      return upstream;
    });

    chain.client.resetAndDestroy();
    const closed = inStates(chain.upstreamPort, chain.backend.port, 'TIME_WAIT', 'CLOSED');
    await waitFor(closed, 2000, closed.describe);
    expect(lines).toEqual(['client ECONNRESET']);
  }, TEST_TIMEOUT);
});
