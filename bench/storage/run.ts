/**
 * Storage benchmark (docs/benchmarks.md, "Storage").
 *
 *   npm run bench:storage [-- --messages 1000000 --iterations 2000 --postgres postgres://…]
 *
 * Fills a fresh database with 10,000 service conversations and 1,000,000 messages, then times the
 * three reads every screen starts with, through the real store: a customer's conversation list
 * (across shops), a shop's list page of 50 (first page, a deep page by cursor, a status filter) and
 * a history page of 50. Each figure is printed next to a baseline measured in the same run, on the
 * same data and the same inputs: the naive way (seed 000) that aggregates messages with GROUP BY
 * for a list and pages history with OFFSET. Target: every p99 ≤ 5 ms at 1M messages.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { DatabaseSync } from 'node:sqlite';
import { Kysely, PostgresDialect, sql, type CompiledQuery, type LogEvent } from 'kysely';
import pg from 'pg';
import { openStorage, type Engine, type Storage } from '../../packages/server/src/storage/connect.ts';
import { migrateToLatest } from '../../packages/server/src/storage/migrate.ts';
import type { Database } from '../../packages/server/src/storage/schema.ts';
import { nodeSqliteDialect } from '../../packages/server/src/storage/sqlite-dialect.ts';
import { createStore } from '../../packages/server/src/storage/store.ts';
import { fill, type FillResult } from './fill.ts';
import { checkConsistency, counts, printPlans } from './inspect.ts';
import { formatTable, runScenario, type ScenarioResult } from './measure.ts';
import { createRng } from './rng.ts';
import { buildPools, scenarios, verify } from './scenarios.ts';
import { kyselySink, rawSqliteSink, type Sink } from './sinks.ts';

const TARGET_P99_MS = 5;

const { values: args } = parseArgs({
  options: {
    messages: { type: 'string', default: '1000000' },
    conversations: { type: 'string', default: '10000' },
    shops: { type: 'string', default: '20' },
    'staff-per-shop': { type: 'string', default: '10' },
    'platform-customers': { type: 'string', default: '50' },
    'platform-shops': { type: 'string', default: '10' },
    iterations: { type: 'string', default: '2000' },
    warmup: { type: 'string', default: '200' },
    'baseline-budget': { type: 'string', default: '10' },
    seed: { type: 'string', default: '20250101' },
    fill: { type: 'string', default: 'raw' },
    postgres: { type: 'string' },
    'no-sqlite': { type: 'boolean', default: false },
    plans: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    reuse: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (args.help) {
  console.log(`npm run bench:storage -- [options]
  --messages N            messages to fill (default 1000000)
  --conversations N       service conversations (default 10000)
  --shops N               shops (default 20); --staff-per-shop N (default 10)
  --platform-customers N  customers with conversations in several shops (default 50)
  --platform-shops N      shops each platform customer talks to (default 10)
  --iterations N          timed calls per scenario (default 2000); --warmup N (default 200)
  --baseline-budget S     seconds of baseline timing per scenario, at least 30 calls (default 10)
  --fill raw|kysely       SQLite fill through a raw node:sqlite connection (default) or Kysely
  --postgres URL          also run on PostgreSQL, in a schema of its own (dropped afterwards)
  --no-sqlite             skip SQLite (with --postgres)
  --plans                 print SQLite's query plans for every scenario
  --keep                  keep the SQLite file under .bench/ (and the PostgreSQL schema), with
                          what the fill made (fill.json) beside it
  --reuse FILE            SQLite only: time a database kept by --keep instead of filling one (the
                          fill options must be the ones it was made with)`);
  process.exit(0);
}

const int = (name: keyof typeof args) => {
  const value = Number(args[name]);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a whole number`);
  return value;
};

const fillOptions = {
  shops: int('shops'),
  staffPerShop: int('staff-per-shop'),
  conversations: int('conversations'),
  messages: int('messages'),
  platformCustomers: int('platform-customers'),
  platformShopsEach: int('platform-shops'),
  seed: int('seed'),
  batchRows: 500,
  commitEvery: 100_000,
};
const runOptions = {
  iterations: int('iterations'),
  warmup: int('warmup'),
  baselineBudgetMs: int('baseline-budget') * 1000,
  baselineMinSamples: 30,
};
if (args.fill !== 'raw' && args.fill !== 'kysely') throw new Error('--fill is raw or kysely');

const repoRoot = path.resolve(import.meta.dirname, '../..');

interface Target {
  readonly engine: Engine;
  /** Opens the storage the store reads through (a fresh connection, as after a restart). */
  open(): Storage;
  /** The same database through a Kysely that reports every query it runs (for --plans). */
  openLogged(onQuery: (query: CompiledQuery) => void): Kysely<Database>;
  size(storage: Storage): Promise<number>;
  describe: string;
  /** Where what the fill made is kept (--keep) or read back from (--reuse); SQLite only. */
  fillRecord?: { readonly file: string; readonly reuse: boolean };
}

