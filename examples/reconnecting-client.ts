// Leaks on the wire: CLOSE_WAIT sockets that pile up on the client, one per reconnect.
//
// A write-only telemetry client that "refreshes" its connection every few seconds. Each reconnect overwrites
// `socket` without ending the old one. The client never reads (no 'data' listener), so the server's "ok"
// acknowledgements sit unread in each old socket's buffer. When the server later closes those idle connections,
// 'end' is never emitted, Node never calls end(), and every old socket stays in CLOSE_WAIT with its file
// descriptor open until the process exits, while the server's side of each waits in FIN_WAIT_2.
import * as net from 'node:net';

interface Sample {
  name: string;
  value: number;
}

const HOST = '127.0.0.1';
const PORT = 8125;

function open(): net.Socket {
  const next = net.connect({ host: HOST, port: PORT });
  next.on('error', (error: Error) => {
    console.error('telemetry connection failed:', error.message);
  });
  return next;
}

let socket = open();

function reconnect(): void {
  // The previous socket is dropped here: no end(), no destroy().
  socket = open();
}

function send(sample: Sample): void {
  if (socket.destroyed) {
    reconnect();
  }
  socket.write(`${JSON.stringify(sample)}\n`);
}

setInterval(reconnect, 5_000);
setInterval(() => {
  send({ name: 'heap', value: process.memoryUsage().heapUsed });
}, 1_000);
