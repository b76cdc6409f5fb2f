/**
 * Bus benchmark (docs/benchmarks.md, "Bus: one channel or a channel per node").
 *
 *   npm run bench:bus [-- --events 100000 --nodes 3,6]
 *
 * Measures what fanning events out over Redis costs, in CPU time per event, for the two designs
 * the cluster could use, in one run on a Redis of its own:
 *
 * - **one channel** (what Frontdesk does, bus/redis-bus.ts): every node hears every event and
 *   matches its audience against its own sockets (realtime/hub.ts). The publisher is the real
 *   `redisBus`; each subscriber node is the real `redisBus` feeding a real `Hub`.
 * - **a channel per node with a user → node table in Redis** (seeds 003 and 004): the publisher
 *   looks up which nodes hold the event's users and the shop's staff, and publishes to those nodes'
 *   channels only; each node hears only events for its own sockets. A prototype here, not product code.
 *
 * Each event is a message event as the send path publishes it (a 100-character text, the customer
 * and the agent as audience, the shop's staff). Each pair's users sit on one node, so per-node
 * channels deliver each event to one node. CPU time is read from each process (`process.cpuUsage`)
 * and from Redis (`INFO cpu`), so the figures do not depend on how the two cores were shared.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import type { BusEvent } from '../../packages/server/src/fanout/bus.ts';
import { redisBus } from '../../packages/server/src/fanout/redis-bus.ts';
import type { Connection } from '../../packages/server/src/channels/sockets/connection.ts';
import { Hub } from '../../packages/server/src/channels/sockets/hub.ts';
import { freePort } from '../../packages/sdk/test/support/chaos.ts';

const self = new URL(import.meta.url).pathname;
const quiet = { warn: () => {} };
const PAIRS = 5_000;
const LOCAL_CONNECTIONS = 2_000;
const WINDOW = 256;

type Mode = 'channel' | 'per-node';
const nodeName = (i: number) => `node-${i}`;
const shopOf = (pair: number) => `shop-${pair}`;
const customerOf = (pair: number) => `customer-${pair}`;
const agentOf = (pair: number) => `agent-${pair}`;
const nodeOfPair = (pair: number, nodes: number) => pair % nodes;

function event(pair: number, n: number): BusEvent {
  const now = Date.now();
  return {
    type: 'message',
    audience: { userIds: [customerOf(pair), agentOf(pair)], shopStaff: shopOf(pair), exceptUserIds: [] },
    originConnectionId: randomUUID(),
    message: {
      id: randomUUID(),
      conversationId: `conversation-${pair}`,
      seq: n,
      sender: { kind: 'customer', id: customerOf(pair), name: null },
      contentType: 'text',
      text: 'x'.repeat(100),
      attachment: null,
      visibility: 'public',
      clientMsgId: randomUUID(),
      createdAt: new Date(now).toISOString(),
    },
  } as unknown as BusEvent;
}

/** A node's hub holding the sockets of its pairs (users that events of other nodes never name). */
function hubFor(node: number, nodes: number): { hub: Hub; delivered: () => number } {
  const hub = new Hub();
  let delivered = 0;
  for (let pair = 0, added = 0; added < LOCAL_CONNECTIONS && pair < PAIRS * 10; pair++) {
    if (nodeOfPair(pair, nodes) !== node) continue;
    const customer = {
      id: randomUUID(),
      userId: customerOf(pair),
      principal: { kind: 'customer', customer: { id: customerOf(pair) }, shopId: shopOf(pair) },
      sendText: () => void delivered++,
      send: () => void delivered++,
    };
    hub.add(customer as unknown as Connection);
    added++;
  }
  return { hub, delivered: () => delivered };
}

const cpuMicros = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return used.user + used.system;
};

