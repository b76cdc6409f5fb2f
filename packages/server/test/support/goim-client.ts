import { createHmac } from 'node:crypto';
import net from 'node:net';
import WebSocket from 'ws';
import { goim } from '@frontdesk/protocol';

/**
 * A goim client written from goim's published protocol (a 16-byte big-endian header, then the body):
 * over WebSocket /sub or TCP, it records every packet (op 9 batches unpacked) and every raw write
 * it received, and waits for packets.
 */
export interface GoimTestClient {
  readonly packets: goim.Packet[];
  /** What arrived, write by write (WebSocket messages; TCP chunks). */
  readonly writes: Uint8Array[];
  write(bytes: Uint8Array): void;
  /** A request whose body is JSON (objects) or text as is (strings). */
  request(op: number, seq: number, body?: unknown): void;
  next(op: number, match?: (packet: goim.Packet) => boolean, timeoutMs?: number): Promise<goim.Packet>;
  /** Resolves with the close code (WebSocket) or 0 (TCP). */
  readonly closed: Promise<number>;
  close(): void;
}

function recorder(write: (bytes: Uint8Array) => void, close: () => void, closed: Promise<number>) {
  const packets: goim.Packet[] = [];
  const writes: Uint8Array[] = [];
  const taken = new Set<goim.Packet>();
  const waiters = new Set<() => void>();
  const client: GoimTestClient & { feed(raw: Uint8Array, more: goim.Packet[]): void } = {
    packets,
    writes,
    closed,
    close,
    write,
    feed(raw, more) {
      writes.push(raw);
      packets.push(...more.flatMap(goim.unbatch));
      waiters.forEach((w) => w());
    },
    request(op, seq, body) {
      if (body === undefined) return write(goim.encodePacket({ op, seq }));
      write(typeof body === 'string' ? goim.encodePacket({ op, seq, body: Buffer.from(body) }) : goim.encodeJsonPacket(op, seq, body));
    },
    next(op, match = () => true, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const look = () => {
          const found = packets.find((p) => !taken.has(p) && p.op === op && match(p));
          if (!found) return false;
          taken.add(found);
          waiters.delete(look);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(look);
          reject(new Error(`no op ${op} within ${timeoutMs} ms; got ops ${packets.map((p) => p.op).join(',')}`));
        }, timeoutMs);
        if (!look()) waiters.add(look);
      });
    },
  };
  return client;
}

export async function goimWs(baseUrl: string, path = '/sub'): Promise<GoimTestClient> {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}${path}`);
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  const client = recorder((bytes) => ws.send(bytes), () => ws.close(), closed);
  ws.on('message', (data) => {
    const raw = new Uint8Array(data as Buffer);
    client.feed(raw, goim.decodeMessage(raw, { maxBodyBytes: 1 << 20 }));
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return client;
}

export async function goimTcp(port: number): Promise<GoimTestClient> {
  const socket = net.connect(port, '127.0.0.1');
  const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(0)));
  const decoder = new goim.PacketDecoder({ maxBodyBytes: 1 << 20 });
  const client = recorder((bytes) => socket.write(bytes), () => socket.destroy(), closed);
  socket.on('data', (chunk) => client.feed(new Uint8Array(chunk), decoder.push(chunk)));
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  return client;
}

export const text = (packet: goim.Packet) => Buffer.from(packet.body).toString('utf8');
export const json = (packet: goim.Packet) => JSON.parse(text(packet)) as Record<string, any>;

/** A goim token signed by the shop, as its site makes one (docs/protocol-goim.md). */
export function signedGoimToken(shopId: string, identitySecret: string, mid: string | number): string {
  return `fdg.${shopId}.${createHmac('sha256', identitySecret).update(String(mid)).digest('hex')}`;
}
