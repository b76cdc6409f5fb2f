import type { Redis } from 'ioredis';
import type { ClusterLogger } from './redis.ts';

/** A shop's online figures on one node (channels/sockets/hub.ts), as goim's online routes read them. */
export interface OnlineFigures {
  readonly rooms: Readonly<Record<string, number>>;
  readonly connections: number;
  readonly people: number;
}

/** What this node knows of its own connections. */
export interface LocalOnline {
  figures(shopId: string): OnlineFigures;
  /** Every shop with at least one connection here, in one pass. */
  all(): Map<string, OnlineFigures>;
}

/** A shop's figures on every node (goim's /goim/online/*). */
export interface OnlineView {
  figures(shopId: string): Promise<OnlineFigures>;
}

/** One node alone: its own figures. */
export const localOnline = (local: LocalOnline): OnlineView => ({ figures: async (shopId) => local.figures(shopId) });

/**
 * goim's comets report their rooms' counts to its logic tier every so often; here each node writes
 * its figures for every shop it has connections of into `<prefix>:online:<shop>`, a hash of node →
 * figures, every beat, and a read sums the live nodes' (its own figures fresh, the others' as of
 * their last beat). A shop a node no longer holds anyone of loses that node's field; a dead node's
 * field is skipped (not in `liveNodes`) and expires with the key when nobody writes it any more.
 * `people` is summed per node: someone connected to two nodes counts twice.
 */
export function clusterOnline(
  redis: Redis,
  nodeId: string,
  options: { prefix: string; heartbeatMs: number; liveNodes: () => readonly string[]; local: LocalOnline },
  log: ClusterLogger,
): OnlineView & { close(): Promise<void> } {
  const key = (shopId: string) => `${options.prefix}:online:${shopId}`;
  const ttlMs = 3 * options.heartbeatMs;
  let reported = new Set<string>();

  async function report(): Promise<void> {
    const all = options.local.all();
    const shops = new Set(all.keys());
    const pipeline = redis.pipeline();
    for (const [shopId, figures] of all) {
      pipeline.hset(key(shopId), nodeId, JSON.stringify(figures));
      pipeline.pexpire(key(shopId), ttlMs);
    }
    for (const shopId of reported) if (!shops.has(shopId)) pipeline.hdel(key(shopId), nodeId);
    await pipeline.exec();
    reported = shops;
  }
  const timer = setInterval(() => {
    report().catch((error: unknown) => log.warn({ err: error }, 'reporting online counts failed'));
  }, options.heartbeatMs);
  timer.unref();

  return {
    async figures(shopId) {
      const own = options.local.figures(shopId);
      const rooms = new Map(Object.entries(own.rooms));
      let { connections, people } = own;
      const live = new Set(options.liveNodes());
      // Redis away: this node's own figures rather than none.
      const others = await redis.hgetall(key(shopId)).catch(() => ({}) as Record<string, string>);
      for (const [node, value] of Object.entries(others)) {
        if (node === nodeId || !live.has(node)) continue;
        const theirs = JSON.parse(value) as OnlineFigures;
        connections += theirs.connections;
        people += theirs.people;
        for (const [room, count] of Object.entries(theirs.rooms)) rooms.set(room, (rooms.get(room) ?? 0) + count);
      }
      return { rooms: Object.fromEntries(rooms), connections, people };
    },
    async close() {
      clearInterval(timer);
      const pipeline = redis.pipeline();
      for (const shopId of reported) pipeline.hdel(key(shopId), nodeId);
      await pipeline.exec().catch(() => {});
    },
  };
}
