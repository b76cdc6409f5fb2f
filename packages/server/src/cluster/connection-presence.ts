import type { Redis } from 'ioredis';
import type { ConnectionLimit } from '../channels/sockets/connection-limit.ts';
import type { ClusterLogger } from './redis.ts';

/**
 * Who is connected where, in Redis with TTL heartbeats: each node keeps
 * `<prefix>:conn:{<user>}:<node>` = its number of connections of that user, renewed every beat and
 * expiring after three, so a node that dies takes its counts with it. The per-user connection limit
 * sums them over the live nodes (node-registry.ts) in one script, so two nodes admitting the same
 * user at once cannot both pass the limit. The hash tag keeps a user's keys in one slot.
 *
 * Redis away: each node falls back to its own count (the limit holds per node, as without Redis).
 */
export function connectionPresence(
  redis: Redis,
  nodeId: string,
  options: { heartbeatMs: number; prefix: string; liveNodes: () => readonly string[] },
  log: ClusterLogger,
): ConnectionLimit & { close(): Promise<void> } {
  const ttlMs = 3 * options.heartbeatMs;
  const counts = new Map<string, number>();
  const key = (userId: string, node: string) => `${options.prefix}:conn:{${userId}}:${node}`;
  redis.defineCommand('frontdeskAcquire', {
    lua: `
      local total = tonumber(ARGV[1])
      for i = 2, #KEYS do
        local v = redis.call('GET', KEYS[i])
        if v then total = total + tonumber(v) end
      end
      if total > tonumber(ARGV[3]) then return 0 end
      redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
      return 1`,
  });
  const acquireScript = (keys: string[], count: number, max: number): Promise<number> =>
    (redis as unknown as { frontdeskAcquire(n: number, ...args: Array<string | number>): Promise<number> }).frontdeskAcquire(keys.length, ...keys, count, ttlMs, max);

  /** Users whose key may be out of date in Redis (a write failed, or raced a refused acquire). */
  const stale = new Set<string>();

  function write(userId: string): void {
    const count = counts.get(userId) ?? 0;
    const done = count > 0 ? redis.set(key(userId, nodeId), count, 'PX', ttlMs) : redis.del(key(userId, nodeId));
    // Past the cap the keys are left to expire (three beats).
    done.catch(() => stale.size < 100_000 && stale.add(userId));
  }

  // Every beat: this node's counts rewritten (renewing their TTL), keys left over deleted.
  const timer = setInterval(() => {
    if (counts.size === 0 && stale.size === 0) return;
    const pipeline = redis.pipeline();
    for (const [userId, count] of counts) pipeline.set(key(userId, nodeId), count, 'PX', ttlMs);
    const cleared = [...stale].filter((userId) => !counts.has(userId));
    for (const userId of cleared) pipeline.del(key(userId, nodeId));
    stale.clear();
    pipeline.exec().catch((error: unknown) => {
      cleared.forEach((userId) => stale.add(userId));
      log.warn({ err: error }, 'connection presence renewal failed');
    });
  }, options.heartbeatMs);
  timer.unref();

  return {
    async acquire(userId, max) {
      const count = (counts.get(userId) ?? 0) + 1;
      if (count > max) return false;
      counts.set(userId, count);
      const others = options.liveNodes().filter((node) => node !== nodeId);
      let admitted: boolean;
      try {
        admitted = (await acquireScript([key(userId, nodeId), ...others.map((node) => key(userId, node))], count, max)) === 1;
      } catch (error) {
        log.warn({ err: error }, 'connection count unavailable in Redis: this node counts its own');
        admitted = true;
      }
      if (!admitted) {
        const left = (counts.get(userId) ?? 1) - 1;
        if (left > 0) counts.set(userId, left);
        else counts.delete(userId);
        // A release may have written a count that included this attempt: the key is set again.
        write(userId);
      }
      return admitted;
    },
    release(userId) {
      const left = (counts.get(userId) ?? 1) - 1;
      if (left > 0) counts.set(userId, left);
      else counts.delete(userId);
      write(userId);
    },
    async close() {
      clearInterval(timer);
      if (counts.size === 0) return;
      await redis.del(...[...counts.keys()].map((userId) => key(userId, nodeId))).catch(() => {});
      counts.clear();
    },
  };
}
