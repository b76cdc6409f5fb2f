import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { freePort, ServerProcess } from '../../sdk/test/support/chaos.ts';
import { call, type Reply } from './support/client.ts';
import { createSchema, dropSchema, startNodes } from './support/cluster.ts';
import type { TestServer } from './support/server.ts';
import { testDatabaseUrl } from './support/storage.ts';
import { rawAuthed, type RawClient } from './support/ws-client.ts';
import { seededRandom } from './support/random.ts';
import { delay } from '../../sdk/test/support/helpers.ts';

/**
 * Routing across two server processes on one PostgreSQL database (docs/routing.md): the guarantees
 * are the database's (conditional updates, FOR UPDATE … SKIP LOCKED), so they must hold when two
 * nodes hand out one shop's queue at once. (a) Ten agents, online on both nodes, race to claim every
 * one of 200 queued inquiries through both nodes. (b) 200 inquiries wait while everyone is offline;
 * the agents arrive on both nodes together and both nodes drain the same queue. (c) That drain still
 * went oldest first. ROUTING_SEED=n replays the claim orders.
 */

const AGENTS = 10;
const INQUIRIES = 200;
const CAPACITY = 15; // 10 × 15 = 150 < 200: capacity, not the queue, ends the race
const PASSWORD = 'correct horse battery staple';
const JOINED = '% joined the conversation.';


/** The helpers of support/ need only the base URL of a node. */
const nodeAt = (port: number) => ({ url: `http://127.0.0.1:${port}` }) as unknown as TestServer;

interface ClusterAgent {
  readonly index: number;
  readonly id: string;
  readonly token: string;
  socket: RawClient | null;
}

