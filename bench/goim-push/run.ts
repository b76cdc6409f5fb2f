/**
 * goim push bench (docs/benchmarks.md, "goim push API").
 *
 *   node bench/goim-push/run.ts [--connections 10000 --runs 3]
 *
 * Frontdesk (`frontdesk start`, SQLite) in a process of its own; every client socket in this one.
 * `--connections` customers, seeded with sessions (seed.ts), in one run:
 * 1. as goim clients on WebSocket /sub (goim's auth body, `room_id` live://bench, accepts 1000):
 *    POST /goim/push/room?operation=1000&type=live&room=bench, the time from the POST until half
 *    and until the last of them has the op 1000 packet;
 * 2. the same customers as JSON clients on /ws: the same push (POST /goim/push/all, as /ws clients
 *    join no goim room), until they have the `push` frame.
 * Each figure is the median of `--runs`; the ratio is goim's over /ws's.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { goim } from '../../packages/protocol/src/index.ts';
import { loadConfig } from '../../packages/server/src/config/config.ts';
import { freePort, killAllNow, repoRoot, sleep, spawnNode, stopAll, tail, waitFor } from '../realtime/proc.ts';
import { LIMITS_OUT_OF_THE_WAY } from '../realtime/servers.ts';
import { seedCustomers } from './seed.ts';

const { values: args } = parseArgs({ options: { connections: { type: 'string', default: '10000' }, runs: { type: 'string', default: '3' } } });
const CONNECTIONS = Number(args.connections);
const RUNS = Number(args.runs);
fs.mkdirSync(path.join(repoRoot, '.bench'), { recursive: true });
const dir = fs.mkdtempSync(path.join(repoRoot, '.bench', 'goim-push-'));
const clock = () => performance.timeOrigin + performance.now();
const ms = (n: number) => (Number.isNaN(n) ? '—' : n.toFixed(1));
process.on('SIGINT', () => {
  killAllNow();
  process.exit(130);
});

interface Client {
  readonly ws: WebSocket;
  /** Called with each pushed body (goim: op 1000 packets; /ws: push frames) and when it came. */
  onPush: (body: string, at: number) => void;
}

/** Opens `count` sockets, `parallel` at a time, each authenticated before it counts as open. */
async function open(url: string, count: number, hello: (i: number) => Uint8Array | string, authed: (data: Buffer) => boolean, pushed: (data: Buffer) => string | null): Promise<Client[]> {
  const clients: Client[] = new Array(count);
  let next = 0;
  const one = async (i: number) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const client: Client = { ws, onPush: () => {} };
    clients[i] = client;
    await new Promise<void>((resolve, reject) => {
      ws.once('error', reject);
      ws.on('message', (data: Buffer) => {
        const at = clock();
        if (authed(data)) return resolve();
        const body = pushed(data);
        if (body !== null) client.onPush(body, at);
      });
      ws.once('open', () => ws.send(hello(i)));
    });
  };
  await Promise.all(Array.from({ length: 200 }, async () => { while (next < count) await one(next++); }));
  return clients;
}

/** From `fire` until half and until the last client has the body. */
async function reach(clients: readonly Client[], body: string, fire: () => Promise<void>) {
  const arrivals: number[] = [];
  let done: () => void = () => {};
  const all = new Promise<void>((resolve) => (done = resolve));
  for (const c of clients) c.onPush = (got, at) => void (got === body && arrivals.push(at) === clients.length && done());
  const started = clock();
  await fire();
  await Promise.race([all, sleep(30_000)]);
  arrivals.sort((a, b) => a - b);
  return { half: (arrivals[Math.floor(arrivals.length / 2)] ?? NaN) - started, last: (arrivals.at(-1) ?? NaN) - started, count: arrivals.length };
}

