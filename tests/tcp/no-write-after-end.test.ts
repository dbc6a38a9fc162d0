// Claim: `write()` after `end()` crashes the process with ERR_STREAM_WRITE_AFTER_END when the socket has no 'error'
// listener, even if the write has a callback; `write()` after `destroy()` does not crash, but its bytes are silently
// dropped (the callback gets ERR_STREAM_DESTROYED). Checking `socket.writableEnded` first avoids both.
import { afterEach, describe, expect, it } from 'vitest';

import { cleanup, isLinux, runNode, startNetServer, TEST_TIMEOUT, waitFor } from './harness.js';

/** A server that records every byte each connection sends it. */
async function recordingServer(): Promise<{ port: number; received: () => string; closedCount: () => number }> {
  let received = '';
  let closed = 0;
  const { port } = await startNetServer({}, (socket) => {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', () => {});
    socket.on('close', () => closed++);
  });
  return { port, received: () => received, closedCount: () => closed };
}

// Each child connects to the recording server (PORT) and runs the handler code under test in 'connect'.
const child = (handler: string): string => `
import net from 'node:net';
const log = (...parts) => console.log(...parts);
const socket = net.connect(Number(process.env.PORT), '127.0.0.1');
socket.on('connect', () => {
  socket.write('hello|');
${handler}
  setTimeout(() => log('survived', 'destroyed=' + socket.destroyed), 300);
});
`;

describe.skipIf(!isLinux)('no-write-after-end', () => {
  afterEach(cleanup);

  it("bad: end() then write('x', cb) without an 'error' listener crashes the process", async () => {
    const server = await recordingServer();
    const result = await runNode(
      child(`
  socket.end();
  socket.write('x', (err) => log('write callback:', err?.code));
`),
      { PORT: String(server.port) },
    );
    expect(result.timedOut).toBe(false);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ERR_STREAM_WRITE_AFTER_END');
    expect(result.stdout).not.toContain('survived');
    await waitFor(() => server.closedCount() === 1, 2000);
    expect(server.received()).toBe('hello|');
  }, TEST_TIMEOUT);

  it("bad: destroy() then write('x', cb) does not crash, but the callback gets ERR_STREAM_DESTROYED and the bytes are lost", async () => {
    const server = await recordingServer();
    const result = await runNode(
      child(`
  socket.destroy();
  socket.write('x', (err) => log('write callback:', err?.code));
`),
      { PORT: String(server.port) },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('write callback: ERR_STREAM_DESTROYED');
    expect(result.stdout).toContain('survived destroyed=true');
    await waitFor(() => server.closedCount() === 1, 2000);
    // 'hello|' was written before destroy(); the 'x' never reaches the peer.
    expect(server.received()).toBe('hello|');
  }, TEST_TIMEOUT);

  it('fixed: checking socket.writableEnded before writing → no crash, nothing written after end()', async () => {
    const server = await recordingServer();
    const result = await runNode(
      child(`
  socket.end();
  if (!socket.writableEnded) {
    socket.write('x', (err) => log('write callback:', err?.code));
  }
`),
      { PORT: String(server.port) },
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('survived');
    expect(result.stdout).not.toContain('write callback');
    await waitFor(() => server.closedCount() === 1, 2000);
    expect(server.received()).toBe('hello|');
  }, TEST_TIMEOUT);
});
