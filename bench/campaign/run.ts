/**
 * Campaign benchmark (docs/benchmarks.md, "Campaigns").
 *
 *   npm run bench:campaign [-- --recipients 100000 --online 500 --pairs 20 --rate 100 --throttle 1000 --seconds 10 --no-postgres]
 *
 * Frontdesk (`frontdesk start`) in a process of its own; every socket in this one.
 * (a) An unthrottled one-off campaign to `--recipients` contacts (seeded through SQL), `--online`
 *     of them connected with a widget session: from the POST /start until every message is stored
 *     (the campaign completed) and every online customer has it. Printed next to the storage floor
 *     measured in the same run: raw prepared INSERTs of as many message rows, 500 per transaction,
 *     into a fresh database of the same schema; and the ratio.
 * (b) Live chat (`--pairs` customers and agents exchanging `--rate` messages/s over sockets): the
 *     send → ack p99 for `--seconds` without a campaign, then as long with a campaign throttled to
 *     `--throttle` messages/s running, and the ratio.
 * (c) (a) again on PostgreSQL (`--postgres URL`, default the test database), its floor being
 *     500-row INSERT statements, one transaction each.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import WebSocket from 'ws';
import { loadConfig } from '../../packages/server/src/config/config.ts';
import { openStorage } from '../../packages/server/src/storage/connect.ts';
import { migrateToLatest } from '../../packages/server/src/storage/migrate.ts';
import { freePort, killAllNow, repoRoot, sleep, spawnNode, stopAll, tail, waitFor, type Child } from '../realtime/proc.ts';
import { LIMITS_OUT_OF_THE_WAY } from '../realtime/servers.ts';
import { seed, type SeededShop } from './seed.ts';

const { values: args } = parseArgs({
  options: {
    recipients: { type: 'string', default: '100000' },
    online: { type: 'string', default: '500' },
    pairs: { type: 'string', default: '20' },
    rate: { type: 'string', default: '100' },
    throttle: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '10' },
    postgres: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
    'no-postgres': { type: 'boolean', default: false },
  },
});
const RECIPIENTS = Number(args.recipients);
const ONLINE = Number(args.online);
const PAIRS = Number(args.pairs);
const RATE = Number(args.rate);
const THROTTLE = Number(args.throttle);
const SECONDS = Number(args.seconds);

fs.mkdirSync(path.join(repoRoot, '.bench'), { recursive: true });
const dir = fs.mkdtempSync(path.join(repoRoot, '.bench', 'campaign-'));
const pct = (sorted: readonly number[], p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!);
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

process.on('SIGINT', () => {
  killAllNow();
  process.exit(130);
});

interface Socket {
  readonly ws: WebSocket;
  onFrame: (frame: any) => void;
}

async function connect(port: number, token: string): Promise<Socket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
  const socket: Socket = { ws, onFrame: () => {} };
  await new Promise<void>((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () => ws.send(JSON.stringify({ type: 'auth', id: 'a', token })));
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      if (frame.type === 'auth.ok') resolve();
      else if (frame.type === 'error' && frame.id === 'a') reject(new Error(frame.message));
      socket.onFrame(frame);
    });
  });
  return socket;
}

async function api(port: number, token: string, method: string, url: string, body?: unknown): Promise<any> {
  const response = await fetch(`http://127.0.0.1:${port}/api/v1${url}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

async function startFrontdesk(name: string, env: Record<string, string>, shops: Parameters<typeof seed>[1]): Promise<{ port: number; child: Child; shops: SeededShop[] }> {
  const port = await freePort();
  const full = { ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', SEED_DEMO: 'false', ...LIMITS_OUT_OF_THE_WAY, REDIS_URL: '' };
  const seeded = await seed(loadConfig(full), shops);
  const logFile = path.join(dir, `${name}.log`);
  const child = spawnNode(name, ['packages/server/src/cli/main.ts', 'start'], { env: full, logFile });
  await waitFor(name, async () => {
    if (child.process.exitCode !== null) throw new Error(`${name} exited:\n${tail(logFile)}`);
    return (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null))?.ok === true;
  }, 120_000);
  return { port, child, shops: seeded };
}

/** (a): start an unthrottled campaign to every contact; time until completed and until every online socket has it. */
async function bigCampaign(port: number, shop: SeededShop) {
  const online = await Promise.all(shop.onlineTokens.map((token) => connect(port, token)));
  const owner = await connect(port, shop.ownerToken);
  const text = `Big news ${randomUUID()}`;
  let reached = 0;
  let lastPush = 0;
  for (const socket of online) {
    socket.onFrame = (frame) => {
      if (frame.type === 'message' && frame.message.text === text) {
        reached++;
        lastPush = performance.now();
      }
    };
  }
  const campaign = await api(port, shop.ownerToken, 'POST', '/campaigns', { name: 'Big', kind: 'one_off', senderId: shop.ownerId, text, audience: { all: true } });
  let completedAt = 0;
  owner.onFrame = (frame) => {
    if (frame.type === 'campaign' && frame.campaign.id === campaign.id && frame.campaign.status === 'completed') completedAt = performance.now();
  };
  const started = performance.now();
  await api(port, shop.ownerToken, 'POST', `/campaigns/${campaign.id}/start`);
  const fixedAt = performance.now();
  await waitFor('the campaign to complete and reach every online customer', () => completedAt > 0 && reached === online.length, 600_000, 20);
  const done = await api(port, shop.ownerToken, 'GET', `/campaigns/${campaign.id}`);
  for (const socket of [...online, owner]) socket.ws.terminate();
  return { fix: fixedAt - started, stored: completedAt - started, pushed: lastPush - started, total: Math.max(completedAt, lastPush) - started, sent: done.counts.sent as number, reached };
}

