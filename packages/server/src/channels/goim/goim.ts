import net from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { goim, type ErrorCode } from '@frontdesk/protocol';
import type { Services } from '../../domain/services.ts';
import type { Connection, Transport } from '../sockets/connection.ts';
import type { Gateway, Logger, Session, SessionHooks } from '../sockets/gateway.ts';
import type { Outgoing } from '../sockets/outgoing.ts';
import { dialectOf, goimHooks, goimRequest, midOf, operationList, type Dialect } from './dialect.ts';
import { isOpenrestyRequest, openrestyRequest, renderOpenresty, type OpenrestyState } from '../openresty-im/openresty-im.ts';

const { ops } = goim;

export interface GoimOptions {
  /** The largest body a client may send (goim's default: 4096). */
  readonly maxBodyBytes: number;
  /** The largest WebSocket message on /sub (one or more packets). */
  readonly maxFrameBytes: number;
}

/** The reply op of each request op. */
const replyOf: Readonly<Record<number, number>> = {
  [ops.auth]: ops.authReply,
  [ops.send]: ops.message,
  [ops.sync]: ops.syncReply,
  [ops.ack]: ops.ackReply,
};

/**
 * goim clients (docs/protocol-goim.md) on WebSocket /sub and on TCP. Nothing of the protocol's
 * meaning lives here: each request packet becomes the frame value /ws would parse (the header seq
 * as its `id`), and each frame the connection core sends becomes a packet (a reply takes its
 * request's reply op and seq; pushes are op 5), its body the bytes the hub serialised once. So the
 * auth, limits, rate limits and delivery guarantee are the core's, the same as on /ws.
 */
