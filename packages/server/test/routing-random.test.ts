import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import type { RoutingStrategy } from '@frontdesk/protocol';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config/config.ts';
import type { Engine } from '../src/storage/connect.ts';
import type { Database } from '../src/storage/schema.ts';
import { call, createShop, openWidget, send, type ShopFixture } from './support/client.ts';
import { platformSecret, type TestServer } from './support/server.ts';
import { engines, openTestStorage, type TestStorage } from './support/storage.ts';
import { rawAuthed, type RawClient } from './support/ws-client.ts';
import { seededRandom } from './support/random.ts';
import { delay } from '../../sdk/test/support/helpers.ts';

/**
 * Randomised routing (docs/routing.md): customers arrive in bursts while agents with various
 * capacities come and go and close conversations; after every step, once routing has settled, the
 * database must show no inquiry assigned twice or beyond capacity, none lost, none taken from an
 * agent who went offline (issue 22: the assignment survives), and the queue served oldest first. At
 * the end every agent leaves (keeping what they hold, which is then closed), a backlog arrives, and
 * all of them arrive together with unlimited capacity: least-busy and round-robin must spread the
 * backlog evenly. ROUTING_SEED=n replays a run.
 */

const CUSTOMERS = 500;
const AGENTS = 20;
const DEFAULT_CAPACITY = 3;
const SETTLE_TIMEOUT_MS = 15_000;
const password = 'correct horse battery staple';


/** A server over a storage it does not own: it can be stopped and another started on the same database. */
async function startNode(engine: Engine, storage: TestStorage, env: Record<string, string>): Promise<TestServer> {
  const config = loadConfig({
    PORT: '0',
    LOG_LEVEL: 'silent',
    PLATFORM_IDENTITY_SECRET: platformSecret,
    RATE_LIMIT: '1000000',
    LOGIN_RATE_LIMIT: '100000',
    WIDGET_SESSION_RATE_LIMIT: '100000',
    // Agents' sockets stay quiet for a long time; only the test decides when they leave.
    WS_HEARTBEAT_MS: '600000',
    ...env,
  });
  const app = await createApp(config, { storage: { ...storage, close: async () => {} } });
  const url = await app.listen();
  return { app, url, storage, engine, close: () => app.close() };
}

interface TestAgent {
  readonly index: number;
  readonly id: string;
  readonly token: string;
  /** As set on the staff record: null = the shop's default, 0 = unlimited. */
  capacity: number | null;
  socket: RawClient | null;
}

interface TestCustomer {
  readonly token: string;
  readonly conversationId: string;
  /** Inquiries this customer's messages opened (the first message, and each one after a close). */
  opened: number;
  /** Inquiries of this customer closed by an agent's explicit close. */
  closed: number;
}

interface InquiryRow {
  readonly id: string;
  readonly conversation_id: string;
  readonly status: string;
  readonly assignee_id: string | null;
  readonly created_at: number;
  readonly assigned_at: number | null;
}

interface Snapshot {
  /** The shop's inquiries in the database's queue order (created_at, id). */
  readonly inquiries: readonly InquiryRow[];
  readonly rank: ReadonlyMap<string, number>;
  readonly agents: ReadonlyMap<string, { presence: string; open: number }>;
  readonly capacity: ReadonlyMap<string, number | null>;
  readonly conversations: ReadonlyMap<
    string,
    { status: string | null; assignee_id: string | null; current_inquiry_id: string | null; updated_at: number }
  >;
}

/** What decides whether routing has settled: presence and counters, the inquiries each agent holds, the queue's length. */
interface Load {
  readonly agents: ReadonlyMap<string, { presence: string; open: number }>;
  readonly held: ReadonlyMap<string, number>;
  readonly queued: number;
}

