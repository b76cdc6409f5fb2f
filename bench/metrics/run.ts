/**
 * The send path with metrics on and off (docs/benchmarks.md, "Metrics").
 *
 *   npm run bench:metrics [-- --customers 50 --seconds 8 --rounds 3 --depth 2]
 *
 * One node on SQLite, a fresh one for every run. `customers` customers of one shop run a closed loop
 * of sends over raw WebSockets (`depth` unacknowledged each). Runs alternate: metrics off (no
 * METRICS_PORT or METRICS_TOKEN: nothing is counted) and on (METRICS_PORT, scraped every second
 * meanwhile, as Prometheus would, more often than its usual 15 s). Target (issue "Monitoring"):
 * with metrics on, ≥ 0.95× the acknowledged sends per second of the runs with them off.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cli, freePort, ServerProcess } from '../../packages/sdk/test/support/chaos.ts';
import { LIMITS_OUT_OF_THE_WAY } from '../realtime/servers.ts';
import { sendLoop } from '../support/node-client.ts';

const { values: args } = parseArgs({
  options: {
    customers: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
    depth: { type: 'string', default: '2' },
  },
});
const CUSTOMERS = Number(args.customers);
const SECONDS = Number(args.seconds);
const ROUNDS = Number(args.rounds);
const DEPTH = Number(args.depth);
const TARGET = 0.95;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function run(withMetrics: boolean): Promise<{ sends: number; scrapes: number; scrapeMs: number }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'frontdesk-bench-metrics-'));
  const port = await freePort();
  const metricsPort = await freePort();
  const env = { LOG_LEVEL: 'error', SEED_DEMO: 'false', ...LIMITS_OUT_OF_THE_WAY, PORT: String(port), DATA_DIR: dataDir, ...(withMetrics && { METRICS_PORT: String(metricsPort) }) };
  const shopId = /id:\s+(\S+)/.exec(cli(['shop', 'create', '--name', 'Bench'], env))![1]!;
  const server = new ServerProcess(env);
  await server.start();
  let scrapes = 0;
  let scrapeMs = 0;
  let scraping = withMetrics;
  const scraper = (async () => {
    while (scraping) {
      const t0 = performance.now();
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      if (!text.includes('frontdesk_send_duration_seconds_count')) throw new Error('no metrics');
      scrapeMs += performance.now() - t0;
      scrapes += 1;
      await sleep(1_000);
    }
  })();
  try {
    const loop = await sendLoop([port], Array.from({ length: CUSTOMERS }, () => shopId), DEPTH);
    await sleep(2_000);
    const before = loop.acked();
    const t0 = performance.now();
    await sleep(SECONDS * 1000);
    const sends = ((loop.acked() - before) * 1000) / (performance.now() - t0);
    await loop.stop();
    return { sends, scrapes, scrapeMs };
  } finally {
    scraping = false;
    await scraper;
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

console.log(`metrics bench: ${CUSTOMERS} customers of one shop, 1 node on SQLite, closed loop with ${DEPTH} in flight each, ${SECONDS} s per run, ${ROUNDS} rounds; ${os.cpus().length} cores`);
const off: number[] = [];
const on: number[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  for (const withMetrics of [false, true]) {
    const result = await run(withMetrics);
    (withMetrics ? on : off).push(result.sends);
    const scraped = withMetrics ? `; ${result.scrapes} scrapes, ${(result.scrapeMs / Math.max(1, result.scrapes)).toFixed(1)} ms each` : '';
    console.log(`round ${round}, metrics ${withMetrics ? 'on ' : 'off'}: ${result.sends.toFixed(0)} acknowledged sends/s${scraped}`);
  }
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const ratio = mean(on) / mean(off);
console.log(`metrics off ${mean(off).toFixed(0)} sends/s (baseline), on ${mean(on).toFixed(0)} sends/s: ${ratio.toFixed(2)}× (target ≥ ${TARGET})`);
process.exitCode = ratio >= TARGET ? 0 : 1;
