import type { Operations } from '@frontdesk/protocol';
import type { BusEvent } from '../fanout/bus.ts';
import { operationsFrame } from '../fanout/operations-feed.ts';
import { every, type Job } from './every.ts';

const CONCURRENT_SHOPS = 4;

/**
 * Every OPERATIONS_PUSH_MS: the figures of each shop that has a subscribed dashboard on this node,
 * computed once per shop (observability/operations.ts caches them per tick) and delivered to this
 * node's subscribers; the audience is fanout/'s (operations-feed.ts). A job per node rather than a
 * timer per connection: ten dashboards of one shop cost one computation, not ten.
 */
export function operationsPush(
  everyMs: number,
  deps: { watchedShops(): Iterable<string>; figures(shopId: string): Promise<Operations>; deliver(event: BusEvent): void },
  failed: (error: unknown) => void,
): Job {
  return every(everyMs, async () => {
    const shops = [...deps.watchedShops()];
    // A few shops at a time, so a node serving many dashboards does not take the whole pool.
    for (let i = 0; i < shops.length; i += CONCURRENT_SHOPS) {
      await Promise.all(
        shops.slice(i, i + CONCURRENT_SHOPS).map((shopId) =>
          deps.figures(shopId).then(
            (operations) => deps.deliver(operationsFrame(shopId, operations)),
            (error: unknown) => failed(error),
          ),
        ),
      );
    }
  }, failed);
}
