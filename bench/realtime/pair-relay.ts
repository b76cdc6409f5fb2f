/**
 * What ws-relay.ts and stored-relay.ts share: a bare `ws` server whose sockets pair up. A socket's
 * first frame pairs it: `{"type":"pair","pair":k,"role":"customer"|"agent"}`, answered with
 * `{"type":"paired"}`; every later text frame from a customer goes to `onSend` with its pair.
 * Prints `listening <port>` once ready and stops on SIGTERM/SIGINT.
 */
import { WebSocketServer, type RawData, type WebSocket } from 'ws';

export interface Slot<T> {
  customer: WebSocket | null;
  agent: WebSocket | null;
  /** Whatever the server keeps per pair, made by `onNewPair` when the pair's first socket pairs. */
  readonly state: T;
}

export interface PairRelay<T> {
  readonly port: number;
  onNewPair(): T;
  onSend(slot: Slot<T>, customer: WebSocket, data: RawData): void;
  onStop?(): void;
}

export function servePairs<T>(relay: PairRelay<T>): void {
  const pairs = new Map<string, Slot<T>>();
  const wss = new WebSocketServer({ host: '127.0.0.1', port: relay.port, perMessageDeflate: false, maxPayload: 64 * 1024 });

  wss.on('connection', (socket) => {
    let slot: Slot<T> | null = null;
    let role: 'customer' | 'agent' | null = null;
    socket.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) return socket.close(1003);
      if (slot !== null) {
        if (role === 'customer') relay.onSend(slot, socket, data);
        return;
      }
      let frame: { type?: unknown; pair?: unknown; role?: unknown };
      try {
        frame = JSON.parse(data.toString());
      } catch {
        return socket.close(1008);
      }
      if (frame.type !== 'pair' || (frame.role !== 'customer' && frame.role !== 'agent')) return socket.close(1008);
      const key = String(frame.pair);
      slot = pairs.get(key) ?? { customer: null, agent: null, state: relay.onNewPair() };
      pairs.set(key, slot);
      role = frame.role;
      slot[role] = socket;
      socket.send('{"type":"paired"}');
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

  const stop = () =>
    wss.close(() => {
      relay.onStop?.();
      process.exit(0);
    });
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
