/**
 * Cluster benchmark (docs/benchmarks.md, "Cluster").
 *
 *   npm run bench:cluster [-- --pairs 30 --seconds 10]
 *
 * Frontdesk on PostgreSQL and Redis with 1, then 2, then 3 node processes (`frontdesk start`), in
 * one run. N customer–agent pairs (one shop each, so pairs do not see each other's traffic) run a
 * closed loop over raw WebSockets: a customer sends its next message when its agent has the previous
 * one. With several nodes a pair's customer and agent sit on different nodes, so every message
 * crosses Redis. Prints messages/s delivered for each node count and the ratio to one node, the
 * baseline of the same run. The machine's cores bound it: the nodes, PostgreSQL, Redis and this load
 * generator share them.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type WebSocket from 'ws';
import { cli, freePort, ServerProcess } from '../../packages/sdk/test/support/chaos.ts';
import { LIMITS_OUT_OF_THE_WAY } from '../realtime/servers.ts';
import { post, socket } from '../support/node-client.ts';

const { values: args } = parseArgs({
  options: {
    pairs: { type: 'string', default: '30' },
    seconds: { type: 'string', default: '10' },
    postgres: { type: 'string', default: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
    redis: { type: 'string', default: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379' },
  },
});
const PAIRS = Number(args.pairs);
const SECONDS = Number(args.seconds);
const PASSWORD = 'bench-password-0123456789';
const schema = `bench_cluster_${randomBytes(4).toString('hex')}`;

const env = (port: number): Record<string, string> => ({
  PORT: String(port),
  DATABASE_URL: args.postgres!,
  DATABASE_SCHEMA: schema,
  REDIS_URL: args.redis!,
  LOG_LEVEL: 'error',
  SEED_DEMO: 'false',
  ...LIMITS_OUT_OF_THE_WAY,
});

interface Pair {
  readonly shopId: string;
  readonly agentEmail: string;
}

/** Closed loop for SECONDS (after 2 s of warm-up) with pairs spread over `ports`: messages/s delivered to agents. */
async function measure(ports: readonly number[], pairs: readonly Pair[]): Promise<number> {
  let delivered = 0;
  let running = true;
  const sockets: WebSocket[] = [];
  const starters = await Promise.all(
    pairs.map(async (pair, i) => {
      const customerPort = ports[i % ports.length]!;
      const agentPort = ports[(i + 1) % ports.length]!; // another node whenever there are several
      const login = await post(agentPort, '/auth/login', { email: pair.agentEmail, password: PASSWORD });
      const session = await post(customerPort, '/widget/sessions', { shopId: pair.shopId });
      const conversationId = session.conversation.id as string;
      const customer = await socket(customerPort, session.token, () => {});
      const sendNext = () => {
        if (running) customer.send(JSON.stringify({ type: 'send', conversationId, clientMsgId: randomUUID(), text: 'x'.repeat(100) }));
      };
      const agent = await socket(agentPort, login.token, (frame) => {
        if (frame.type !== 'message' || frame.message.senderKind !== 'customer') return;
        delivered += 1;
        sendNext();
      });
      sockets.push(agent, customer);
      return sendNext;
    }),
  );
  starters.forEach((start) => start());
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const before = delivered;
  const t0 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  const rate = ((delivered - before) * 1000) / (performance.now() - t0);
  running = false;
  sockets.forEach((ws) => ws.close());
  return rate;
}

const admin = new pg.Client({ connectionString: args.postgres });
await admin.connect();
await admin.query(`create schema ${schema}`);
const ports = [await freePort(), await freePort(), await freePort()];
const servers: ServerProcess[] = [];
try {
  // Shops and agents once, through the CLI of the first node's configuration.
  const pairs: Pair[] = [];
  for (let i = 0; i < PAIRS; i++) {
    const shopId = /id:\s+(\S+)/.exec(cli(['shop', 'create', '--name', `Bench ${i}`], env(ports[0]!)))![1]!;
    const agentEmail = `agent-${i}-${schema}@bench.test`;
    cli(['staff', 'create', '--shop', shopId, '--email', agentEmail, '--name', `Agent ${i}`, '--role', 'agent', '--password', PASSWORD], env(ports[0]!));
    pairs.push({ shopId, agentEmail });
  }
  console.log(`cluster bench: ${PAIRS} pairs, closed loop, ${SECONDS} s per run, PostgreSQL + Redis, ${os.cpus().length} cores shared by nodes, databases and this load generator`);
  const rates: number[] = [];
  for (let nodes = 1; nodes <= 3; nodes++) {
    const server = new ServerProcess(env(ports[nodes - 1]!));
    servers.push(server);
    await server.start();
    const rate = await measure(ports.slice(0, nodes), pairs);
    rates.push(rate);
    const ratio = rate / rates[0]!;
    console.log(`${nodes} node${nodes > 1 ? 's' : ' '}  ${rate.toFixed(0).padStart(6)} msg/s delivered  ${ratio.toFixed(2)}× one node${nodes > 1 ? '  (every message crosses nodes through Redis)' : ''}`);
  }
} finally {
  await Promise.all(servers.map((s) => s.stop()));
  await admin.query(`drop schema ${schema} cascade`);
  await admin.end();
}