async function subscriber(port: number, node: number, nodes: number, mode: Mode): Promise<void> {
  const { hub } = hubFor(node, nodes);
  let received = 0;
  const onEvent = (e: BusEvent) => {
    received++;
    hub.deliver(e);
  };
  if (mode === 'channel') {
    const bus = redisBus(new Redis(port, { enableOfflineQueue: false }), new Redis(port), nodeName(node), quiet);
    bus.subscribe(onEvent);
    await bus.ready;
  } else {
    const sub = new Redis(port);
    await sub.subscribe(`frontdesk:node:${nodeName(node)}`);
    sub.on('message', (_channel: string, text: string) => onEvent((JSON.parse(text) as { event: BusEvent }).event));
  }
  let since = process.cpuUsage();
  process.on('message', (m: { do: string }) => {
    if (m.do === 'start') {
      received = 0;
      since = process.cpuUsage();
    } else if (m.do === 'report') process.send!({ received, cpuUs: cpuMicros(since) });
    else if (m.do === 'exit') process.exit(0);
  });
  process.send!({ ready: true });
}

async function publisher(port: number, nodes: number, mode: Mode, events: number): Promise<void> {
  const local = hubFor(0, nodes).hub;
  const bus = redisBus(new Redis(port, { enableOfflineQueue: false }), new Redis(port), 'publisher', quiet);
  bus.subscribe((e) => local.deliver(e));
  await bus.ready;
  const redis = new Redis(port);
  if (mode === 'per-node') {
    // The routing table: user → node, and shop → the nodes holding its staff.
    const pipeline = redis.pipeline();
    for (let pair = 0; pair < PAIRS; pair++) {
      const node = nodeName(nodeOfPair(pair, nodes));
      pipeline.set(`frontdesk:route:${customerOf(pair)}`, node).set(`frontdesk:route:${agentOf(pair)}`, node).sadd(`frontdesk:shopnodes:${shopOf(pair)}`, node);
    }
    await pipeline.exec();
  }
  const perNode = async (e: BusEvent) => {
    local.deliver(e);
    const [[, users], [, staffNodes]] = (await redis
      .pipeline()
      .mget(...e.audience.userIds.map((u) => `frontdesk:route:${u}`))
      .smembers(`frontdesk:shopnodes:${e.audience.shopStaff}`)
      .exec()) as [[null, Array<string | null>], [null, string[]]];
    const targets = new Set<string>([...users.filter((u): u is string => u !== null), ...staffNodes]);
    const text = JSON.stringify({ node: 'publisher', event: e });
    await Promise.all([...targets].map((node) => redis.publish(`frontdesk:node:${node}`, text)));
  };
  process.send!({ ready: true });
  await new Promise<void>((resolve) => process.once('message', () => resolve()));
  const since = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < events) {
      const n = next++;
      const e = event(n % PAIRS, n);
      await (mode === 'channel' ? bus.publish(e) : perNode(e));
    }
  };
  await Promise.all(Array.from({ length: WINDOW }, worker));
  process.send!({ done: true, cpuUs: cpuMicros(since), ms: performance.now() - started });
  await new Promise<void>((resolve) => process.once('message', () => resolve()));
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------

const role = process.argv[2];
if (role === 'subscriber') await subscriber(Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5]), process.argv[6] as Mode);
else if (role === 'publisher') await publisher(Number(process.argv[3]), Number(process.argv[4]), process.argv[5] as Mode, Number(process.argv[6]));
else await orchestrate();

