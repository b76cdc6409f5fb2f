/**
 * Staff-chat benchmark (docs/benchmarks.md, "Staff chat").
 *
 *   npm run bench:staff-chat [-- --group 500 --rate 100 --seconds 10 --connections 10000 --devices 10]
 *
 * Frontdesk (`frontdesk start`, SQLite) in a process of its own; every client socket in this one.
 * In the same run the same work goes through a bare `ws` room relay that stores nothing
 * (room-relay.ts), and each figure is printed next to the relay's with the ratio.
 *
 * 1. A group of `--group` members, every one online: one member sends `--rate` messages/s for
 *    `--seconds`; delivery latency (send → each other member's socket) p50/p99/max and how many of
 *    the expected deliveries arrived.
 * 2. Broadcast write time: POST /broadcasts to all staff of a shop of 100 and of a shop of 10,000,
 *    interleaved, 30 each: a broadcast is stored once (read diffusion), so the two must cost the same.
 * 3. A broadcast to `--connections` staff connections (`--devices` per staff member): the time from
 *    the POST until the last connection has it, and until half of them have.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { loadConfig } from '../../packages/server/src/config/config.ts';
import { freePort, killAllNow, repoRoot, sleep, spawnNode, stopAll, tail, waitFor, type Child } from '../realtime/proc.ts';
import { LIMITS_OUT_OF_THE_WAY } from '../realtime/servers.ts';
import { seed } from './seed.ts';

const { values: args } = parseArgs({
  options: {
    group: { type: 'string', default: '500' },
    rate: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10000' },
    devices: { type: 'string', default: '10' },
    writes: { type: 'string', default: '30' },
    keep: { type: 'boolean', default: false },
  },
});
const GROUP = Number(args.group);
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);
const CONNECTIONS = Number(args.connections);
const DEVICES = Number(args.devices);
const WRITES = Number(args.writes);
const BIG_SHOP = 10_000;

const dir = fs.mkdtempSync(path.join(repoRoot, '.bench', 'staff-chat-'));
const clock = () => performance.timeOrigin + performance.now();
const pct = (sorted: readonly number[], p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!);
const ms = (n: number) => (Number.isNaN(n) ? '—' : n < 10 ? n.toFixed(2) : n.toFixed(1));

process.on('SIGINT', () => {
  killAllNow();
  process.exit(130);
});

interface Client {
  readonly ws: WebSocket;
  onFrame: (frame: any, at: number) => void;
}

/** Opens `count` sockets, `parallel` at a time; `hello` is sent first and `ready` tells its answer. */
async function open(url: string, count: number, hello: (i: number) => string | null, ready: (frame: any) => boolean, parallel = 200): Promise<Client[]> {
  const clients: Client[] = new Array(count);
  let next = 0;
  const one = async (i: number) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const client: Client = { ws, onFrame: () => {} };
    clients[i] = client;
    await new Promise<void>((resolve, reject) => {
      ws.once('error', reject);
      ws.on('message', (data) => {
        const at = clock();
        const frame = JSON.parse(data.toString());
        if (ready(frame)) resolve();
        client.onFrame(frame, at);
      });
      ws.once('open', () => {
        const first = hello(i);
        if (first === null) resolve();
        else ws.send(first);
      });
    });
  };
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) await one(next++);
    }),
  );
  return clients;
}

/** Waits until no socket has received anything for `quietMs` (presence notices of colleagues coming online). */
async function settle(clients: readonly Client[], quietMs = 1_500, limitMs = 120_000): Promise<number> {
  const started = Date.now();
  let last = Date.now();
  for (const c of clients) {
    const previous = c.onFrame;
    c.onFrame = (frame, at) => {
      last = Date.now();
      previous(frame, at);
    };
  }
  while (Date.now() - last < quietMs && Date.now() - started < limitMs) await sleep(100);
  return Date.now() - started;
}

const closeAll = async (clients: readonly Client[]) => {
  for (const c of clients) c.ws.terminate();
  await sleep(500);
};

