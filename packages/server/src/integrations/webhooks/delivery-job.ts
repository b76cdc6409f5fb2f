import { buildEvents, type Subjects } from './payload.ts';
import type { SendItem, SendQueue, SendResult } from './send.ts';
import type { AttemptOutcome, ClaimedDelivery, DeliveryStore } from '../../storage/webhook-delivery-store.ts';

export interface DeliveryOptions {
  /** How long a delivery is retried; an endpoint failing without a success this long is disabled. */
  readonly retryMs: number;
  readonly retryBaseMs: number;
  readonly timeoutMs: number;
}

interface Log {
  warn(object: object, message: string): void;
}

/** Outbox rows fanned out per transaction. */
const OUTBOX_BATCH = 100;
/**
 * Deliveries a node holds at a time (handed to the sender and not yet recorded). Past it, facts
 * wait in the outbox, which costs nothing but its rows: the window bounds memory, and how much
 * must be taken again if the node dies.
 */
const WINDOW = 512;
/** Margin between the latest start of an attempt and the end of its lease, for recording it. */
const RECORD_MARGIN_MS = 1_000;
/** Opened secrets kept; a node has at most 20 endpoints per shop, so this only bounds a pathological case. */
const SECRETS_KEPT = 10_000;
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

/** Attempts by result: taken, failed (to be tried again), failed for the last time. */
export interface AttemptTally {
  readonly delivered: number;
  readonly failed: number;
  readonly given_up: number;
}

function tallyOf(outcomes: readonly AttemptOutcome[]): AttemptTally {
  const tally = { delivered: 0, failed: 0, given_up: 0 };
  for (const o of outcomes) {
    if (!o.attempted) continue;
    if (o.ok) tally.delivered += 1;
    else if (o.nextAttemptAt === null) tally.given_up += 1;
    else tally.failed += 1;
  }
  return tally;
}

const duration = (ms: number) => (ms >= 3_600_000 ? `${Math.round(ms / 360_000) / 10} h` : `${Math.round(ms / 1000)} s`);

/**
 * The durable side of webhooks, run by the webhook thread (thread.ts), in batches: each run (1)
 * fans outbox rows out into deliveries leased to this node, one transaction per batch, and (2)
 * takes due retries; both go to the sender (send.ts), which makes the attempts. Their results are
 * recorded a batch per transaction as they come back. Runs never overlap: a call during a run
 * makes it go round once more. Delivery is at least once (a node may die after the receiver
 * answered and before the answer was recorded); receivers deduplicate by X-Frontdesk-Delivery.
 * No order between events is kept.
 */
