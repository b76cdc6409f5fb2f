import { Worker } from 'node:worker_threads';
import type { CheckpointerData } from './sqlite-checkpointer-thread.ts';
import { CHECKPOINTS, WriterLock } from './writer-lock.ts';

/** The WAL's size at which the checkpointer restarts it under a steady stream of commits. */
export const DEFAULT_WAL_RESTART_MB = 256;
const PAGE_BYTES = 4096;

/**
 * SQLite's automatic WAL checkpoint runs inside whichever commit crosses the threshold, on the
 * connection that commits: with node:sqlite that stalls the event loop for tens of milliseconds
 * every thousand pages. Here no serving connection checkpoints; a worker thread with its own
 * connection copies the WAL into the database in the background (sqlite-checkpointer-thread.ts).
 *
 * Every 100 ms: each checkpoint's writes (and the fsync at its end) stall the serving connection's
 * commits on this file system, for longer the more a checkpoint copies. Small, frequent ones keep
 * the stalls short (docs/benchmarks.md: open-loop p99 ~155 ms at 1 s, 30–89 ms at 100 ms). The WAL
 * starts again from its beginning once it holds `restartMb` (sqlite-checkpointer-thread.ts).
 */
export function startCheckpointer(filename: string, lock: WriterLock | null, options: { intervalMs?: number; restartMb?: number } = {}): { stop(): Promise<void> } {
  const restartFrames = Math.max(1, Math.round(((options.restartMb ?? DEFAULT_WAL_RESTART_MB) * 1024 * 1024) / PAGE_BYTES));
  const data: CheckpointerData = { filename, intervalMs: options.intervalMs ?? 100, restartFrames, lock: lock?.buffer ?? null };
  const worker = new Worker(new URL('./sqlite-checkpointer-thread.ts', import.meta.url), { workerData: data, execArgv: ['--disable-warning=ExperimentalWarning'] });
  worker.unref();
  worker.on('error', () => {});
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      // A thread ended while it held the writer turn (terminated, below): the turn is free again.
      lock?.forget(CHECKPOINTS);
      resolve();
    }),
  );
  let stopping: Promise<void> | null = null;
  return {
    stop() {
      if (stopping) return stopping;
      worker.ref(); // a process that is shutting down waits for it
      worker.postMessage('stop');
      return (stopping = Promise.race([exited, new Promise<void>((resolve) => setTimeout(resolve, 2_000).unref())]).then(() => worker.terminate()).then(() => {}));
    },
  };
}