async function runEngine(engine: Target, makeSink: (storage: Storage) => { sink: Sink; done(): Promise<void> }) {
  console.log(`\n=== ${engine.describe} ===`);
  const setup = engine.open();
  await migrateToLatest(setup);
  // The schema is the migration's; the fill follows it where it has grown (see FillOptions.streamPos).
  const tables = await setup.db.introspection.getTables();
  const messages = tables.find((t) => t.name === 'messages' && (setup.schema === null || t.schema === setup.schema));
  const messageColumns = messages?.columns.map((c) => c.name) ?? [];
  const streamPos = messageColumns.includes('stream_pos');
  const t0 = performance.now();
  let filled: FillResult;
  if (engine.fillRecord?.reuse) {
    filled = JSON.parse(fs.readFileSync(engine.fillRecord.file, 'utf8')) as FillResult;
  } else {
    const { sink, done } = makeSink(setup);
    let lastReport = 0;
    filled = await fill(sink, {
      ...fillOptions,
      streamPos,
      onProgress: (n) => {
        if (n !== lastReport && (process.stderr.isTTY || n - lastReport >= 250_000 || n === fillOptions.messages)) {
          lastReport = n;
          process.stderr.write(`  filled ${n.toLocaleString('en')} messages, ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
        }
      },
    });
    await done();
    if (engine.fillRecord) fs.writeFileSync(engine.fillRecord.file, JSON.stringify(filled));
  }
  const fillSeconds = (performance.now() - t0) / 1000;
  await setup.close();

  const storage = engine.open();
  try {
    const db = storage.db;
    const rows = await counts(db);
    await checkConsistency(db, streamPos);
    const bytes = await engine.size(storage);
    const d = filled.distribution;
    if (engine.fillRecord?.reuse) console.log(`fill: reused ${path.relative(repoRoot, engine.fillRecord.file)}`);
    else console.log(`fill: ${fillSeconds.toFixed(1)} s (${Math.round(rows.messages! / fillSeconds).toLocaleString('en')} messages/s, sink: ${engine.engine === 'sqlite' ? args.fill : 'kysely'})`);
    console.log(`rows: ${Object.entries(rows).map(([t, n]) => `${t} ${n.toLocaleString('en')}`).join(', ')}`);
    console.log(`messages per conversation: median ${d.median}, p90 ${d.p90}, p99 ${d.p99}, max ${d.max}; ${d.atLeast1000} conversations with ≥ 1,000`);
    const statuses = await db.selectFrom('conversations').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute();
    console.log(`conversation status: ${statuses.map((s) => `${s.status} ${Number(s.n).toLocaleString('en')}`).join(', ')}`);
    console.log(`database size: ${(bytes / 1024 / 1024).toFixed(1)} MiB; denormalised fields${streamPos ? ' and stream positions' : ''} consistent with the messages: yes`);

    const rng = createRng(fillOptions.seed + 1);
    const pools = await buildPools(db, filled, fillOptions.platformShopsEach, rng);
    const cases = scenarios(db, createStore(db, storage.engine, storage.sqlite), pools, rng);
    await verify(cases);
    console.log(`ours and the baseline return the same pages (checked on 5 inputs per scenario)`);
    console.log(`timing: ${runOptions.iterations} calls per scenario after ${runOptions.warmup} warm-up calls; then the baseline on the same inputs (not interleaved: its scans flush the page cache), ` +
      `until ${runOptions.baselineBudgetMs / 1000} s or ${runOptions.iterations} calls (at least ${runOptions.baselineMinSamples}); times in ms\n`);
    const results: ScenarioResult[] = [];
    for (const c of cases) {
      const result = await runScenario(c, runOptions);
      results.push(result);
      process.stderr.write(`  ${c.name}: p50 ${result.ours.p50.toFixed(3)} ms, p99 ${result.ours.p99.toFixed(3)} ms\n`);
    }
    console.log(formatTable(results, TARGET_P99_MS));
    const failed = results.filter((r) => r.target && r.ours.p99 > TARGET_P99_MS);
    console.log(failed.length === 0 ? `\nall p99 ≤ ${TARGET_P99_MS} ms: PASS` : `\nover the ${TARGET_P99_MS} ms p99 target: ${failed.map((r) => r.name).join('; ')}`);
    console.log(`load average after timing: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    if (args.plans) await printPlans(engine.engine, engine.openLogged, pools);
    return failed.length === 0;
  } finally {
    await storage.close();
  }
}

const logTo = (onQuery: (query: CompiledQuery) => void) => (event: LogEvent) => {
  if (event.level === 'query') onQuery(event.query);
};

async function main(): Promise<void> {
  console.log(`Frontdesk storage benchmark — ${new Date().toISOString()}`);
  console.log(`node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.platform()} ${os.release()}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`data: ${fillOptions.shops} shops × ${fillOptions.staffPerShop} staff, ${fillOptions.conversations.toLocaleString('en')} service conversations ` +
    `(${fillOptions.platformCustomers} platform customers in ${fillOptions.platformShopsEach} shops each), ${fillOptions.messages.toLocaleString('en')} messages, seed ${fillOptions.seed}`);
  let ok = true;

  if (!args['no-sqlite']) {
    const reuse = args.reuse !== undefined;
    const file = reuse ? path.resolve(args.reuse!) : path.join(repoRoot, '.bench', `storage-${Date.now()}-${process.pid}`, 'bench.db');
    const dir = path.dirname(file);
    const keep = args.keep || reuse;
    try {
      ok =
        (await runEngine(
          {
            engine: 'sqlite',
            describe: `SQLite ${new DatabaseSync(':memory:').prepare('select sqlite_version() as v').get()?.v} (node:sqlite, WAL) — ${path.relative(repoRoot, file)}`,
            open: () => openStorage({ databaseUrl: null, sqliteFile: file }),
            openLogged: (onQuery) =>
              new Kysely<Database>({ dialect: nodeSqliteDialect(file).dialect, log: logTo(onQuery) }),
            size: async () =>
              ['', '-wal'].reduce((sum, suffix) => sum + (fs.existsSync(file + suffix) ? fs.statSync(file + suffix).size : 0), 0),
            ...(keep && { fillRecord: { file: path.join(dir, 'fill.json'), reuse } }),
          },
          (storage) => {
            if (args.fill === 'kysely') return { sink: kyselySink(storage.db), done: async () => {} };
            const sink = rawSqliteSink(file);
            return { sink, done: async () => sink.close() };
          },
        )) && ok;
    } finally {
      if (!keep) fs.rmSync(dir, { recursive: true, force: true });
      else console.log(`kept ${path.relative(repoRoot, file)} (time it again with --reuse ${path.relative(repoRoot, file)})`);
    }
  }

  if (args.postgres !== undefined) {
    const url = args.postgres;
    const schema = `bench_${randomBytes(5).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    try {
      const version = (await admin.query<{ v: string }>(`select current_setting('server_version') as v`)).rows[0]?.v ?? '?';
      ok =
        (await runEngine(
          {
            engine: 'postgres',
            describe: `PostgreSQL ${version} — schema ${schema}`,
            open: () => openStorage({ databaseUrl: url, sqliteFile: '', pgSchema: schema, pgPoolSize: 4 }),
            openLogged: (onQuery) =>
              new Kysely<Database>({
                dialect: new PostgresDialect({
                  pool: new pg.Pool({ connectionString: url, max: 1, options: `-c search_path=${schema}` }),
                }),
                log: logTo(onQuery),
              }),
            size: async () => {
              const r = await admin.query<{ bytes: string }>(
                `select coalesce(sum(pg_total_relation_size(c.oid)), 0) as bytes from pg_class c
                 join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1 and c.relkind = 'r'`,
                [schema],
              );
              return Number(r.rows[0]?.bytes ?? 0);
            },
          },
          (storage) => ({
            sink: kyselySink(storage.db),
            // Autovacuum would analyze the freshly loaded tables soon; do it now.
            done: async () =>
              void (await sql`ANALYZE shops, staff, customers, conversations, members, inquiries, messages`.execute(storage.db)),
          }),
        )) && ok;
    } finally {
      if (!args.keep) await admin.query(`drop schema ${schema} cascade`);
      else console.log(`kept schema ${schema}`);
      await admin.end();
    }
  }
  process.exitCode = ok ? 0 : 1;
}

await main();