function child(args: string[]): { process: ChildProcess; next: (key: string) => Promise<any> } {
  const proc = fork(self, args, { execArgv: ['--disable-warning=ExperimentalWarning'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const queue: any[] = [];
  const waiters: Array<(m: any) => void> = [];
  proc.on('message', (m) => (waiters.length > 0 ? waiters.shift()!(m) : queue.push(m)));
  return {
    process: proc,
    next: (key) =>
      new Promise((resolve) => {
        const take = (m: any) => (key in m ? resolve(m) : waiters.unshift(take));
        if (queue.length > 0) take(queue.shift());
        else waiters.push(take);
      }),
  };
}

async function redisCpuUs(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)![1]);
  return (field('used_cpu_user') + field('used_cpu_sys')) * 1e6;
}

async function orchestrate(): Promise<void> {
  const { values } = parseArgs({ options: { events: { type: 'string', default: '100000' }, nodes: { type: 'string', default: '3,6' } } });
  const events = Number(values.events);
  const nodeCounts = values.nodes!.split(',').map(Number);
  const port = await freePort();
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const redis = new Redis(port, { maxRetriesPerRequest: 50 });
  await new Promise<void>((resolve) => redis.once('ready', () => resolve()));
  console.log(`bus bench: ${events.toLocaleString('en')} message events, ${PAIRS.toLocaleString('en')} pairs, ${LOCAL_CONNECTIONS.toLocaleString('en')} sockets per node hub; own redis-server on port ${port}`);
  console.log('CPU time per event in µs (user + system), summed over processes; events/s is wall-clock on this 2-core machine\n');
  const rows: string[] = [];
  try {
    for (const nodes of nodeCounts) {
      const results: Record<Mode, { pub: number; subs: number; subMax: number; redis: number; rate: number }> = {} as never;
      for (const mode of ['channel', 'per-node'] as const) {
        await redis.flushall();
        const subs = Array.from({ length: nodes }, (_, i) => child(['subscriber', String(port), String(i), String(nodes), mode]));
        await Promise.all(subs.map((s) => s.next('ready')));
        const pub = child(['publisher', String(port), String(nodes), mode, String(events)]);
        await pub.next('ready');
        subs.forEach((s) => s.process.send({ do: 'start' }));
        const redisBefore = await redisCpuUs(redis);
        pub.process.send({ go: true });
        const done = await pub.next('done');
        // Let the subscribers drain what is still in flight before asking.
        const expected = mode === 'channel' ? events * nodes : events;
        let reports: Array<{ received: number; cpuUs: number }> = [];
        for (let i = 0; i < 600; i++) {
          subs.forEach((s) => s.process.send({ do: 'report' }));
          reports = await Promise.all(subs.map((s) => s.next('received')));
          if (reports.reduce((sum, r) => sum + r.received, 0) >= expected) break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        const redisUs = (await redisCpuUs(redis)) - redisBefore;
        const received = reports.reduce((sum, r) => sum + r.received, 0);
        if (received < expected) throw new Error(`${mode}: ${received} of ${expected} deliveries arrived`);
        results[mode] = {
          pub: done.cpuUs / events,
          subs: reports.reduce((sum, r) => sum + r.cpuUs, 0) / events,
          subMax: Math.max(...reports.map((r) => r.cpuUs)) / events,
          redis: redisUs / events,
          rate: events / (done.ms / 1000),
        };
        pub.process.send({ exit: true });
        subs.forEach((s) => s.process.send({ do: 'exit' }));
        await Promise.all([pub, ...subs].map((c) => new Promise((resolve) => (c.process.exitCode !== null ? resolve(null) : c.process.once('exit', resolve)))));
      }
      for (const mode of ['channel', 'per-node'] as const) {
        const r = results[mode];
        const total = r.pub + r.subs + r.redis;
        rows.push(
          `| ${nodes} | ${mode === 'channel' ? 'one channel (Frontdesk)' : 'channel per node + user→node table'} | ${r.pub.toFixed(1)} | ${r.subs.toFixed(1)} | ${r.subMax.toFixed(1)} | ${r.redis.toFixed(1)} | ${total.toFixed(1)} | ${Math.round(r.rate).toLocaleString('en')} |`,
        );
      }
      const c = results.channel;
      const p = results['per-node'];
      rows.push(
        `| ${nodes} | ratio one channel / per node | ${(c.pub / p.pub).toFixed(2)}× | ${(c.subs / p.subs).toFixed(2)}× | ${(c.subMax / p.subMax).toFixed(2)}× | ${(c.redis / p.redis).toFixed(2)}× | ${((c.pub + c.subs + c.redis) / (p.pub + p.subs + p.redis)).toFixed(2)}× | ${(c.rate / p.rate).toFixed(2)}× |`,
      );
    }
  } finally {
    redis.disconnect();
    server.kill('SIGKILL');
  }
  console.log('| nodes | design | publisher µs/event | all subscribers µs/event | busiest subscriber µs/event | Redis µs/event | total µs/event | events/s published |');
  console.log('|--:|:--|--:|--:|--:|--:|--:|--:|');
  rows.forEach((row) => console.log(row));
}
