/**
 * Baseline (b) of the realtime bench: a bare Socket.IO server that stores nothing.
 *
 *   node bench/realtime/socketio-relay.ts [--port N]
 *
 * Each socket joins its pair's room (`join`, acknowledged). A customer `send`s a payload with an
 * ack callback; the server broadcasts it to the room except the sender (`socket.to(room)`), which
 * reaches the pair's agent, and acknowledges. WebSocket transport only, no compression, the
 * default in-memory adapter. Prints `listening <port>` once ready.
 */
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { Server } from 'socket.io';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' } } });

interface Payload {
  readonly clientMsgId: string;
  readonly text: string;
}

const http = createServer();
const io = new Server(http, { serveClient: false, transports: ['websocket'], perMessageDeflate: false, maxHttpBufferSize: 64 * 1024 });

io.on('connection', (socket) => {
  let room: string | null = null;
  socket.on('join', (pair: unknown, ack: unknown) => {
    room = `pair:${String(pair)}`;
    void socket.join(room);
    if (typeof ack === 'function') ack();
  });
  socket.on('send', (payload: Payload, ack: unknown) => {
    if (room === null) return;
    socket.to(room).emit('message', payload);
    if (typeof ack === 'function') ack(payload.clientMsgId);
  });
});

http.listen(Number(values.port), '127.0.0.1', () => {
  const address = http.address();
  console.log(`listening ${typeof address === 'string' || address === null ? address : address.port}`);
});

const stop = () => {
  void io.close(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
