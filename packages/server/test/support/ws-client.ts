import WebSocket from 'ws';
import type { ServerFrame } from '@frontdesk/protocol';
import type { TestServer } from './server.ts';

/** A raw protocol client for gateway tests: records every frame, waits for the ones asked for. */
export interface RawClient {
  readonly ws: WebSocket;
  readonly frames: ServerFrame[];
  send(frame: unknown): void;
  /** The next frame (from now on, or already received and not yet taken) that matches. */
  next<T extends ServerFrame['type']>(type: T, match?: (frame: Extract<ServerFrame, { type: T }>) => boolean, timeoutMs?: number): Promise<Extract<ServerFrame, { type: T }>>;
  /** Resolves with the close code and reason. */
  readonly closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

export function wsUrl(server: TestServer): string {
  return `${server.url.replace(/^http/, 'ws')}/ws`;
}

export async function rawConnect(server: TestServer, options: { origin?: string; path?: string } = {}): Promise<RawClient> {
  const ws = new WebSocket(options.path ? server.url.replace(/^http/, 'ws') + options.path : wsUrl(server), {
    ...(options.origin !== undefined && { origin: options.origin }),
  });
  const frames: ServerFrame[] = [];
  const taken = new Set<ServerFrame>();
  const waiters = new Set<() => void>();
  ws.on('message', (data) => {
    frames.push(JSON.parse(data.toString()) as ServerFrame);
    waiters.forEach((w) => w());
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode })));
  });
  return {
    ws,
    frames,
    closed,
    send: (frame) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    close: () => ws.close(),
    next(type, match = () => true, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const look = () => {
          const found = frames.find((f) => !taken.has(f) && f.type === type && match(f as never));
          if (!found) return false;
          taken.add(found);
          waiters.delete(look);
          clearTimeout(timer);
          resolve(found as never);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(look);
          reject(new Error(`no "${type}" frame within ${timeoutMs} ms; got ${JSON.stringify(frames.map((f) => f.type))}`));
        }, timeoutMs);
        if (!look()) waiters.add(look);
      });
    },
  };
}

/** Connected and authenticated. */
export async function rawAuthed(server: TestServer, token: string, options: { origin?: string } = {}): Promise<RawClient> {
  const client = await rawConnect(server, options);
  client.send({ type: 'auth', id: 'auth', token });
  await client.next('auth.ok');
  return client;
}

/** Waits `ms`, then fails if any frame received so far matches: for "never delivered" checks. */
export async function nothing(client: RawClient, predicate: (frame: ServerFrame) => boolean, ms = 300): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
  const unexpected = client.frames.filter(predicate);
  if (unexpected.length > 0) throw new Error(`unexpected frames: ${JSON.stringify(unexpected)}`);
}
