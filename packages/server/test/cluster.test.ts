import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { Message } from '@frontdesk/protocol';
import { FrontdeskClient } from '../../sdk/src/index.ts';
import { freePort, ServerProcess } from '../../sdk/test/support/chaos.ts';
import { createDomain, openConfiguredStorage } from '../src/app.ts';
import { loadConfig } from '../src/config/config.ts';
import { createStore } from '../src/storage/store.ts';
import { Balancer, createSchema, dropSchema, NODE_TEST_ENV, ownerAndAgent, RedisProcess, startNodes } from './support/cluster.ts';
import { call, identityToken } from './support/client.ts';
import { eventually } from './support/eventually.ts';
import type { TestServer } from './support/server.ts';
import { testDatabaseUrl } from './support/storage.ts';
import { rawAuthed, type RawClient } from './support/ws-client.ts';

const PASSWORD = 'correct horse battery staple';
const nodeAt = (port: number) => ({ url: `http://127.0.0.1:${port}` }) as unknown as TestServer;

describe('cluster: three nodes on PostgreSQL and Redis', () => {
  let redis: RedisProcess;
  const schema = `cluster_${randomBytes(4).toString('hex')}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'frontdesk-cluster-'));
  const servers: ServerProcess[] = [];
  const ports: number[] = [];
  const sockets: RawClient[] = [];
  const clients: FrontdeskClient[] = [];
  let balancer: Balancer;
  let shopId = '';
  let ownerToken = '';
  let agent = { id: '', token: '' };

  const env = (port: number): Record<string, string> => ({
    PORT: String(port),
    DATABASE_URL: testDatabaseUrl,
    DATABASE_SCHEMA: schema,
    REDIS_URL: `redis://127.0.0.1:${redis.port}`,
    DATA_DIR: dataDir,
    ...NODE_TEST_ENV,
  });

  before(async () => {
    await createSchema(schema);
    redis = new RedisProcess(await freePort());
    await redis.start();
    for (let i = 0; i < 3; i++) ports.push(await freePort());
    const ownerEmail = `owner-${schema}@example.test`;
    ({ shopId } = await startNodes(env, ports, servers, { email: ownerEmail, password: PASSWORD, shopName: 'Cluster' }));
    balancer = new Balancer(ports);
    await balancer.listen();
    ({ ownerToken, agent } = await ownerAndAgent(ports, { email: ownerEmail, password: PASSWORD }, `agent-${schema}@example.test`));
  });
  after(async () => {
    sockets.forEach((s) => s.close());
    clients.forEach((c) => c.close());
    await balancer?.close();
    await Promise.all(servers.map((s) => s.stop()));
    await redis?.crash();
    await dropSchema(schema);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('clients on different nodes talk to each other', { timeout: 60_000 }, async () => {
    const session = await call(nodeAt(ports[1]!), 'POST', '/api/v1/widget/sessions', { body: { shopId } });
    const customer = await rawAuthed(nodeAt(ports[1]!), session.body.token);
    const agentSocket = await rawAuthed(nodeAt(ports[2]!), agent.token);
    const owner = await rawAuthed(nodeAt(ports[0]!), ownerToken);
    sockets.push(customer, agentSocket, owner);
    const conversationId = session.body.conversation.id;

    const question = randomUUID();
    customer.send({ type: 'send', conversationId, clientMsgId: question, text: 'asked on node 2' });
    const atAgent = await agentSocket.next('message', (f) => f.message.clientMsgId === question);
    assert.equal(atAgent.message.text, 'asked on node 2');
    await owner.next('message', (f) => f.message.clientMsgId === question);

    const answer = randomUUID();
    agentSocket.send({ type: 'send', conversationId, clientMsgId: answer, text: 'answered on node 3' });
    const atCustomer = await customer.next('message', (f) => f.message.clientMsgId === answer);
    // After the question; routing may have put a line in between ("Agent joined the conversation."),
    // depending on whether the agents' presence was recorded before node 2 routed the inquiry.
    assert.ok(atCustomer.message.seq > atAgent.message.seq);
    assert.equal(atCustomer.message.text, 'answered on node 3');
  });

  /** The node is back for the next tests, whether this one passed or not. */
  const restartAfter = (t: TestContext, server: ServerProcess) =>
    t.after(async () => {
      if (!server.running) await server.start();
    });

  test('kill -9 of a node mid-stream: its clients reconnect to the others and every message arrives exactly once', { timeout: 120_000 }, async (t) => {
    restartAfter(t, servers[1]!);
    const url = `ws://127.0.0.1:${balancer.port}/ws`;
    const fast = { backoff: { initialMs: 50, maxMs: 500 } };
    const agentClient = new FrontdeskClient({ url, token: agent.token, ...fast });
    clients.push(agentClient);
    const atAgent = new Map<string, number>();
    agentClient.on('message', (m: Message) => m.clientMsgId && atAgent.set(m.clientMsgId, (atAgent.get(m.clientMsgId) ?? 0) + 1));
    await agentClient.connect();

    const CUSTOMERS = 6;
    const EACH = 40;
    const customers = await Promise.all(
      Array.from({ length: CUSTOMERS }, async () => {
        const session = await call(nodeAt(ports[0]!), 'POST', '/api/v1/widget/sessions', { body: { shopId } });
        const client = new FrontdeskClient({ url, token: session.body.token, ...fast });
        clients.push(client);
        await client.connect();
        return { client, conversationId: session.body.conversation.id as string };
      }),
    );
    let dropped = 0;
    customers.forEach(({ client }) => client.on('disconnected', () => (dropped += 1)));
    const sent: string[] = [];
    const acks: Array<Promise<unknown>> = [];
    for (let round = 0; round < EACH; round++) {
      for (const { client, conversationId } of customers) {
        const clientMsgId = randomUUID();
        sent.push(clientMsgId);
        acks.push(client.send({ conversationId, clientMsgId, text: `message ${round}` }).promise);
      }
      if (round === EACH / 2) await servers[1]!.crash();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await Promise.all(acks);
    assert.ok(dropped >= 2, `the crashed node's customers lost their link (${dropped}) and came back through another`);
    for (let i = 0; i < 200 && sent.some((id) => !atAgent.has(id)); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(sent.filter((id) => atAgent.get(id) !== 1), [], 'every message reached the agent exactly once');

    const db = new pg.Client({ connectionString: testDatabaseUrl });
    await db.connect();
    const stored = await db.query(`select count(*)::int as n, count(distinct client_msg_id)::int as d from ${schema}.messages where client_msg_id = any($1)`, [sent]);
    await db.end();
    assert.deepEqual(stored.rows[0], { n: sent.length, d: sent.length }, 'stored once each');
  });

  test('a node that stored a message and died before publishing it: clients on the other nodes are told to sync, and get it', { timeout: 90_000 }, async () => {
    const agentClient = new FrontdeskClient({ url: `ws://127.0.0.1:${ports[0]!}/ws`, token: agent.token });
    clients.push(agentClient);
    const atAgent: Message[] = [];
    agentClient.on('message', (m: Message) => atAgent.push(m));
    await agentClient.connect();
    const session = await call(nodeAt(ports[2]!), 'POST', '/api/v1/widget/sessions', { body: { shopId } });
    // The doomed node: it commits (and would acknowledge) but never reaches the bus. A domain over
    // the same database whose events go nowhere, registered in the cluster and then silent.
    const config = loadConfig({ DATABASE_URL: testDatabaseUrl, DATABASE_SCHEMA: schema, DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    const storage = openConfiguredStorage(config);
    const clientMsgId = randomUUID();
    try {
      const doomed = createDomain(config, createStore(storage.db, storage.engine, storage.sqlite));
      const principal = await doomed.auth.authenticate(session.body.token);
      await doomed.messages.send(principal, { conversationId: session.body.conversation.id, clientMsgId, text: 'stored, never pushed' });
    } finally {
      await storage.close();
    }
    const redisClient = new Redis({ port: redis.port, lazyConnect: true });
    await redisClient.connect();
    await redisClient.zadd(`${config.cluster.redisPrefix}:nodes`, Date.now() - 60_000, `doomed-${randomUUID()}`);
    redisClient.disconnect();
    // The agent never disconnected: only the death, once a node notices it, makes them sync.
    await eventually('the agent to get the message by sync', async () => atAgent.some((m) => m.clientMsgId === clientMsgId), 40_000);
  });

  test('graceful shutdown of a node mid-stream: its clients are told to reconnect elsewhere and nothing is lost', { timeout: 60_000 }, async (t) => {
    restartAfter(t, servers[2]!);
    const url = `ws://127.0.0.1:${balancer.port}/ws`;
    const fast = { backoff: { initialMs: 50, maxMs: 500 } };
    const watcher = new FrontdeskClient({ url, token: agent.token, ...fast });
    clients.push(watcher);
    const seen = new Map<string, number>();
    watcher.on('message', (m: Message) => m.clientMsgId && seen.set(m.clientMsgId, (seen.get(m.clientMsgId) ?? 0) + 1));
    await watcher.connect();
    const customers = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const session = await call(nodeAt(ports[0]!), 'POST', '/api/v1/widget/sessions', { body: { shopId } });
        const client = new FrontdeskClient({ url, token: session.body.token, ...fast });
        clients.push(client);
        await client.connect();
        return { client, conversationId: session.body.conversation.id as string };
      }),
    );
    const codes: number[] = [];
    customers.forEach(({ client }) => client.on('disconnected', (info) => codes.push(info.code)));
    const sent: string[] = [];
    const acks: Array<Promise<unknown>> = [];
    for (let round = 0; round < 30; round++) {
      for (const { client, conversationId } of customers) {
        const clientMsgId = randomUUID();
        sent.push(clientMsgId);
        acks.push(client.send({ conversationId, clientMsgId, text: `graceful ${round}` }).promise);
      }
      if (round === 15) await servers[2]!.stop(); // SIGTERM
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await Promise.all(acks);
    for (let i = 0; i < 200 && sent.some((id) => !seen.has(id)); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(sent.filter((id) => seen.get(id) !== 1), [], 'every message reached the agent exactly once');
    assert.ok(codes.includes(1012), `the stopping node said "reconnect elsewhere" (1012); close codes seen: ${codes.join(',')}`);
  });

  test('Redis restarted mid-stream: delivery resumes and sync fills the gap', { timeout: 120_000 }, async () => {
    const fast = { backoff: { initialMs: 50, maxMs: 500 } };
    const session = await call(nodeAt(ports[0]!), 'POST', '/api/v1/widget/sessions', { body: { shopId } });
    const customer = new FrontdeskClient({ url: `ws://127.0.0.1:${ports[0]}/ws`, token: session.body.token, ...fast });
    const watcher = new FrontdeskClient({ url: `ws://127.0.0.1:${ports[2]}/ws`, token: agent.token, ...fast });
    clients.push(customer, watcher);
    const seen = new Map<string, number>();
    watcher.on('message', (m: Message) => m.clientMsgId && seen.set(m.clientMsgId, (seen.get(m.clientMsgId) ?? 0) + 1));
    await Promise.all([customer.connect(), watcher.connect()]);
    let resynced = 0;
    watcher.on('disconnected', () => (resynced += 1));

    const sent: string[] = [];
    const say = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const clientMsgId = randomUUID();
        sent.push(clientMsgId);
        await customer.send({ conversationId: session.body.conversation.id, clientMsgId, text: `m${sent.length}` }).promise;
      }
    };
    await say(10);
    for (let i = 0; i < 100 && seen.size < 10; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(seen.size, 10, 'across nodes before the outage');

    await redis.crash();
    await say(10); // stored on node 1; node 3 cannot hear of them
    await redis.start();
    await say(10);
    for (let i = 0; i < 300 && sent.some((id) => !seen.has(id)); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(sent.filter((id) => seen.get(id) !== 1), [], 'every message once, the gap filled by sync');
    assert.ok(resynced >= 1, 'the node told its clients to reconnect and sync once Redis was back');
  });

  test('concurrent new conversations and concurrent claims on different nodes make no duplicates', { timeout: 60_000 }, async () => {
    const shop = await call(nodeAt(ports[0]!), 'GET', '/api/v1/shop', { token: ownerToken });
    const jwt = await identityToken(shop.body.identitySecret, 'same-person');
    const sessions = await Promise.all(
      Array.from({ length: 30 }, (_, i) => call(nodeAt(ports[i % 3]!), 'POST', '/api/v1/widget/sessions', { body: { shopId, identity: { jwt } } })),
    );
    assert.ok(sessions.every((r) => r.status === 200));
    const conversationIds = new Set(sessions.map((r) => r.body.conversation.id as string));
    assert.equal(conversationIds.size, 1, 'one conversation for one customer, whichever node answered');
    const conversationId = [...conversationIds][0]!;

    // Three agents, each online on another node, claim the same waiting conversation at once. Routing
    // would hand it to the first of them to come online before they claim (a CI run met it): manual here.
    const manual = await call(nodeAt(ports[0]!), 'PATCH', '/api/v1/shop', { token: ownerToken, body: { settings: { routingStrategy: 'manual' } } });
    assert.equal(manual.status, 200);
    const contenders = await Promise.all(
      ports.map(async (port, i) => {
        const email = `claimer-${i}-${schema}@example.test`;
        await call(nodeAt(ports[0]!), 'POST', '/api/v1/staff', { token: ownerToken, body: { email, name: `Claimer ${i}`, role: 'agent', password: PASSWORD } });
        const login = await call(nodeAt(port), 'POST', '/api/v1/auth/login', { body: { email, password: PASSWORD } });
        const socket = await rawAuthed(nodeAt(port), login.body.token);
        sockets.push(socket);
        return { port, token: login.body.token as string };
      }),
    );
    const sent = await call(nodeAt(ports[1]!), 'POST', `/api/v1/conversations/${conversationId}/messages`, {
      token: sessions[0]!.body.token,
      body: { clientMsgId: randomUUID(), text: 'who takes me?' },
    });
    assert.equal(sent.status, 201);
    // Presence is recorded as each socket arrives: wait until all three count as online.
    for (let i = 0; i < 100; i++) {
      const agents = await call(nodeAt(ports[0]!), 'GET', '/api/v1/agents', { token: ownerToken });
      if (agents.body.filter((a: { name: string; presence: string }) => a.name.startsWith('Claimer') && a.presence === 'online').length === 3) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const claims = await Promise.all(contenders.map((c) => call(nodeAt(c.port), 'POST', `/api/v1/conversations/${conversationId}/claim`, { token: c.token })));
    assert.deepEqual(claims.map((r) => r.status).sort(), [200, 409, 409]);
    const db = new pg.Client({ connectionString: testDatabaseUrl });
    await db.connect();
    const open = await db.query(`select count(*)::int as n from ${schema}.inquiries where conversation_id = $1 and status <> 'closed'`, [conversationId]);
    await db.end();
    assert.equal(open.rows[0].n, 1);
  });
});
