/**
 * The floor of the whole send path, in the realtime bench's own run: the bare `ws` relay of
 * ws-relay.ts, except that it stores every message before it acknowledges and forwards it.
 *
 *   node bench/realtime/stored-relay.ts --file F [--schema frontdesk|minimal] [--writer main|thread] [--port N]
 *
 * Same frames as ws-relay.ts (pair-relay.ts). A customer's frames are written with floor.ts's raw `node:sqlite`
 * statements (read the conversation, check for a resend by client id, insert the message, update
 * the conversation's last-message fields and stream position, move the sender's read cursor) by
 * group commit on the one thread: the frames read in one turn of the event loop share a transaction
 * (WAL, synchronous = NORMAL, SQLite's own automatic checkpoint), and only after its COMMIT does
 * each message go to its agent and its ack to the customer. With `--writer thread` the statements
 * and the commit run on a worker thread of their own (one batch in flight; the frames that arrive
 * meanwhile make the next), as Frontdesk's writer does, so that the sockets and SQLite can use the
 * two cores at once. (A checkpoint thread of its own, a PASSIVE pass every 100 ms with the automatic
 * one off, measured worse: 154-158 against 105-109 µs per message on the minimal schema, since
 * the WAL then never starts over.) No authentication, validation, fan-out
 * to other devices, events or anything else a product does: what is left is the sockets, JSON and
 * the durable rows, the least any server that stores before it acks spends per message.
 *
 * - `frontdesk`: a database made by Frontdesk's migrations (the same tables, indexes and triggers);
 * - `minimal`: the 40-line script: the same columns, and the message table with three
 *   indexes (conversation and seq, resend key, shop stream position) besides its primary key.
 *
 * Prints `listening <port>` once ready.
 */
import type { DatabaseSync } from 'node:sqlite';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { RawData, WebSocket } from 'ws';
import { openStorage } from '../../packages/server/src/storage/connect.ts';
import { migrateToLatest } from '../../packages/server/src/storage/migrate.ts';
import { MINIMAL_SCHEMA, openFloorDatabase as open, rawWriter, seed, type Pair } from './floor.ts';
import { servePairs, type Slot } from './pair-relay.ts';



interface Item {
  readonly rows: Pair;
  readonly clientMsgId: string;
  readonly text: string;
}


/** One transaction for the batch; false when it rolled back. */
function commitBatch(db: DatabaseSync, write: ReturnType<typeof rawWriter>, batch: readonly Item[]): boolean {
  db.exec('BEGIN IMMEDIATE');
  try {
    for (const m of batch) write(m.rows, m.clientMsgId, m.text);
    db.exec('COMMIT');
    return true;
  } catch (error) {
    db.exec('ROLLBACK');
    console.error(error);
    return false;
  }
}

if (!isMainThread) {
  const db = open(workerData as string);
  const write = rawWriter(db);
  parentPort!.on('message', (batch: Item[]) => parentPort!.postMessage(commitBatch(db, write, batch)));
} else {
  await serve();
}

async function serve(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      file: { type: 'string' },
      schema: { type: 'string', default: 'frontdesk' },
      writer: { type: 'string', default: 'main' },
    },
  });
  if (values.file === undefined) throw new Error('--file is the database file');
  if (values.schema !== 'frontdesk' && values.schema !== 'minimal') throw new Error('--schema is frontdesk or minimal');
  if (values.writer !== 'main' && values.writer !== 'thread') throw new Error('--writer is main or thread');

  if (values.schema === 'frontdesk') {
    const storage = openStorage({ databaseUrl: null, sqliteFile: values.file });
    await migrateToLatest(storage);
    await storage.close();
  }
  const db = open(values.file);
  if (values.schema === 'minimal') db.exec(MINIMAL_SCHEMA);
  const write = rawWriter(db);
  const worker = values.writer === 'thread' ? new Worker(new URL(import.meta.url), { workerData: values.file }) : null;

  interface Pending extends Item {
    readonly slot: Slot<Pair>;
    readonly socket: WebSocket;
    readonly data: RawData;
    readonly id: unknown;
  }

  let pending: Pending[] = [];
  /** Main: a commit is scheduled for this turn; thread: a batch is with the worker. */
  let busy = false;

  function answer(batch: readonly Pending[], ok: boolean): void {
    for (const m of batch) {
      if (!ok) {
        m.socket.send(JSON.stringify({ type: 'error', id: m.id, clientMsgId: m.clientMsgId, code: 'INTERNAL' }));
        continue;
      }
      m.slot.agent?.send(m.data, { binary: false });
      m.socket.send(JSON.stringify({ type: 'ack', id: m.id, clientMsgId: m.clientMsgId }));
    }
  }

  function next(): void {
    const batch = pending;
    pending = [];
    if (worker === null) {
      busy = false;
      answer(batch, commitBatch(db, write, batch));
      return;
    }
    worker.once('message', (ok: boolean) => {
      answer(batch, ok);
      if (pending.length > 0) next();
      else busy = false;
    });
    worker.postMessage(batch.map((m): Item => ({ rows: m.rows, clientMsgId: m.clientMsgId, text: m.text })));
  }

  function enqueue(m: Pending): void {
    pending.push(m);
    if (busy) return;
    busy = true;
    if (worker === null) setImmediate(next);
    else next();
  }

  servePairs<Pair>({
    port: Number(values.port),
    // The pair's shop, customer and conversation rows.
    onNewPair: () => seed(db, 1)[0]!,
    onSend(slot, socket, data) {
      let frame: { id?: unknown; clientMsgId?: unknown; text?: unknown };
      try {
        frame = JSON.parse(data.toString());
      } catch {
        return;
      }
      if (typeof frame.clientMsgId !== 'string' || typeof frame.text !== 'string') return;
      enqueue({ slot, socket, data, id: frame.id, rows: slot.state, clientMsgId: frame.clientMsgId, text: frame.text });
    },
    onStop: () => db.close(),
  });
}