async function main() {
  console.log(`goim push bench: ${os.cpus().length} cores; a push to ${CONNECTIONS} connections, median of ${RUNS}\n`);
  const port = await freePort();
  const env: Record<string, string> = {
    DATA_DIR: path.join(dir, 'data'), PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', SEED_DEMO: 'false',
    ...LIMITS_OUT_OF_THE_WAY, DATABASE_URL: '', REDIS_URL: '',
  };
  const seeded = await seedCustomers(loadConfig(env), CONNECTIONS);
  const logFile = path.join(dir, 'frontdesk.log');
  const child = spawnNode('frontdesk', ['packages/server/src/cli/main.ts', 'start'], { env, logFile });
  const base = `http://127.0.0.1:${port}`;
  await waitFor('frontdesk', async () => {
    if (child.process.exitCode !== null) throw new Error(`frontdesk exited:\n${tail(logFile)}`);
    return (await fetch(`${base}/healthz`).catch(() => null))?.ok === true;
  }, 60_000);
  const created = await fetch(`${base}/api/v1/api-keys`, { method: 'POST', headers: { authorization: `Bearer ${seeded.ownerToken}`, 'content-type': 'application/json' }, body: '{"name":"bench"}' });
  const { key } = (await created.json()) as { key: string };
  const push = async (route: string, body: string) => {
    const response = await fetch(`${base}/goim/push/${route}`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body });
    const reply = (await response.json()) as { code: number };
    if (reply.code !== 0) throw new Error(`push ${route}: ${JSON.stringify(reply)}`);
  };
  const median = (runs: Array<{ half: number; last: number; count: number }>) => [...runs].sort((a, b) => a.last - b.last)[Math.floor(runs.length / 2)]!;

  // 1. goim clients in one room.
  let started = clock();
  const goimClients = await open(
    `ws://127.0.0.1:${port}/sub`,
    CONNECTIONS,
    (i) => goim.encodeJsonPacket(goim.ops.auth, 1, { mid: i + 1, room_id: 'live://bench', platform: 'web', accepts: [1000], key: seeded.tokens[i] }),
    (data) => data.readInt32BE(8) === goim.ops.authReply,
    (data) => (data.readInt32BE(8) === 1000 ? data.toString('utf8', 16, data.readInt32BE(0)) : null),
  );
  console.log(`1. ${CONNECTIONS} goim clients in room live://bench, signed in in ${((clock() - started) / 1000).toFixed(1)} s`);
  const goimRuns = [];
  for (let i = 0; i < RUNS; i++) {
    goimRuns.push(await reach(goimClients, `room ${i}`, () => push('room?operation=1000&type=live&room=bench', `room ${i}`)));
    await sleep(500);
  }
  goimClients.forEach((c) => c.ws.terminate());
  await sleep(1_000);

  // 2. The same customers on /ws.
  started = clock();
  const wsClients = await open(
    `ws://127.0.0.1:${port}/ws`,
    CONNECTIONS,
    (i) => JSON.stringify({ type: 'auth', token: seeded.tokens[i] }),
    (data) => data.includes('"auth.ok"'),
    (data) => {
      const frame = JSON.parse(data.toString()) as { type: string; body?: string };
      return frame.type === 'push' ? frame.body! : null;
    },
  );
  console.log(`2. ${CONNECTIONS} JSON clients on /ws, signed in in ${((clock() - started) / 1000).toFixed(1)} s`);
  const wsRuns = [];
  for (let i = 0; i < RUNS; i++) {
    wsRuns.push(await reach(wsClients, `all ${i}`, () => push('all?operation=1000', `all ${i}`)));
    await sleep(500);
  }
  wsClients.forEach((c) => c.ws.terminate());

  const g = median(goimRuns);
  const w = median(wsRuns);
  console.log(`\n   goim /goim/push/room: ${g.count}/${CONNECTIONS} reached; half in ${ms(g.half)} ms, the last in ${ms(g.last)} ms (from the POST)`);
  console.log(`   /ws  /goim/push/all:  ${w.count}/${CONNECTIONS} reached; half in ${ms(w.half)} ms, the last in ${ms(w.last)} ms`);
  console.log(`   ratio goim / ws (last): ${(g.last / w.last).toFixed(2)}×`);
  await stopAll();
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch(async (error: unknown) => {
  console.error(error);
  await stopAll();
  process.exit(1);
});
