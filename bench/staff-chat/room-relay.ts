/**
 * The staff-chat bench's baseline: a bare `ws` server that stores nothing and knows one room.
 *
 *   node bench/staff-chat/room-relay.ts
 *
 * Every text frame a socket sends is written, unchanged and serialised once, to every other socket
 * of the room: a group message or a broadcast minus authentication, validation, the database and
 * the audience rule. Prints `listening <port>` once ready.
 */
import { WebSocketServer, type RawData, type WebSocket } from 'ws';

const room = new Set<WebSocket>();
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: 64 * 1024, backlog: 4096 });

wss.on('connection', (socket) => {
  room.add(socket);
  socket.on('message', (data: RawData, isBinary: boolean) => {
    if (isBinary) return;
    for (const other of room) if (other !== socket) other.send(data, { binary: false });
  });
  socket.on('close', () => room.delete(socket));
  socket.on('error', () => {});
});

wss.on('listening', () => {
  const address = wss.address();
  console.log(`listening ${typeof address === 'string' || address === null ? address : address.port}`);
});

const stop = () => wss.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
