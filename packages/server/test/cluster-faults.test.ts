import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { Message, ServerFrame } from '@frontdesk/protocol';
import { FrontdeskClient } from '../../sdk/src/index.ts';
import { freePort, ServerProcess } from '../../sdk/test/support/chaos.ts';
import { Balancer, NODE_TEST_ENV, ownerAndAgent, RedisProcess, startNodes } from './support/cluster.ts';
import { call } from './support/client.ts';
import { eventually } from './support/eventually.ts';
import { PostgresProcess } from './support/postgres-process.ts';
import type { TestServer } from './support/server.ts';
import { rawAuthed, type RawClient } from './support/ws-client.ts';

const PASSWORD = 'correct horse battery staple';
const nodeAt = (port: number) => ({ url: `http://127.0.0.1:${port}` }) as unknown as TestServer;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Close codes that sign a user out: the SDK stops and the console shows the sign-in page. */
const SIGN_OUT_CODES = new Set([4001, 4003]);

/**
 * Three nodes on a PostgreSQL of the test's own (so it can be stopped and its backends terminated
 * without disturbing the suites that share the machine's) and a Redis of their own, with the
 * default transaction bounds (DATABASE_*_TIMEOUT_MS).
 */
describe('cluster faults: PostgreSQL outages and frozen nodes', () => {
  const postgres = new PostgresProcess();
  let redis: RedisProcess;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'frontdesk-faults-'));
  const servers: ServerProcess[] = [];
  const ports: number[] = [];
  const sockets: RawClient[] = [];
  const clients: FrontdeskClient[] = [];
  let balancer: Balancer;
  let shopId = '';
  let agent = { id: '', token: '' };
  const prefix = `faults_${randomBytes(4).toString('hex')}`;

  const env = (port: number): Record<string, string> => ({
    PORT: String(port),
    DATABASE_URL: postgres.url,
    REDIS_URL: `redis://127.0.0.1:${redis.port}`,
    REDIS_PREFIX: prefix,
    DATA_DIR: dataDir,
    ...NODE_TEST_ENV,
  });

  /** A customer of the shop with a conversation; sockets on the given nodes. */
  async function customer(...on: number[]): Promise<{ conversationId: string; token: string; sockets: RawClient[] }> {
    const session = await call(nodeAt(ports[on[0]!]!), 'POST', '/api/v1/widget/sessions', { body: { shopId } });
    assert.equal(session.status, 200, JSON.stringify(session.body));
    const opened = await Promise.all(on.map((node) => rawAuthed(nodeAt(ports[node]!), session.body.token)));
    sockets.push(...opened);
    return { conversationId: session.body.conversation.id, token: session.body.token, sockets: opened };
  }

  /** Sends and waits for the ack, resending the same clientMsgId after a retryable refusal, as the SDK does. */
  async function sendUntilAcked(socket: RawClient, conversationId: string, clientMsgId: string, ms = 20_000): Promise<Extract<ServerFrame, { type: 'ack' }>> {
    const deadline = Date.now() + ms;
    for (;;) {
      socket.send({ type: 'send', conversationId, clientMsgId, text: clientMsgId });
      const answer = await Promise.race([
        socket.next('ack', (f) => f.clientMsgId === clientMsgId, ms),
        socket.next('error', (f) => f.clientMsgId === clientMsgId, ms),
      ]);
      if (answer.type === 'ack') return answer;
      assert.ok(['STORAGE_UNAVAILABLE', 'RATE_LIMITED'].includes(answer.code), `a retryable refusal, not ${answer.code}`);
      if (Date.now() > deadline) throw new Error(`${clientMsgId} not acknowledged within ${ms} ms`);
      await sleep(100);
    }
  }

  async function storedCounts(ids: readonly string[]): Promise<Map<string, number>> {
    const { rows } = await postgres.query('select client_msg_id as id, count(*)::int as n from messages where client_msg_id = any($1) group by client_msg_id', [ids]);
    return new Map(rows.map((row: { id: string; n: number }) => [row.id, row.n]));
  }

  /**
   * The node's send transactions held open: sessions of the node (by the application_name each node
   * gives its pool) idle inside a transaction that has locked conversation rows.
   */
  const openSendTransactionsOf = async (pid: number) =>
    (
      await postgres.query(
        `select count(distinct a.pid)::int as n
           from pg_stat_activity a join pg_locks l on l.pid = a.pid
          where a.application_name like $1 and a.state = 'idle in transaction'
            and l.locktype = 'relation' and l.relation = 'conversations'::regclass and l.mode = 'RowShareLock'`,
        [`frontdesk %pid=${pid}`],
      )
    ).rows[0].n as number;

  before(async () => {
    await postgres.start();
    redis = new RedisProcess(await freePort());
    await redis.start();
    for (let i = 0; i < 3; i++) ports.push(await freePort());
    const ownerEmail = `owner-${prefix}@example.test`;
    ({ shopId } = await startNodes(env, ports, servers, { email: ownerEmail, password: PASSWORD, shopName: 'Faults' }));
    balancer = new Balancer(ports);
    await balancer.listen();
    ({ agent } = await ownerAndAgent(ports, { email: ownerEmail, password: PASSWORD }, `agent-${prefix}@example.test`));
  });
  after(async () => {
    sockets.forEach((s) => s.close());
    clients.forEach((c) => c.close());
    await balancer?.close();
    servers.forEach((s) => s.signal('SIGCONT'));
    await Promise.all(servers.map((s) => s.stop()));
    await redis?.crash();
    await postgres.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('backends terminated, then PostgreSQL stopped, with a transaction open and sends waiting on its lock: no node exits, the waiting sends get an error and succeed on resend', { timeout: 90_000 }, async () => {
    // One customer with a socket on each of two nodes: both nodes' sends queue on the same row.
    const { conversationId, sockets: [onA, onB] } = await customer(0, 1);
    const every: string[] = [];
    for (const fault of ['terminate', 'stop'] as const) {
      const holder = new pg.Client({ connectionString: postgres.url });
      holder.on('error', () => {});
      await holder.connect();
      await holder.query('begin');
      await holder.query('select id from conversations where id = $1 for update', [conversationId]);
      const ids = [randomUUID(), randomUUID()];
      every.push(...ids);
      onA!.send({ type: 'send', conversationId, clientMsgId: ids[0], text: `${fault} a` });
      onB!.send({ type: 'send', conversationId, clientMsgId: ids[1], text: `${fault} b` });
      await eventually('both nodes waiting on the lock', async () => {
        const { rows } = await postgres.query(`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and application_name like 'frontdesk %'`);
        return rows[0].n >= 2;
      });
      // Liveness never waits on the database: a ping behind the waiting send is answered at once.
      onA!.send({ type: 'ping', id: `${fault}-ping` });
      await onA!.next('pong', (f) => f.id === `${fault}-ping`, 1_000);

      if (fault === 'terminate') await postgres.terminateBackends();
      else await postgres.stop();
      for (const [socket, id] of [[onA!, ids[0]!], [onB!, ids[1]!]] as const) {
        const refused = await socket.next('error', (f) => f.clientMsgId === id, 15_000);
        assert.equal(refused.code, 'STORAGE_UNAVAILABLE', `${fault}: the waiting send is refused as retryable`);
      }
      if (fault === 'stop') {
        // Down: liveness still answers at once, requests fail as retryable, nobody is signed out.
        const started = Date.now();
        onA!.send({ type: 'ping', id: 'still-there' });
        await onA!.next('pong', (f) => f.id === 'still-there', 2_000);
        assert.ok(Date.now() - started < 2_000);
        const list = await call(nodeAt(ports[0]!), 'GET', '/api/v1/conversations', { token: agent.token });
        assert.equal(list.status, 503);
        assert.equal(list.body.error.code, 'STORAGE_UNAVAILABLE');
        await sleep(500);
        await postgres.start();
      }
      await holder.end().catch(() => {});
      // The same clientMsgIds once PostgreSQL is back: stored now, once.
      await sendUntilAcked(onA!, conversationId, ids[0]!);
      await sendUntilAcked(onB!, conversationId, ids[1]!);
      assert.deepEqual(servers.map((s) => s.running), [true, true, true], `${fault}: no node exited`);
    }
    const stored = await storedCounts(every);
    assert.deepEqual(every.map((id) => stored.get(id)), every.map(() => 1), 'each stored once');
    for (const socket of [onA!, onB!]) assert.equal(socket.ws.readyState, socket.ws.OPEN, 'the customer stays connected');
  });

  test('a node frozen (SIGSTOP) inside a send transaction stalls no other conversation of the shop, and its own for no longer than the bounds', { timeout: 120_000 }, async (t) => {
    const frozen = servers[0]!;
    // Whatever happens here, the next test finds it running.
    t.after(() => frozen.signal('SIGCONT'));
    const frozenPid = frozen.pid!;
    // Writers on the node to freeze, each in a conversation of its own, sending steadily.
    const writers = await Promise.all(Array.from({ length: 4 }, () => customer(0, 1)));
    const others = await Promise.all(Array.from({ length: 6 }, (_, i) => customer(1 + (i % 2))));
    const sentOnFrozen = new Map<string, { conversationId: string; socket: RawClient; spare: RawClient }>();
    let writing = true;
    const loops = writers.map(async ({ conversationId, sockets: [onFrozen, spare] }) => {
      while (writing) {
        const clientMsgId = randomUUID();
        sentOnFrozen.set(clientMsgId, { conversationId, socket: onFrozen!, spare: spare! });
        onFrozen!.send({ type: 'send', conversationId, clientMsgId, text: 'on the node that freezes' });
        await sleep(2);
      }
    });

    // Freeze it at a moment when it holds a transaction open (its session idles "in transaction").
    let caught = false;
    for (let attempt = 0; attempt < 100 && !caught; attempt++) {
      await sleep(5 + (attempt % 7));
      frozen.signal('SIGSTOP');
      await sleep(50);
      caught = (await openSendTransactionsOf(frozenPid)) > 0;
      if (!caught) frozen.signal('SIGCONT');
    }
    writing = false;
    await Promise.all(loops);
    assert.ok(caught, 'the node was frozen with a send transaction open');
    const frozenAt = Date.now();

    // Other conversations of the same shop, through the other nodes: answered while that
    // transaction is still open, so they did not wait for it.
    const elsewhere = others.map(({ conversationId, sockets: [socket] }) => ({ conversationId, socket: socket!, clientMsgId: randomUUID() }));
    await Promise.all(elsewhere.map(({ socket, conversationId, clientMsgId }) => sendUntilAcked(socket, conversationId, clientMsgId, 5_000)));
    assert.ok((await openSendTransactionsOf(frozenPid)) > 0, 'acknowledged while the frozen transaction still held its locks');

    // The frozen node's own conversations, through another node: PostgreSQL ends the frozen
    // transaction (idle_in_transaction_session_timeout) and these go through within the bounds.
    const same = writers.map(({ conversationId, sockets: [, spare] }) => ({ conversationId, socket: spare!, clientMsgId: randomUUID() }));
    await Promise.all(same.map(({ socket, conversationId, clientMsgId }) => sendUntilAcked(socket, conversationId, clientMsgId, 5_000)));
    assert.ok(Date.now() - frozenAt <= 5_500, `the frozen node's conversations were writable again after ${Date.now() - frozenAt} ms`);
    await eventually('PostgreSQL ends the frozen transaction', async () => (await openSendTransactionsOf(frozenPid)) === 0, 5_000);

    // Back: what it had in flight is answered (an ack, or a refusal its client resends elsewhere).
    frozen.signal('SIGCONT');
    const resent: string[] = [];
    await Promise.all(
      [...sentOnFrozen].map(async ([clientMsgId, { conversationId, socket, spare }]) => {
        const answer = await Promise.race([
          socket.next('ack', (f) => f.clientMsgId === clientMsgId, 30_000),
          socket.next('error', (f) => f.clientMsgId === clientMsgId, 30_000),
          socket.closed.then(() => ({ type: 'closed' as const })),
        ]);
        if (answer.type === 'ack') return;
        resent.push(clientMsgId);
        await sendUntilAcked(spare, conversationId, clientMsgId);
      }),
    );
    const ids = [...sentOnFrozen.keys(), ...elsewhere.map((e) => e.clientMsgId), ...same.map((s) => s.clientMsgId)];
    const stored = await storedCounts(ids);
    assert.deepEqual(ids.filter((id) => stored.get(id) !== 1), [], `every message stored once (${resent.length} resent elsewhere)`);
    for (const { conversationId } of [...writers, ...others]) {
      const { rows } = await postgres.query('select seq from messages where conversation_id = $1 order by seq', [conversationId]);
      assert.deepEqual(rows.map((r: { seq: number }) => r.seq), rows.map((_: unknown, i: number) => i + 1), 'seqs gapless');
    }
    assert.deepEqual(servers.map((s) => s.running), [true, true, true]);
  });

  test('PostgreSQL stopped for 70 s mid-stream: nobody is signed out, and every acknowledged message is delivered once', { timeout: 240_000 }, async () => {
    const url = `ws://127.0.0.1:${balancer.port}/ws`;
    const fast = { backoff: { initialMs: 100, maxMs: 2_000 } };
    const closes: number[] = [];
    const watch = (client: FrontdeskClient) => {
      client.on('disconnected', (info) => closes.push(info.code));
      client.on('closed', (info) => closes.push(info.code));
      clients.push(client);
      return client;
    };
    const agentClient = watch(new FrontdeskClient({ url, token: agent.token, ...fast }));
    const atAgent = new Map<string, number>();
    agentClient.on('message', (m: Message) => m.clientMsgId && atAgent.set(m.clientMsgId, (atAgent.get(m.clientMsgId) ?? 0) + 1));
    await agentClient.connect();
    const customers = await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        const session = await call(nodeAt(ports[i % 3]!), 'POST', '/api/v1/widget/sessions', { body: { shopId } });
        const client = watch(new FrontdeskClient({ url, token: session.body.token, ...fast }));
        await client.connect();
        return { client, conversationId: session.body.conversation.id as string };
      }),
    );

    const sent: string[] = [];
    const acks: Array<Promise<unknown>> = [];
    let sending = true;
    const stream = (async () => {
      while (sending) {
        for (const { client, conversationId } of customers) {
          const clientMsgId = randomUUID();
          sent.push(clientMsgId);
          acks.push(client.send({ conversationId, clientMsgId, text: `steady ${sent.length}` }).promise);
        }
        await sleep(500);
      }
    })();

    await sleep(3_000);
    await postgres.stop();
    await sleep(70_000);
    await postgres.start();
    await sleep(5_000);
    sending = false;
    await stream;
    const outcomes = await Promise.allSettled(acks);

    assert.deepEqual(closes.filter((code) => SIGN_OUT_CODES.has(code)), [], 'no connection was closed with a sign-out code');
    assert.deepEqual(outcomes.filter((o) => o.status === 'rejected'), [], 'every send acknowledged in the end');
    assert.ok([agentClient, ...customers.map((c) => c.client)].every((c) => c.state !== 'closed'), 'every client is still running');
    const me = await call(nodeAt(ports[1]!), 'GET', '/api/v1/me', { token: agent.token });
    assert.equal(me.status, 200, 'the agent is still signed in');
    await eventually('every message at the agent', async () => sent.every((id) => atAgent.has(id)), 30_000);
    assert.deepEqual(sent.filter((id) => atAgent.get(id) !== 1), [], 'delivered once each');
    const stored = await storedCounts(sent);
    assert.deepEqual(sent.filter((id) => stored.get(id) !== 1), [], 'stored once each');
    assert.deepEqual(servers.map((s) => s.running), [true, true, true]);
  });
});
