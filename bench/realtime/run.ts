/**
 * Realtime benchmark (docs/benchmarks.md, "Realtime").
 *
 *   npm run bench:realtime [-- --pairs 200 --seconds 10 --connections 15000 --skip-rss --postgres URL]
 *
 * N customer–agent pairs over real sockets against Frontdesk (`frontdesk start`, SQLite), with the
 * load generator in a process of its own. In the same run the same workload goes through two bare
 * relays that store nothing — a `ws` relay and a Socket.IO room relay — and every figure is printed
 * next to theirs with the ratio:
 *
 * 1. closed loop: messages/s delivered to agents (each customer waits for its agent to have the
 *    previous message before sending the next), and latency send → agent;
 * 2. open loop at half of Frontdesk's closed-loop maximum (the best of all pairs and of a short
 *    sweep with fewer pairs active): latency p50/p99 at a fixed rate, for all three at that same
 *    rate, and for each relay at half of its own maximum too;
 * 3. RSS per idle authenticated connection: a fresh server, RSS with none, then with 15,000
 *    connections opened from a separate process over several 127.0.0.x source addresses and held
 *    idle for 70 s (past the gateway's first once-a-minute re-check of every session).
 *
 * Frontdesk gets one shop per pair: it sends a service conversation's messages to every staff
 * member of the shop, so pairs sharing a shop would see each other's traffic.
 *
 * Targets (issue "Performance: the persisted send path down to the storage floor"): server CPU per
 * delivered message ≤ 3× the ws relay's; persisted throughput ≥ 0.4× the ws relay and ≥ 0.55× the
 * Socket.IO relay; p99 ≤ 15 ms at half the maximum throughput; ≤ 10.7 KiB RSS per idle
 * authenticated connection at 15k. Exits with status 1 when a target fails.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { clockTicks, cpuTicks, hardFileLimit, killAllNow, repoRoot, rssKiB, sleep, softFileLimit, spawnNode, stopAll, tail, type Child } from './proc.ts';
import type { IdleCommand, IdleReply, LoadCommand, LoadReply, PhaseResult } from './protocol.ts';
import { frontdeskPairs, relayLabel, startFrontdesk, startRelay, widgetSessions, type FrontdeskServer, type Server, type StoredRelayKind } from './servers.ts';
import type { FrontdeskClientKind, PairCredentials } from './transports.ts';
import { storageFloor } from './floor.ts';

// Issue "Performance: the persisted send path down to the storage floor", "Done when".
const TARGET_WS_RATIO = 0.4;
const TARGET_SOCKETIO_RATIO = 0.55;
const TARGET_P99_MS = 15;
const TARGET_RSS_KIB = 10.7;
/** Server CPU per delivered message, Frontdesk ÷ the ws relay (issue "Performance…": ≤ 3×, goal 2×). */
const TARGET_CPU_RATIO = 3;

