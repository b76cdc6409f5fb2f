import type { AddressPolicy } from './address-policy.ts';
import { buildEvent, type Subjects } from './payload.ts';
import type { SecretBox } from './secret-box.ts';
import { post, type Attempt } from './send.ts';
import { signedHeaders } from './signature.ts';
import type { ClaimedDelivery, DeliveryStore } from '../../storage/webhook-delivery-store.ts';

export interface WorkerOptions {
  /** How long a delivery is retried; an endpoint failing without a success this long is disabled. */
  readonly retryMs: number;
  readonly retryBaseMs: number;
  readonly timeoutMs: number;
}

interface Log {
  warn(object: object, message: string): void;
}

const OUTBOX_BATCH = 100;
/** Sends in flight per node: a slow receiver holds one slot for at most timeoutMs. */
const IN_FLIGHT_MAX = 16;
/** Commits arriving together wake the job once: a burst of sends costs one run, not one each. */
const NUDGE_DELAY_MS = 20;
/** No retry waits longer than this, however many attempts failed. */
const RETRY_DELAY_MAX = 3_600_000;

/**
 * Full jitter (AWS Architecture Blog, "Exponential Backoff and Jitter"): anywhere between 0 and
 * base × 2^(attempt−1), capped, so a receiver coming back is not met by every node at once. The
 * last attempt falls on the window's end; after that, none.
 */
export function nextAttemptAt(attempts: number, now: number, retryUntil: number, baseMs: number, random = Math.random): number | null {
  if (now >= retryUntil) return null;
  const ceiling = Math.min(RETRY_DELAY_MAX, baseMs * 2 ** Math.min(attempts - 1, 30));
  return Math.min(retryUntil, now + Math.floor(random() * ceiling));
}

const duration = (ms: number) => (ms >= 3_600_000 ? `${Math.round(ms / 360_000) / 10} h` : `${Math.round(ms / 1000)} s`);

/**
 * The durable side of webhooks. Each run (1) fans outbox rows out into deliveries, one transaction
 * per batch, and (2) starts the due deliveries, each leased to this node, without waiting for them.
 * Runs never overlap: a nudge during a run makes it go round once more. Delivery is at least once
 * (a node may die after the receiver answered and before the answer was recorded); receivers
 * deduplicate by X-Frontdesk-Delivery. No order between events is kept.
 */
export function deliveryWorker(deps: {
  store: DeliveryStore;
  subjects: Subjects;
  secrets: SecretBox;
  policy: AddressPolicy;
  options: WorkerOptions;
  now: () => number;
  log: Log;
}) {
  const { store, subjects, secrets, policy, options, now, log } = deps;
  const inFlight = new Set<Promise<void>>();
  const aborter = new AbortController();
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  let woken: ReturnType<typeof setTimeout> | null = null;

  async function fanOut(): Promise<void> {
    for (;;) {
      const rows = await store.peekOutbox(OUTBOX_BATCH);
      if (rows.length === 0) return;
      const events = new Map(await Promise.all(rows.map(async (row) => [row.id, await buildEvent(row, subjects)] as const)));
      const at = now();
      await store.fanOut(events, at, at + options.retryMs);
      if (rows.length < OUTBOX_BATCH) return;
    }
  }

  async function attempt(delivery: ClaimedDelivery): Promise<void> {
    let result: Attempt;
    try {
      const secret = await secrets.open(delivery.endpoint.sealedSecret);
      const headers = signedHeaders(secret, delivery.payload, delivery, Math.floor(now() / 1000));
      result = await post(delivery.endpoint.url, delivery.payload, headers, policy, options.timeoutMs, aborter.signal);
    } catch (error) {
      result = { ok: false, status: null, error: error instanceof Error ? error.message : String(error) };
    }
    if (stopped) return; // Shutting down: the lease runs out and another run retries it.
    const at = now();
    const next = result.ok ? null : nextAttemptAt(delivery.attempts + 1, at, delivery.retryUntil, options.retryBaseMs);
    const failingSince = await store.settle(delivery, { ...result, nextAttemptAt: next }, at);
    if (failingSince !== null && at - failingSince >= options.retryMs) {
      await store.disable(delivery.endpoint.id, `Every delivery failed for ${duration(options.retryMs)}; the last: ${result.error ?? 'no answer'}`.slice(0, 500), at);
    }
  }

  function start(delivery: ClaimedDelivery): void {
    const task = attempt(delivery)
      .catch((error: unknown) => log.warn({ err: error, delivery: delivery.id }, 'webhook attempt failed to record'))
      .finally(() => {
        inFlight.delete(task);
        // A slot is free: more may be due.
        nudge();
      });
    inFlight.add(task);
  }

  async function once(): Promise<void> {
    await fanOut();
    const free = IN_FLIGHT_MAX - inFlight.size;
    if (free <= 0 || stopped) return;
    const at = now();
    // Held past the attempt's own timeout, so a live node always settles before anyone may retake it.
    const claimed = await store.claimDue(at, free, at + options.timeoutMs + 5_000);
    for (const delivery of claimed) start(delivery);
  }

  const nudge = () => void run().catch((error: unknown) => log.warn({ err: error }, 'webhook delivery run failed'));

  /** One run now, or one more after the current one. */
  function run(): Promise<void> {
    if (stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await once();
        } while (again && !stopped);
      } finally {
        running = null;
      }
    })();
    return running;
  }

  return {
    run,
    /** A fact that may have been recorded was committed on this node: deliver it now, not at the next poll. */
    wake(): void {
      woken ??= setTimeout(() => {
        woken = null;
        nudge();
      }, NUDGE_DELAY_MS);
    },
    /** Stops taking work and abandons the attempts in flight (their leases lapse; they are retried). */
    async stop(): Promise<void> {
      stopped = true;
      if (woken) clearTimeout(woken);
      aborter.abort();
      await Promise.allSettled([running, ...inFlight]);
    },
  };
}

export type DeliveryWorker = ReturnType<typeof deliveryWorker>;
