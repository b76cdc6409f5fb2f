/**
 * One busy shop against many quiet ones (docs/benchmarks.md, "One shop, two nodes").
 *
 *   npm run bench:shop-stream [-- --conversations 50 --seconds 8 --rounds 2 --depth 2]
 *
 * Two node processes on one PostgreSQL schema. 50 customers, half on each node, each in a
 * conversation of its own, run a closed loop of sends (`depth` unacknowledged at a time): first all
 * in one shop, then each in a shop of its own. Sends to different conversations should never wait
 * for each other whatever shop they belong to, so the first should keep up with the second, the
 * baseline measured in the same run (the runs alternate, `rounds` times each, against drift).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { freePort, ServerProcess } from '../../packages/sdk/test/support/chaos.ts';
import { LIMITS_OUT_OF_THE_WAY } from '../realtime/servers.ts';
import { sendLoop } from '../support/node-client.ts';

const { values: args } = parseArgs({
  options: {
    conversations: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '2' },
    depth: { type: 'string', default: '2' },
    postgres: { type: 'string', default: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const CONVERSATIONS = Number(args.conversations);
const SECONDS = Number(args.seconds);
const ROUNDS = Number(args.rounds);
const DEPTH = Number(args.depth);
const schema = `bench_shop_${randomBytes(4).toString('hex')}`;

const env = (port: number): Record<string, string> => ({
  PORT: String(port),
  DATABASE_URL: args.postgres!,
  DATABASE_SCHEMA: schema,
  LOG_LEVEL: 'error',
  SEED_DEMO: 'false',
  ...LIMITS_OUT_OF_THE_WAY,
});

/** Closed loop over one conversation per shop id given (ids may repeat): acknowledged sends per second. */
async function measure(ports: readonly number[], shopIds: readonly string[]): Promise<number> {
  const loop = await sendLoop(ports, shopIds, DEPTH);
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const before = loop.acked();
  const t0 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  const rate = ((loop.acked() - before) * 1000) / (performance.now() - t0);
  await loop.stop();
  return rate;
}

const admin = new pg.Client({ connectionString: args.postgres });
await admin.connect();
await admin.query(`create schema ${schema}`);
const ports = [await freePort(), await freePort()];
const servers = ports.map((port) => new ServerProcess(env(port)));
try {
  await servers[0]!.start();
  await servers[1]!.start();
  const shopIds: string[] = [];
  // Shops straight into the table: the bench is about sends, and the CLI starts a process per shop.
  for (let i = 0; i < CONVERSATIONS; i++) {
    const id = randomUUID();
    const now = Date.now();
    await admin.query(
      `insert into ${schema}.shops (id, name, identity_secret, settings, created_at, updated_at) values ($1, $2, $3, $4, $5, $5)`,
      [id, `Bench ${i}`, randomBytes(32).toString('base64url'), JSON.stringify({ routingStrategy: 'manual' }), now],
    );
    shopIds.push(id);
  }
  console.log(
    `shop-stream bench: ${CONVERSATIONS} conversations, 2 nodes on PostgreSQL, closed loop with ${DEPTH} in flight each, ${SECONDS} s per run, ${ROUNDS} rounds; ${os.cpus().length} cores shared by nodes, PostgreSQL and this load generator`,
  );
  const one: number[] = [];
  const many: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    one.push(await measure(ports, shopIds.map(() => shopIds[0]!)));
    many.push(await measure(ports, shopIds));
    console.log(`round ${round + 1}: one shop ${one.at(-1)!.toFixed(0)} msg/s, ${CONVERSATIONS} shops ${many.at(-1)!.toFixed(0)} msg/s`);
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(`one shop      ${mean(one).toFixed(0).padStart(6)} acknowledged sends/s  ${(mean(one) / mean(many)).toFixed(2)}× the baseline`);
  console.log(`${String(CONVERSATIONS).padEnd(3)} shops     ${mean(many).toFixed(0).padStart(6)} acknowledged sends/s  (baseline)`);
} finally {
  await Promise.all(servers.map((s) => s.stop()));
  await admin.query(`drop schema ${schema} cascade`);
  await admin.end();
}