const { values: args } = parseArgs({
  options: {
    pairs: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '15000' },
    sessions: { type: 'string', default: '1500' },
    'rss-hold': { type: 'string', default: '70' },
    sweep: { type: 'string', default: '25,50,100' },
    addresses: { type: 'string', default: '8' },
    'text-chars': { type: 'string', default: '100' },
    'frontdesk-client': { type: 'string', default: 'sdk' },
    'skip-rss': { type: 'boolean', default: false },
    'skip-throughput': { type: 'boolean', default: false },
    'skip-floor': { type: 'boolean', default: false },
    'stored-relays': { type: 'string', default: 'frontdesk-thread,minimal-main,minimal-thread' },
    postgres: { type: 'string' },
    keep: { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    'open-rate': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (args.help) {
  console.log(`npm run bench:realtime -- [options]
  --pairs N              customer–agent pairs (default 200); Frontdesk gets one shop per pair
  --seconds S            measuring window of every phase (default 10), after --warmup S (default 2)
  --sweep K,K,…          Frontdesk's closed loop again with only K pairs active (default 25,50,100;
                         5 s each); the best of these and of all pairs is its maximum, whose half
                         the open loop offers. '' skips the sweep
  --connections N        idle authenticated connections for the RSS figure (default 15000)
  --sessions N           Frontdesk widget sessions they share (default 1500, so 10 connections each)
  --rss-hold S           seconds the connections stay idle before RSS is sampled (default 70:
                         past the first re-check of every session and two heartbeats)
  --addresses N          127.0.0.x source addresses to spread client sockets over (default 8)
  --text-chars N         message length (default 100)
  --frontdesk-client sdk|raw
                         the Frontdesk load path: @frontdesk/sdk (default) or the raw JSON protocol
  --skip-rss             skip the RSS measurement; --skip-throughput skips the message phases;
                         --skip-floor skips the storage floor (bench/realtime/floor.ts)
  --stored-relays LIST   the floor of the whole path: ws relays that store each message before
                         the ack (stored-relay.ts), SCHEMA-WRITER with SCHEMA frontdesk|minimal and
                         WRITER main|thread (default frontdesk-thread,minimal-main,minimal-thread;
                         '' for none)
  --postgres URL         also run Frontdesk on PostgreSQL (a database of its own, dropped afterwards)
  --keep                 keep .bench/realtime-*/ (server logs, SQLite files)
  --open-rate N          only Frontdesk's open loop at N msg/s (no relays, no other phase, no
                         summary): a quick loop for latency-tail experiments, ~1.5 min
  --cpu-prof             write a V8 CPU profile of the Frontdesk server of the message phases
                         to .bench/realtime-profiles/ (open it in Chrome DevTools)`);
  process.exit(0);
}

const int = (name: 'pairs' | 'seconds' | 'warmup' | 'connections' | 'sessions' | 'addresses' | 'text-chars' | 'rss-hold', min = 1) => {
  const value = Number(args[name]);
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be a whole number ≥ ${min}`);
  return value;
};
const pairs = int('pairs');
const measureMs = int('seconds') * 1000;
const warmupMs = int('warmup', 0) * 1000;
const connections = int('connections');
const sessions = Math.min(int('sessions'), connections);
const addressCount = Math.min(int('addresses'), 250);
const textChars = int('text-chars');
const rssHoldMs = int('rss-hold', 0) * 1000;
const sweepLevels = (args.sweep ?? '')
  .split(',')
  .filter((k) => k.trim() !== '')
  .map((k) => {
    const n = Number(k);
    if (!Number.isInteger(n) || n < 1) throw new Error('--sweep is a comma-separated list of pair counts');
    return n;
  })
  .filter((n) => n < pairs);
const storedRelayKinds = (args['stored-relays'] ?? '')
  .split(',')
  .filter((k) => k.trim() !== '')
  .map((k): StoredRelayKind => {
    if (!/^(frontdesk|minimal)-(main|thread)$/.test(k.trim())) throw new Error('--stored-relays is a comma-separated list of SCHEMA-WRITER (frontdesk|minimal, main|thread)');
    return `stored-${k.trim()}` as StoredRelayKind;
  });
const SWEEP_WARMUP_MS = 1_000;
const SWEEP_MEASURE_MS = 5_000;
const clientKind = args['frontdesk-client'] as FrontdeskClientKind;
if (clientKind !== 'sdk' && clientKind !== 'raw') throw new Error('--frontdesk-client is sdk or raw');
if (textChars > 8000) throw new Error('--text-chars is at most 8000 (the protocol limit)');
const perUser = Math.max(10, Math.ceil(connections / sessions));
const localAddresses = Array.from({ length: addressCount }, (_, i) => `127.0.0.${i + 2}`);

const dir = path.join(repoRoot, '.bench', `realtime-${Date.now()}-${process.pid}`);
fs.mkdirSync(dir, { recursive: true });

// ---------------------------------------------------------------------------------------------
// Client processes

/** One request at a time over a child's IPC channel. */
function ipc<C, R extends { type: string }>(child: Child) {
  let waiting: { resolve(reply: R): void; reject(error: Error): void } | null = null;
  child.process.on('message', (message: R) => {
    const w = waiting;
    waiting = null;
    if (w === null) return;
    if (message.type === 'error') w.reject(new Error(`${child.name}: ${(message as unknown as { message: string }).message}`));
    else w.resolve(message);
  });
  void child.exited.then((code) => waiting?.reject(new Error(`${child.name} exited (${code}):\n${tail(child.logFile)}`)));
  return {
    tell(command: C): void {
      child.process.send(command as object);
    },
    ask(command: C, timeoutMs: number): Promise<R> {
      if (waiting !== null) throw new Error('one request at a time');
      return new Promise<R>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting = null;
          reject(new Error(`${child.name}: no reply to ${JSON.stringify(command).slice(0, 80)} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting = {
          resolve: (reply) => (clearTimeout(timer), resolve(reply)),
          reject: (error) => (clearTimeout(timer), reject(error)),
        };
        child.process.send(command as object);
      });
    },
  };
}

interface Load {
  readonly server: Server;
  readonly child: Child;
  /** All pairs, or only the first `active` for `windowMs` (a step of the sweep). */
  closed(active?: number, windowMs?: number): Promise<PhaseResult>;
  open(rate: number): Promise<PhaseResult>;
  stop(): Promise<void>;
}

let loadCount = 0;

