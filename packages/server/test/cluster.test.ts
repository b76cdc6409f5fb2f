import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { Message } from '@frontdesk/protocol';
import { FrontdeskClient } from '../../sdk/src/index.ts';
import { cli, freePort, ServerProcess } from '../../sdk/test/support/chaos.ts';
import { call } from './support/client.ts';
import type { TestServer } from './support/server.ts';
import { testDatabaseUrl } from './support/storage.ts';
import { rawAuthed, type RawClient } from './support/ws-client.ts';

const PASSWORD = 'correct horse battery staple';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const nodeAt = (port: number) => ({ url: `http://127.0.0.1:${port}` }) as unknown as TestServer;

/**
 * A load balancer as nginx would be in front of the nodes: each new connection goes to the next
 * node, and to the one after it when that one does not answer. No sticky sessions.
 */
class Balancer {
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();
  #next = 0;
  port = 0;
  constructor(targets: readonly number[]) {
    this.#server = net.createServer((client) => {
      this.#sockets.add(client);
      client.on('close', () => this.#sockets.delete(client));
      client.pause();
      const attempt = (tries: number) => {
        const target = targets[this.#next++ % targets.length]!;
        const upstream = net.connect(target, '127.0.0.1');
        upstream.once('connect', () => {
          client.pipe(upstream);
          upstream.pipe(client);
          client.resume();
        });
        upstream.once('error', () => {
          upstream.destroy();
          if (tries > 1) attempt(tries - 1);
          else client.destroy();
        });
        const drop = () => {
          client.destroy();
          upstream.destroy();
        };
        upstream.on('close', drop);
        client.on('close', drop).on('error', drop);
      };
      attempt(targets.length);
    });
  }
  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.port = (this.#server.address() as net.AddressInfo).port;
  }
  close(): Promise<void> {
    this.#sockets.forEach((socket) => socket.destroy());
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

describe('cluster: three nodes on PostgreSQL and Redis', () => {
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
    REDIS_URL,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'error',
    SEED_DEMO: 'false',
    RATE_LIMIT: '1000000',
    LOGIN_RATE_LIMIT: '100000',
    WIDGET_SESSION_RATE_LIMIT: '100000',
    WS_RATE_PER_SECOND: '1000',
    WS_RATE_BURST: '1000',
  });

  before(async () => {
    const admin = new pg.Client({ connectionString: testDatabaseUrl });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    await admin.end();
    for (let i = 0; i < 3; i++) ports.push(await freePort());
    shopId = /id:\s+(\S+)/.exec(cli(['shop', 'create', '--name', 'Cluster'], env(ports[0]!)))![1]!;
    const ownerEmail = `owner-${schema}@example.test`;
    cli(['staff', 'create', '--shop', shopId, '--email', ownerEmail, '--name', 'Owner', '--role', 'owner', '--password', PASSWORD], env(ports[0]!));
    for (const port of ports) {
      const server = new ServerProcess(env(port));
      servers.push(server);
      await server.start(); // one after the other: each migrates at start
    }
    balancer = new Balancer(ports);
    await balancer.listen();
    const login = await call(nodeAt(ports[0]!), 'POST', '/api/v1/auth/login', { body: { email: ownerEmail, password: PASSWORD } });
    ownerToken = login.body.token;
    const created = await call(nodeAt(ports[1]!), 'POST', '/api/v1/staff', {
      token: ownerToken,
      body: { email: `agent-${schema}@example.test`, name: 'Agent', role: 'agent', password: PASSWORD },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const agentLogin = await call(nodeAt(ports[2]!), 'POST', '/api/v1/auth/login', { body: { email: `agent-${schema}@example.test`, password: PASSWORD } });
    agent = { id: created.body.staff.id, token: agentLogin.body.token };
  });
  after(async () => {
    sockets.forEach((s) => s.close());
    clients.forEach((c) => c.close());
    await balancer?.close();
    await Promise.all(servers.map((s) => s.stop()));
    const admin = new pg.Client({ connectionString: testDatabaseUrl });
    await admin.connect();
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
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
    assert.equal(atCustomer.message.seq, atAgent.message.seq + 1);
  });

  test('kill -9 of a node mid-stream: its clients reconnect to the others and every message arrives exactly once', { timeout: 120_000 }, async () => {
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
});