export function goimChannel(gateway: Gateway, services: Services, options: GoimOptions, log: Logger) {
  const decodeOptions = { maxBodyBytes: options.maxBodyBytes };
  const wss = new WebSocketServer({ noServer: true, maxPayload: Math.max(options.maxFrameBytes, options.maxBodyBytes + goim.headerBytes), perMessageDeflate: false });
  const sockets = new Set<net.Socket>();
  let tcp: net.Server | null = null;

  /** goim's requests (op 12; 14 and 16 with a list of operations) are answered here, in order with the rest. */
  function isGoimRequest(packet: goim.Packet): boolean {
    if (packet.op === ops.changeRoom) return true;
    return (packet.op === ops.sync || packet.op === ops.ack) && operationList(Buffer.from(packet.body).toString('utf8')) !== undefined;
  }

  /** A request answered by the channel itself, in order with the connection's other frames. */
  function onOwnRequest(session: Session, transport: GoimTransport, packet: goim.Packet, answer: () => Promise<Uint8Array[]>): void {
    const { connection } = session;
    connection.lastSeen = Date.now();
    if (connection.principal === null) return connection.close('AUTH_REQUIRED');
    connection.enqueue(async () => {
      if (connection.closed) return;
      if (!connection.admit()) return transport.packet(errorPacket(packet.op + 1, packet.seq, 'RATE_LIMITED', 'Too many requests; slow down.'));
      const replies = await answer().catch((error: unknown) => {
        log.error({ err: error }, 'goim request failed');
        return [errorPacket(packet.op + 1, packet.seq, 'INTERNAL', 'Something went wrong on our side.')];
      });
      replies.forEach((reply) => transport.packet(reply));
    });
  }

  function onPackets(session: Session, transport: GoimTransport, decode: () => goim.Packet[]): void {
    let packets: goim.Packet[];
    try {
      packets = decode().flatMap(goim.unbatch);
    } catch (error) {
      // Broken framing: nothing after it can be trusted, so the link ends (after what it sent).
      const code = error instanceof goim.GoimProtocolError && error.code === 'PACKET_TOO_LARGE' ? 'PAYLOAD_TOO_LARGE' : 'VALIDATION_FAILED';
      session.connection.lastSeen = Date.now();
      return session.connection.close(code);
    }
    for (const packet of packets) onPacket(session, transport, packet);
  }

  function onPacket(session: Session, transport: GoimTransport, packet: goim.Packet): void {
    const { connection } = session;
    if (packet.op === ops.heartbeat) {
      connection.lastSeen = Date.now();
      const principal = connection.principal;
      if (principal === null) return connection.close('AUTH_REQUIRED');
      const shopId = principal.kind === 'staff' ? principal.staff.shopId : principal.shopId;
      transport.packet(goim.encodePacket({ op: ops.heartbeatReply, seq: packet.seq, body: goim.int32Body(shopId === null ? 0 : gateway.hub.countInShop(shopId)) }));
      return;
    }
    if (transport.dialect === 'openresty-im' && isOpenrestyRequest(packet)) {
      return onOwnRequest(session, transport, packet, () => openrestyRequest(services, transport.openresty, packet));
    }
    if (isGoimRequest(packet)) {
      return onOwnRequest(session, transport, packet, async () => {
        const reply = await goimRequest(services, gateway.hub, session.connection, packet);
        return reply === null ? [] : [reply];
      });
    }
    const reply = replyOf[packet.op];
    if (reply === undefined) {
      connection.lastSeen = Date.now();
      if (connection.principal === null) return connection.close('AUTH_REQUIRED');
      return transport.packet(errorPacket(ops.message, packet.seq, 'VALIDATION_FAILED', `Unknown op ${packet.op}.`));
    }
    let body: Record<string, unknown>;
    try {
      body = objectBody(packet);
    } catch (error) {
      connection.lastSeen = Date.now();
      if (connection.principal === null) return connection.close('AUTH_REQUIRED');
      return transport.packet(errorPacket(reply, packet.seq, 'INVALID_JSON', (error as Error).message));
    }
    if (packet.op === ops.auth && connection.principal === null) {
      // The first auth tells the dialect; its hooks take the credential, room and accepts.
      transport.dialect = dialectOf(body);
      const mid = midOf(Buffer.from(packet.body).toString('utf8'), body);
      transport.openresty.mid = mid;
      Object.assign(transport.hooks, goimHooks(services, transport.dialect, body, mid));
    }
    transport.expect(packet.seq, reply);
    session.receive(toFrame(packet, body));
  }

  function acceptWebSocket(ws: WebSocket, origin: string | null): void {
    const transport = new GoimTransport(
      options.maxBodyBytes,
      (bytes) => ws.send(bytes, { binary: true }),
      () => ws.bufferedAmount,
      (code, reason) => ws.close(code, reason),
      () => ws.terminate(),
    );
    const session = gateway.attach(transport, origin, transport.hooks);
    transport.connection = session.connection;
    ws.on('message', (data, isBinary) => {
      if (!isBinary) {
        session.connection.lastSeen = Date.now();
        return session.connection.close('VALIDATION_FAILED');
      }
      onPackets(session, transport, () => goim.decodeMessage(bytesOf(data), decodeOptions));
    });
    ws.on('close', () => session.closed());
    ws.on('error', (error) => {
      if (!/max payload/i.test(error.message)) log.warn({ err: error }, 'goim websocket error');
    });
  }

  function acceptTcp(socket: net.Socket): void {
    sockets.add(socket);
    socket.setNoDelay(true);
    const decoder = new goim.PacketDecoder(decodeOptions);
    const transport = new GoimTransport(
      options.maxBodyBytes,
      (bytes) => socket.write(bytes),
      () => socket.writableLength,
      () => socket.end(),
      () => socket.destroy(),
      true,
    );
    const session = gateway.attach(transport, null, transport.hooks);
    transport.connection = session.connection;
    socket.on('data', (chunk: Buffer) => {
      if (session.connection.closed) return;
      onPackets(session, transport, () => decoder.push(chunk));
    });
    socket.on('close', () => {
      sockets.delete(socket);
      session.closed();
    });
    socket.on('error', () => socket.destroy());
  }

  const channel = {
    /** /sub: goim's binary packets over WebSocket. */
    upgrade: gateway.upgradeTo(wss, acceptWebSocket),
    /** Starts the TCP listener (GOIM_TCP_PORT); resolves with its port (0 picks one). */
    listenTcp(port: number, host: string): Promise<number> {
      tcp = net.createServer(acceptTcp);
      return new Promise((resolve, reject) => {
        tcp!.once('error', reject);
        tcp!.listen(port, host, () => resolve((tcp!.address() as net.AddressInfo).port));
      });
    },
    async close(): Promise<void> {
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      if (tcp === null) return;
      const server = tcp;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Connections got their close from the gateway; the ones that do not go are cut.
        setTimeout(() => sockets.forEach((s) => s.destroy()), 2_000).unref();
      });
    },
  };
  gateway.addChannel(channel);
  return channel;
}

/**
 * Writes packets for one connection: the core's frames become packets, and what one turn of the
 * event loop sends goes out together (several as one op 9 batch).
 */
export class GoimTransport implements Transport {
  /** Set by the first auth packet (dialect.ts). */
  dialect: Dialect = 'frontdesk';
  readonly hooks: SessionHooks = {};
  readonly openresty: OpenrestyState & { connection: Connection | null } = { connection: null, mid: null };
  get connection(): Connection | null {
    return this.openresty.connection;
  }
  /** The metrics' transport label: goim on WebSocket /sub or on TCP. */
  get kind(): string {
    return `goim-${this.#stream ? 'tcp' : 'ws'}`;
  }
  set connection(connection: Connection | null) {
    this.openresty.connection = connection;
  }
  /** TCP: a byte stream, where goim writes a batch as bare consecutive packets. */
  readonly #stream: boolean;
  readonly #maxBodyBytes: number;
  readonly #write: (bytes: Uint8Array) => void;
  readonly #buffered: () => number;
  readonly #end: (code: number, reason: string) => void;
  readonly #destroy: () => void;
  #out: Uint8Array[] = [];
  #scheduled = false;
  /** Requests waiting for their reply, by header seq (clients may reuse a seq): the reply ops, in order. */
  #waiting = new Map<number, number[]>();

