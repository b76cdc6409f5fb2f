/**
 * The send path with webhooks (docs/benchmarks.md, "Webhooks").
 *
 *   npm run bench:webhooks [-- --customers 50 --seconds 8 --rounds 2 --depth 2 --endpoints 0,1,5 --rate N]
 *
 * One node on SQLite (the default deployment). `customers` customers of one shop run a closed loop
 * of sends over raw WebSockets (`depth` unacknowledged at a time each), with 0, 1 and 5 webhook
 * endpoints subscribed to `message.created`, each answered 200 by a receiver in a process of its
 * own (receiver.ts). Each run has a node of its own on a fresh database; the runs alternate
 * (`rounds` times each) against drift. Printed per run: acknowledged sends per second, the
 * deliveries received per second meanwhile, the deliveries still owed when the sends stopped and
 * how long they took to arrive; then the ratio of the sends to the run without webhooks, measured
 * in the same run: the target is ≥ 0.9 with 1 and with 5 endpoints. With `--rate N`, an open loop
 * of N sends per second instead (below the node's capacity: do deliveries keep up?).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { cli, freePort, ServerProcess } from '../../packages/sdk/test/support/chaos.ts';
import { LIMITS_OUT_OF_THE_WAY } from '../realtime/servers.ts';
import { post, sendLoop } from '../support/node-client.ts';

const { values: args } = parseArgs({
  options: {
    customers: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '2' },
    depth: { type: 'string', default: '2' },
    endpoints: { type: 'string', default: '0,1,5' },
    rate: { type: 'string' },
  },
});
const CUSTOMERS = Number(args.customers);
const SECONDS = Number(args.seconds);
const ROUNDS = Number(args.rounds);
const DEPTH = Number(args.depth);
const RATE = args.rate === undefined ? undefined : Number(args.rate);
const PASSWORD = 'bench-password-0123456789';

const receiverProcess = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', new URL('./receiver.ts', import.meta.url).pathname], {
  stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
});
const receiverPort = await new Promise<number>((resolve) => receiverProcess.stdout!.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
const receiverUrl = `http://127.0.0.1:${receiverPort}/hook`;
/** Deliveries the receiver has answered so far. */
const delivered = async () => Number(await (await fetch(`http://127.0.0.1:${receiverPort}/count`)).text());
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until no delivery has arrived for a second; returns when the last one did (ms, performance.now()). */
async function drained(): Promise<number> {
  let count = await delivered();
  let lastChange = performance.now();
  while (performance.now() - lastChange < 1_000) {
    await sleep(100);
    const now = await delivered();
    if (now !== count) [count, lastChange] = [now, performance.now()];
  }
  return lastChange;
}

const baseEnv = {
  LOG_LEVEL: 'error',
  SEED_DEMO: 'false',
  WEBHOOK_ALLOW_HTTP: 'true',
  WEBHOOK_ALLOW_PRIVATE: 'true',
  ...LIMITS_OUT_OF_THE_WAY,
  ...(process.env.BENCH_NODE_OPTIONS && { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS }),
  ...(process.env.WEBHOOK_SENDER_NICE && { WEBHOOK_SENDER_NICE: process.env.WEBHOOK_SENDER_NICE }),
};

