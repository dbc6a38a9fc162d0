// Leaks on the wire: a CLOSE_WAIT on this server and a FIN_WAIT_2 on the client, forever, for every connection.
//
// An echo server created with `allowHalfOpen: true` so that it can finish echoing after the client has sent FIN.
// It reads everything and echoes it, but when the client's side ends ('end') it never calls socket.end(). With
// allowHalfOpen, Node no longer ends the socket for you: this side stays in CLOSE_WAIT (no kernel timer) and a
// client process that keeps its socket waits in FIN_WAIT_2 for a FIN that never comes.
import { createServer, type Socket } from 'node:net';

let connections = 0;

function echo(socket: Socket): void {
  connections += 1;
  socket.on('data', (chunk: Buffer) => {
    socket.write(chunk);
  });
  socket.on('end', () => {
    // The client is done sending. We should call socket.end() here; we only log.
    console.log(`client finished sending (${connections} connections so far)`);
  });
  socket.on('error', (error: Error) => {
    console.error('echo connection error:', error.message);
  });
}

const server = createServer({ allowHalfOpen: true }, echo);

server.on('error', (error: Error) => {
  console.error('echo server error:', error.message);
});
server.listen(7007, '127.0.0.1', () => {
  console.log('half-open echo server on 127.0.0.1:7007');
});
