/**
 * The webhook thread (started by deliveries.ts): the delivery job, its database work and its HTTP
 * attempts, all off the thread that serves chat, which spends on webhooks only the outbox row in
 * each transaction and a message now and then. It has its own connection (SQLite: taking turns
 * with the main thread's, storage/writer-lock.ts; PostgreSQL: a pool of two). On Linux it runs at a
 * lower scheduling priority (WEBHOOK_SENDER_NICE): on a busy machine chat goes first and deliveries
 * wait, safely, in the database; on an idle core they run at full speed. Host names are resolved,
 * and secrets opened, by the main thread, which holds the node's resolver and key.
 */
import fs from 'node:fs';
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { openStorageInThread } from '../../storage/connect.ts';
import { webhookDeliveryStore } from '../../storage/webhook-delivery-store.ts';
import type { ResolvedAddress } from './address-policy.ts';
import { deliveryJob } from './delivery-job.ts';
import type { FromThread, ThreadData, ToThread } from './deliveries.ts';
import { connectionPools, sendQueue } from './send.ts';

const { opened, mainLoad, name, settings } = workerData as ThreadData;
const port = parentPort!;
const post = (message: FromThread) => port.postMessage(message);

// Linux keeps a nice value per thread: this one's is raised (a lower priority) where the OS allows.
try {
  const tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
  if (Number.isInteger(tid) && tid > 0 && settings.nice > 0) os.setPriority(tid, settings.nice);
} catch {
  // Not Linux, or not allowed: deliveries run at the process's priority.
}

const asking = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
let asked = 0;
function ask<T>(what: 'resolve' | 'open', argument: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const request = ++asked;
    asking.set(request, { resolve: resolve as (value: unknown) => void, reject });
    post({ type: 'ask', request, what, argument });
  });
}

const log = {
  warn(object: object, message: string): void {
    const error = (object as { err?: unknown }).err;
    post({ type: 'log', message, detail: error instanceof Error ? error.message : error === undefined ? null : String(error) });
  },
};

/**
 * Chat first: while the main thread's event loop is busy (BUSY of its time, measured over
 * BUSY_SAMPLE_MS), this thread holds at most BUSY_WINDOW deliveries, and before taking more it
 * rests in proportion to the CPU time it used since it last took some, so that it uses about
 * BUSY_SHARE of a core: deliveries slow down instead of the node's messages, and catch up once the
 * peak has passed. On an idle machine neither limit applies.
 */
const BUSY = 0.8;
const BUSY_WINDOW = 100;
const BUSY_SHARE = 0.05;
const mainBusy = new Float64Array(mainLoad);
const cpuMs = () => {
  const used = process.threadCpuUsage();
  return (used.user + used.system) / 1000;
};
let cpuAtLastTake = cpuMs();
let stopping = false;
async function pace(): Promise<number> {
  const used = cpuMs() - cpuAtLastTake;
  cpuAtLastTake += used;
  if (mainBusy[0]! < BUSY) return Number.POSITIVE_INFINITY;
  const rest = Math.min(1_000, (used * (1 - BUSY_SHARE)) / BUSY_SHARE);
  if (rest >= 1 && !stopping) await new Promise((resolve) => setTimeout(resolve, rest));
  return BUSY_WINDOW;
}

const storage = openStorageInThread(opened, name);
const store = webhookDeliveryStore(storage.db, storage.engine, storage.sqlite);
const pools = connectionPools(settings, (host) => ask<readonly ResolvedAddress[]>('resolve', host));
const job = deliveryJob({
  store,
  subjects: store,
  openSecret: (sealed) => ask<string>('open', sealed),
  sender: (onResults) => sendQueue(pools, settings.timeoutMs, onResults),
  pace,
  counted: (tally) => post({ type: 'counted', tally }),
  options: settings,
  now: Date.now,
  log,
});
const run = () => void job.run().catch((error: unknown) => log.warn({ err: error }, 'webhook delivery failed'));
const poll = setInterval(run, settings.pollMs);
run();

port.on('message', (message: ToThread) => {
  switch (message.type) {
    case 'wake':
      return run();
    case 'answer': {
      const waiting = asking.get(message.request);
      asking.delete(message.request);
      if (message.error === undefined) waiting?.resolve(message.value);
      else waiting?.reject(new Error(message.error));
      return;
    }
    case 'stop':
      stopping = true;
      clearInterval(poll);
      void job
        .stop()
        .then(() => storage.close())
        .finally(() => post({ type: 'stopped' }));
  }
});
