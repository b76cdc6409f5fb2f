/**
 * The send path's writer thread on SQLite (started by sqlite-writer.ts): batches of messages come
 * in, each is appended in one transaction on this thread's own connection (sqlite-append.ts, the
 * same plan and statements the main thread would run), and the results go back. SQLite's work on
 * the rows, and any stall of the file system under a commit, is off the event loop that serves
 * chat. It takes its turn at the file with the node's other writers (writer-lock.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { NewMessage } from '../domain/ports.ts';
import { sqliteAppender } from './sqlite-append.ts';
import { openSqlite } from './sqlite-dialect.ts';
import { encodeResult, encodeError, type FromWriter, type ToWriter, type WriterData } from './sqlite-writer.ts';
import { SENDS, WriterLock } from './writer-lock.ts';

const { filename, lock: lockBuffer, cacheMb } = workerData as WriterData;
const port = parentPort!;
const lock = new WriterLock(SENDS, lockBuffer);
const db = openSqlite(filename, cacheMb);
const append = sqliteAppender(db);

port.on('message', async (message: ToWriter) => {
  if (message.type === 'stop') {
    db.close();
    port.close();
    return;
  }
  await lock.acquire();
  let reply: FromWriter;
  try {
    reply = { type: 'appended', id: message.id, results: append(message.batch as NewMessage[]).map(encodeResult) };
  } catch (error) {
    reply = { type: 'failed', id: message.id, error: encodeError(error) };
  } finally {
    lock.release();
  }
  port.postMessage(reply);
});
