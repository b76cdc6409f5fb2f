/**
 * Baseline (a) of the realtime bench: a bare `ws` server that stores nothing.
 *
 *   node bench/realtime/ws-relay.ts [--port N]
 *
 * A socket's first frame pairs it: `{"type":"pair","pair":k,"role":"customer"|"agent"}`, answered
 * with `{"type":"paired"}`. Every later text frame from a customer is forwarded unchanged to its
 * pair's agent, and the customer gets `{"type":"ack","id","clientMsgId"}` back — the same shape of
 * exchange as Frontdesk's send → ack + push, minus authentication, validation and the database.
 * Prints `listening <port>` once ready.
 */
import { parseArgs } from 'node:util';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' } } });

interface Slot {
  customer: WebSocket | null;
  agent: WebSocket | null;
}

const pairs = new Map<string, Slot>();
const wss = new WebSocketServer({ host: '127.0.0.1', port: Number(values.port), perMessageDeflate: false, maxPayload: 64 * 1024 });

wss.on('connection', (socket) => {
  let slot: Slot | null = null;
  let role: 'customer' | 'agent' | null = null;
  socket.on('message', (data: RawData, isBinary: boolean) => {
    if (isBinary) return socket.close(1003);
    if (slot === null) {
      let frame: { type?: unknown; pair?: unknown; role?: unknown };
      try {
        frame = JSON.parse(data.toString());
      } catch {
        return socket.close(1008);
      }
      if (frame.type !== 'pair' || (frame.role !== 'customer' && frame.role !== 'agent')) return socket.close(1008);
      const key = String(frame.pair);
      slot = pairs.get(key) ?? { customer: null, agent: null };
      pairs.set(key, slot);
      role = frame.role;
      slot[role] = socket;
      socket.send('{"type":"paired"}');
      return;
    }
    if (role !== 'customer') return;
    // The ack needs the request's id; the agent gets the frame as it came.
    let frame: { id?: unknown; clientMsgId?: unknown };
    try {
      frame = JSON.parse(data.toString());
    } catch {
      return;
    }
    slot.agent?.send(data, { binary: false });
    socket.send(JSON.stringify({ type: 'ack', id: frame.id, clientMsgId: frame.clientMsgId }));
  });
  socket.on('close', () => {
    if (slot !== null && role !== null && slot[role] === socket) slot[role] = null;
  });
  socket.on('error', () => {});
});

wss.on('listening', () => {
  const address = wss.address();
  console.log(`listening ${typeof address === 'string' || address === null ? address : address.port}`);
});

const stop = () => wss.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
