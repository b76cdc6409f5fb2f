/**
 * The send path with webhooks (docs/benchmarks.md, "Webhooks").
 *
 *   npm run bench:webhooks [-- --customers 50 --seconds 8 --rounds 2 --depth 2]
 *
 * One node on SQLite (the default deployment). `customers` customers of one shop run a closed loop
 * of sends over raw WebSockets (`depth` unacknowledged at a time each), with 0, 1 and 5 webhook
 * endpoints subscribed to `message.created`, each answered 200 by a receiver in this process. The
 * runs alternate (`rounds` times each) against drift. Printed: acknowledged sends per second, the
 * webhook deliveries received per second, and the ratio to the run without webhooks, measured in
 * the same run: the target is ≥ 0.9 with 1 and with 5 endpoints.
 */
import fs from 'node:fs';
import http from 'node:http';
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
  },
});
const CUSTOMERS = Number(args.customers);
const SECONDS = Number(args.seconds);
const ROUNDS = Number(args.rounds);
const DEPTH = Number(args.depth);
const PASSWORD = 'bench-password-0123456789';

let deliveries = 0;
const receiver = http.createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    deliveries += 1;
    response.writeHead(200).end();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'frontdesk-bench-webhooks-'));
const port = await freePort();
const env = {
  PORT: String(port),
  DATA_DIR: dataDir,
  LOG_LEVEL: 'error',
  SEED_DEMO: 'false',
  WEBHOOK_ALLOW_HTTP: 'true',
  WEBHOOK_ALLOW_PRIVATE: 'true',
  ...LIMITS_OUT_OF_THE_WAY,
};

async function api(method: string, pathname: string, token: string, body?: unknown): Promise<any> {
  const response = await fetch(`http://127.0.0.1:${port}/api/v1${pathname}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${method} ${pathname}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? undefined : response.json();
}

/** Closed loop for SECONDS (after 1.5 s of warm-up): acknowledged sends per second, and deliveries per second. */
async function measure(shopId: string): Promise<{ sends: number; delivered: number }> {
  const loop = await sendLoop([port], Array.from({ length: CUSTOMERS }, () => shopId), DEPTH);
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const [sentBefore, deliveredBefore] = [loop.acked(), deliveries];
  const t0 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  const ms = performance.now() - t0;
  const result = { sends: ((loop.acked() - sentBefore) * 1000) / ms, delivered: ((deliveries - deliveredBefore) * 1000) / ms };
  await loop.stop();
  return result;
}

const server = new ServerProcess(env);
try {
  const created = cli(['shop', 'create', '--name', 'Bench'], env);
  const shopId = /id:\s+(\S+)/.exec(created)![1]!;
  const email = `owner-${randomUUID().slice(0, 8)}@bench.test`;
  cli(['staff', 'create', '--shop', shopId, '--email', email, '--name', 'Owner', '--role', 'owner', '--password', PASSWORD], env);
  await server.start();
  const { token } = await post(port, '/auth/login', { email, password: PASSWORD });

  const endpoints: string[] = [];
  /** Exactly `n` endpoints subscribed to message.created. */
  async function withEndpoints(n: number): Promise<void> {
    while (endpoints.length > n) await api('DELETE', `/webhooks/${endpoints.pop()}`, token);
    while (endpoints.length < n) endpoints.push((await api('POST', '/webhooks', token, { url: receiverUrl, events: ['message.created'] })).id);
    // Deliveries of the previous run drain before this one is measured.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }

  console.log(
    `webhooks bench: ${CUSTOMERS} customers of one shop, 1 node on SQLite, closed loop with ${DEPTH} in flight each, ${SECONDS} s per run, ${ROUNDS} rounds; ${os.cpus().length} cores shared by the node, the receiver and this load generator`,
  );
  const counts = [0, 1, 5];
  const results = new Map<number, Array<{ sends: number; delivered: number }>>(counts.map((n) => [n, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const n of counts) {
      await withEndpoints(n);
      const result = await measure(shopId);
      results.get(n)!.push(result);
      console.log(`round ${round + 1}, ${n} endpoint${n === 1 ? '' : 's'}: ${result.sends.toFixed(0)} sends/s, ${result.delivered.toFixed(0)} deliveries/s`);
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const baseline = mean(results.get(0)!.map((r) => r.sends));
  for (const n of counts) {
    const sends = mean(results.get(n)!.map((r) => r.sends));
    const delivered = mean(results.get(n)!.map((r) => r.delivered));
    console.log(
      `${n} endpoint${n === 1 ? ' ' : 's'}  ${sends.toFixed(0).padStart(6)} acknowledged sends/s  ${delivered.toFixed(0).padStart(6)} deliveries/s  ${n === 0 ? '(baseline)' : `${(sends / baseline).toFixed(2)}× the baseline`}`,
    );
  }
} finally {
  await server.stop();
  receiver.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
