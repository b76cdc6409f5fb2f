import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { freePort, ServerProcess } from '../../sdk/test/support/chaos.ts';
import { call, identityToken } from './support/client.ts';
import { certificates } from './support/certificates.ts';
import { eventually } from './support/eventually.ts';
import { createSchema, dropSchema, RedisProcess, startNodes } from './support/cluster.ts';
import type { TestServer } from './support/server.ts';
import { testDatabaseUrl } from './support/storage.ts';
import { rawAuthed, rawConnect, type RawClient } from './support/ws-client.ts';

const PASSWORD = 'correct horse battery staple';
const REDIS_PASSWORD = randomBytes(12).toString('hex');
const main = new URL('../src/cli/main.ts', import.meta.url).pathname;
const nodeAt = (port: number) => ({ url: `http://127.0.0.1:${port}` }) as unknown as TestServer;

/** `frontdesk …` with its exit status and both outputs, failing or not. */
function run(args: string[], env: Record<string, string>) {
  const result = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', main, ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * What the nodes share in Redis besides events: the node registry, connection presence and the
 * rate-limit counters. Three nodes over TLS with a password (rediss://:password@…, a private CA).
 */
describe('cluster state in Redis: three nodes over TLS with a password', () => {
  const schema = `cluster_state_${randomBytes(4).toString('hex')}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'frontdesk-cluster-state-'));
  let redis: RedisProcess;
  let tls: ReturnType<typeof certificates>;
  const servers: ServerProcess[] = [];
  const ports: number[] = [];
  const sockets: RawClient[] = [];
  let shopId = '';
  let identitySecret = '';
  let ownerToken = '';
  let agent = { id: '', email: '', token: '' };

  const env = (port: number, overrides: Record<string, string> = {}): Record<string, string> => ({
    PORT: String(port),
    DATABASE_URL: testDatabaseUrl,
    DATABASE_SCHEMA: schema,
    REDIS_URL: `rediss://:${REDIS_PASSWORD}@127.0.0.1:${redis.port}`,
    REDIS_TLS_CA_FILE: tls.ca,
    CLUSTER_HEARTBEAT_MS: '200',
    ROUTING_SWEEP_MS: '200',
    PRESENCE_GRACE_MS: '0',
    DATA_DIR: dir,
    LOG_LEVEL: 'error',
    SEED_DEMO: 'false',
    RATE_LIMIT: '1000000',
    LOGIN_RATE_LIMIT: '5',
    WIDGET_SESSION_RATE_LIMIT: '100000',
    WS_MAX_CONNECTIONS_PER_USER: '3',
    ...overrides,
  });
  const presenceOf = async (staffId: string): Promise<string> => {
    const agents = await call(nodeAt(ports[0]!), 'GET', '/api/v1/agents', { token: ownerToken });
    assert.equal(agents.status, 200, JSON.stringify(agents.body));
    return (agents.body as Array<{ staffId: string; presence: string }>).find((a) => a.staffId === staffId)!.presence;
  };
  const nodeList = () => run(['nodes'], env(ports[0]!));

  before(async () => {
    tls = certificates(dir, 'redis');
    await createSchema(schema);
    redis = new RedisProcess(await freePort(), { password: REDIS_PASSWORD, tls: { cert: tls.cert, key: tls.key } });
    await redis.start();
    for (let i = 0; i < 3; i++) ports.push(await freePort());
    const ownerEmail = `owner-${schema}@example.test`;
    ({ shopId, identitySecret } = await startNodes(env, ports, servers, { email: ownerEmail, password: PASSWORD, shopName: 'Cluster state' }));
    ownerToken = (await call(nodeAt(ports[0]!), 'POST', '/api/v1/auth/login', { body: { email: ownerEmail, password: PASSWORD } })).body.token;
    agent.email = `agent-${schema}@example.test`;
    const staff = await call(nodeAt(ports[1]!), 'POST', '/api/v1/staff', { token: ownerToken, body: { email: agent.email, name: 'Agent', role: 'agent', password: PASSWORD } });
    assert.equal(staff.status, 201, JSON.stringify(staff.body));
    const login = await call(nodeAt(ports[2]!), 'POST', '/api/v1/auth/login', { body: { email: agent.email, password: PASSWORD } });
    agent = { ...agent, id: staff.body.staff.id, token: login.body.token };
  });
  after(async () => {
    sockets.forEach((s) => s.close());
    servers.forEach((s) => s.signal('SIGCONT'));
    await Promise.all(servers.map((s) => s.stop()));
    await redis?.crash();
    await dropSchema(schema);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a node refuses to start on a wrong Redis password or an unknown CA, saying why', { timeout: 60_000 }, async () => {
    const port = await freePort();
    const wrong = run(['start'], env(port, { REDIS_URL: `rediss://:not-the-password@127.0.0.1:${redis.port}` }));
    assert.equal(wrong.status, 2, wrong.stderr);
    assert.match(wrong.stderr, /cannot join the cluster: Redis refused the credentials/);
    assert.doesNotMatch(wrong.stderr + wrong.stdout, /not-the-password|at .*\.ts:\d+/, 'no password and no stack trace in the message');

    // No REDIS_TLS_CA_FILE: the certificate is checked against the system's CAs, and fails at once.
    const untrusted = run(['start'], { ...env(port), REDIS_TLS_CA_FILE: '' });
    assert.equal(untrusted.status, 2, untrusted.stderr);
    assert.match(untrusted.stderr, /cannot join the cluster: Redis's TLS certificate does not verify/);

    // An upper-case scheme is still TLS (it would otherwise send the password in clear).
    const upper = run(['nodes'], env(port, { REDIS_URL: `REDISS://:${REDIS_PASSWORD}@127.0.0.1:${redis.port}` }));
    assert.equal(upper.status, 0, upper.stderr);
    assert.match(upper.stdout, /^3 live nodes/);
  });

  test('clients on different nodes talk to each other over the TLS link', { timeout: 30_000 }, async () => {
    const session = await call(nodeAt(ports[0]!), 'POST', '/api/v1/widget/sessions', { body: { shopId } });
    const customer = await rawAuthed(nodeAt(ports[0]!), session.body.token);
    const owner = await rawAuthed(nodeAt(ports[1]!), ownerToken);
    sockets.push(customer, owner);
    const clientMsgId = randomUUID();
    customer.send({ type: 'send', conversationId: session.body.conversation.id, clientMsgId, text: 'over TLS' });
    assert.equal((await owner.next('message', (f) => f.message.clientMsgId === clientMsgId)).message.text, 'over TLS');
  });

  test('a logout on one node closes the sockets of that session on the others at once', { timeout: 30_000 }, async () => {
    const token = (await call(nodeAt(ports[0]!), 'POST', '/api/v1/auth/login', { body: { email: agent.email, password: PASSWORD } })).body.token as string;
    const elsewhere = [await rawAuthed(nodeAt(ports[1]!), token), await rawAuthed(nodeAt(ports[2]!), token)];
    sockets.push(...elsewhere);
    assert.equal((await call(nodeAt(ports[0]!), 'POST', '/api/v1/auth/logout', { token })).status, 204);
    const closed = await Promise.race([
      Promise.all(elsewhere.map((socket) => socket.closed)),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('still open after 5 s (the re-check is once a minute)')), 5_000).unref()),
    ]);
    assert.deepEqual(closed, [{ code: 4001, reason: 'TOKEN_INVALID' }, { code: 4001, reason: 'TOKEN_INVALID' }]);
  });

  test("a user's connection limit counts the connections on every node", { timeout: 30_000 }, async () => {
    const session = await call(nodeAt(ports[0]!), 'POST', '/api/v1/widget/sessions', { body: { shopId } });
    const token: string = session.body.token;
    // WS_MAX_CONNECTIONS_PER_USER=3: one on each node fills it.
    const open = [await rawAuthed(nodeAt(ports[0]!), token), await rawAuthed(nodeAt(ports[1]!), token), await rawAuthed(nodeAt(ports[2]!), token)];
    sockets.push(...open);
    for (const port of ports) {
      const extra = await rawConnect(nodeAt(port));
      sockets.push(extra);
      extra.send({ type: 'auth', token });
      assert.deepEqual(await extra.closed, { code: 4029, reason: 'TOO_MANY_CONNECTIONS' }, `a fourth connection on node ${port} is refused`);
    }
    // One closes on node 2: room for one more, on any node.
    open[1]!.close();
    const again = await eventually('room for a connection after one closed', async () => {
      const client = await rawConnect(nodeAt(ports[0]!));
      sockets.push(client);
      client.send({ type: 'auth', token });
      const outcome = await Promise.race([client.next('auth.ok').then(() => 'ok'), client.closed.then(() => 'closed')]);
      return outcome === 'ok' ? client : undefined;
    });
    assert.equal(again.ws.readyState, again.ws.OPEN);
  });

  test('a conversation merged away on one node is gone on every node (404, not an error)', { timeout: 30_000 }, async () => {
    const visitor = await call(nodeAt(ports[0]!), 'POST', '/api/v1/widget/sessions', { body: { shopId } });
    const conversationId: string = visitor.body.conversation.id;
    // Node 2 learns of the conversation (and caches what it is) when an agent writes there.
    const staffSend = (text: string) =>
      call(nodeAt(ports[1]!), 'POST', `/api/v1/conversations/${conversationId}/messages`, { token: ownerToken, body: { clientMsgId: randomUUID(), text } });
    const first = await staffSend('Hello, can I help?');
    assert.equal(first.status, 201, JSON.stringify(first.body));
    const jwt = await identityToken(identitySecret, `customer-${randomUUID()}`, { name: 'Known customer' });
    const merged = await call(nodeAt(ports[0]!), 'POST', '/api/v1/widget/sessions', { body: { shopId, identity: { jwt }, visitorToken: visitor.body.visitorToken } });
    assert.equal(merged.status, 200, JSON.stringify(merged.body));
    assert.equal(merged.body.merged, true);
    const gone = await eventually('node 2 to forget the merged conversation', async () => {
      const reply = await staffSend('Still there?');
      return reply.status !== 201 ? reply : undefined;
    }, 5_000);
    assert.equal(gone.body.error.code, 'CONVERSATION_NOT_FOUND');
  });

  test('a widget origin a shop adds on one node is accepted at once on the others (no 30 s cache)', { timeout: 30_000 }, async () => {
    const origin = `https://${randomUUID().slice(0, 8)}.shop.example`;
    // The upgrade is refused with a close code a browser can read; an accepted one stays open.
    const upgrade = async (port: number): Promise<'open' | number> => {
      const client = await rawConnect(nodeAt(port), { origin });
      const outcome = await Promise.race([client.closed.then((c) => c.code), new Promise<'open'>((resolve) => setTimeout(() => resolve('open'), 300))]);
      client.close();
      return outcome;
    };
    // Node 2 refuses the unknown origin, and remembers the origins it read.
    assert.equal(await upgrade(ports[2]!), 4004);
    const shop = await call(nodeAt(ports[0]!), 'GET', '/api/v1/shop', { token: ownerToken });
    const added = await call(nodeAt(ports[0]!), 'PATCH', '/api/v1/shop', {
      token: ownerToken,
      body: { settings: { widgetOrigins: [...shop.body.settings.widgetOrigins, origin] } },
    });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    await eventually('node 2 to accept the new origin', async () => (await upgrade(ports[2]!)) === 'open', 3_000);
    assert.equal(await upgrade(ports[1]!), 'open');
  });

  test('a pre-chat rule a shop sets on one node binds at once on the others, whose copy of the shop is dropped', { timeout: 30_000 }, async () => {
    const visitor = await call(nodeAt(ports[2]!), 'POST', '/api/v1/widget/sessions', { body: { shopId } });
    const say = (text: string) =>
      call(nodeAt(ports[2]!), 'POST', `/api/v1/conversations/${visitor.body.conversation.id}/messages`, { token: visitor.body.token, body: { clientMsgId: randomUUID(), text } });
    assert.equal((await say('first, before any rule')).status, 201, 'node 2 now holds its copy of the shop');
    const shop = await call(nodeAt(ports[0]!), 'GET', '/api/v1/shop', { token: ownerToken });
    const set = (name: 'off' | 'required') =>
      call(nodeAt(ports[0]!), 'PATCH', '/api/v1/shop', { token: ownerToken, body: { settings: { widget: { ...shop.body.settings.widget, prechat: { name, email: 'off' } } } } });
    assert.equal((await set('required')).status, 200);
    try {
      const refused = await eventually('node 2 to refuse the nameless visitor', async () => {
        const reply = await say('second, after the rule');
        return reply.status === 409 ? reply : undefined;
      }, 3_000);
      assert.equal(refused.body.error.code, 'PRECHAT_REQUIRED');
    } finally {
      assert.equal((await set('off')).status, 200);
    }
  });

  test('the registry lists live nodes; an agent on a killed node goes offline without waiting for the device TTL', { timeout: 60_000 }, async () => {
    const listed = nodeList();
    assert.equal(listed.status, 0, listed.stderr);
    assert.match(listed.stdout, /^3 live nodes/);
    for (const port of ports) assert.match(listed.stdout, new RegExp(`:${port}  pid \\d+`));
    // Another deployment on the same Redis (REDIS_PREFIX) sees none of them.
    assert.match(run(['nodes'], env(ports[0]!, { REDIS_PREFIX: 'staging' })).stdout, /^0 live nodes/);

    const agentSocket = await rawAuthed(nodeAt(ports[2]!), agent.token);
    sockets.push(agentSocket);
    await eventually('the agent online', async () => (await presenceOf(agent.id)) === 'online');

    const killedAt = Date.now();
    await servers[2]!.crash();
    await eventually('the killed node gone from the list', async () => /^2 live nodes/.test(nodeList().stdout));
    await eventually('the agent offline', async () => (await presenceOf(agent.id)) === 'offline');
    // Without the registry the devices of a crashed node are dropped after 30 s (their TTL).
    assert.ok(Date.now() - killedAt < 25_000, `offline after ${Date.now() - killedAt} ms`);
    await servers[2]!.start();
    await eventually('three nodes again', async () => /^3 live nodes/.test(nodeList().stdout));
  });

  test('a node that stalls past its TTL is taken for dead, and gets its agents back when it resumes', { timeout: 60_000 }, async () => {
    const agentSocket = await rawAuthed(nodeAt(ports[2]!), agent.token);
    sockets.push(agentSocket);
    await eventually('the agent online', async () => (await presenceOf(agent.id)) === 'online');
    servers[2]!.signal('SIGSTOP');
    try {
      await eventually('the agent offline while their node is stopped', async () => (await presenceOf(agent.id)) === 'offline');
    } finally {
      servers[2]!.signal('SIGCONT');
    }
    await eventually('the agent online again', async () => (await presenceOf(agent.id)) === 'online');
    // Still connected: nothing made the agent reconnect.
    assert.equal(agentSocket.ws.readyState, agentSocket.ws.OPEN);
  });

  test('login attempts are counted for the cluster, and per node while Redis is away', { timeout: 60_000 }, async () => {
    const attempt = (port: number) => call(nodeAt(port), 'POST', '/api/v1/auth/login', { body: { email: agent.email, password: 'wrong password' } });
    // A fresh window: the setup's logins counted too.
    const direct = new Redis(`rediss://:${REDIS_PASSWORD}@127.0.0.1:${redis.port}`, { tls: { ca: fs.readFileSync(tls.ca) } });
    try {
      const counters = await direct.keys('frontdesk:rl:*');
      if (counters.length > 0) await direct.del(...counters);
      // LOGIN_RATE_LIMIT=5 a minute: five wrong passwords spread over the nodes, then refusals everywhere.
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) statuses.push((await attempt(ports[i % 3]!)).status);
      assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429, 429]);
      const [login] = await direct.keys('frontdesk:rl:POST/api/v1/auth/login:*');
      assert.equal(await direct.get(login!), '8', 'one counter for the three nodes');
    } finally {
      direct.disconnect();
    }

    await redis.crash();
    try {
      // Each node counts on its own now; node 1 had not counted anything locally.
      const local: number[] = [];
      for (let i = 0; i < 7; i++) local.push((await attempt(ports[0]!)).status);
      assert.deepEqual(local, [401, 401, 401, 401, 401, 429, 429]);
    } finally {
      await redis.start();
    }
  });
});
