import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { ConversationChange, ServerFrame } from '@frontdesk/protocol';
import { call, openWidget, type ShopFixture } from './client.ts';
import type { TestServer } from './server.ts';
import { rawAuthed, type RawClient } from './ws-client.ts';

/** Short routing timers for the routing suites: grace, settle and sweep in milliseconds. */
export const ROUTING_TIMINGS = { PRESENCE_GRACE_MS: '300', ROUTING_SETTLE_MS: '50', ROUTING_SWEEP_MS: '100' };
const PASSWORD = 'correct horse battery staple';

export interface Person {
  readonly id: string;
  readonly token: string;
}

/** Only frames received from now on (next() would otherwise also take older, untaken ones). */
export function since(client: RawClient): (frame: ServerFrame) => boolean {
  const from = client.frames.length;
  return (frame) => client.frames.indexOf(frame) >= from;
}

/** The next `conversation` frame of this change for the conversation. */
export function changed(client: RawClient, conversationId: string, change: ConversationChange, also: (f: ServerFrame) => boolean = () => true, timeoutMs = 3_000) {
  return client.next('conversation', (f) => f.conversation.id === conversationId && f.change === change && also(f), timeoutMs);
}

/**
 * The people of a routing suite on `server()` (read when called: suites start it in before()):
 * agents, their first connection, visitors with a socket, and sends that wait for their ack.
 * Every socket opened goes into `sockets`, for the suite to close.
 */
export function routingPeople(server: () => TestServer, sockets: RawClient[]) {
  const track = (client: RawClient) => (sockets.push(client), client);
  return {
    track,
    async addAgent(shop: ShopFixture, name: string): Promise<Person> {
      const email = `${name.toLowerCase()}-${randomUUID().slice(0, 8)}@example.test`;
      const { staff } = await server().app.services.staff.createInShop(shop.shopId, { email, name, role: 'agent', password: PASSWORD });
      const login = await call(server(), 'POST', '/api/v1/auth/login', { body: { email, password: PASSWORD } });
      assert.equal(login.status, 200);
      return { id: staff.id, token: login.body.token };
    },
    /** A first connection of the agent, once their presence is recorded online. */
    async online(agent: Person): Promise<RawClient> {
      const ws = track(await rawAuthed(server(), agent.token));
      await ws.next('presence', (f) => f.userId === agent.id && f.status === 'online');
      return ws;
    },
    async visitor(shop: ShopFixture) {
      const c = await openWidget(server(), shop.shopId);
      return { ...c, ws: track(await rawAuthed(server(), c.token)) };
    },
    /** Sends over the socket and waits for the ack. */
    async say(ws: RawClient, conversationId: string, text: string) {
      const clientMsgId = randomUUID();
      ws.send({ type: 'send', conversationId, clientMsgId, text });
      return (await ws.next('ack', (f) => f.clientMsgId === clientMsgId)).message;
    },
  };
}