async function startLoad(server: Server, credentials: readonly PairCredentials[] | null): Promise<Load> {
  const child = spawnNode(`load (${server.label})`, ['bench/realtime/load.ts'], { ipc: true, logFile: path.join(dir, `load-${server.system}-${loadCount++}.log`) });
  const channel = ipc<LoadCommand, LoadReply>(child);
  const phaseTimeout = warmupMs + measureMs + 60_000;
  const ready = await channel.ask({ cmd: 'init', endpoint: server.endpoint, pairs, credentials, textChars, serverPid: server.child.pid }, 120_000);
  if (ready.type !== 'ready') throw new Error(`unexpected ${ready.type}`);
  const result = (reply: LoadReply) => {
    if (reply.type !== 'result') throw new Error(`unexpected ${reply.type}`);
    return reply.result;
  };
  let seed = 1;
  return {
    server,
    child,
    closed: async (active, windowMs) =>
      result(
        await channel.ask(
          active === undefined ? { cmd: 'closed', warmupMs, measureMs } : { cmd: 'closed', warmupMs: SWEEP_WARMUP_MS, measureMs: windowMs ?? measureMs, active },
          phaseTimeout,
        ),
      ),
    open: async (rate) => result(await channel.ask({ cmd: 'open', rate, warmupMs, measureMs, seed: seed++ }, phaseTimeout)),
    stop: async () => {
      await channel.ask({ cmd: 'stop' }, 10_000).catch(() => {});
      await child.stop();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Formatting

const f0 = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en') : '–');
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '–');
const ms = (n: number) => (!Number.isFinite(n) ? '–' : n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : '–');
const pct = (n: number) => (Number.isFinite(n) ? `${Math.round(n * 100)} %` : '–');

function table(header: readonly string[], rows: readonly (readonly string[])[], align: readonly ('l' | 'r')[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => (align[i] === 'l' ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (align[i] === 'l' ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

function phaseRow(label: string, phase: string, r: PhaseResult): string[] {
  return [
    label,
    phase,
    r.offeredRate === null ? `closed, ${r.pairs} in flight` : f0(r.offeredRate),
    f0(r.delivered),
    f0(r.rate),
    ms(r.latency.p50),
    ms(r.latency.p90),
    ms(r.latency.p99),
    ms(r.latency.p999),
    ms(r.latency.max),
    `${ms(r.ackLatency.p50)} / ${ms(r.ackLatency.p99)}`,
    pct(r.serverCpu),
    pct(r.loadCpu),
    r.scheduleLagP99 === null ? '—' : ms(r.scheduleLagP99),
    `${r.failed}/${r.lost}/${r.undelivered}`,
  ];
}

const phaseHeader = [
  'server', 'phase', 'offered msg/s', 'delivered', 'msg/s', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'max ms',
  'ack p50/p99 ms', 'server CPU', 'load CPU', 'send lag p99 ms', 'failed/lost/undelivered',
];
const phaseAlign = ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'] as const;

// ---------------------------------------------------------------------------------------------
// Throughput and latency

interface ThroughputResults {
  readonly closed: Map<string, PhaseResult>;
  /** Frontdesk (SQLite) with fewer pairs active. */
  readonly sweep: PhaseResult[];
  /** Frontdesk (SQLite)'s best closed-loop rate, of all pairs and of the sweep. */
  readonly maxRate: number;
  readonly openAtOurs: Map<string, PhaseResult>;
  readonly openAtOwn: Map<string, PhaseResult>;
  readonly halfRate: number;
  readonly persisted: { label: string; stored: number; delivered: number; acked: number }[];
}

/** `--open-rate`: Frontdesk's open loop alone, one phase, its row of the phase table and the persisted check. */
async function openAlone(rate: number): Promise<void> {
  const profileDir = path.join(repoRoot, '.bench', 'realtime-profiles');
  const nodeFlags = args['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const label = 'Frontdesk (SQLite)';
  const frontdesk = await startFrontdesk({ dir, maxConnectionsPerUser: perUser, client: clientKind, label, postgresUrl: null, nodeFlags }, pairs, 1);
  let load: Load | null = null;
  try {
    load = await startLoad(frontdesk, await frontdeskPairs(frontdesk));
    const r = await load.open(rate);
    console.log(`\n${table(phaseHeader, [phaseRow(label, 'open loop', r)], phaseAlign)}`);
    const stored = await frontdesk.countStored!();
    console.log(`\npersisted: ${f0(stored)} stored, ${f0(r.totals.delivered)} delivered, ${f0(r.totals.acked)} acknowledged (warm-up included)`);
    if (stored < r.totals.delivered) process.exitCode = 1;
  } finally {
    await load?.stop();
    await frontdesk.stop();
  }
}

async function throughput(): Promise<ThroughputResults> {
  const servers: Server[] = [];
  const loads: Load[] = [];
  try {
    const fdOptions = { dir, maxConnectionsPerUser: perUser, client: clientKind };
    const step = (text: string) => process.stderr.write(`${text}\n`);
    step(`starting Frontdesk (SQLite) with ${pairs} shops, one agent each…`);
    const started = Date.now();
    const profileDir = path.join(repoRoot, '.bench', 'realtime-profiles');
    const nodeFlags = args['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
    const frontdesk = await startFrontdesk({ ...fdOptions, label: 'Frontdesk (SQLite)', postgresUrl: null, nodeFlags }, pairs, 1);
    servers.push(frontdesk);
    const startedAt = Date.now();
    const fdCredentials = await frontdeskPairs(frontdesk);
    step(`  shops and agents created and server started in ${((startedAt - started) / 1000).toFixed(1)} s; ` +
      `${pairs} logins and ${pairs} widget sessions in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
    let frontdeskPg: FrontdeskServer | null = null;
    let pgCredentials: Awaited<ReturnType<typeof frontdeskPairs>> | null = null;
    if (args.postgres !== undefined) {
      step('starting Frontdesk (PostgreSQL)…');
      frontdeskPg = await startFrontdesk({ ...fdOptions, label: 'Frontdesk (PostgreSQL)', postgresUrl: args.postgres }, pairs, 1);
      servers.push(frontdeskPg);
      pgCredentials = await frontdeskPairs(frontdeskPg);
    }
    const ws = await startRelay('ws', dir);
    servers.push(ws);
    const socketio = await startRelay('socketio', dir);
    servers.push(socketio);
    const storedRelays: Server[] = [];
    for (const kind of storedRelayKinds) {
      const relay = await startRelay(kind, dir);
      servers.push(relay);
      storedRelays.push(relay);
    }

    step(`connecting ${pairs} pairs to each server (a load process per server)…`);
    loads.push(await startLoad(frontdesk, fdCredentials));
    if (frontdeskPg !== null) loads.push(await startLoad(frontdeskPg, pgCredentials));
    loads.push(await startLoad(ws, null));
    loads.push(await startLoad(socketio, null));
    for (const relay of storedRelays) loads.push(await startLoad(relay, null));
    const [fdLoad] = loads as [Load];

    const closed = new Map<string, PhaseResult>();
    for (const load of loads) {
      step(`closed loop: ${load.server.label}…`);
      const r = await load.closed();
      closed.set(load.server.label, r);
      step(`  ${f0(r.rate)} msg/s, p50 ${ms(r.latency.p50)} ms, p99 ${ms(r.latency.p99)} ms, server CPU ${pct(r.serverCpu)}`);
    }
    const sweep: PhaseResult[] = [];
    for (const k of sweepLevels) {
      step(`closed loop, ${k} pairs active: ${fdLoad.server.label}…`);
      const r = await fdLoad.closed(k, SWEEP_MEASURE_MS);
      sweep.push(r);
      step(`  ${f0(r.rate)} msg/s, p50 ${ms(r.latency.p50)} ms, p99 ${ms(r.latency.p99)} ms, server CPU ${pct(r.serverCpu)}`);
    }
    const maxRate = Math.max(closed.get(fdLoad.server.label)!.rate, ...sweep.map((r) => r.rate));
    const halfRate = Math.max(1, Math.round(maxRate / 2));
    const openAtOurs = new Map<string, PhaseResult>();
    for (const load of loads) {
      step(`open loop at ${f0(halfRate)} msg/s (half of Frontdesk's maximum): ${load.server.label}…`);
      const r = await load.open(halfRate);
      openAtOurs.set(load.server.label, r);
      step(`  ${f0(r.rate)} msg/s, p50 ${ms(r.latency.p50)} ms, p99 ${ms(r.latency.p99)} ms`);
    }
    const openAtOwn = new Map<string, PhaseResult>();
    for (const load of loads.slice(1)) {
      const own = Math.max(1, Math.round(closed.get(load.server.label)!.rate / 2));
      step(`open loop at ${f0(own)} msg/s (half of its own maximum): ${load.server.label}…`);
      const r = await load.open(own);
      openAtOwn.set(load.server.label, r);
      step(`  ${f0(r.rate)} msg/s, p50 ${ms(r.latency.p50)} ms, p99 ${ms(r.latency.p99)} ms`);
    }

    const persisted: ThroughputResults['persisted'] = [];
    for (const load of loads) {
      const server = load.server;
      if (server.countStored === undefined) continue;
      const last = [closed, openAtOurs, openAtOwn].map((m) => m.get(server.label)).filter((r) => r !== undefined).at(-1)!;
      persisted.push({ label: server.label, stored: await server.countStored(), delivered: last.totals.delivered, acked: last.totals.acked });
    }
    return { closed, sweep, maxRate, openAtOurs, openAtOwn, halfRate, persisted };
  } finally {
    for (const load of loads) await load.stop();
    for (const server of servers) await server.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// RSS per idle authenticated connection

interface RssResult {
  readonly label: string;
  readonly idleKiB: number;
  readonly loadedKiB: number;
  readonly perConnectionKiB: number;
  readonly opened: number;
  readonly failed: number;
  readonly openAtEnd: number;
  readonly connectSeconds: number;
  /** Share of one core the server used while the connections sat idle (heartbeats, sweeps). */
  readonly idleCpu: number;
  /** RSS every 10 s of the hold, KiB. */
  readonly trajectory: readonly number[];
  readonly firstError: string | null;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function sampleRss(pid: number, count: number, everyMs: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    if (i > 0) await sleep(everyMs);
    const rss = rssKiB(pid);
    if (rss === null) throw new Error(`process ${pid} is gone`);
    samples.push(rss);
  }
  return median(samples);
}

/** Runs `task` after every task handed in before it has finished: one connect storm at a time. */
let turn: Promise<unknown> = Promise.resolve();
function exclusive<T>(task: () => Promise<T>): Promise<T> {
  const run = turn.then(task);
  turn = run.catch(() => {});
  return run;
}

/**
 * One server's RSS figure. Start, warm-up, the baseline and the connect run one server at a time
 * (`exclusive`); the idle holds overlap, since each server's RSS and CPU are its own.
 */
async function rssOf(label: string, start: () => Promise<{ server: Server; tokens: string[] | null }>): Promise<RssResult> {
  let server: Server | null = null;
  let child: Child | null = null;
  try {
    const ready = await exclusive(async () => {
      process.stderr.write(`RSS: starting a fresh ${label}…\n`);
      const started = await start();
      server = started.server;
      const pid = server.child.pid;
      child = spawnNode(`idle clients (${label})`, ['bench/realtime/idle.ts'], { ipc: true, logFile: path.join(dir, `idle-${server.system}.log`) });
      const channel = ipc<IdleCommand, IdleReply>(child);
      channel.tell({ cmd: 'init', endpoint: server.endpoint, tokens: started.tokens, localAddresses });
      // Warm-up: the connect, auth and close paths run before the baseline is taken.
      const warm = await channel.ask({ cmd: 'open', count: 500, concurrency: 50 }, 120_000);
      if (warm.type !== 'opened' || warm.opened === 0) throw new Error(`${label}: warm-up connections failed: ${JSON.stringify(warm)}`);
      await channel.ask({ cmd: 'close-all' }, 30_000);
      await sleep(3_000);
      const idleKiB = await sampleRss(pid, 5, 500);
      process.stderr.write(`  ${label}: RSS ${f1(idleKiB / 1024)} MiB with no connections; opening ${f0(connections)}…\n`);
      const opened = await channel.ask({ cmd: 'open', count: connections, concurrency: 100 }, 600_000);
      if (opened.type !== 'opened') throw new Error(`unexpected ${opened.type}`);
      process.stderr.write(`  ${label}: ${f0(opened.opened)} opened in ${(opened.ms / 1000).toFixed(1)} s, ${opened.failed} failed; holding them idle ${rssHoldMs / 1000} s\n`);
      return { pid, channel, idleKiB, opened };
    });
    const { pid, channel, idleKiB, opened } = ready;
    const cpu0 = cpuTicks(pid) ?? NaN;
    const t0 = Date.now();
    const trajectory: number[] = [];
    for (let at = 10_000; at <= rssHoldMs; at += 10_000) {
      await sleep(t0 + at - Date.now());
      trajectory.push(rssKiB(pid) ?? NaN);
    }
    await sleep(t0 + rssHoldMs - Date.now());
    const loadedKiB = await sampleRss(pid, 5, 1_000);
    const idleCpu = ((cpuTicks(pid) ?? NaN) - cpu0) / clockTicks / ((Date.now() - t0) / 1000);
    const status = await channel.ask({ cmd: 'status' }, 60_000);
    const openAtEnd = status.type === 'status' ? status.open : NaN;
    process.stderr.write(`  ${label}: RSS ${f1(loadedKiB / 1024)} MiB with ${f0(openAtEnd)} open\n`);
    return {
      label,
      idleKiB,
      loadedKiB,
      perConnectionKiB: (loadedKiB - idleKiB) / opened.opened,
      opened: opened.opened,
      failed: opened.failed,
      openAtEnd,
      connectSeconds: opened.ms / 1000,
      idleCpu,
      trajectory,
      firstError: opened.firstError,
    };
  } finally {
    const c = child as Child | null;
    const s = server as Server | null;
    if (c !== null) await c.stop();
    if (s !== null) await s.stop();
  }
}

async function rss(): Promise<RssResult[]> {
  const jobs = [
    rssOf('Frontdesk (SQLite)', async () => {
      const server = await startFrontdesk({ label: 'Frontdesk (SQLite)', dir, postgresUrl: null, maxConnectionsPerUser: perUser, client: clientKind }, 1, 0);
      const customers = await widgetSessions(server, () => server.shops[0]!.shopId, sessions);
      return { server, tokens: customers.map((c) => c.token) };
    }),
    rssOf('ws relay', async () => ({ server: await startRelay('ws', dir), tokens: null })),
    rssOf('Socket.IO relay', async () => ({ server: await startRelay('socketio', dir), tokens: null })),
  ];
  const settled = await Promise.allSettled(jobs);
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
  return settled.map((r) => (r as PromiseFulfilledResult<RssResult>).value);
}

// ---------------------------------------------------------------------------------------------

function gitState(): string {
  try {
    const head = execFileSync('git', ['log', '-1', '--format=%h %cs %s'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'packages'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    const files = dirty === '' ? 0 : dirty.split('\n').length;
    return `${head.slice(0, 100)}${files > 0 ? ` + ${files} uncommitted change(s) under packages/` : ''}`;
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const cpus = os.cpus();
  console.log(`Frontdesk realtime benchmark — ${new Date().toISOString()}`);
  console.log(`node ${process.version}, ${cpus.length} CPUs (${cpus[0]?.model ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.platform()} ${os.release()}, ` +
    `load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}, open files ${softFileLimit()} (hard ${hardFileLimit()})`);
  console.log(`code: ${gitState()}`);
  console.log(`workload: ${pairs} customer–agent pairs, ${textChars}-character messages, Frontdesk client: ${clientKind === 'sdk' ? '@frontdesk/sdk' : 'raw JSON protocol'}; ` +
    `each phase ${warmupMs / 1000} s warm-up + ${measureMs / 1000} s measured`);

  const failures: string[] = [];
  let tp: ThroughputResults | null = null;
  let rs: RssResult[] | null = null;
  if (args['open-rate'] !== undefined) {
    const rate = Number(args['open-rate']);
    if (!Number.isFinite(rate) || rate <= 0) throw new Error('--open-rate is messages a second, above 0');
    return openAlone(rate);
  }
  if (!args['skip-throughput']) tp = await throughput();
  if (!args['skip-rss']) rs = await rss();
  // The same durable rows written without a server: raw node:sqlite, and Frontdesk's appender alone.
  const floor = args['skip-floor'] ? null : await storageFloor(dir, { conversations: pairs, messages: 20_000, batches: [1, 20, 200] });

  const FD = 'Frontdesk (SQLite)';
  const WS = 'ws relay';
  const SIO = 'Socket.IO relay';
  const summary: string[][] = [];
  if (tp !== null) {
    const c = (label: string) => tp.closed.get(label)!;
    const fd = c(FD);
    const persistedOk = tp.persisted.every((p) => p.stored >= p.delivered);
    const wsOk = fd.rate >= TARGET_WS_RATIO * c(WS).rate;
    const sioOk = fd.rate >= TARGET_SOCKETIO_RATIO * c(SIO).rate;
    const tpOk = wsOk && sioOk && persistedOk;
    if (!tpOk) failures.push('throughput');
    summary.push([
      `closed loop, msg/s delivered to agents (${pairs} pairs)`,
      f0(fd.rate), f0(c(WS).rate), ratio(fd.rate, c(WS).rate), f0(c(SIO).rate), ratio(fd.rate, c(SIO).rate),
      `≥ ${TARGET_WS_RATIO}× ws, ≥ ${TARGET_SOCKETIO_RATIO}× Socket.IO`,
      tpOk ? 'PASS' : `FAIL${!persistedOk ? ' (not all persisted)' : ''}`,
    ]);
    if (tp.sweep.length > 0) {
      const best = [fd, ...tp.sweep].reduce((a, b) => (b.rate > a.rate ? b : a));
      summary.push([
        `closed loop, Frontdesk's best of ${[...tp.sweep.map((r) => r.pairs), pairs].join('/')} pairs (${best.pairs}), msg/s`,
        f0(best.rate), f0(c(WS).rate), ratio(best.rate, c(WS).rate), f0(c(SIO).rate), ratio(best.rate, c(SIO).rate), '', '(info)',
      ]);
    }
    // CPU share of one core ÷ messages a second = CPU seconds per message.
    const cpuUs = (r: PhaseResult) => (r.serverCpu * 1e6) / r.rate;
    const cpuOk = cpuUs(fd) <= TARGET_CPU_RATIO * cpuUs(c(WS));
    if (!cpuOk) failures.push('cpu');
    summary.push([
      'closed loop, server CPU µs per delivered message',
      f1(cpuUs(fd)), f1(cpuUs(c(WS))), ratio(cpuUs(fd), cpuUs(c(WS))), f1(cpuUs(c(SIO))), ratio(cpuUs(fd), cpuUs(c(SIO))),
      `≤ ${TARGET_CPU_RATIO}× ws`, cpuOk ? 'PASS' : 'FAIL',
    ]);
    summary.push(['closed loop, p50 latency ms', ms(fd.latency.p50), ms(c(WS).latency.p50), ratio(fd.latency.p50, c(WS).latency.p50), ms(c(SIO).latency.p50), ratio(fd.latency.p50, c(SIO).latency.p50), '', '(info)']);
    summary.push(['closed loop, p99 latency ms', ms(fd.latency.p99), ms(c(WS).latency.p99), ratio(fd.latency.p99, c(WS).latency.p99), ms(c(SIO).latency.p99), ratio(fd.latency.p99, c(SIO).latency.p99), '', '(info)']);
    const o = (label: string) => tp.openAtOurs.get(label)!;
    const latOk = o(FD).latency.p99 <= TARGET_P99_MS && o(FD).undelivered === 0;
    if (!latOk) failures.push('latency');
    summary.push([`open loop at ${f0(tp.halfRate)} msg/s (½ Frontdesk max), p50 ms`, ms(o(FD).latency.p50), ms(o(WS).latency.p50), ratio(o(FD).latency.p50, o(WS).latency.p50), ms(o(SIO).latency.p50), ratio(o(FD).latency.p50, o(SIO).latency.p50), '', '(info)']);
    summary.push([`open loop at ${f0(tp.halfRate)} msg/s (½ Frontdesk max), p99 ms`, ms(o(FD).latency.p99), ms(o(WS).latency.p99), ratio(o(FD).latency.p99, o(WS).latency.p99), ms(o(SIO).latency.p99), ratio(o(FD).latency.p99, o(SIO).latency.p99), `≤ ${TARGET_P99_MS} ms`, latOk ? 'PASS' : 'FAIL']);
    const own = (label: string) => tp.openAtOwn.get(label)!;
    summary.push([
      'open loop at ½ each one\'s own max: msg/s; p50 / p99 ms',
      `${f0(o(FD).offeredRate!)}; ${ms(o(FD).latency.p50)} / ${ms(o(FD).latency.p99)}`,
      `${f0(own(WS).offeredRate!)}; ${ms(own(WS).latency.p50)} / ${ms(own(WS).latency.p99)}`, '',
      `${f0(own(SIO).offeredRate!)}; ${ms(own(SIO).latency.p50)} / ${ms(own(SIO).latency.p99)}`, '', '', '(info)',
    ]);
  }
  if (rs !== null) {
    const r = (label: string) => rs.find((x) => x.label === label)!;
    const fd = r(FD);
    const complete = fd.opened === connections && fd.openAtEnd === connections;
    const rssOk = complete && fd.perConnectionKiB <= TARGET_RSS_KIB;
    if (!rssOk) failures.push('rss');
    summary.push([
      `RSS per idle authenticated connection at ${f0(connections)}, KiB`,
      f1(fd.perConnectionKiB), f1(r(WS).perConnectionKiB), ratio(fd.perConnectionKiB, r(WS).perConnectionKiB),
      f1(r(SIO).perConnectionKiB), ratio(fd.perConnectionKiB, r(SIO).perConnectionKiB),
      `≤ ${TARGET_RSS_KIB} KiB`, rssOk ? 'PASS' : `FAIL${complete ? '' : ' (not all connections open)'}`,
    ]);
  }

  console.log('\nSummary (ratio = Frontdesk ÷ baseline: above 1× is more throughput, or more latency / memory):\n');
  console.log(table(['scenario', 'Frontdesk', 'ws relay', 'ratio', 'Socket.IO relay', 'ratio', 'target', 'result'], summary, ['l', 'r', 'r', 'r', 'r', 'r', 'l', 'l']));

  if (tp !== null) {
    console.log('\nPhases (latency = customer send → agent has it; ack = send → customer has the ack; CPU = share of one core during the window; send lag = how late the load process sent on an open loop schedule):\n');
    const rows: string[][] = [];
    for (const [label, r] of tp.closed) rows.push(phaseRow(label, 'closed loop', r));
    for (const r of tp.sweep) rows.push(phaseRow(FD, `closed, ${r.pairs} pairs, ${SWEEP_MEASURE_MS / 1000} s`, r));
    for (const [label, r] of tp.openAtOurs) rows.push(phaseRow(label, 'open, ½ Frontdesk max', r));
    for (const [label, r] of tp.openAtOwn) rows.push(phaseRow(label, 'open, ½ own max', r));
    console.log(table(phaseHeader, rows, phaseAlign));
    if (args.postgres !== undefined) {
      const pgClosed = tp.closed.get('Frontdesk (PostgreSQL)');
      if (pgClosed) console.log(`\nFrontdesk (PostgreSQL): server CPU ${f1((pgClosed.serverCpu * 1e6) / pgClosed.rate)} µs per delivered message`);
      const pgRate = tp.closed.get('Frontdesk (PostgreSQL)')?.rate ?? NaN;
      console.log(`\nFrontdesk (PostgreSQL), not a target: closed loop ${f0(pgRate)} msg/s = ${ratio(pgRate, tp.closed.get(WS)!.rate)} ws relay, ${ratio(pgRate, tp.closed.get(SIO)!.rate)} Socket.IO relay`);
    }
    const stored = storedRelayKinds.map(relayLabel);
    if (stored.length > 0) {
      // The least a server that stores before it acks spends per message: the ws relay plus floor.ts's raw rows.
      const cpuUs = (r: PhaseResult) => (r.serverCpu * 1e6) / r.rate;
      const fd = tp.closed.get(FD)!;
      const ws = tp.closed.get(WS)!;
      console.log('\nThe floor of the whole path (bench/realtime/stored-relay.ts; same run): the ws relay storing every message with raw node:sqlite ' +
        'statements by group commit before it acks and forwards, and nothing else; closed loop, and open loop at ½ Frontdesk max:\n');
      console.log(table(
        ['server', 'msg/s', 'server CPU µs/msg', '÷ ws relay', 'Frontdesk ÷ it (CPU)', 'Frontdesk ÷ it (msg/s)', 'open loop p99 ms'],
        [WS, ...stored, FD].map((label) => {
          const r = tp.closed.get(label)!;
          return [label, f0(r.rate), f1(cpuUs(r)), ratio(cpuUs(r), cpuUs(ws)), ratio(cpuUs(fd), cpuUs(r)), ratio(fd.rate, r.rate), ms(tp.openAtOurs.get(label)!.latency.p99)];
        }),
        ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
      ));
    }
    console.log('');
    for (const p of tp.persisted) {
      console.log(`persisted, ${p.label}: ${f0(p.stored)} customer messages stored; ${f0(p.delivered)} delivered to agents in all phases ` +
        `(warm-ups included), ${f0(p.acked)} acknowledged; stored ≥ delivered: ${p.stored >= p.delivered ? 'yes' : 'NO'}`);
    }
  }
  if (floor !== null) {
    console.log('\nStorage floor (bench/realtime/floor.ts; same run): the durable rows of one chat message in a database made by the migrations, ' +
      'CPU µs per message by transaction size — raw prepared node:sqlite statements (and the same on the issue\'s minimal schema, floor.ts), and Frontdesk\'s SQLite appender alone:\n');
    const fdCpu = tp === null ? null : (tp.closed.get(FD)!.serverCpu * 1e6) / tp.closed.get(FD)!.rate;
    console.log(table(
      ['messages per transaction', 'raw node:sqlite µs', 'raw, minimal schema µs', 'Frontdesk appender µs', 'appender ÷ raw', ...(fdCpu === null ? [] : ['whole server ÷ raw'])],
      floor.map((f) => [String(f.batch), f1(f.rawUs), f1(f.minimalUs), f1(f.appenderUs), ratio(f.appenderUs, f.rawUs), ...(fdCpu === null ? [] : [ratio(fdCpu, f.rawUs)])]),
      ['r', 'r', 'r', 'r', 'r', 'r'],
    ));
  }
  if (rs !== null) {
    console.log(`\nRSS (VmRSS of the server process; medians of 5 samples taken after ${rssHoldMs / 1000} s idle + the CPU it used meanwhile; ${f0(connections)} connections from ${localAddresses.length} source addresses ` +
      `${localAddresses[0]}–${localAddresses.at(-1)}; Frontdesk: ${f0(sessions)} widget sessions × ${perUser} connections, each \`auth\` + the SDK's first \`sync\`):\n`);
    console.log(table(
      ['server', 'RSS, no connections', `RSS, ${f0(connections)} open`, 'per connection', 'opened', 'failed', 'open at the end', 'connect time', 'server CPU, idle'],
      rs.map((x) => [
        x.label, `${f1(x.idleKiB / 1024)} MiB`, `${f1(x.loadedKiB / 1024)} MiB`, `${f1(x.perConnectionKiB)} KiB`,
        f0(x.opened), f0(x.failed), f0(x.openAtEnd), `${x.connectSeconds.toFixed(1)} s`, pct(x.idleCpu),
      ]),
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ));
    console.log(`\nRSS every 10 s of the idle hold, MiB:`);
    for (const x of rs) console.log(`  ${x.label.padEnd(20)} ${x.trajectory.map((k) => f1(k / 1024)).join('  ')}`);
    for (const x of rs) if (x.firstError !== null) console.log(`  ${x.label}: first connection error: ${x.firstError}`);
  }
  if (args['cpu-prof']) console.log(`\nCPU profile of the Frontdesk server (message phases; profiling slows it down): .bench/realtime-profiles/`);
  console.log(`\nload average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(failures.length === 0 ? 'all targets: PASS' : `targets not met: ${failures.join(', ')}`);
  process.exitCode = failures.length === 0 ? 0 : 1;
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`\n${signal}: stopping the child processes…\n`);
    void stopAll().finally(() => process.exit(130));
  });
}
process.on('exit', killAllNow);

try {
  await main();
} catch (error) {
  console.error(error);
  process.exitCode = 2;
} finally {
  await stopAll();
  if (args.keep) console.log(`kept ${path.relative(repoRoot, dir)}`);
  else fs.rmSync(dir, { recursive: true, force: true });
}