export function deliveryJob(deps: {
  store: DeliveryStore;
  subjects: Subjects;
  /** The plain secret of a sealed one (the main thread holds the key). */
  openSecret: (sealed: string) => Promise<string>;
  sender: (onResults: (results: readonly SendResult[]) => void) => Pick<SendQueue, 'send' | 'stop'>;
  /**
   * How many deliveries the job may hold now, once it may take more at all (thread.ts: fewer, and
   * later, while the node is busy serving chat); WINDOW without it.
   */
  pace?: () => Promise<number>;
  /** Attempts recorded, by result (the node's metrics). */
  counted?: (tally: AttemptTally) => void;
  options: DeliveryOptions;
  now: () => number;
  log: Log;
}) {
  const { store, subjects, openSecret, options, now, log } = deps;
  /** Deliveries leased to this node and not yet recorded, by id. */
  const held = new Map<string, ClaimedDelivery>();
  let finished: Array<{ delivery: ClaimedDelivery; result: SendResult }> = [];
  const sender = deps.sender(receive);
  const opened = new Map<string, Promise<string>>();
  let running: Promise<void> | null = null;
  let again = false;
  let recording: Promise<void> | null = null;
  let stopped = false;

  function open(sealed: string): Promise<string> {
    let secret = opened.get(sealed);
    if (!secret) {
      if (opened.size >= SECRETS_KEPT) opened.clear();
      secret = openSecret(sealed);
      opened.set(sealed, secret);
      secret.catch(() => opened.delete(sealed));
    }
    return secret;
  }

  async function dispatch(claimed: readonly ClaimedDelivery[]): Promise<void> {
    const items: SendItem[] = [];
    const unopened: SendResult[] = [];
    for (const delivery of claimed) held.set(delivery.id, delivery);
    for (const delivery of claimed) {
      try {
        const secret = await open(delivery.endpoint.sealedSecret);
        // On the wall clock the sender reads (now() may be a test's).
        const startBy = Date.now() + (delivery.lease - now()) - options.timeoutMs - RECORD_MARGIN_MS;
        items.push({ id: delivery.id, event: delivery.event, url: delivery.endpoint.url, secret, payload: delivery.payload, startBy });
      } catch (error) {
        unopened.push({ id: delivery.id, attempted: true, ok: false, status: null, error: `the endpoint's secret could not be opened: ${error instanceof Error ? error.message : String(error)}` });
      }
    }
    sender.send(items);
    if (unopened.length > 0) receive(unopened);
  }

  const room = async () => Math.min(WINDOW, (await deps.pace?.()) ?? WINDOW) - held.size;

  async function fanOut(): Promise<void> {
    for (;;) {
      const free = await room();
      if (stopped || free <= 0) return;
      const rows = await store.peekOutbox(Math.min(OUTBOX_BATCH, free));
      if (rows.length === 0) return;
      const events = await buildEvents(rows, subjects);
      const at = now();
      const { taken, claimed } = await store.fanOut(rows, events, at, at + options.retryMs, lease(at));
      await dispatch(claimed);
      // Fewer rows than asked for: the outbox is empty. None taken: another node has them.
      if (rows.length < Math.min(OUTBOX_BATCH, free) || taken === 0) return;
    }
  }

  // Held past the attempt's own timeout, so a live node always records before anyone may retake it.
  const lease = (at: number) => at + options.timeoutMs + 5_000;

  async function once(): Promise<void> {
    await fanOut();
    const free = await room();
    if (free <= 0 || stopped) return;
    const at = now();
    await dispatch(await store.claimDue(at, Math.min(free, OUTBOX_BATCH), lease(at)));
  }

  function receive(results: readonly SendResult[]): void {
    for (const result of results) {
      const delivery = held.get(result.id);
      if (delivery) finished.push({ delivery, result });
    }
    if (!stopped) record();
  }

  /** Records what came back, a batch per transaction, one batch at a time. */
  function record(): void {
    if (recording) return;
    recording = (async () => {
      while (finished.length > 0 && !stopped) {
        const batch = finished;
        finished = [];
        const at = now();
        const outcomes = batch.map(({ delivery, result }) => {
          const nextAttempt = result.ok || !result.attempted ? null : nextAttemptAt(delivery.attempts + 1, at, delivery.retryUntil, options.retryBaseMs);
          return { delivery, outcome: { ...result, nextAttemptAt: nextAttempt } satisfies AttemptOutcome };
        });
        try {
          const failing = await store.record(outcomes, at);
          deps.counted?.(tallyOf(outcomes.map((o) => o.outcome)));
          for (const endpoint of failing) {
            if (at - endpoint.since < options.retryMs) continue;
            const why = `Every delivery failed for ${duration(options.retryMs)}; the last: ${endpoint.lastError ?? 'no answer'}`;
            await store.disable(endpoint.endpointId, why.slice(0, 500), at);
          }
        } catch (error) {
          // Not recorded: the leases lapse and the deliveries are tried again.
          log.warn({ err: error, deliveries: batch.length }, 'webhook attempts failed to record');
        } finally {
          for (const { delivery } of batch) held.delete(delivery.id);
        }
      }
    })().finally(() => {
      recording = null;
      if (stopped) return;
      if (finished.length > 0) record();
      // Room in the window: more may be waiting.
      nudge();
    });
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
    /** Stops taking work and abandons the attempts in flight (their leases lapse; they are retried). */
    async stop(): Promise<void> {
      stopped = true;
      await sender.stop();
      await Promise.allSettled([running, recording]);
    },
  };
}

export type DeliveryJob = ReturnType<typeof deliveryJob>;
