/**
 * The one place the load generator and the idle-connection client talk to a server. Each system
 * offers the same two things: a customer–agent pair (the customer sends, the agent receives, the
 * customer gets an ack) and an idle authenticated connection.
 *
 * - frontdesk: `@frontdesk/sdk` (FrontdeskClient over the `ws` package), as an app would use it;
 *   `client: 'raw'` speaks the JSON protocol of docs/protocol.md directly instead, to tell the SDK's
 *   own cost apart from the server's.
 * - ws: the bare relay of ws-relay.ts (pairing frame, forwarded frames, small acks).
 * - socketio: the bare room relay of socketio-relay.ts (socket.io-client, WebSocket transport).
 */
import { randomUUID } from 'node:crypto';
import { FrontdeskClient, type WebSocketConstructor } from '@frontdesk/sdk';
import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';

export type System = 'frontdesk' | 'ws' | 'socketio';
export type FrontdeskClientKind = 'sdk' | 'raw';

export interface Endpoint {
  readonly system: System;
  /** ws://127.0.0.1:PORT/ws (frontdesk), ws://127.0.0.1:PORT (ws), http://127.0.0.1:PORT (socketio). */
  readonly url: string;
  readonly client: FrontdeskClientKind;
}

/** Frontdesk only: who the pair's two sockets are and where the customer writes. */
export interface PairCredentials {
  readonly customerToken: string;
  readonly agentToken: string;
  readonly conversationId: string;
}

export interface PairHooks {
  /** The agent received the message sent under `key`. */
  delivered(key: string): void;
  /** The customer got the ack for `key`. */
  acked(key: string): void;
  /** The server refused `key`. */
  failed(key: string, reason: string): void;
  /** A socket of the pair went away during the run. */
  lost(who: 'customer' | 'agent', reason: string): void;
}

export interface PairLink {
  /** Sends one message from the customer; `key` doubles as its clientMsgId. */
  send(key: string, text: string): void;
  close(): void;
}

export interface IdleLink {
  isOpen(): boolean;
  close(): void;
}

const CONNECT_TIMEOUT_MS = 30_000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]);
}

/** The `ws` package's WebSocket, bound to a local address when given (many 127.0.0.x sources). */
function boundWebSocket(localAddress: string | undefined): WebSocketConstructor {
  if (localAddress === undefined) return WebSocket;
  return class extends WebSocket {
    constructor(url: string) {
      super(url, { localAddress, perMessageDeflate: false });
    }
  };
}

/** Opens a raw `ws` socket and resolves once it is open. */
function openSocket(url: string, localAddress?: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false, ...(localAddress !== undefined && { localAddress }) });
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Sends `first` and resolves with the first frame back that satisfies `ok` (throws on close). */
function handshake(socket: WebSocket, first: unknown, ok: (frame: { type?: string }) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (data: WebSocket.RawData) => {
      const frame = JSON.parse(data.toString()) as { type?: string };
      if (!ok(frame)) return;
      socket.off('message', onMessage);
      socket.off('close', onClose);
      resolve();
    };
    const onClose = (code: number, reason: Buffer) => reject(new Error(`closed ${code} ${reason.toString()}`));
    socket.on('message', onMessage);
    socket.once('close', onClose);
    socket.send(JSON.stringify(first));
  });
}

// ---------------------------------------------------------------------------------------------
// Pairs

export async function openPair(endpoint: Endpoint, index: number, credentials: PairCredentials | null, hooks: PairHooks): Promise<PairLink> {
  switch (endpoint.system) {
    case 'frontdesk':
      if (credentials === null) throw new Error('frontdesk pairs need credentials');
      return endpoint.client === 'sdk' ? sdkPair(endpoint.url, credentials, hooks) : rawFrontdeskPair(endpoint.url, credentials, hooks);
    case 'ws':
      return wsRelayPair(endpoint.url, index, hooks);
    case 'socketio':
      return socketIoPair(endpoint.url, index, hooks);
  }
}