/** (b): pairs exchange RATE messages/s over sockets for SECONDS; send → ack latencies. */
async function liveChat(port: number, shop: SeededShop, during?: () => Promise<void>): Promise<number[]> {
  const sockets = await Promise.all(shop.pairs.flatMap((p) => [connect(port, p.customerToken), connect(port, p.agentToken)]));
  const pending = new Map<string, number>();
  const latencies: number[] = [];
  for (const socket of sockets) {
    socket.onFrame = (frame) => {
      if (frame.type !== 'ack') return;
      const at = pending.get(frame.clientMsgId);
      if (at !== undefined) latencies.push(performance.now() - at);
    };
  }
  await during?.();
  const total = RATE * SECONDS;
  const begun = performance.now();
  for (let i = 0; i < total; i++) {
    const wait = begun + (i * 1000) / RATE - performance.now();
    if (wait > 0) await sleep(wait);
    const socket = sockets[i % sockets.length]!;
    const clientMsgId = randomUUID();
    pending.set(clientMsgId, performance.now());
    socket.ws.send(JSON.stringify({ type: 'send', conversationId: shop.pairs[Math.floor((i % sockets.length) / 2)]!.conversationId, clientMsgId, text: `live ${i}` }));
  }
  await sleep(2_000);
  for (const socket of sockets) socket.ws.terminate();
  return latencies.sort((a, b) => a - b);
}

/** The storage floor on SQLite: raw prepared INSERTs of `count` message rows, 500 per transaction, in a fresh file of the same schema. */
async function sqliteFloor(count: number): Promise<number> {
  const file = path.join(dir, 'floor.db');
  const storage = openStorage({ databaseUrl: null, sqliteFile: file });
  await migrateToLatest(storage);
  await storage.close();
  const db = new DatabaseSync(file);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON');
  // The conversations the messages belong to (their foreign key), made before the clock starts.
  db.exec(`INSERT INTO shops (id, name, identity_secret, settings, created_at, updated_at) VALUES ('s', 'Floor', 'x', '{}', 0, 0)`);
  const conversation = db.prepare(`INSERT INTO conversations (id, shop_id, kind, unique_key, last_activity_at, created_at, updated_at) VALUES (?, 's', 'service', ?, 0, 0, 0)`);
  db.exec('BEGIN');
  for (let j = 0; j < count; j++) conversation.run(`c-${j}`, `service:s:c-${j}`);
  db.exec('COMMIT');
  const insert = db.prepare(`INSERT INTO messages (id, shop_id, conversation_id, seq, public_seq, stream_tx, stream_pos, sender_id, sender_kind, kind, content_type, text, visibility, client_msg_id, created_at, mentions)
    VALUES (?, 's', ?, 1, 1, 1, ?, 'staff-1', 'staff', 'user', 'text', 'Big news', 'public', 'campaign:x', ?, '[]')`);
  const started = performance.now();
  for (let i = 0; i < count; i += 500) {
    db.exec('BEGIN IMMEDIATE');
    for (let j = i; j < Math.min(count, i + 500); j++) insert.run(randomUUID(), `c-${j}`, j, Date.now());
    db.exec('COMMIT');
  }
  const took = performance.now() - started;
  db.close();
  return took;
}

/** The storage floor on PostgreSQL: 500-row INSERT statements of message rows, one transaction each, in a schema of its own. */
async function postgresFloor(url: string, count: number): Promise<number> {
  const schema = `bench_floor_${randomUUID().slice(0, 8)}`;
  const storage = openStorage({ databaseUrl: url, sqliteFile: '', pgSchema: schema });
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  try {
    await migrateToLatest(storage);
    await storage.close();
    await admin.query(`set search_path to ${schema}`);
    await admin.query(`INSERT INTO shops (id, name, identity_secret, settings, created_at, updated_at) VALUES ('s', 'Floor', 'x', '{}', 0, 0)`);
    await admin.query(`INSERT INTO conversations (id, shop_id, kind, unique_key, last_activity_at, created_at, updated_at) SELECT 'c-' || g, 's', 'service', 'service:s:c-' || g, 0, 0, 0 FROM generate_series(0, $1 - 1) AS g`, [count]);
    const started = performance.now();
    for (let i = 0; i < count; i += 500) {
      const rows: string[] = [];
      const values: unknown[] = [];
      for (let j = i; j < Math.min(count, i + 500); j++) {
        const k = values.length;
        rows.push(`($${k + 1}, 's', $${k + 2}, 1, 1, 1, $${k + 3}, 'staff-1', 'staff', 'user', 'text', 'Big news', 'public', 'campaign:x', $${k + 4}, '[]')`);
        values.push(randomUUID(), `c-${j}`, j, Date.now());
      }
      await admin.query('begin');
      await admin.query(`INSERT INTO messages (id, shop_id, conversation_id, seq, public_seq, stream_tx, stream_pos, sender_id, sender_kind, kind, content_type, text, visibility, client_msg_id, created_at, mentions) VALUES ${rows.join(', ')}`, values);
      await admin.query('commit');
    }
    return performance.now() - started;
  } finally {
    await admin.query(`drop schema ${schema} cascade`);
    await admin.end();
  }
}