/** Two cheap queries, polled while waiting for routing to settle. */
async function load(db: Kysely<Database>, shopId: string): Promise<Load> {
  const agents = await db.selectFrom('agents').select(['staff_id', 'presence', 'open_inquiries']).where('shop_id', '=', shopId).execute();
  const counts = await db
    .selectFrom('inquiries')
    .select((eb) => ['status', 'assignee_id', eb.fn.countAll<number>().as('n')])
    .where('shop_id', '=', shopId)
    .where('status', '<>', 'closed')
    .groupBy(['status', 'assignee_id'])
    .execute();
  const held = new Map<string, number>();
  let queued = 0;
  for (const c of counts) {
    if (c.status === 'queued') queued += Number(c.n);
    else if (c.assignee_id !== null) held.set(c.assignee_id, (held.get(c.assignee_id) ?? 0) + Number(c.n));
  }
  return { agents: new Map(agents.map((a) => [a.staff_id, { presence: a.presence, open: Number(a.open_inquiries) }])), held, queued };
}

function loadOf(s: Snapshot): Load {
  const held = new Map<string, number>();
  for (const i of s.inquiries) if (i.status === 'assigned') held.set(i.assignee_id!, (held.get(i.assignee_id!) ?? 0) + 1);
  return { agents: s.agents, held, queued: s.inquiries.filter((i) => i.status === 'queued').length };
}