async function sdkPair(url: string, credentials: PairCredentials, hooks: PairHooks): Promise<PairLink> {
  const customer = new FrontdeskClient({ url, token: credentials.customerToken, WebSocket });
  const agent = new FrontdeskClient({ url, token: credentials.agentToken, WebSocket });
  agent.on('message', (message) => {
    if (message.senderKind === 'customer' && message.clientMsgId !== null) hooks.delivered(message.clientMsgId);
  });
  customer.on('disconnected', (info) => hooks.lost('customer', `${info.code} ${info.reason}`));
  agent.on('disconnected', (info) => hooks.lost('agent', `${info.code} ${info.reason}`));
  try {
    await withTimeout(Promise.all([customer.connect(), agent.connect()]), CONNECT_TIMEOUT_MS, 'frontdesk pair');
  } catch (error) {
    customer.close();
    agent.close();
    throw error;
  }
  return {
    send(key, text) {
      customer.send({ conversationId: credentials.conversationId, text, clientMsgId: key }).promise.then(
        () => hooks.acked(key),
        (error: unknown) => hooks.failed(key, String((error as { code?: string }).code ?? error)),
      );
    },
    close() {
      customer.close();
      agent.close();
    },
  };
}

/** The JSON protocol without the SDK: auth, send, and the pushes; a ping every 20 s. */
async function rawFrontdeskPair(url: string, credentials: PairCredentials, hooks: PairHooks): Promise<PairLink> {
  const connect = async (token: string) => {
    const socket = await openSocket(url);
    await handshake(socket, { type: 'auth', token }, (f) => f.type === 'auth.ok');
    const ping = setInterval(() => socket.send('{"type":"ping"}'), 20_000);
    socket.on('close', () => clearInterval(ping));
    return socket;
  };
  const [customer, agent] = await withTimeout(
    Promise.all([connect(credentials.customerToken), connect(credentials.agentToken)]),
    CONNECT_TIMEOUT_MS,
    'frontdesk pair',
  );
  let closing = false;
  agent.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as { type: string; message?: { senderKind: string; clientMsgId: string | null } };
    if (frame.type === 'message' && frame.message?.senderKind === 'customer' && frame.message.clientMsgId) hooks.delivered(frame.message.clientMsgId);
  });
  customer.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as { type: string; clientMsgId?: string; code?: string };
    if (frame.type === 'ack' && frame.clientMsgId) hooks.acked(frame.clientMsgId);
    else if (frame.type === 'error' && frame.clientMsgId) hooks.failed(frame.clientMsgId, frame.code ?? 'error');
  });
  customer.on('close', (code) => closing || hooks.lost('customer', String(code)));
  agent.on('close', (code) => closing || hooks.lost('agent', String(code)));
  let id = 0;
  return {
    send(key, text) {
      customer.send(JSON.stringify({ type: 'send', id: ++id, conversationId: credentials.conversationId, clientMsgId: key, text }));
    },
    close() {
      closing = true;
      customer.close();
      agent.close();
    },
  };
}

async function wsRelayPair(url: string, index: number, hooks: PairHooks): Promise<PairLink> {
  const connect = async (role: 'customer' | 'agent') => {
    const socket = await openSocket(url);
    await handshake(socket, { type: 'pair', pair: index, role }, (f) => f.type === 'paired');
    return socket;
  };
  const [customer, agent] = await withTimeout(Promise.all([connect('customer'), connect('agent')]), CONNECT_TIMEOUT_MS, 'ws pair');
  let closing = false;
  // The same parsing as the Frontdesk agent does: every frame is JSON.
  agent.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as { clientMsgId?: string };
    if (frame.clientMsgId) hooks.delivered(frame.clientMsgId);
  });
  customer.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as { type: string; clientMsgId?: string };
    if (frame.type === 'ack' && frame.clientMsgId) hooks.acked(frame.clientMsgId);
  });
  customer.on('close', (code) => closing || hooks.lost('customer', String(code)));
  agent.on('close', (code) => closing || hooks.lost('agent', String(code)));
  const conversationId = randomUUID();
  let id = 0;
  return {
    // A frame of the same shape and size as Frontdesk's `send`.
    send(key, text) {
      customer.send(JSON.stringify({ type: 'send', id: ++id, conversationId, clientMsgId: key, text }));
    },
    close() {
      closing = true;
      customer.close();
      agent.close();
    },
  };
}

