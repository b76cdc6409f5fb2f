import { Worker } from 'node:worker_threads';
import type { AttemptTally } from './delivery-job.ts';
import type { Storage } from '../../storage/connect.ts';
import { WEBHOOKS, WriterLock, MAIN } from '../../storage/writer-lock.ts';
import { resolveHost, type AddressPolicy } from './address-policy.ts';
import type { DeliveryOptions } from './delivery-job.ts';
import type { SecretBox } from './secret-box.ts';

export interface ThreadSettings extends DeliveryOptions {
  readonly allowHttp: boolean;
  readonly allowPrivate: boolean;
  readonly pollMs: number;
  /** The thread's nice value on Linux (0 = as the process; 19 = the lowest priority). */
  readonly nice: number;
}

export interface ThreadData {
  readonly opened: Storage['opened'];
  /** One float the main thread keeps up to date: its event loop's utilisation over the last BUSY_SAMPLE_MS. */
  readonly mainLoad: SharedArrayBuffer;
  /** The thread's name in pg_stat_activity. */
  readonly name: string;
  readonly settings: ThreadSettings;
}

export type ToThread =
  | { readonly type: 'wake' }
  | { readonly type: 'stop' }
  | { readonly type: 'answer'; readonly request: number; readonly value?: unknown; readonly error?: string };

export type FromThread =
  | { readonly type: 'ask'; readonly request: number; readonly what: 'resolve' | 'open'; readonly argument: string }
  | { readonly type: 'log'; readonly message: string; readonly detail: string | null }
  | { readonly type: 'counted'; readonly tally: AttemptTally }
  | { readonly type: 'stopped' };

/** Commits arriving together wake the thread once: a burst of sends costs one message, not one each. */
const WAKE_DELAY_MS = 20;
/** A thread that has not stopped by then is ended. */
const STOP_TIMEOUT_MS = 5_000;
/** How often the main thread tells the webhook thread how busy it is. */
export const BUSY_SAMPLE_MS = 200;

interface Log {
  warn(object: object, message: string): void;
}

/**
 * The main thread's handle on webhook delivery (thread.ts). The thread starts when there is
 * something to deliver: a commit here that recorded a fact (`wake`), or the poll (`run`) finding
 * work another node left, so a node whose shops have no webhooks never starts it. It answers the
 * thread's questions (a host's checked addresses, an endpoint's secret) and, if the thread dies,
 * takes back its turn at the SQLite file; the next poll starts a new one.
 */
export function webhookDeliveries(deps: {
  storage: Storage;
  name: string;
  settings: ThreadSettings;
  policy: AddressPolicy;
  secrets: SecretBox;
  hasWork: () => Promise<boolean>;
  /** Attempts the thread recorded, by result (the node's metrics). */
  counted?: (tally: AttemptTally) => void;
  log: Log;
}) {
  const { storage, settings, policy, secrets, log } = deps;
  const lock = storage.opened.writerLock ? new WriterLock(MAIN, storage.opened.writerLock) : null;
  let thread: Worker | null = null;
  let stopped = false;
  let woken: ReturnType<typeof setTimeout> | null = null;
  const mainLoad = new SharedArrayBuffer(Float64Array.BYTES_PER_ELEMENT);
  let sampler: ReturnType<typeof setInterval> | null = null;

  function answer(to: Worker, request: number, work: Promise<unknown>): void {
    work.then(
      (value) => to.postMessage({ type: 'answer', request, value } satisfies ToThread),
      (error: unknown) => to.postMessage({ type: 'answer', request, error: error instanceof Error ? error.message : String(error) } satisfies ToThread),
    );
  }

  function start(): void {
    const data: ThreadData = { opened: storage.opened, mainLoad, name: `${deps.name} webhooks`, settings };
    if (!sampler) {
      const load = new Float64Array(mainLoad);
      let since = performance.eventLoopUtilization();
      sampler = setInterval(() => {
        const now = performance.eventLoopUtilization();
        load[0] = performance.eventLoopUtilization(now, since).utilization;
        since = now;
      }, BUSY_SAMPLE_MS);
      sampler.unref();
    }
    const started = new Worker(new URL('./thread.ts', import.meta.url), { workerData: data });
    started.on('message', (message: FromThread) => {
      if (message.type === 'ask') answer(started, message.request, message.what === 'resolve' ? resolveHost(message.argument, policy) : secrets.open(message.argument));
      else if (message.type === 'log') log.warn({ detail: message.detail }, message.message);
      else if (message.type === 'counted') deps.counted?.(message.tally);
      else void started.terminate();
    });
    started.on('error', (error) => log.warn({ err: error }, 'the webhook thread failed'));
    started.on('exit', () => {
      // It may have ended holding its turn at the SQLite file.
      lock?.forget(WEBHOOKS);
      if (thread === started) thread = null;
    });
    // The thread alone does not keep the process alive (after the listeners, which would hold it again).
    started.unref();
    thread = started;
  }

  /** Starts the thread if anything waits to be delivered. */
  async function startIfNeeded(): Promise<void> {
    if (thread || stopped) return;
    if ((await deps.hasWork()) && !thread && !stopped) start();
  }

  return {
    /** The poll (jobs/): starts the thread if anything waits to be delivered; once running, it polls itself. */
    run: startIfNeeded,
    /**
     * A fact that may have been recorded was committed on this node: deliver it now, not at the next
     * poll. Commits arriving together make one message (or, before the thread runs, one look).
     */
    wake(): void {
      if (stopped) return;
      woken ??= setTimeout(() => {
        woken = null;
        if (thread) thread.postMessage({ type: 'wake' } satisfies ToThread);
        else startIfNeeded().catch((error: unknown) => log.warn({ err: error }, 'webhook delivery failed'));
      }, WAKE_DELAY_MS);
    },
    /** Stops delivering: attempts in flight are abandoned (their leases lapse; they are tried again). */
    async stop(): Promise<void> {
      stopped = true;
      if (woken) clearTimeout(woken);
      if (sampler) clearInterval(sampler);
      const running = thread;
      if (!running) return;
      await new Promise<void>((resolve) => {
        running.once('exit', () => resolve());
        running.postMessage({ type: 'stop' } satisfies ToThread);
        setTimeout(() => void running.terminate(), STOP_TIMEOUT_MS).unref();
      });
    },
  };
}

export type WebhookDeliveries = ReturnType<typeof webhookDeliveries>;
