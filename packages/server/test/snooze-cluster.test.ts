import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { openStorage } from '../src/storage/connect.ts';
import { call, openWidget, send } from './support/client.ts';
import { clusterGround, NODE_TEST_ENV, startNodes } from './support/cluster.ts';
import { eventually } from './support/eventually.ts';
import type { TestServer } from './support/server.ts';
import { testDatabaseUrl } from './support/storage.ts';
import { nothing, rawAuthed } from './support/ws-client.ts';

/**
 * Snoozed conversations on a two-node cluster (docs/console.md): both nodes' sweeps look for due
 * conversations every 50 ms, and each conversation still wakes once. Without Redis each node tells
 * only its own sockets, so an agent connected to both sees every wake-up either node made.
 */
const PASSWORD = 'correct horse battery staple';
const CONVERSATIONS = 12;

describe('snooze wake-ups on a two-node cluster (PostgreSQL)', () => {
  const { dir, schema, ports, servers } = clusterGround('snooze-cluster', 2);
  const env = (port: number): Record<string, string> => ({ ...NODE_TEST_ENV, PORT: String(port), DATA_DIR: dir, DATABASE_URL: testDatabaseUrl, DATABASE_SCHEMA: schema, SNOOZE_SWEEP_MS: '50' });

  test('both nodes sweep; every conversation wakes exactly once', { timeout: 120_000 }, async () => {
    const email = `owner-${randomUUID()}@example.test`;
    const { shopId } = await startNodes(env, ports, servers, { email, password: PASSWORD, shopName: 'Snooze cluster' });
    const nodes = ports.map((port) => ({ url: `http://127.0.0.1:${port}` }) as TestServer);
    const token = (await call(nodes[0]!, 'POST', '/api/v1/auth/login', { body: { email, password: PASSWORD } })).body.token as string;
    const ids: string[] = [];
    for (let i = 0; i < CONVERSATIONS; i++) {
      const customer = await openWidget(nodes[i % 2]!, shopId);
      assert.equal((await send(nodes[i % 2]!, customer.token, customer.conversationId, `hello ${i}`)).status, 201);
      ids.push(customer.conversationId);
    }
    const sockets = await Promise.all(nodes.map((node) => rawAuthed(node, token)));
    // Due together, a few seconds from now: both sweeps find all of them.
    const until = new Date(Date.now() + 4_000).toISOString();
    for (const [i, id] of ids.entries()) {
      const snoozed = await call(nodes[i % 2]!, 'PATCH', `/api/v1/conversations/${id}`, { token, body: { snoozedUntil: until } });
      assert.equal(snoozed.status, 200, JSON.stringify(snoozed.body));
    }
    const storage = openStorage({ databaseUrl: testDatabaseUrl, sqliteFile: '', pgSchema: schema });
    try {
      await eventually('all woken', async () => {
        const left = await storage.db.selectFrom('conversations').select('id').where('id', 'in', ids).where('snoozed_until', 'is not', null).execute();
        return left.length === 0;
      }, 60_000);
    } finally {
      await storage.close();
    }
    await nothing(sockets[0]!, () => false, 500);
    const wakes = sockets.flatMap((s) => s.frames.flatMap((f) => (f.type === 'conversation' && f.change === 'updated' && f.conversation.snoozedUntil === null ? [f.conversation.id] : [])));
    assert.deepEqual([...wakes].sort(), [...ids].sort(), 'one wake-up per conversation, across both nodes');
    for (const s of sockets) s.close();
  });
});