async function api(port: number, method: string, pathname: string, token: string, body?: unknown): Promise<any> {
  const response = await fetch(`http://127.0.0.1:${port}/api/v1${pathname}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${method} ${pathname}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? undefined : response.json();
}

/**
 * CPU seconds used so far, by group: the node's main thread, its webhook sender (the thread with a
 * nice value above 0), its other threads, the receiver and this load generator (Linux /proc; empty elsewhere).
 */
function cpuSeconds(nodePid: number | undefined): Record<string, number> {
  const groups: Record<string, number> = {};
  const add = (group: string, pid: number, tid: number) => {
    const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const nice = Number(fields[16]);
    const name = group === 'node' ? (tid === pid ? 'node main' : nice > 0 ? 'node sender' : 'node other') : group;
    groups[name] = (groups[name] ?? 0) + (Number(fields[11]) + Number(fields[12])) / 100;
    // Time spent ready to run but waiting for a core (nanoseconds), for the main thread: how much the others took from it.
    if (name === 'node main') {
      const waited = Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[1]) / 1e9;
      groups['node main waiting for a core'] = (groups['node main waiting for a core'] ?? 0) + waited;
    }
  };
  try {
    for (const [group, pid] of [['node', nodePid], ['receiver', receiverProcess.pid], ['load generator', process.pid]] as const) {
      if (pid === undefined) continue;
      for (const tid of fs.readdirSync(`/proc/${pid}/task`)) add(group, pid, Number(tid));
    }
  } catch {
    return {};
  }
  return groups;
}

interface Run {
  sends: number;
  delivered: number;
  /** Deliveries still to come when the sends stopped, and the seconds until the last one arrived. */
  owed: number;
  drainSeconds: number;
  /** Cores used while measured, by group (cpuSeconds). */
  cores: Record<string, number>;
}

interface BenchNode {
  readonly port: number;
  readonly shopId: string;
  readonly server: ServerProcess;
  stop(): Promise<void>;
}

/**
 * A node of its own for each run, on a fresh database (a database that earlier runs filled would
 * slow the later ones down): one shop, its owner, and `n` endpoints subscribed to message.created.
 */
async function freshNode(n: number): Promise<BenchNode> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'frontdesk-bench-webhooks-'));
  const port = await freePort();
  const env = { ...baseEnv, PORT: String(port), DATA_DIR: dataDir };
  const shopId = /id:\s+(\S+)/.exec(cli(['shop', 'create', '--name', 'Bench'], env))![1]!;
  const email = `owner-${randomUUID().slice(0, 8)}@bench.test`;
  cli(['staff', 'create', '--shop', shopId, '--email', email, '--name', 'Owner', '--role', 'owner', '--password', PASSWORD], env);
  const server = new ServerProcess(env);
  await server.start();
  const { token } = await post(port, '/auth/login', { email, password: PASSWORD });
  for (let i = 0; i < n; i++) await api(port, 'POST', '/webhooks', token, { url: receiverUrl, events: ['message.created'] });
  return {
    port,
    shopId,
    server,
    async stop() {
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The load for SECONDS (after 2 s of warm-up), then the deliveries left to drain. */
async function measure({ port, shopId, server }: BenchNode): Promise<Run> {
  await drained();
  const loop = await sendLoop([port], Array.from({ length: CUSTOMERS }, () => shopId), DEPTH, RATE);
  await sleep(2_000);
  const [sentBefore, deliveredBefore, cpuBefore] = [loop.acked(), await delivered(), cpuSeconds(server.pid)];
  const t0 = performance.now();
  await sleep(SECONDS * 1000);
  const [sentAfter, deliveredAfter, cpuAfter] = [loop.acked(), await delivered(), cpuSeconds(server.pid)];
  const t1 = performance.now();
  await loop.stop();
  const last = await drained();
  const seconds = (t1 - t0) / 1000;
  return {
    sends: (sentAfter - sentBefore) / seconds,
    delivered: (deliveredAfter - deliveredBefore) / seconds,
    owed: (await delivered()) - deliveredAfter,
    drainSeconds: Math.max(0, (last - t1) / 1000),
    cores: Object.fromEntries(Object.entries(cpuAfter).map(([group, used]) => [group, (used - (cpuBefore[group] ?? 0)) / seconds])),
  };
}

try {
  console.log(
    `webhooks bench: ${CUSTOMERS} customers of one shop, 1 node on SQLite, ${RATE === undefined ? `closed loop with ${DEPTH} in flight each` : `open loop of ${RATE} sends/s`}, ${SECONDS} s per run, ${ROUNDS} rounds; ${os.cpus().length} cores shared by the node, the receiver and this load generator`,
  );
  const counts = args.endpoints.split(',').map(Number);
  const results = new Map<number, Run[]>(counts.map((n) => [n, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const n of counts) {
      const node = await freshNode(n);
      const result = await measure(node).finally(() => node.stop());
      results.get(n)!.push(result);
      console.log(
        `round ${round + 1}, ${n} endpoint${n === 1 ? '' : 's'}: ${result.sends.toFixed(0)} sends/s, ${result.delivered.toFixed(0)} deliveries/s; ${result.owed} deliveries owed at the end, all in ${result.drainSeconds.toFixed(1)} s`,
      );
      console.log(`  cores used: ${Object.entries(result.cores).map(([group, cores]) => `${group} ${cores.toFixed(2)}`).join(', ')}`);
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const baseline = results.has(0) ? mean(results.get(0)!.map((r) => r.sends)) : NaN;
  for (const n of counts) {
    const sends = mean(results.get(n)!.map((r) => r.sends));
    const delivered = mean(results.get(n)!.map((r) => r.delivered));
    console.log(
      `${n} endpoint${n === 1 ? ' ' : 's'}  ${sends.toFixed(0).padStart(6)} acknowledged sends/s  ${delivered.toFixed(0).padStart(6)} deliveries/s  ${n === 0 ? '(baseline)' : `${(sends / baseline).toFixed(2)}× the baseline`}`,
    );
  }
} finally {
  receiverProcess.kill();
}
