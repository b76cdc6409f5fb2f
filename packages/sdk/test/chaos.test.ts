import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import type { Message } from '@frontdesk/protocol';
import { FrontdeskClient } from '../src/index.ts';
import { testDatabaseUrl } from '../../server/test/support/storage.ts';
import { cli, freePort, Proxy, ServerProcess } from './support/chaos.ts';
import { TestNetwork } from './support/network.ts';
import { seededRandom } from '../../server/test/support/random.ts';
import { delay } from './support/helpers.ts';

const CUSTOMERS = 45;
const AGENTS = 5;
const PER_CUSTOMER = 80; // 3,600
const PER_AGENT = 280; // 1,400 → 5,000 in all
const TOTAL = CUSTOMERS * PER_CUSTOMER + AGENTS * PER_AGENT;


interface Participant {
  readonly name: string;
  readonly client: FrontdeskClient;
  readonly network: TestNetwork;
  readonly conversations: readonly string[];
  /** (conversationId:seq) → how many times the client emitted it. */
  readonly seen: Map<string, number>;
}

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`chaos on ${engine}`, () => {
    const cleanup: Array<() => Promise<void> | void> = [];
    after(async () => {
      for (const step of cleanup.reverse()) await step();
    });

    test(`${CUSTOMERS + AGENTS} clients, ${TOTAL.toLocaleString('en')} messages, connections cut from both sides, the server killed and restarted`, { timeout: 240_000 }, async () => {
      const random = seededRandom(engine === 'sqlite' ? 7 : 11);
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'frontdesk-chaos-'));
      cleanup.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
      const port = await freePort();
      const env: Record<string, string> = {
        DATA_DIR: dataDir,
        PORT: String(port),
        LOG_LEVEL: 'error',
        SEED_DEMO: 'false',
        RATE_LIMIT: '1000000',
        LOGIN_RATE_LIMIT: '100000',
        WIDGET_SESSION_RATE_LIMIT: '100000',
        WS_RATE_PER_SECOND: '2000',
        WS_RATE_BURST: '2000',
        WS_HEARTBEAT_MS: '2000',
      };
      if (engine === 'postgres') {
        const schema = `chaos_${randomBytes(4).toString('hex')}`;
        const admin = new pg.Client({ connectionString: testDatabaseUrl });
        await admin.connect();
        await admin.query(`create schema ${schema}`);
        await admin.end();
        Object.assign(env, { DATABASE_URL: testDatabaseUrl, DATABASE_SCHEMA: schema });
        cleanup.push(async () => {
          const c = new pg.Client({ connectionString: testDatabaseUrl });
          await c.connect();
          await c.query(`drop schema ${schema} cascade`);
          await c.end();
        });
      }

      // Setup with the CLI, then the server as a process of its own behind a proxy that cuts.
      const shopId = /id:\s+(\S+)/.exec(cli(['shop', 'create', '--name', 'Chaos'], env))![1]!;
      const password = 'chaos chaos chaos';
      for (let i = 0; i < AGENTS; i++) {
        cli(['staff', 'create', '--shop', shopId, '--email', `agent${i}@chaos.test`, '--name', `Agent ${i}`, '--role', 'agent', '--password', password], env);
      }
      const server = new ServerProcess(env);
      await server.start();
      cleanup.push(() => server.stop());
      const proxy = new Proxy(port);
      await proxy.listen();
      cleanup.push(() => proxy.close());
      const api = `http://127.0.0.1:${port}/api/v1`;
      const post = async (url: string, body: unknown) => {
        const response = await fetch(api + url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        return (await response.json()) as any;
      };

      const customerSessions = [];
      for (let i = 0; i < CUSTOMERS; i++) customerSessions.push(await post('/widget/sessions', { shopId }));
      const conversationIds = customerSessions.map((s) => s.conversation.id as string);
      const agentTokens = [];
      for (let i = 0; i < AGENTS; i++) agentTokens.push((await post('/auth/login', { email: `agent${i}@chaos.test`, password })).token as string);

      const url = `ws://127.0.0.1:${proxy.port}/ws`;
      const participants: Participant[] = [];
      const join = (name: string, token: string, conversations: string[]) => {
        const network = new TestNetwork();
        const client = new FrontdeskClient({ url, token, WebSocket: network.WebSocket, backoff: { initialMs: 50, maxMs: 1_000 }, requestTimeoutMs: 5_000 });
        const seen = new Map<string, number>();
        client.on('message', (m: Message) => {
          const key = `${m.conversationId}:${m.seq}`;
          seen.set(key, (seen.get(key) ?? 0) + 1);
        });
        cleanup.push(() => client.close());
        participants.push({ name, client, network, conversations, seen });
      };
      customerSessions.forEach((s, i) => join(`customer ${i}`, s.token, [s.conversation.id]));
      agentTokens.forEach((token, i) => join(`agent ${i}`, token, conversationIds));
      await Promise.all(participants.map((p) => p.client.connect()));

      // Chaos: every 20 ms cut a connection, at the proxy (the server's side) or in a client.
      let chaos = true;
      let clientCuts = 0;
      const chaosLoop = (async () => {
        while (chaos) {
          // Often enough that a quick run still cuts dozens of connections on each side.
          await delay(20);
          if (random() < 0.5) proxy.cutRandom(random);
          else {
            participants[Math.floor(random() * participants.length)]!.network.terminateLatest();
            clientCuts += 1;
          }
        }
      })();

      const acked: Promise<Message>[] = [];
      let issued = 0;
      let restarted = false;
      const sender = async (p: Participant, count: number) => {
        for (let i = 0; i < count; i++) {
          const conversationId = p.conversations[Math.floor(random() * p.conversations.length)]!;
          acked.push(p.client.send({ conversationId, text: `${p.name} #${i}` }).promise);
          issued += 1;
          if (!restarted && issued >= TOTAL * 0.4) {
            restarted = true;
            await server.crash();
            await delay(300);
            await server.start();
          }
          await delay(random() * 8);
        }
      };
      await Promise.all(participants.map((p) => sender(p, p.name.startsWith('agent') ? PER_AGENT : PER_CUSTOMER)));
      const messages = await Promise.all(acked);
      chaos = false;
      await chaosLoop;
      assert.ok(restarted, 'the server was restarted');
      assert.ok(proxy.cuts > 20 && clientCuts > 20, `connections were cut (${proxy.cuts} at the proxy, ${clientCuts} in clients)`);

      // Every acknowledged message is in the database, exactly once.
      assert.equal(new Set(messages.map((m) => m.id)).size, TOTAL);
      const lastSeq = new Map<string, number>();
      let stored = 0;
      for (const session of customerSessions) {
        const ids = new Set<string>();
        const all = new Set<string>();
        let before: number | undefined;
        for (;;) {
          const query = before === undefined ? '?limit=100' : `?limit=100&beforeSeq=${before}`;
          const page = (await (await fetch(`${api}/conversations/${session.conversation.id}/messages${query}`, { headers: { authorization: `Bearer ${session.token}` } })).json()) as any;
          // Routing writes system messages too ("Agent 3 joined…"): every client must hold them, the count is of ours.
          for (const m of page.items) {
            all.add(m.id);
            if (m.kind === 'user') ids.add(m.id);
          }
          if (!page.hasMore) break;
          before = page.items[0].seq;
        }
        stored += ids.size;
        lastSeq.set(session.conversation.id, all.size);
        for (const m of messages.filter((x) => x.conversationId === session.conversation.id)) assert.ok(ids.has(m.id), `acknowledged ${m.id} is stored`);
      }
      assert.equal(stored, TOTAL, 'nothing stored twice, nothing lost');

      // Every client converges on every message of its conversations, each shown once, seqs 1..n.
      const complete = (p: Participant) => p.conversations.every((c) => {
        for (let seq = 1; seq <= lastSeq.get(c)!; seq++) if (!p.seen.has(`${c}:${seq}`)) return false;
        return true;
      });
      const deadline = Date.now() + 60_000;
      while (!participants.every(complete)) {
        if (Date.now() > deadline) break;
        await Promise.all(participants.filter((p) => !complete(p)).map((p) => p.client.sync().catch(() => undefined)));
        await delay(200);
      }
      const finalSeq = new Map<string, number>();
      for (const session of customerSessions) {
        const reply = (await (await fetch(`${api}/conversations/${session.conversation.id}`, { headers: { authorization: `Bearer ${session.token}` } })).json()) as any;
        finalSeq.set(session.conversation.id, reply.lastSeq);
      }
      for (const p of participants) {
        assert.ok(complete(p), `${p.name} holds every message of its conversations`);
        const twice = [...p.seen].filter(([, n]) => n > 1);
        assert.deepEqual(twice, [], `${p.name} showed no message twice`);
        // Routing may still add system messages after the count above: nothing else means no seq
        // beyond each conversation's last one now, and nothing from other conversations.
        const strays = [...p.seen.keys()].filter((key) => {
          const [c, seq] = key.split(':');
          return !p.conversations.includes(c!) || Number(seq) > finalSeq.get(c!)!;
        });
        assert.deepEqual(strays, [], `${p.name} holds nothing else`);
        assert.equal(p.client.outbox.length, 0, `${p.name}'s outbox is empty`);
      }
    });
  });
}
