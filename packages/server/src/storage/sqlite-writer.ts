import { Worker } from 'node:worker_threads';
import { AppError } from '../domain/errors.ts';
import type { ErrorCode } from '@frontdesk/protocol';
import { plannedMessage, type PlannedMessage } from '../domain/messages/plan.ts';
import type { AppendResult, NewMessage } from '../domain/ports.ts';
import { SENDS, WriterLock } from './writer-lock.ts';

/**
 * The send path's writes on a thread of their own (issue 23 item 3): the main thread plans nothing
 * and runs no SQL for a send; it hands the batch group commit made to the writer thread
 * (sqlite-writer-thread.ts) and answers each caller when the thread reports the commit. Reads stay
 * on the main connection: in WAL mode they see every commit the writer reported.
 *
 * A thread that dies (it should not) fails the batches it held, which their senders resend with
 * the same client ids (idempotent), and the next batch starts a new one.
 */
export interface SqliteWriter {
  append(batch: readonly NewMessage[]): Promise<Array<AppendResult | Error>>;
  /** Waits for the batches in flight, then closes the thread's connection. */
  stop(): Promise<void>;
}

export interface WriterData {
  readonly filename: string;
  readonly lock: SharedArrayBuffer;
  readonly cacheMb: number | undefined;
}

export type ToWriter = { type: 'append'; id: number; batch: readonly NewMessage[] } | { type: 'stop' };

interface EncodedError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly details?: readonly string[];
}
/**
 * A new message crosses back as what the batch decided for it (seq, public seq, stream place): the
 * main thread still has the input it sent, which is the rest of the record. Copying the whole
 * record back (a structured clone of it) cost ~3–4 µs a message more. A resend's stored record
 * crosses whole.
 */
type EncodedResult =
  | { readonly placed: readonly [seq: number, publicSeq: number | null, tx: number, pos: number]; readonly openedInquiryId?: string; readonly snoozedUntil?: number }
  | { readonly ok: AppendResult }
  | { readonly error: EncodedError };
export type FromWriter =
  | { type: 'appended'; id: number; results: EncodedResult[] }
  | { type: 'failed'; id: number; error: EncodedError };

/** Errors cross the thread as data: an AppError keeps its code, SQLite's errors their message and code. */
export function encodeError(error: unknown): EncodedError {
  if (error instanceof AppError) return { name: 'AppError', message: error.message, code: error.code, ...(error.details && { details: error.details }) };
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { name: error.name, message: error.message, ...(typeof code === 'string' && { code }) };
  }
  return { name: 'Error', message: String(error) };
}

export function encodeResult(result: AppendResult | Error): EncodedResult {
  if (result instanceof Error) return { error: encodeError(result) };
  if (result.duplicate) return { ok: result };
  const { message, duplicate: _, ...rest } = result;
  const publicSeq = (message as PlannedMessage).publicSeq;
  return { placed: [message.seq, publicSeq, message.stream.tx, message.stream.pos], ...rest };
}

function decodeResult(result: EncodedResult, input: NewMessage | undefined): AppendResult | Error {
  if ('error' in result) return decodeError(result.error);
  if ('ok' in result) return result.ok;
  // One result per input, in order (sqlite-append.ts); a reply that broke that fails its item, not the process.
  if (input === undefined) return new AppError('INTERNAL');
  const { placed: [seq, publicSeq, tx, pos], ...rest } = result;
  return { message: plannedMessage(input, { seq, publicSeq, stream: { tx, pos } }), duplicate: false, ...rest };
}

function decodeError(e: EncodedError): Error {
  if (e.name === 'AppError') return new AppError(e.code as ErrorCode, e.message, e.details);
  const error = new Error(e.message);
  if (e.code !== undefined) Object.assign(error, { code: e.code });
  return error;
}

export function sqliteWriter(data: WriterData): SqliteWriter {
  const lock = new WriterLock(SENDS, data.lock);
  const pending = new Map<number, { batch: readonly NewMessage[]; resolve(results: Array<AppendResult | Error>): void; reject(error: Error): void }>();
  let worker: Worker | null = null;
  let nextId = 0;
  let drained: (() => void) | null = null;

  const settled = () => {
    // An idle thread keeps nothing alive: a process whose work is done may exit.
    if (pending.size === 0) {
      worker?.unref();
      drained?.();
    }
  };

  function started(): Worker {
    if (worker) return worker;
    const thread = new Worker(new URL('./sqlite-writer-thread.ts', import.meta.url), { workerData: data });
    thread.on('message', (reply: FromWriter) => {
      const waiting = pending.get(reply.id);
      pending.delete(reply.id);
      if (!waiting) return settled();
      if (reply.type === 'appended') waiting.resolve(reply.results.map((r, i) => decodeResult(r, waiting.batch[i])));
      else waiting.reject(decodeError(reply.error));
      settled();
    });
    thread.on('error', () => {});
    thread.on('exit', () => {
      // It may have ended holding its turn at the file, or with batches whose commit it never reported.
      lock.forget(SENDS);
      if (worker === thread) worker = null;
      for (const [, waiting] of pending) waiting.reject(new AppError('STORAGE_UNAVAILABLE', 'the SQLite writer thread stopped'));
      pending.clear();
      settled();
    });
    return (worker = thread);
  }

  return {
    append(batch) {
      const thread = started();
      const id = ++nextId;
      return new Promise((resolve, reject) => {
        pending.set(id, { batch, resolve, reject });
        thread.ref();
        thread.postMessage({ type: 'append', id, batch } satisfies ToWriter);
      });
    },
    async stop() {
      if (pending.size > 0) await new Promise<void>((resolve) => (drained = resolve));
      const thread = worker;
      if (!thread) return;
      const exited = new Promise((resolve) => thread.once('exit', resolve));
      thread.postMessage({ type: 'stop' } satisfies ToWriter);
      await exited;
    },
  };
}
