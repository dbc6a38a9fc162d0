// Leaks on the wire: CLOSE_WAIT on the server for every client that sends anything and then closes.
//
// A raw TCP "upload" endpoint that only wants to know when a client connects and leaves. Its connection handler
// never reads: no 'data' listener, no pipe(), no resume(). When a client sends bytes and then FIN, the bytes stay
// unread in the socket's buffer, so 'end' is never emitted, Node never calls end() (even with the default
// allowHalfOpen: false), and the connection stays in CLOSE_WAIT with its descriptor open until the process exits.
// The client's side waits in FIN_WAIT_2 as long as the client process holds it.
'use strict';

const net = require('node:net');

let active = 0;

const server = net.createServer(socket => {
  active += 1;
  console.log(`upload connection from ${socket.remoteAddress} (${active} active)`);
  socket.on('close', () => {
    active -= 1;
    console.log(`upload connection closed (${active} active)`);
  });
  socket.on('error', error => {
    console.error('upload connection error:', error.message);
  });
});

server.on('error', error => {
  console.error('upload server error:', error.message);
});
server.listen(9009, () => {
  console.log('upload endpoint on port 9009');
});
