/**
 * The background checkpointer's thread (started by sqlite-checkpointer.ts): its own connection
 * copies the WAL into the database every `intervalMs`.
 *
 * A PASSIVE checkpoint never blocks a writer, and so, under a steady stream of commits, never
 * catches up: the commits made while it copies stay in the WAL, SQLite restarts the WAL only when
 * a writer begins with every frame copied, and the file grows for as long as the stream lasts
 * (1.4 GB in 12 s of the realtime bench's open loop). So once the WAL holds `restartFrames`
 * frames, the thread takes the node's writer turn (writer-lock.ts: no commit of this node is in
 * progress or can start), copies the frames the PASSIVE pass left (RESTART: the next commit writes
 * the WAL from its start again) and gives the turn back. The pass without the turn did nearly all
 * the copying; the turn covers what arrived meanwhile and two fsyncs, during which sends wait: that
 * is why it happens once per 256 MiB of WAL by default, not per 4 MiB (docs/benchmarks.md: the open
 * loop's p99 falls as restarts get rarer). Before it takes the turn, the thread flushes both files
 * to disk itself: the commits made while the PASSIVE pass copied left megabytes of WAL in the page
 * cache, and the fsyncs inside the turn then have little left to write (the turn 3–9 ms instead of
 * 6–18 ms on the bench machine).
 */
import fs from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';
import { CHECKPOINTS, WriterLock } from './writer-lock.ts';

export interface CheckpointerData {
  readonly filename: string;
  readonly intervalMs: number;
  readonly restartFrames: number;
  /** The node's writer turn; none: PASSIVE only (the WAL is checkpointed, and restarted when idle). */
  readonly lock: SharedArrayBuffer | null;
}

const { filename, intervalMs, restartFrames, lock: lockBuffer } = workerData as CheckpointerData;
const port = parentPort!;
const db = new DatabaseSync(filename);
// Short: the restarting pass holds the node's writers back while it waits for a reader to leave the
// WAL; busy, it gives up and the next round tries again.
db.exec('PRAGMA busy_timeout = 20');
const passive = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
const restart = db.prepare('PRAGMA wal_checkpoint(RESTART)');
const lock = lockBuffer ? new WriterLock(CHECKPOINTS, lockBuffer) : null;

type Checkpoint = { log: number; checkpointed: number };
let restartedAt = -1;
let timer: NodeJS.Timeout | null = setTimeout(round, intervalMs);
let stopping = false;

async function round(): Promise<void> {
  timer = null;
  try {
    const { log } = passive.get() as Checkpoint;
    // Once restarted, a WAL that no commit has touched since (an idle node) is left alone.
    if (lock && log >= restartFrames && log !== restartedAt) {
      flush(`${filename}-wal`);
      flush(filename);
      await lock.acquire();
      try {
        restartedAt = (restart.get() as Checkpoint).log;
      } finally {
        lock.release();
      }
    }
  } catch {
    // busy (another process holds the file): the next round tries again
  }
  if (stopping) return close();
  timer = setTimeout(round, intervalMs);
}

/** Best effort: SQLite syncs what it must inside the checkpoint anyway. */
function flush(file: string): void {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      fs.fdatasyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // gone, or a platform that syncs only files open for writing
  }
}

// Closes its connection between two checkpoints, never in the middle of one: a checkpoint cut short
// would keep the main connection's closing checkpoint out and leave the WAL behind.
function close(): void {
  db.close();
  port.close();
}

port.once('message', () => {
  stopping = true;
  if (timer !== null) {
    clearTimeout(timer);
    close();
  }
});
