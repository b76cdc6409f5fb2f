import { Worker } from 'node:worker_threads';

/**
 * SQLite's automatic WAL checkpoint runs inside whichever commit crosses the threshold, on the
 * connection that commits: with node:sqlite that stalls the event loop for tens of milliseconds
 * every thousand pages. Here the serving connection never checkpoints; a worker thread with its own
 * connection copies the WAL into the database in the background (PASSIVE: it never blocks writers).
 */
const source = `
const { DatabaseSync } = require('node:sqlite');
const { workerData, parentPort } = require('node:worker_threads');
const db = new DatabaseSync(workerData.filename);
db.exec('PRAGMA busy_timeout = 1000');
const timer = setInterval(() => {
  try { db.prepare('PRAGMA wal_checkpoint(PASSIVE)').get(); } catch {}
}, workerData.intervalMs);
parentPort.once('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
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
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  let stopping: Promise<void> | null = null;
  return {
    // Closes its connection between two checkpoints, never in the middle of one: a checkpoint cut
    // short would keep the main connection's closing checkpoint out and leave the WAL behind.
    stop() {
      if (stopping) return stopping;
      worker.ref(); // a process that is shutting down waits for it
      worker.postMessage('stop');
      return (stopping = Promise.race([exited, new Promise<void>((resolve) => setTimeout(resolve, 2_000).unref())]).then(() => worker.terminate()).then(() => {}));
    },
  };
}