/** Runs `work` over `items` with at most `limit` at a time. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

describe('routing across two nodes on postgres', () => {
  const seed = process.env.ROUTING_SEED !== undefined ? Number(process.env.ROUTING_SEED) : Math.floor(Math.random() * 2 ** 31);
  const random = seededRandom(seed);
  const schema = `cluster_${randomBytes(4).toString('hex')}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'frontdesk-cluster-'));
  const servers: ServerProcess[] = [];
  const nodes: TestServer[] = [];
  const agents: ClusterAgent[] = [];
  let db: pg.Pool | null = null;
  let shopId = '';
  let ownerToken = '';
  /** The least-busy run's inquiries, oldest first (created_at, id): 'a' assigned, 'q' queued. */
  let drainedOrder: string | null = null;

  const query = async <T = any>(text: string, values: unknown[] = []): Promise<T[]> => (await db!.query(text, values)).rows as T[];
  const anyNode = () => nodes[Math.floor(random() * nodes.length)]!;

  /** Customers each write a first message, through either node: `count` new queued inquiries. */
  async function customersWrite(count: number): Promise<string[]> {
    const conversations: string[] = [];
    await pool(Array.from({ length: count }, (_, i) => i), 10, async (i) => {
      const node = nodes[i % 2]!;
      const session = await call(node, 'POST', '/api/v1/widget/sessions', { body: { shopId } });
      assert.equal(session.status, 200, JSON.stringify(session.body));
      const sent = await call(node, 'POST', `/api/v1/conversations/${session.body.conversation.id}/messages`, {
        token: session.body.token,
        body: { clientMsgId: randomUUID(), text: `customer ${i}` },
      });
      assert.equal(sent.status, 201, JSON.stringify(sent.body));
      conversations.push(session.body.conversation.id);
    });
    return conversations;
  }

  /** Half the agents on each node, all at once; resolves when the database shows every one online. */
  async function everyoneOnline(): Promise<void> {
    await Promise.all(agents.map(async (a) => (a.socket = await rawAuthed(nodes[a.index % 2]!, a.token))));
    await until('every agent online', async () => {
      const rows = await query(`select count(*)::int as n from agents where shop_id = $1 and presence = 'online'`, [shopId]);
      return rows[0].n === AGENTS;
    });
  }

  async function everyoneOffline(): Promise<void> {
    await Promise.all(
      agents.map(async (a) => {
        const socket = a.socket!;
        a.socket = null;
        socket.close();
        await socket.closed;
      }),
    );
    // Going offline keeps every assignment (issue 22): only presence changes.
    const heldBefore = await query(`select count(*)::int as n from inquiries where shop_id = $1 and status = 'assigned'`, [shopId]);
    await until('every agent offline', async () => {
      const rows = await query(`select count(*)::int as n from agents where shop_id = $1 and presence <> 'offline'`, [shopId]);
      return rows[0].n === 0;
    });
    await delay(300);
    const held = await query(`select count(*)::int as n from inquiries where shop_id = $1 and status = 'assigned'`, [shopId]);
    assert.equal(held[0].n, heldBefore[0].n, 'the agents keep what they held');
  }

  async function until(what: string, done: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await done())) {
      if (Date.now() > deadline) assert.fail(`timed out waiting for: ${what} (seed ${seed})`);
      await delay(25);
    }
  }

  /** Inquiries, counters and system messages of the given conversations, checked against each other. */
  async function checkAssignments(conversations: readonly string[]) {
    const inquiries = await query<{ id: string; conversation_id: string; status: string; assignee_id: string | null }>(
      `select id, conversation_id, status, assignee_id from inquiries where conversation_id = any($1)`,
      [conversations],
    );
    assert.equal(inquiries.length, conversations.length, 'one inquiry per conversation: none lost, none opened twice');
    assert.equal(new Set(inquiries.map((i) => i.conversation_id)).size, conversations.length);
    const assigned = inquiries.filter((i) => i.status === 'assigned');
    const queued = inquiries.filter((i) => i.status === 'queued');
    assert.equal(assigned.length + queued.length, conversations.length, 'every inquiry is assigned or queued');
    assert.ok(queued.every((i) => i.assignee_id === null), 'queued inquiries have no assignee');

    const counters = await query<{ staff_id: string; open_inquiries: number; presence: string }>(
      `select staff_id, open_inquiries, presence from agents where shop_id = $1`,
      [shopId],
    );
    const held = await query<{ assignee_id: string; n: number }>(
      `select assignee_id, count(*)::int as n from inquiries where shop_id = $1 and status = 'assigned' group by assignee_id`,
      [shopId],
    );
    const heldBy = new Map(held.map((h) => [h.assignee_id, h.n]));
    const agentIds = new Set(agents.map((a) => a.id));
    assert.ok([...heldBy.keys()].every((id) => agentIds.has(id)), 'only the agents hold inquiries');
    for (const a of agents) {
      const row = counters.find((c) => c.staff_id === a.id);
      assert.ok(row, `agent ${a.index} has a routing row`);
      assert.equal(row.open_inquiries, heldBy.get(a.id) ?? 0, `agent ${a.index}: agents.open_inquiries equals the inquiries assigned to them`);
      assert.ok(row.open_inquiries <= CAPACITY, `agent ${a.index} holds ${row.open_inquiries}, capacity ${CAPACITY}`);
    }

    const conversationRows = await query<{ id: string; status: string; assignee_id: string | null; current_inquiry_id: string }>(
      `select id, status, assignee_id, current_inquiry_id from conversations where id = any($1)`,
      [conversations],
    );
    const inquiryOf = new Map(inquiries.map((i) => [i.conversation_id, i]));
    for (const c of conversationRows) {
      const inquiry = inquiryOf.get(c.id)!;
      assert.equal(c.current_inquiry_id, inquiry.id);
      assert.equal(c.status, inquiry.status, 'the conversation shows its inquiry status');
      assert.equal(c.assignee_id, inquiry.assignee_id, 'the conversation shows its inquiry assignee');
    }

    // Exactly one "joined" per assignment: none for the ones still waiting, none twice.
    await until('every assignment announced', async () => {
      const rows = await query(`select count(*)::int as n from messages where conversation_id = any($1) and kind = 'system' and text like $2`, [
        conversations,
        JOINED,
      ]);
      return rows[0].n >= assigned.length;
    }, 5_000).catch(() => undefined);
    const joined = await query<{ conversation_id: string; n: number }>(
      `select conversation_id, count(*)::int as n from messages where conversation_id = any($1) and kind = 'system' and text like $2 group by conversation_id`,
      [conversations, JOINED],
    );
    const joinedIn = new Map(joined.map((j) => [j.conversation_id, j.n]));
    const wrong = inquiries
      .map((i) => ({ conversation: i.conversation_id, status: i.status, joined: joinedIn.get(i.conversation_id) ?? 0 }))
      .filter((x) => x.joined !== (x.status === 'assigned' ? 1 : 0));
    assert.deepEqual(wrong, [], 'one "joined the conversation" message per assigned inquiry, none for queued ones');
    return { inquiries, assigned, queued, heldBy };
  }

  before(async () => {
    await createSchema(schema);
    db = new pg.Pool({ connectionString: testDatabaseUrl, max: 4, options: `-c search_path=${schema}` });

    const ports = [await freePort(), await freePort()];
    const env = (port: number): Record<string, string> => ({
      DATA_DIR: dataDir,
      PORT: String(port),
      DATABASE_URL: testDatabaseUrl,
      DATABASE_SCHEMA: schema,
      LOG_LEVEL: 'error',
      SEED_DEMO: 'false',
      RATE_LIMIT: '1000000',
      LOGIN_RATE_LIMIT: '100000',
      WIDGET_SESSION_RATE_LIMIT: '100000',
      WS_HEARTBEAT_MS: '600000',
      PRESENCE_GRACE_MS: '0',
      ROUTING_SETTLE_MS: '300',
      ROUTING_SWEEP_MS: '200',
    });
    const ownerEmail = `owner-${schema}@example.test`;
    ({ shopId } = await startNodes(env, ports, servers, { email: ownerEmail, password: PASSWORD, shopName: 'Cluster' }));
    nodes.push(...ports.map(nodeAt));

    const login = await call(nodes[0]!, 'POST', '/api/v1/auth/login', { body: { email: ownerEmail, password: PASSWORD } });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    ownerToken = login.body.token;
    const settings = await call(nodes[1]!, 'PATCH', '/api/v1/shop', {
      token: ownerToken,
      body: { settings: { routingStrategy: 'manual', defaultCapacity: CAPACITY } },
    });
    assert.equal(settings.status, 200, JSON.stringify(settings.body));
    agents.push(
      ...(await Promise.all(
        Array.from({ length: AGENTS }, async (_, index): Promise<ClusterAgent> => {
          const email = `agent-${index}-${schema}@example.test`;
          const created = await call(nodes[index % 2]!, 'POST', '/api/v1/staff', {
            token: ownerToken,
            body: { email, name: `Agent ${index}`, role: 'agent', password: PASSWORD },
          });
          assert.equal(created.status, 201, JSON.stringify(created.body));
          const agentLogin = await call(nodes[(index + 1) % 2]!, 'POST', '/api/v1/auth/login', { body: { email, password: PASSWORD } });
          assert.equal(agentLogin.status, 200);
          return { index, id: created.body.staff.id, token: agentLogin.body.token, socket: null };
        }),
      )),
    );
  });

  after(async () => {
    for (const a of agents) a.socket?.close();
    await Promise.all(servers.map((s) => s.stop()));
    await db?.end();
    await dropSchema(schema);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test(`manual: ${AGENTS} agents on two nodes race to claim each of ${INQUIRIES} inquiries; each is claimed once, nobody beyond capacity`, { timeout: 120_000 }, async (t) => {
    try {
      const conversations = await customersWrite(INQUIRIES);
      const waiting = await query(`select count(*)::int as n from inquiries where shop_id = $1 and status = 'queued'`, [shopId]);
      assert.equal(waiting[0].n, INQUIRIES, 'manual routing: everything waits');
      await everyoneOnline();

      // Every agent claims every inquiry, in an order of their own, through either node, all at once.
      const wins = new Map<string, string[]>();
      const refusals = new Map<string, number>();
      const started = Date.now();
      await Promise.all(
        agents.map((agent) => {
          const order = [...conversations].sort(() => random() - 0.5);
          return pool(order, 4, async (conversationId) => {
            const reply: Reply = await call(anyNode(), 'POST', `/api/v1/conversations/${conversationId}/claim`, { token: agent.token });
            if (reply.status === 200) {
              wins.set(conversationId, [...(wins.get(conversationId) ?? []), agent.id]);
              assert.equal(reply.body.assigneeId, agent.id, "the claimed conversation shows its new assignee");
            } else {
              assert.equal(reply.status, 409, `a refused claim is a 409: ${JSON.stringify(reply.body)}`);
              assert.ok(['INVALID_TRANSITION', 'AGENT_UNAVAILABLE'].includes(reply.body.error.code), JSON.stringify(reply.body));
              refusals.set(reply.body.error.code, (refusals.get(reply.body.error.code) ?? 0) + 1);
            }
          });
        }),
      );
      t.diagnostic(`seed ${seed}: ${AGENTS * INQUIRIES} claims in ${Date.now() - started} ms; refusals ${JSON.stringify(Object.fromEntries(refusals))}`);

      const twice = [...wins].filter(([, winners]) => winners.length > 1);
      assert.deepEqual(twice, [], 'no inquiry was claimed successfully twice');
      assert.equal(wins.size, AGENTS * CAPACITY, 'every agent filled up to capacity, and no more');
      assert.ok((refusals.get('AGENT_UNAVAILABLE') ?? 0) > 0, 'capacity refused claims');

      const { assigned, queued, heldBy } = await checkAssignments(conversations);
      assert.equal(assigned.length, AGENTS * CAPACITY);
      assert.equal(queued.length, INQUIRIES - AGENTS * CAPACITY);
      for (const inquiry of assigned) assert.deepEqual(wins.get(inquiry.conversation_id), [inquiry.assignee_id], 'the one 200 went to the assignee');
      for (const inquiry of queued) assert.equal(wins.get(inquiry.conversation_id), undefined, 'a claimed inquiry is not waiting');
      for (const a of agents) assert.equal(heldBy.get(a.id), CAPACITY, `agent ${a.index} holds exactly their capacity`);

      // Going offline keeps everything; the owner (never connected: not routed to) closes it all.
      await everyoneOffline();
      await pool(conversations, 10, async (conversationId) => {
        const closed = await call(anyNode(), 'POST', `/api/v1/conversations/${conversationId}/close`, { token: ownerToken });
        assert.equal(closed.status, 200, JSON.stringify(closed.body));
      });
      const open = await query(`select count(*)::int as n from inquiries where shop_id = $1 and status <> 'closed'`, [shopId]);
      assert.equal(open[0].n, 0);
      const held = await query(`select count(*)::int as n from agents where shop_id = $1 and open_inquiries <> 0`, [shopId]);
      assert.equal(held[0].n, 0, 'every unit of capacity returned by the closes');
    } catch (error) {
      t.diagnostic(`replay with ROUTING_SEED=${seed}`);
      throw error;
    }
  });

  test(`least-busy: ${INQUIRIES} inquiries wait, the agents arrive on both nodes together, both nodes drain one queue`, { timeout: 120_000 }, async (t) => {
    try {
      const settings = await call(nodes[0]!, 'PATCH', '/api/v1/shop', { token: ownerToken, body: { settings: { routingStrategy: 'least-busy' } } });
      assert.equal(settings.status, 200, JSON.stringify(settings.body));
      const conversations = await customersWrite(INQUIRIES);
      const waiting = await query(`select count(*)::int as n from inquiries where shop_id = $1 and status = 'queued'`, [shopId]);
      assert.equal(waiting[0].n, INQUIRIES, 'nobody online: everything waits');

      const started = Date.now();
      await everyoneOnline();
      // Settled: everyone full (capacity ends it, the queue holds the rest).
      await until('the queue drained as far as capacity allows', async () => {
        const full = await query(`select count(*)::int as n from agents where shop_id = $1 and open_inquiries >= $2`, [shopId, CAPACITY]);
        const queued = await query(`select count(*)::int as n from inquiries where shop_id = $1 and status = 'queued'`, [shopId]);
        return full[0].n === AGENTS || queued[0].n === 0;
      });
      t.diagnostic(`seed ${seed}: drained in ${Date.now() - started} ms`);
      await delay(500); // a further sweep or two on both nodes must change nothing
      const { assigned, queued, heldBy } = await checkAssignments(conversations);
      assert.equal(assigned.length, AGENTS * CAPACITY, 'every agent took up to capacity');
      assert.equal(queued.length, INQUIRIES - AGENTS * CAPACITY, 'the rest waits');
      for (const a of agents) assert.equal(heldBy.get(a.id), CAPACITY, `agent ${a.index} holds exactly their capacity`);

      // Which node made each assignment: a node announces it on its own bus only, so to the agents
      // connected to it (agent 0 is on the first node, agent 1 on the second). Both drained the queue,
      // and each assignment was announced by exactly one of them, once.
      const ours = new Set(conversations);
      const announcedBy = [agents[0]!, agents[1]!].map((a) =>
        a.socket!.frames.flatMap((f) => (f.type === 'conversation' && f.change === 'assigned' && ours.has(f.conversation.id) ? [f.conversation.id] : [])),
      );
      const ordered = await query<{ status: string }>(`select status from inquiries where conversation_id = any($1) order by created_at, id`, [conversations]);
      drainedOrder = ordered.map((i) => (i.status === 'assigned' ? 'a' : 'q')).join('');
      t.diagnostic(`assignments announced by node 1: ${announcedBy[0]!.length}, by node 2: ${announcedBy[1]!.length}`);
      assert.ok(announcedBy.every((ids) => ids.length > 0), 'both nodes handed out inquiries from the one queue');
      const all = [...announcedBy[0]!, ...announcedBy[1]!];
      assert.equal(new Set(all).size, all.length, 'no assignment announced twice');
      assert.deepEqual(new Set(all), new Set(assigned.map((i) => i.conversation_id)), 'every assignment announced');
    } catch (error) {
      t.diagnostic(`replay with ROUTING_SEED=${seed}`);
      throw error;
    }
  });

  /**
   * Oldest first (docs/routing.md, "The queue") across nodes. Two nodes draining at once take
   * different inquiries (SKIP LOCKED), so when capacity runs out an inquiry one node was assigning
   * may stay queued while the other node's younger one took the last place: with one inquiry in
   * flight per node, at most one older inquiry per other node can be left behind a younger assigned one.
   */
  test('least-busy across nodes: the queue is still handed out oldest first (at most one passed over per other node)', (t) => {
    assert.ok(drainedOrder !== null, 'the least-busy run above completed');
    const youngestAssigned = drainedOrder.lastIndexOf('a');
    const passedOver = [...drainedOrder.slice(0, youngestAssigned)].filter((status) => status === 'q').length;
    t.diagnostic(`oldest first: ${drainedOrder}`);
    assert.ok(
      passedOver <= nodes.length - 1,
      `${passedOver} inquiries still wait although a younger one (${youngestAssigned + 1}. in line) was assigned: ${drainedOrder}`,
    );
  });
});
