/**
 * The load generator of the realtime bench, in a process of its own (spawned by run.ts, driven over
 * IPC; see protocol.ts). It holds N customer–agent pairs against one server and runs phases:
 *
 * - closed loop: every customer sends one message, waits until its agent has received it, then
 *   sends the next; N messages are in flight at any time;
 * - open loop: every pair sends on a fixed schedule (aggregate `rate` messages/s, the pairs evenly
 *   staggered, each interval jittered by ±10 %), whatever the server's answers.
 *
 * Latency is send → the agent has the message, on this process's monotonic clock
 * (performance.now()), so no clock sync is involved. Only deliveries inside the measuring window
 * (after the warm-up) count.
 */
import { performance } from 'node:perf_hooks';
import { cpuTicks, clockTicks, sleep } from './proc.ts';
import { percentiles, type LoadCommand, type LoadReply, type PhaseResult } from './protocol.ts';
import { openPair, type Endpoint, type PairLink } from './transports.ts';

if (process.send === undefined) {
  console.error('load.ts is started by run.ts (it needs an IPC channel)');
  process.exit(2);
}
const reply = (message: LoadReply) => process.send!(message);
process.on('disconnect', () => process.exit(0));

interface InFlight {
  readonly pair: number;
  readonly at: number;
  delivered: boolean;
  acked: boolean;
}

const DRAIN_MS = 15_000;
/** Open loop: stop adding sends when this many per pair are unanswered (the server has fallen over). */
const OPEN_LOOP_BACKLOG_PER_PAIR = 50;

let endpoint: Endpoint | null = null;
let serverPid = 0;
let textChars = 100;
let links: PairLink[] = [];
let seqs: number[] = [];
const inflight = new Map<string, InFlight>();

let mode: 'idle' | 'closed' | 'open' = 'idle';
let running = false;
let windowStart = Infinity;
let windowEnd = Infinity;
let phase = { sent: 0, delivered: 0, failed: 0, lost: 0, latencies: [] as number[], acks: [] as number[], lags: [] as number[] };
const totals = { sent: 0, delivered: 0, acked: 0, failed: 0 };
let unknownDeliveries = 0;

const inWindow = (t: number) => t >= windowStart && t < windowEnd;

function text(key: string): string {
  const base = `Hello, a question about my order ${key}: when will it ship? `;
  return base.length >= textChars ? base.slice(0, textChars) : base + '.'.repeat(textChars - base.length);
}

function sendNext(pair: number): void {
  const key = `p${pair}.${++seqs[pair]!}`;
  const at = performance.now();
  inflight.set(key, { pair, at, delivered: false, acked: false });
  totals.sent += 1;
  if (inWindow(at)) phase.sent += 1;
  links[pair]!.send(key, text(key));
}

const hooks = {
  delivered(key: string) {
    const now = performance.now();
    const entry = inflight.get(key);
    if (entry === undefined || entry.delivered) {
      unknownDeliveries += 1;
      return;
    }
    entry.delivered = true;
    if (entry.acked) inflight.delete(key);
    totals.delivered += 1;
    if (inWindow(now)) {
      phase.delivered += 1;
      phase.latencies.push(now - entry.at);
    }
    if (mode === 'closed' && running) sendNext(entry.pair);
  },
  acked(key: string) {
    const now = performance.now();
    const entry = inflight.get(key);
    if (entry === undefined || entry.acked) return;
    entry.acked = true;
    if (entry.delivered) inflight.delete(key);
    totals.acked += 1;
    if (inWindow(now)) phase.acks.push(now - entry.at);
  },
  failed(key: string, reason: string) {
    const entry = inflight.get(key);
    inflight.delete(key);
    totals.failed += 1;
    phase.failed += 1;
    if (totals.failed <= 5) console.error(`send ${key} refused: ${reason}`);
    // A refused message will never reach the agent: the pair goes on with the next one.
    if (entry !== undefined && mode === 'closed' && running) sendNext(entry.pair);
  },
  lost(who: string, reason: string) {
    phase.lost += 1;
    if (phase.lost <= 5) console.error(`${who} socket lost: ${reason}`);
  },
};

async function connect(command: Extract<LoadCommand, { cmd: 'init' }>): Promise<void> {
  endpoint = command.endpoint;
  serverPid = command.serverPid;
  textChars = command.textChars;
  const started = performance.now();
  links = new Array<PairLink>(command.pairs);
  seqs = new Array<number>(command.pairs).fill(0);
  let next = 0;
  const worker = async () => {
    while (next < command.pairs) {
      const i = next++;
      links[i] = await openPair(endpoint!, i, command.credentials?.[i] ?? null, hooks);
    }
  };
  await Promise.all(Array.from({ length: Math.min(20, command.pairs) }, worker));
  reply({ type: 'ready', connectMs: performance.now() - started });
}