/** One consistent read of everything routing keeps for the shop. */
async function snapshot(db: Kysely<Database>, engine: Engine, shopId: string): Promise<Snapshot> {
  const read = async (tx: Kysely<Database>): Promise<Snapshot> => {
    const inquiries = await tx
      .selectFrom('inquiries')
      .select(['id', 'conversation_id', 'status', 'assignee_id', 'created_at', 'assigned_at'])
      .where('shop_id', '=', shopId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    const agents = await tx.selectFrom('agents').select(['staff_id', 'presence', 'open_inquiries']).where('shop_id', '=', shopId).execute();
    const staff = await tx.selectFrom('staff').select(['id', 'capacity']).where('shop_id', '=', shopId).execute();
    const conversations = await tx
      .selectFrom('conversations')
      .select(['id', 'status', 'assignee_id', 'current_inquiry_id', 'updated_at'])
      .where('shop_id', '=', shopId)
      .where('kind', '=', 'service')
      .execute();
    return {
      inquiries: inquiries.map((i) => ({ ...i, created_at: Number(i.created_at), assigned_at: i.assigned_at === null ? null : Number(i.assigned_at) })),
      rank: new Map(inquiries.map((i, index) => [i.id, index])),
      agents: new Map(agents.map((a) => [a.staff_id, { presence: a.presence, open: Number(a.open_inquiries) }])),
      capacity: new Map(staff.map((s) => [s.id, s.capacity])),
      conversations: new Map(conversations.map((c) => [c.id, { ...c, updated_at: Number(c.updated_at) }])),
    };
  };
  return engine === 'postgres' ? db.transaction().setIsolationLevel('repeatable read').execute(read) : db.transaction().execute(read);
}

for (const engine of engines) {
  describe(`routing under random load on ${engine}`, () => {
    test(`${CUSTOMERS} customers, ${AGENTS} agents coming and going, closes; then an even spread of the backlog`, { timeout: 150_000 }, async (t) => {
      const seed = process.env.ROUTING_SEED !== undefined ? Number(process.env.ROUTING_SEED) : Math.floor(Math.random() * 2 ** 31);
      const random = seededRandom(seed);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
      const storage = await openTestStorage(engine);
      let node: TestServer | null = null;
      const agents: TestAgent[] = [];
      let step = 'setup';
      try {
        node = await startNode(engine, storage, { PRESENCE_GRACE_MS: '50', ROUTING_SETTLE_MS: '0', ROUTING_SWEEP_MS: '200' });
        const server = () => node!;
        const shop: ShopFixture = await createShop(server(), 'Random routing', 'least-busy');
        const patchShop = async (settings: Record<string, unknown>) => {
          const reply = await call(server(), 'PATCH', '/api/v1/shop', { token: shop.ownerToken, body: { settings } });
          assert.equal(reply.status, 200, JSON.stringify(reply.body));
        };
        const setCapacity = async (agent: TestAgent, capacity: number | null) => {
          const reply = await call(server(), 'PATCH', `/api/v1/staff/${agent.id}`, { token: shop.ownerToken, body: { capacity } });
          assert.equal(reply.status, 200, JSON.stringify(reply.body));
          agent.capacity = capacity;
        };
        await patchShop({ defaultCapacity: DEFAULT_CAPACITY });

        // 20 agents: one unlimited, three on the shop default, the others 1–5.
        const tag = randomUUID().slice(0, 8);
        const capacities = Array.from({ length: AGENTS }, (_, i) => (i === 0 ? 0 : i <= 3 ? null : 1 + Math.floor(random() * 5)));
        agents.push(
          ...(await Promise.all(
            capacities.map(async (capacity, index): Promise<TestAgent> => {
              const email = `agent-${index}-${tag}@example.test`;
              const { staff } = await server().app.services.staff.createInShop(shop.shopId, { email, name: `Agent ${index}`, role: 'agent', password });
              const login = await call(server(), 'POST', '/api/v1/auth/login', { body: { email, password } });
              assert.equal(login.status, 200);
              const agent: TestAgent = { index, id: staff.id, token: login.body.token, capacity: null, socket: null };
              await setCapacity(agent, capacity);
              return agent;
            }),
          )),
        );
        const byId = new Map(agents.map((a) => [a.id, a]));
        const capacityOf = (a: TestAgent) => a.capacity ?? DEFAULT_CAPACITY;

        const customers: TestCustomer[] = [];
        const byConversation = new Map<string, TestCustomer>();

        const connect = async (agent: TestAgent) => {
          agent.socket = await rawAuthed(server(), agent.token);
        };
        const disconnect = async (agent: TestAgent) => {
          const socket = agent.socket!;
          agent.socket = null;
          socket.close();
          await socket.closed;
        };
        const arrive = async (i: number) => {
          const widget = await openWidget(server(), shop.shopId);
          const sent = await send(server(), widget.token, widget.conversationId, `customer ${i}: hello`);
          assert.equal(sent.status, 201, JSON.stringify(sent.body));
          const customer: TestCustomer = { token: widget.token, conversationId: widget.conversationId, opened: 1, closed: 0 };
          customers.push(customer);
          byConversation.set(customer.conversationId, customer);
        };
        const close = async (customer: TestCustomer, by: TestAgent) => {
          const reply = await call(server(), 'POST', `/api/v1/conversations/${customer.conversationId}/close`, { token: by.token });
          assert.equal(reply.status, 200, `close by agent ${by.index}: ${JSON.stringify(reply.body)}`);
          customer.closed += 1;
        };
        const comeBack = async (customer: TestCustomer) => {
          const sent = await send(server(), customer.token, customer.conversationId, 'me again');
          assert.equal(sent.status, 201, JSON.stringify(sent.body));
          customer.opened += 1;
        };

        const read = () => snapshot(server().storage.db, engine, shop.shopId);

        /** Why routing has not settled yet, or null: presence as the sockets say, no waiting while someone online has room. */
        const unsettled = (s: Load): string | null => {
          for (const a of agents) {
            const presence = s.agents.get(a.id)?.presence ?? 'offline';
            const expected = a.socket ? 'online' : 'offline';
            if (presence !== expected) return `agent ${a.index} is ${presence}, expected ${expected}`;
          }
          const queued = s.queued;
          if (queued > 0) {
            const free = agents.find((a) => {
              const row = s.agents.get(a.id);
              return row?.presence === 'online' && (capacityOf(a) === 0 || row.open < capacityOf(a));
            });
            if (free) return `${queued} inquiries wait while agent ${free.index} (online, ${s.agents.get(free.id)!.open}/${capacityOf(free)}) has room`;
          }
          return null;
        };

        const waitSettled = async (): Promise<Snapshot> => {
          const deadline = Date.now() + SETTLE_TIMEOUT_MS;
          for (;;) {
            let why = unsettled(await load(server().storage.db, shop.shopId));
            if (why === null) {
              const s = await read();
              why = unsettled(loadOf(s));
              if (why === null) return s;
            }
            if (Date.now() > deadline) assert.fail(`routing did not settle within ${SETTLE_TIMEOUT_MS} ms: ${why}`);
            await delay(15);
          }
        };

        /** What must hold in every state routing settles in. */
        const checkInvariants = (s: Snapshot) => {
          // Agents: capacity as set, the counter is the truth, within capacity (offline ones keep theirs).
          const held = new Map<string, number>();
          for (const i of s.inquiries) {
            if (i.status === 'queued') assert.equal(i.assignee_id, null, `queued inquiry ${i.id} has no assignee`);
            else if (i.status === 'assigned') {
              assert.ok(i.assignee_id !== null && byId.has(i.assignee_id), `assigned inquiry ${i.id} is held by one of the agents (${i.assignee_id})`);
              held.set(i.assignee_id, (held.get(i.assignee_id) ?? 0) + 1);
            } else assert.equal(i.status, 'closed', `inquiry ${i.id} has a known status`);
          }
          for (const a of agents) {
            assert.equal(s.capacity.get(a.id), a.capacity, `agent ${a.index}'s capacity is as set`);
            const row = s.agents.get(a.id);
            const count = held.get(a.id) ?? 0;
            assert.equal(row?.open ?? 0, count, `agent ${a.index}: agents.open_inquiries equals the inquiries assigned to them`);
            if (capacityOf(a) > 0) assert.ok(count <= capacityOf(a), `agent ${a.index} holds ${count}, capacity ${capacityOf(a)}`);
          }
          // Conversations: every customer who wrote has their inquiries, at most one open, none lost.
          const perConversation = new Map<string, InquiryRow[]>();
          for (const i of s.inquiries) {
            const list = perConversation.get(i.conversation_id) ?? [];
            list.push(i);
            perConversation.set(i.conversation_id, list);
          }
          assert.equal(s.inquiries.length, customers.reduce((n, c) => n + c.opened, 0), 'one inquiry per message that opened one, no other');
          for (const c of customers) {
            const list = perConversation.get(c.conversationId) ?? [];
            assert.equal(list.length, c.opened, `conversation ${c.conversationId} has an inquiry for each opening message`);
            assert.equal(list.filter((i) => i.status === 'closed').length, c.closed, `conversation ${c.conversationId}: closed only by an explicit close`);
            const open = list.filter((i) => i.status !== 'closed');
            assert.equal(open.length, c.opened - c.closed, `conversation ${c.conversationId} has at most one open inquiry, and it is not lost`);
            const conversation = s.conversations.get(c.conversationId);
            assert.ok(conversation, 'the conversation exists');
            const latest = list.reduce((a, b) => (s.rank.get(a.id)! > s.rank.get(b.id)! ? a : b));
            assert.equal(conversation.current_inquiry_id, latest.id, 'the conversation points at its latest inquiry');
            if (open[0]) {
              assert.equal(conversation.status, open[0].status, 'the conversation shows its inquiry status');
              assert.equal(conversation.assignee_id, open[0].assignee_id, 'the conversation shows its inquiry assignee');
            } else assert.equal(conversation.status, 'closed');
          }
        };

        /**
         * Oldest first: an inquiry that waited in the queue through the whole step was never passed
         * over for a younger one (anything handed out during the step is older than every such one).
         * "Waited the whole step": queued before and after, and its conversation untouched in between
         * (every assignment and requeue sets conversations.updated_at in its transaction; an inquiry
         * given to an agent in their grace period and requeued when it ended did not wait).
         */
        let orderChecks = 0;
        const checkOrder = (before: Snapshot, after: Snapshot, stepStart: number) => {
          const stillQueued = new Set(
            after.inquiries.filter((i) => i.status === 'queued' && after.conversations.get(i.conversation_id)!.updated_at < stepStart).map((i) => i.id),
          );
          const waited = before.inquiries.filter((i) => i.status === 'queued' && stillQueued.has(i.id));
          const served = after.inquiries.filter((i) => i.status === 'assigned' && i.assigned_at! >= stepStart);
          if (waited.length === 0 || served.length === 0) return;
          orderChecks += 1;
          const oldestWaiting = Math.min(...waited.map((i) => after.rank.get(i.id)!));
          const passedOver = served.filter((i) => after.rank.get(i.id)! > oldestWaiting);
          assert.deepEqual(
            passedOver.map((i) => i.id),
            [],
            `inquiry ${after.inquiries[oldestWaiting]!.id} waited the whole step while younger ones were assigned`,
          );
        };

        /** Going offline takes nothing away: what an agent held and did not close is still theirs. */
        let keptOffline = 0;
        const checkKept = (before: Snapshot, after: Snapshot) => {
          for (const i of after.inquiries) {
            if (i.status !== 'assigned') continue;
            const was = before.inquiries[before.rank.get(i.id) ?? -1];
            if (was?.status === 'assigned') assert.equal(i.assignee_id, was.assignee_id, `inquiry ${i.id} stays with agent ${byId.get(was.assignee_id!)?.index}`);
            if (after.agents.get(i.assignee_id!)?.presence === 'offline') keptOffline += 1;
          }
        };

        // ---- The random phase ----
        // The unlimited agent, online, takes everything waiting: they stay away for the first third,
        // so that whatever the seed, capacity runs out and the queue's order is put to the test.
        const limited = agents.filter((a) => a.capacity !== 0);
        const present = () => (arrived < CUSTOMERS / 3 ? limited : agents);
        step = 'first agents online';
        await Promise.all(limited.filter(() => random() < 0.4).map(connect));
        let previous = await waitSettled();
        checkInvariants(previous);
        let arrived = 0;
        let steps = 0;
        let fullSteps = 0;
        let closes = 0;
        let returns = 0;
        let toggles = 0;
        let maxQueue = 0;
        while (arrived < CUSTOMERS) {
          steps += 1;
          step = `step ${steps}`;
          const stepStart = Date.now();
          const actions: Promise<void>[] = [];
          const busy = new Set<TestCustomer>();
          // Customers arrive.
          const burst = Math.min(CUSTOMERS - arrived, 1 + Math.floor(random() * 9));
          for (let i = 0; i < burst; i++) actions.push(arrive(arrived + i));
          arrived += burst;
          // Agents come and go.
          if (random() < 0.7) {
            const chosen = new Set<TestAgent>();
            const n = 1 + Math.floor(random() * 3);
            for (let i = 0; i < n; i++) chosen.add(pick(present()));
            for (const agent of chosen) actions.push(agent.socket ? disconnect(agent) : connect(agent));
            toggles += chosen.size;
          }
          // Agents close some of their conversations.
          const assigned = previous.inquiries.filter((i) => i.status === 'assigned');
          const closing = Math.min(assigned.length, Math.floor(random() * 8));
          for (let i = 0; i < closing; i++) {
            const inquiry = assigned.splice(Math.floor(random() * assigned.length), 1)[0]!;
            const customer = byConversation.get(inquiry.conversation_id)!;
            busy.add(customer);
            actions.push(close(customer, byId.get(inquiry.assignee_id!)!));
            closes += 1;
          }
          // A customer whose conversation was closed writes again: a new inquiry.
          const done = customers.filter((c) => c.opened === c.closed && !busy.has(c));
          if (done.length > 0 && random() < 0.35) {
            actions.push(comeBack(pick(done)));
            returns += 1;
          }
          await Promise.all(actions);

          const current = await waitSettled();
          checkInvariants(current);
          checkOrder(previous, current, stepStart);
          checkKept(previous, current);
          const queued = current.inquiries.filter((i) => i.status === 'queued').length;
          maxQueue = Math.max(maxQueue, queued);
          if (queued > 0 && agents.some((a) => a.socket)) fullSteps += 1;
          previous = current;
        }

        // The run exercised what it claims to.
        t.diagnostic(
          `seed ${seed}: ${steps} steps, ${toggles} presence changes, ${closes} closes, ${returns} returns, ` +
            `${keptOffline} inquiry-steps held by an offline agent, ${orderChecks} order checks, queue up to ${maxQueue}, ${fullSteps} steps at capacity`,
        );
        assert.ok(keptOffline > 0, 'agents went offline holding inquiries, which they kept');
        assert.ok(orderChecks > 0 && fullSteps > 0, 'the queue was served while others kept waiting (capacity was exhausted)');
        assert.ok(closes > 0 && returns > 0);

        // ---- Even spread: everyone leaves, then everyone arrives at once with unlimited capacity ----
        const everyoneLeaves = async (): Promise<Snapshot> => {
          const before = await waitSettled();
          await Promise.all(agents.filter((a) => a.socket).map(disconnect));
          let s = await waitSettled();
          checkInvariants(s);
          checkKept(before, s);
          // What they hold is closed by them; new customers make the backlog to spread.
          await Promise.all(s.inquiries.filter((x) => x.status === 'assigned').map((i) => close(byConversation.get(i.conversation_id)!, byId.get(i.assignee_id!)!)));
          await Promise.all(Array.from({ length: 3 * AGENTS }, () => arrive(arrived++)));
          s = await waitSettled();
          checkInvariants(s);
          const open = s.inquiries.filter((i) => i.status !== 'closed');
          assert.ok(open.every((i) => i.status === 'queued'), 'with every agent offline, every open inquiry waits in the queue');
          assert.ok(open.length >= 3 * AGENTS, `a backlog worth spreading (${open.length})`);
          for (const a of agents) assert.equal(s.agents.get(a.id)?.open ?? 0, 0);
          return s;
        };
        const everyoneArrives = async (strategy: RoutingStrategy) => {
          await Promise.all(agents.map(connect));
          const s = await waitSettled();
          checkInvariants(s);
          assert.equal(s.inquiries.filter((i) => i.status === 'queued').length, 0, `${strategy}: the queue is empty`);
          const counts = agents.map((a) => s.agents.get(a.id)!.open);
          assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `${strategy}: every agent's open count is within one of the others' (${counts.join(' ')})`);
        };

        step = 'even spread: all offline';
        await everyoneLeaves();
        await Promise.all(agents.map((agent) => setCapacity(agent, 0)));
        // The same database under a node whose settle window holds the backlog until all 20, connecting
        // at once, are online (the window must cover their arrival even on a loaded machine).
        await node.close();
        node = null;
        node = await startNode(engine, storage, { PRESENCE_GRACE_MS: '50', ROUTING_SETTLE_MS: '1000', ROUTING_SWEEP_MS: '200' });
        step = 'even spread: least-busy';
        await everyoneArrives('least-busy');

        step = 'even spread: round-robin';
        await everyoneLeaves();
        await patchShop({ routingStrategy: 'round-robin' });
        await everyoneArrives('round-robin');
      } catch (error) {
        t.diagnostic(`routing-random failed on ${engine} at ${step}; replay with ROUTING_SEED=${seed}`);
        if (error instanceof Error) error.message = `[seed ${seed}, ${engine}, ${step}] ${error.message}`;
        throw error;
      } finally {
        for (const a of agents) a.socket?.close();
        if (node) await node.close();
        await storage.drop();
      }
    });
  });
}