async function startFrontdesk(): Promise<{ port: number; child: Child; shops: Awaited<ReturnType<typeof seed>> }> {
  const port = await freePort();
  const dataDir = path.join(dir, 'data');
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    SEED_DEMO: 'false',
    ...LIMITS_OUT_OF_THE_WAY,
    WS_MAX_CONNECTIONS_PER_USER: String(Math.max(DEVICES, 10)),
    DATABASE_URL: '',
    REDIS_URL: '',
  };
  const shops = await seed(loadConfig(env), [{ staff: Math.max(GROUP, 100), groupSize: GROUP }, { staff: 100 }, { staff: BIG_SHOP }]);
  const logFile = path.join(dir, 'frontdesk.log');
  const child = spawnNode('frontdesk', ['packages/server/src/cli/main.ts', 'start'], { env, logFile });
  await waitFor('frontdesk', async () => {
    if (child.process.exitCode !== null) throw new Error(`frontdesk exited:\n${tail(logFile)}`);
    return (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null))?.ok === true;
  }, 60_000);
  return { port, child, shops };
}

async function startRelay(): Promise<{ port: number; child: Child }> {
  const child = spawnNode('relay', ['bench/staff-chat/room-relay.ts'], { logFile: path.join(dir, 'relay.log'), lines: true });
  const port = await new Promise<number>((resolve) => child.onLine((line) => line.startsWith('listening ') && resolve(Number(line.slice(10)))));
  return { port, child };
}

/** Phase 1: one sender at `RATE` msg/s into a room of GROUP; latency at every other member. */
async function groupFanout(clients: Client[], send: (i: number, stamp: number) => void, isMine: (frame: any) => number | null) {
  const latencies: number[] = [];
  for (const c of clients.slice(1)) {
    c.onFrame = (frame, at) => {
      const stamp = isMine(frame);
      if (stamp !== null) latencies.push(at - stamp);
    };
  }
  const total = RATE * SECONDS;
  const started = clock();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / RATE;
    const wait = due - clock();
    if (wait > 0) await sleep(wait);
    send(i, clock());
  }
  await sleep(2_000);
  latencies.sort((a, b) => a - b);
  return { latencies, expected: total * (clients.length - 1) };
}

function report(label: string, r: { latencies: number[]; expected: number }) {
  const { latencies: l, expected } = r;
  console.log(`  ${label.padEnd(10)} delivered ${l.length}/${expected}  p50 ${ms(pct(l, 50))} ms  p99 ${ms(pct(l, 99))} ms  max ${ms(l.at(-1) ?? NaN)} ms`);
}

