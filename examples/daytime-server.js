// Leaks on the wire: idle TCP connections that stay ESTABLISHED forever.
//
// A daytime-style server (RFC 867 spirit): it greets each client with the time and keeps the connection open for
// more commands. It arms an idle timer with socket.setTimeout(), but the 'timeout' listener only logs. Node emits
// 'timeout' and does nothing else, so a client that goes quiet (a laptop that slept, a NAT that dropped the
// mapping) keeps its connection ESTABLISHED and its file descriptor open until the process exits. `ss -tn` shows
// them piling up; eventually the server hits EMFILE.
import net from 'node:net';

const IDLE_MS = 30_000;

const server = net.createServer(socket => {
  socket.setEncoding('utf8');
  socket.setTimeout(IDLE_MS);
  socket.on('timeout', () => {
    console.log(`idle client ${socket.remoteAddress}:${socket.remotePort}`);
  });
  socket.on('error', error => {
    console.error('client error', error.message);
  });
  socket.on('data', line => {
    if (line.trim() === 'quit') {
      socket.end('bye\r\n');
    } else {
      socket.write(`${new Date().toISOString()}\r\n`);
    }
  });
  socket.write(`${new Date().toISOString()}\r\n`);
});

server.on('error', error => {
  console.error('server error', error.message);
});
server.listen(1313, () => {
  console.log('daytime server on port 1313');
});