function reportBig(engine: string, big: Awaited<ReturnType<typeof bigCampaign>>, floor: number) {
  console.log(`\n(${engine === 'sqlite' ? 'a' : 'c'}) ${RECIPIENTS.toLocaleString('en')} recipients on ${engine}, unthrottled, ${ONLINE} online`);
  console.log(`   audience fixed (POST /start, one INSERT…SELECT): ${s(big.fix)}`);
  console.log(`   all stored (campaign completed):                 ${s(big.stored)}   (${big.sent.toLocaleString('en')} sent)`);
  console.log(`   all online customers have it:                    ${s(big.pushed)}   (${big.reached}/${ONLINE})`);
  console.log(`   total:                                           ${s(big.total)}`);
  console.log(`   storage floor (raw INSERT of ${RECIPIENTS.toLocaleString('en')} messages):   ${s(floor)}`);
  console.log(`   ratio total / floor:                             ${(big.total / floor).toFixed(2)}×`);
}

async function main() {
  console.log(`campaign bench: ${RECIPIENTS.toLocaleString('en')} recipients, ${ONLINE} online; live chat ${PAIRS} pairs at ${RATE} msg/s for ${SECONDS} s, campaign throttled to ${THROTTLE}/s`);
  const sqliteEnv = { DATA_DIR: path.join(dir, 'sqlite'), DATABASE_URL: '' };
  const sqlite = await startFrontdesk('frontdesk-sqlite', sqliteEnv, [
    { contacts: RECIPIENTS, online: ONLINE, pairs: 0 },
    { contacts: Math.max(THROTTLE * SECONDS * 3, 1000), online: 0, pairs: PAIRS },
  ]);
  const big = await bigCampaign(sqlite.port, sqlite.shops[0]!);
  const quiet = await liveChat(sqlite.port, sqlite.shops[1]!);
  const shop = sqlite.shops[1]!;
  let throttled = '';
  const busy = await liveChat(sqlite.port, shop, async () => {
    const campaign = await api(sqlite.port, shop.ownerToken, 'POST', '/campaigns', { name: 'Throttled', kind: 'one_off', senderId: shop.ownerId, text: 'Meanwhile', audience: { all: true }, throttlePerSecond: THROTTLE });
    throttled = campaign.id;
    await api(sqlite.port, shop.ownerToken, 'POST', `/campaigns/${campaign.id}/start`);
    await sleep(500);
  });
  const sentMeanwhile = (await api(sqlite.port, shop.ownerToken, 'GET', `/campaigns/${throttled}`)).counts.sent;
  await sqlite.child.stop();
  const floor = await sqliteFloor(RECIPIENTS);
  reportBig('sqlite', big, floor);
  console.log(`\n(b) live chat send → ack on sqlite, ${quiet.length}/${busy.length} acks`);
  console.log(`   without a campaign: p50 ${pct(quiet, 50).toFixed(2)} ms, p99 ${pct(quiet, 99).toFixed(2)} ms`);
  console.log(`   with a campaign at ${THROTTLE}/s (${sentMeanwhile.toLocaleString('en')} sent by the end): p50 ${pct(busy, 50).toFixed(2)} ms, p99 ${pct(busy, 99).toFixed(2)} ms`);
  console.log(`   p99 ratio with / without: ${(pct(busy, 99) / pct(quiet, 99)).toFixed(2)}×`);

  if (!args['no-postgres']) {
    const schema = `bench_campaign_${randomUUID().slice(0, 8)}`;
    const admin = new pg.Client({ connectionString: args.postgres });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    try {
      const postgres = await startFrontdesk('frontdesk-postgres', { DATA_DIR: path.join(dir, 'postgres'), DATABASE_URL: args.postgres!, DATABASE_SCHEMA: schema }, [{ contacts: RECIPIENTS, online: ONLINE, pairs: 0 }]);
      const pgBig = await bigCampaign(postgres.port, postgres.shops[0]!);
      await postgres.child.stop();
      reportBig('postgres', pgBig, await postgresFloor(args.postgres!, RECIPIENTS));
    } finally {
      await admin.query(`drop schema ${schema} cascade`);
      await admin.end();
    }
  }
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(async () => {
    await stopAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });
