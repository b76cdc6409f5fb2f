import type { Redis } from 'ioredis';
import type { ClusterLogger } from '../cluster/redis.ts';
import type { Bus, BusEvent } from './bus.ts';

export interface RedisBus extends Bus {
  /** Resolves once the subscription is in place (before it, other nodes' events are not heard). */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}


/**
 * Cluster fan-out over Redis pub/sub (DESIGN.md §7). An event is delivered to this node's sockets at
 * once and published for the others; a node ignores its own publications. One channel carries all
 * events: every node matches each event's audience against its own sockets, so nothing has to track
 * which user is on which node. That costs every node every event, which a handful of nodes absorb
 * (docs/operations.md); beyond that, channels per shop are the next step.
 *
 * Pub/sub is at-most-once: a node cut off from Redis misses events. Delivery stays correct because
 * messages are stored before they are published and clients fill gaps with `sync` when they
 * reconnect; `onResubscribed` lets the gateway make its clients do that after an outage.
 */
export function redisBus(
  /** Without an offline queue: while Redis is away a publish fails at once instead of holding up the send that made it. */
  publisher: Redis,
  subscriber: Redis,
  node: string,
  log: ClusterLogger,
  /** REDIS_PREFIX: the channel is `<prefix>:events`. */
  prefix = 'frontdesk',
): RedisBus & { onResubscribed(listener: () => void): void; onPublishFailed(listener: () => void): void } {
  // One channel for every event: each node hears all and delivers to its own sockets (hub.deliver).
  const CHANNEL = `${prefix}:events`;
  const listeners = new Set<(event: BusEvent) => void>();
  const resubscribed = new Set<() => void>();
  const publishFailed = new Set<() => void>();
  const publisherReady = publisher.status === 'ready' ? Promise.resolve() : new Promise<void>((resolve) => publisher.once('ready', () => resolve()));
  // Events this node could not publish while Redis was away, sent when it is back: other nodes may
  // have resynced their clients before this node's link returned, and must still hear of them.
  const backlog: string[] = [];
  const BACKLOG_MAX = 10_000;
  publisher.on('ready', () => {
    for (const text of backlog.splice(0)) {
      publisher.publish(CHANNEL, text).catch((error: unknown) => log.warn({ err: error }, 'redis republish failed'));
    }
  });

  let subscribedOnce = false;
  const ready = new Promise<void>((resolve, reject) => {
    // At every (re)connection: after an outage this node missed events, and says so.
    const subscribe = () => {
      subscriber.subscribe(CHANNEL).then(
        () => {
          if (subscribedOnce) resubscribed.forEach((listener) => listener());
          subscribedOnce = true;
          resolve();
        },
        (error: unknown) => {
          log.warn({ err: error }, 'redis subscribe failed');
          reject(error as Error);
        },
      );
    };
    subscriber.on('ready', subscribe);
    if (subscriber.status === 'ready') subscribe();
  });
  ready.catch(() => {});
  const bothReady = Promise.all([ready, publisherReady]).then(() => undefined);

  subscriber.on('message', (_channel: string, text: string) => {
    let envelope: { node: string; event: BusEvent };
    try {
      envelope = JSON.parse(text) as { node: string; event: BusEvent };
    } catch {
      return log.warn({}, 'unreadable event on the bus');
    }
    if (envelope.node === node) return;
    for (const listener of listeners) listener(envelope.event);
  });

  return {
    ready: bothReady,
    async publish(event) {
      for (const listener of listeners) listener(event);
      // The message is stored already; while Redis is away the event waits here for it.
      const text = JSON.stringify({ node, event });
      await publisher.publish(CHANNEL, text).catch((error: unknown) => {
        for (const listener of publishFailed) listener();
        if (backlog.length < BACKLOG_MAX) backlog.push(text);
        else log.warn({ err: error }, 'redis publish failed and the backlog is full: clients of other nodes catch up at their next sync');
      });
    },
    /** Called for each publish Redis did not take (the node's metrics). */
    onPublishFailed(listener) {
      publishFailed.add(listener);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onResubscribed(listener) {
      resubscribed.add(listener);
    },
    async close() {
      await Promise.all([publisher.quit().catch(() => publisher.disconnect()), subscriber.quit().catch(() => subscriber.disconnect())]);
    },
  };
}
