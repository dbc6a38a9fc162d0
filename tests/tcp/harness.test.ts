// Claim: the harness reads the kernel table correctly: addresses, ports, states and inodes of IPv4 and IPv6
// loopback connections, as the kernel reports them, and 'CLOSED' once a connection is gone.
import { readFileSync } from 'node:fs';
import net from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import {
  cleanup,
  connect,
  countInState,
  entryOf,
  holdsSocketFd,
  inStates,
  isLinux,
  listen,
  portOf,
  readTcpTable,
  startNetServer,
  stateOf,
  TEST_TIMEOUT,
  waitFor,
} from './harness.js';

/** Whether the loopback interface has ::1 (containers may run without IPv6). */
function hasIpv6Loopback(): boolean {
  try {
    return readFileSync('/proc/net/if_inet6', 'utf8').includes('00000000000000000000000000000001');
  } catch {
    return false;
  }
}

describe.skipIf(!isLinux)('harness', () => {
  afterEach(cleanup);

  it('parses an IPv4 loopback connection from both ends', async () => {
    const started = await startNetServer({}, (socket) => socket.resume());
    const client = await connect(started.port);
    const clientPort = portOf(client);

    const listener = readTcpTable().find((e) => e.localPort === started.port && e.state === 'LISTEN');
    expect(listener).toMatchObject({ family: 4, localAddress: '127.0.0.1', remotePort: 0 });
    await waitFor(inStates(clientPort, started.port, 'ESTABLISHED', 'ESTABLISHED'), 2000);
    const ours = entryOf(clientPort, started.port);
    expect(ours).toMatchObject({
      family: 4,
      localAddress: '127.0.0.1',
      remoteAddress: '127.0.0.1',
      state: 'ESTABLISHED',
      timer: 'none',
      txQueue: 0,
      rxQueue: 0,
    });
    expect(holdsSocketFd(ours?.inode ?? 0)).toBe(true);
    expect(countInState(started.port, 'ESTABLISHED', 'local')).toBe(1);
    expect(countInState(started.port, 'ESTABLISHED', 'remote')).toBe(1);
    expect(countInState(started.port, 'ESTABLISHED')).toBe(2);

    client.destroy();
    await waitFor(() => stateOf(clientPort, started.port) === 'TIME_WAIT', 2000);
    const timeWait = entryOf(clientPort, started.port);
    expect(timeWait?.timer).toBe('timewait');
    expect(timeWait?.inode).toBe(0);
    expect(timeWait?.timerSeconds).toBeGreaterThan(55);
    expect(timeWait?.timerSeconds).toBeLessThanOrEqual(60);
    await waitFor(() => stateOf(started.port, clientPort) === 'CLOSED', 2000);
  }, TEST_TIMEOUT);

  it.skipIf(!hasIpv6Loopback())('parses an IPv6 loopback connection', async () => {
    const { port } = await listen(net.createServer((socket) => socket.resume()), '::1');
    const client = await connect(port, { host: '::1' });
    const clientPort = portOf(client);

    expect(entryOf(clientPort, port)).toMatchObject({
      family: 6,
      localAddress: '::1',
      remoteAddress: '::1',
      state: 'ESTABLISHED',
    });
  }, TEST_TIMEOUT);
});
