import { Worker } from 'node:worker_threads';

/**
 * SQLite's automatic WAL checkpoint runs inside whichever commit crosses the threshold, on the
 * connection that commits: with node:sqlite that stalls the event loop for tens of milliseconds
 * every thousand pages. Here the serving connection never checkpoints; a worker thread with its own
 * connection copies the WAL into the database in the background (PASSIVE: it never blocks writers).
 */
const source = `
const { DatabaseSync } = require('node:sqlite');
const { workerData } = require('node:worker_threads');
const db = new DatabaseSync(workerData.filename);
db.exec('PRAGMA busy_timeout = 1000');
setInterval(() => {
  try { db.prepare('PRAGMA wal_checkpoint(PASSIVE)').get(); } catch {}
}, workerData.intervalMs);
`;

/**
 * Every 100 ms: each checkpoint's writes (and the fsync at its end) stall the serving connection's
 * commits on this file system, for longer the more a checkpoint copies. Small, frequent ones keep
 * the stalls short (docs/benchmarks.md: open-loop p99 ~155 ms at 1 s, 30–89 ms at 100 ms).
 */
export function startCheckpointer(filename: string, intervalMs = 100): { stop(): Promise<void> } {
  const worker = new Worker(source, { eval: true, workerData: { filename, intervalMs }, execArgv: ['--disable-warning=ExperimentalWarning'] });
  worker.unref();
  worker.on('error', () => {});
  return {
    async stop() {
      await worker.terminate();
    },
  };
}