function socketIo(url: string, localAddress?: string): Socket {
  return io(url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    ...(localAddress !== undefined && { localAddress }),
  });
}

function joinRoom(socket: Socket, index: number): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('connect_error', reject);
    socket.once('connect', () => socket.emit('join', index, () => resolve()));
  });
}

async function socketIoPair(url: string, index: number, hooks: PairHooks): Promise<PairLink> {
  const customer = socketIo(url);
  const agent = socketIo(url);
  try {
    await withTimeout(Promise.all([joinRoom(customer, index), joinRoom(agent, index)]), CONNECT_TIMEOUT_MS, 'socket.io pair');
  } catch (error) {
    customer.close();
    agent.close();
    throw error;
  }
  let closing = false;
  agent.on('message', (payload: { clientMsgId: string }) => hooks.delivered(payload.clientMsgId));
  customer.on('disconnect', (reason) => closing || hooks.lost('customer', reason));
  agent.on('disconnect', (reason) => closing || hooks.lost('agent', reason));
  const conversationId = randomUUID();
  return {
    send(key, text) {
      customer.emit('send', { conversationId, clientMsgId: key, text }, () => hooks.acked(key));
    },
    close() {
      closing = true;
      customer.close();
      agent.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Idle connections (RSS per connection)

/**
 * One connection that authenticates (frontdesk: `auth` with a widget-session token, then the SDK's
 * usual first `sync`; ws: the pairing frame; socketio: `join`) and then stays idle apart from
 * heartbeats. `localAddress` spreads the sockets over several 127.0.0.x sources.
 */
export async function openIdle(endpoint: Endpoint, index: number, token: string | null, localAddress: string): Promise<IdleLink> {
  switch (endpoint.system) {
    case 'frontdesk': {
      if (token === null) throw new Error('frontdesk connections need a token');
      if (endpoint.client === 'raw') {
        const socket = await withTimeout(
          openSocket(endpoint.url, localAddress).then(async (s) => {
            await handshake(s, { type: 'auth', token }, (f) => f.type === 'auth.ok');
            return s;
          }),
          CONNECT_TIMEOUT_MS,
          'frontdesk connection',
        );
        const ping = setInterval(() => socket.send('{"type":"ping"}'), 20_000);
        socket.on('close', () => clearInterval(ping));
        return { isOpen: () => socket.readyState === WebSocket.OPEN, close: () => socket.close() };
      }
      const client = new FrontdeskClient({ url: endpoint.url, token, WebSocket: boundWebSocket(localAddress) });
      try {
        await withTimeout(client.connect(), CONNECT_TIMEOUT_MS, 'frontdesk connection');
      } catch (error) {
        client.close();
        throw error;
      }
      return { isOpen: () => client.state === 'open', close: () => client.close() };
    }
    case 'ws': {
      const socket = await withTimeout(
        openSocket(endpoint.url, localAddress).then(async (s) => {
          await handshake(s, { type: 'pair', pair: index >> 1, role: index % 2 === 0 ? 'customer' : 'agent' }, (f) => f.type === 'paired');
          return s;
        }),
        CONNECT_TIMEOUT_MS,
        'ws connection',
      );
      return { isOpen: () => socket.readyState === WebSocket.OPEN, close: () => socket.close() };
    }
    case 'socketio': {
      const socket = socketIo(endpoint.url, localAddress);
      try {
        await withTimeout(joinRoom(socket, index >> 1), CONNECT_TIMEOUT_MS, 'socket.io connection');
      } catch (error) {
        socket.close();
        throw error;
      }
      return { isOpen: () => socket.connected, close: () => socket.close() };
    }
  }
}