  constructor(maxBodyBytes: number, write: (bytes: Uint8Array) => void, buffered: () => number, end: (code: number, reason: string) => void, destroy: () => void, stream = false) {
    this.#maxBodyBytes = maxBodyBytes;
    this.#stream = stream;
    this.#write = write;
    this.#buffered = buffered;
    this.#end = end;
    this.#destroy = destroy;
  }

  get bufferedAmount(): number {
    return this.#buffered();
  }

  expect(seq: number, op: number): void {
    const queue = this.#waiting.get(seq);
    if (queue) {
      if (queue.length < 64) queue.push(op);
    } else if (this.#waiting.size < 1024) this.#waiting.set(seq, [op]);
  }

  send(out: Outgoing): void {
    const { frame } = out;
    if (this.dialect === 'openresty-im') {
      const rendered = renderOpenresty(out, this.openresty);
      if (rendered === null) return;
      if (rendered !== undefined) return this.packet(rendered);
    }
    // goim and openresty-im clients get a raw push as goim sends one: its operation, its bytes.
    if (frame.type === 'push' && out.raw !== undefined && this.dialect !== 'frontdesk') {
      return this.packet(goim.encodePacket({ op: frame.operation, seq: 0, body: out.raw }));
    }
    // What a goim client may send is a packet body, not a /ws frame; its key is what push/keys names.
    const extra = this.dialect === 'frontdesk' ? {} : { key: this.connection?.id, room_id: this.connection?.room ?? '' };
    const body = frame.type === 'auth.ok' ? Buffer.from(JSON.stringify({ ...frame, maxFrameBytes: this.#maxBodyBytes, ...extra })) : out.bytes;
    let op: number = ops.message;
    let seq = 0;
    const id = 'id' in frame ? frame.id : undefined;
    const queue = typeof id === 'number' ? this.#waiting.get(id) : undefined;
    if (queue !== undefined) {
      seq = id as number;
      op = queue.shift()!;
      if (queue.length === 0) this.#waiting.delete(seq);
    }
    this.packet(goim.encodePacket({ op, seq, body }));
  }

  packet(bytes: Uint8Array): void {
    this.#out.push(bytes);
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => this.#flush());
  }

  #flush(): void {
    this.#scheduled = false;
    const out = this.#out.splice(0);
    if (out.length === 1) this.#write(out[0]!);
    else if (out.length <= 1) return;
    else if (this.dialect !== 'goim') this.#write(goim.encodeBatch(out));
    // goim writes a batch's packets back to back, without the op 9 header: as they are on TCP, and
    // on WebSocket as one message of pushes (its client.js reads a message's packets in a loop but
    // takes a message that starts with a reply for that reply alone, so replies go on their own).
    else if (this.#stream) this.#write(Buffer.concat(out));
    else {
      let pushes: Uint8Array[] = [];
      for (const packet of out) {
        if (seqOf(packet) === 0) {
          pushes.push(packet);
          continue;
        }
        if (pushes.length > 0) this.#write(Buffer.concat(pushes));
        pushes = [];
        this.#write(packet);
      }
      if (pushes.length > 0) this.#write(Buffer.concat(pushes));
    }
  }

  close(code: number, reason: string): void {
    this.#flush();
    this.#end(code, reason);
  }

  terminate(): void {
    this.#destroy();
  }
}

/** The JSON frame of /ws a request packet stands for; the header seq is its id. */
function toFrame(packet: goim.Packet, body: Record<string, unknown>): Record<string, unknown> {
  switch (packet.op) {
    case ops.auth:
      // goim's own layout carries the token in `key` (mid, room_id, platform, accepts are ignored).
      return { type: 'auth', id: packet.seq, token: body.token ?? body.key };
    case ops.send:
      return { ...body, type: 'send', id: packet.seq };
    case ops.sync:
      return { ...body, type: 'sync', id: packet.seq };
    default:
      // ops.ack: the read cursor moves to `seq` of `conversationId`.
      return { type: 'read', id: packet.seq, conversationId: body.conversationId, seq: body.seq };
  }
}

function seqOf(packet: Uint8Array): number {
  return new DataView(packet.buffer, packet.byteOffset, packet.byteLength).getInt32(12);
}

function objectBody(packet: goim.Packet): Record<string, unknown> {
  if (packet.body.length === 0) return {};
  const value = goim.parseJsonBody(packet);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('The body must be a JSON object.');
  return value as Record<string, unknown>;
}

function errorPacket(op: number, seq: number, code: ErrorCode, message: string): Uint8Array {
  return goim.encodeJsonPacket(op, seq, { type: 'error', code, message, id: seq });
}

function bytesOf(data: Buffer | ArrayBuffer | Buffer[]): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}