async function main() {
  console.log(`staff-chat bench: ${os.cpus().length} cores; group ${GROUP} at ${RATE} msg/s for ${SECONDS} s; broadcast to ${CONNECTIONS} connections (${DEVICES} per staff member)\n`);
  const fd = await startFrontdesk();
  const [groupShop, smallShop, bigShop] = fd.shops;
  const url = `ws://127.0.0.1:${fd.port}/ws`;
  const api = async (token: string, method: string, route: string, body?: unknown) => {
    const response = await fetch(`http://127.0.0.1:${fd.port}/api/v1${route}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${await response.text()}`);
    return response.json() as Promise<any>;
  };

  // 1. Group fan-out.
  console.log(`1. a group of ${GROUP}, all online, ${RATE} messages/s`);
  const auth = (tokens: readonly string[]) => (i: number) => JSON.stringify({ type: 'auth', token: tokens[i] });
  const members = await open(url, GROUP, auth(groupShop!.tokens), (f) => f.type === 'auth.ok');
  const settledIn = await settle(members);
  console.log(`   ${GROUP} members signed in; their presence notices settled after ${(settledIn / 1000).toFixed(1)} s`);
  const groupId = groupShop!.groupId!;
  const frontdesk = await groupFanout(
    members,
    (i, stamp) => members[0]!.ws.send(JSON.stringify({ type: 'send', id: i, conversationId: groupId, clientMsgId: `g${i}`, text: `t:${stamp}` })),
    (f) => (f.type === 'message' && f.message.conversationId === groupId && f.message.text?.startsWith('t:') ? Number(f.message.text.slice(2)) : null),
  );
  await closeAll(members);
  const relay = await startRelay();
  const roomUrl = `ws://127.0.0.1:${relay.port}`;
  const room = await open(roomUrl, GROUP, () => null, () => false);
  const baseline = await groupFanout(room, (_i, stamp) => room[0]!.ws.send(JSON.stringify({ type: 'message', text: `t:${stamp}` })), (f) => (typeof f.text === 'string' ? Number(f.text.slice(2)) : null));
  await closeAll(room);
  report('frontdesk', frontdesk);
  report('ws relay', baseline);
  console.log(`   p99 ratio frontdesk / relay: ${(pct(frontdesk.latencies, 99) / pct(baseline.latencies, 99)).toFixed(2)}×\n`);

  // 2. Broadcast write time, 100 vs 10,000 recipients.
  console.log(`2. broadcast write time (POST /broadcasts to all), ${WRITES} each, interleaved`);
  const writes: Record<'small' | 'big', number[]> = { small: [], big: [] };
  for (let i = 0; i < WRITES; i++) {
    for (const [key, shop] of [['small', smallShop!], ['big', bigShop!]] as const) {
      const started = clock();
      await api(shop.tokens[0]!, 'POST', '/broadcasts', { title: `Notice ${i}`, text: 'The bench says hello.', to: 'all' });
      writes[key].push(clock() - started);
    }
  }
  for (const list of Object.values(writes)) list.sort((a, b) => a - b);
  console.log(`   100 staff:    p50 ${ms(pct(writes.small, 50))} ms  p90 ${ms(pct(writes.small, 90))} ms`);
  console.log(`   10,000 staff: p50 ${ms(pct(writes.big, 50))} ms  p90 ${ms(pct(writes.big, 90))} ms`);
  console.log(`   ratio 10,000 / 100 (p50): ${(pct(writes.big, 50) / pct(writes.small, 50)).toFixed(2)}×\n`);

  // 3. A broadcast reaching CONNECTIONS connections.
  const staffOnline = Math.ceil(CONNECTIONS / DEVICES);
  console.log(`3. a broadcast to ${CONNECTIONS} connections (${staffOnline} staff × ${DEVICES})`);
  const tokens = Array.from({ length: CONNECTIONS }, (_, i) => bigShop!.tokens[1 + (i % staffOnline)]!);
  const connected = clock();
  const online = await open(url, CONNECTIONS, auth(tokens), (f) => f.type === 'auth.ok');
  console.log(`   ${CONNECTIONS} connections signed in in ${((clock() - connected) / 1000).toFixed(1)} s; presence notices settled after ${((await settle(online)) / 1000).toFixed(1)} s`);
  const reach = async (clients: Client[], fire: () => Promise<void>, isIt: (frame: any) => boolean) => {
    const arrivals: number[] = [];
    let done: () => void = () => {};
    const all = new Promise<void>((resolve) => (done = resolve));
    for (const c of clients) {
      c.onFrame = (frame, at) => {
        if (isIt(frame) && arrivals.push(at) === clients.length) done();
      };
    }
    const started = clock();
    await fire();
    await Promise.race([all, sleep(30_000)]);
    arrivals.sort((a, b) => a - b);
    return { half: pct(arrivals, 50) - started, last: (arrivals.at(-1) ?? NaN) - started, count: arrivals.length };
  };
  const fdRuns = [];
  for (let i = 0; i < 3; i++) {
    fdRuns.push(await reach(online, async () => void (await api(bigShop!.tokens[0]!, 'POST', '/broadcasts', { title: `Live ${i}`, text: 'Everyone, now.', to: 'all' })), (f) => f.type === 'broadcast' && f.broadcast.title === `Live ${i}`));
    await sleep(500);
  }
  await closeAll(online);
  const roomAll = await open(roomUrl, CONNECTIONS + 1, () => null, () => false);
  const relayRuns = [];
  for (let i = 0; i < 3; i++) {
    relayRuns.push(await reach(roomAll.slice(1), async () => roomAll[0]!.ws.send(JSON.stringify({ type: 'broadcast', title: `Live ${i}` })), (f) => f.title === `Live ${i}`));
    await sleep(500);
  }
  await closeAll(roomAll);
  const median = (runs: { half: number; last: number; count: number }[]) => [...runs].sort((a, b) => a.last - b.last)[1]!;
  const f = median(fdRuns);
  const r = median(relayRuns);
  console.log(`   frontdesk: ${f.count}/${CONNECTIONS} reached; half in ${ms(f.half)} ms, the last in ${ms(f.last)} ms (median of 3, from the POST)`);
  console.log(`   ws relay:  ${r.count}/${CONNECTIONS} reached; half in ${ms(r.half)} ms, the last in ${ms(r.last)} ms`);
  console.log(`   ratio (last): ${(f.last / r.last).toFixed(2)}×`);

  await stopAll();
  if (!args.keep) fs.rmSync(dir, { recursive: true, force: true });
}

main().catch(async (error: unknown) => {
  console.error(error);
  await stopAll();
  process.exit(1);
});