function startPhase(next: 'closed' | 'open'): void {
  phase = { sent: 0, delivered: 0, failed: 0, lost: 0, latencies: [], acks: [], lags: [] };
  windowStart = Infinity;
  windowEnd = Infinity;
  mode = next;
  running = true;
}

/** Warm-up, then the measuring window; returns CPU use over the window. */
async function measure(warmupMs: number, measureMs: number) {
  await sleep(warmupMs);
  const server0 = cpuTicks(serverPid) ?? NaN;
  const self0 = process.cpuUsage();
  windowStart = performance.now();
  await sleep(measureMs);
  windowEnd = performance.now();
  const server1 = cpuTicks(serverPid) ?? NaN;
  const self = process.cpuUsage(self0);
  const seconds = (windowEnd - windowStart) / 1000;
  return { seconds, serverCpu: (server1 - server0) / clockTicks / seconds, loadCpu: (self.user + self.system) / 1e6 / seconds };
}

async function finish(offeredRate: number | null, window: Awaited<ReturnType<typeof measure>>): Promise<PhaseResult> {
  running = false;
  const deadline = performance.now() + DRAIN_MS;
  const undelivered = () => [...inflight.values()].filter((e) => !e.delivered).length;
  while (undelivered() > 0 && performance.now() < deadline) await sleep(50);
  const result: PhaseResult = {
    mode: mode === 'open' ? 'open' : 'closed',
    pairs: links.length,
    offeredRate,
    seconds: window.seconds,
    sent: phase.sent,
    delivered: phase.delivered,
    rate: phase.delivered / window.seconds,
    latency: percentiles(phase.latencies),
    ackLatency: percentiles(phase.acks),
    scheduleLagP99: offeredRate === null ? null : percentiles(phase.lags).p99,
    serverCpu: window.serverCpu,
    loadCpu: window.loadCpu,
    failed: phase.failed,
    lost: phase.lost,
    undelivered: undelivered(),
    totals: { ...totals },
  };
  mode = 'idle';
  if (unknownDeliveries > 0) console.error(`${unknownDeliveries} deliveries of unknown or repeated messages`);
  return result;
}

async function closedLoop(warmupMs: number, measureMs: number, active: number): Promise<PhaseResult> {
  startPhase('closed');
  for (let i = 0; i < active; i++) sendNext(i);
  return { ...(await finish(null, await measure(warmupMs, measureMs))), pairs: active };
}

/** mulberry32: a small seeded generator for the jitter. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function openLoop(rate: number, warmupMs: number, measureMs: number, seed: number): Promise<PhaseResult> {
  startPhase('open');
  const random = rng(seed);
  const pairs = links.length;
  const intervalMs = (pairs / rate) * 1000;
  const start = performance.now() + 20;
  const due = Array.from({ length: pairs }, (_, i) => start + (i / pairs) * intervalMs);
  const timers: NodeJS.Timeout[] = [];
  const fire = (i: number) => {
    if (!running) return;
    const now = performance.now();
    if (inWindow(now)) phase.lags.push(now - due[i]!);
    if (inflight.size < OPEN_LOOP_BACKLOG_PER_PAIR * pairs) sendNext(i);
    due[i]! += intervalMs * (0.9 + 0.2 * random());
    timers[i] = setTimeout(fire, Math.max(0, due[i]! - performance.now()), i);
  };
  for (let i = 0; i < pairs; i++) timers[i] = setTimeout(fire, Math.max(0, due[i]! - performance.now()), i);
  const window = await measure(warmupMs, measureMs);
  running = false;
  timers.forEach((t) => clearTimeout(t));
  return finish(rate, window);
}

process.on('message', (command: LoadCommand) => {
  const run = async () => {
    switch (command.cmd) {
      case 'init':
        return connect(command);
      case 'closed':
        return reply({
          type: 'result',
          result: await closedLoop(command.warmupMs, command.measureMs, Math.min(command.active ?? links.length, links.length)),
        });
      case 'open':
        return reply({ type: 'result', result: await openLoop(command.rate, command.warmupMs, command.measureMs, command.seed) });
      case 'stop':
        links.forEach((l) => l.close());
        await sleep(300);
        reply({ type: 'stopped' });
        process.disconnect();
        return;
    }
  };
  run().catch((error: unknown) => reply({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }));
});
