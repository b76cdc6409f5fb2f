import { createRequire } from 'node:module';
import type { FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { Redis } from 'ioredis';
import type { ClusterLogger } from './redis.ts';

type Result = { current: number; ttl: number };
type Callback = (error: Error | null, result?: Result) => void;
interface Store {
  incr(key: string, callback: Callback, timeWindow: number, max: number): void;
}

// @fastify/rate-limit's own in-memory store (an LRU of 5,000 keys), for when Redis is away.
const LocalStore = createRequire(import.meta.url)('@fastify/rate-limit/store/LocalStore.js') as new (
  continueExceeding: boolean,
  exponentialBackoff: boolean,
  cache?: number,
) => Store;

/**
 * Rate-limit counters shared by every node (fixed windows in Redis: `<prefix>:rl:<route>:<client>`),
 * so ten login attempts a minute means ten for the cluster, not ten per node behind a round-robin
 * balancer. While Redis is away each node counts on its own (the limit holds per node) rather than
 * letting every request through or refusing them all.
 */
export function sharedRateLimitStore(redis: Redis, prefix: string, log: ClusterLogger): FastifyRateLimitStoreCtor {
  redis.defineCommand('frontdeskRateLimit', {
    numberOfKeys: 1,
    lua: `
      local current = redis.call('INCR', KEYS[1])
      local ttl = tonumber(ARGV[1])
      if current == 1 then
        redis.call('PEXPIRE', KEYS[1], ttl)
      else
        local left = redis.call('PTTL', KEYS[1])
        if left < 0 then redis.call('PEXPIRE', KEYS[1], ttl) else ttl = left end
      end
      return {current, ttl}`,
  });
  const incr = (key: string, windowMs: number): Promise<[number, number]> =>
    (redis as unknown as { frontdeskRateLimit(key: string, windowMs: number): Promise<[number, number]> }).frontdeskRateLimit(key, windowMs);
  let failing = false;

  class SharedStore {
    readonly #prefix: string;
    readonly #local = new LocalStore(false, false);
    constructor(_options: unknown, keyPrefix = `${prefix}:rl:`) {
      this.#prefix = keyPrefix;
    }
    incr(key: string, callback: Callback, timeWindow: number, max: number): void {
      incr(this.#prefix + key, timeWindow).then(
        ([current, ttl]) => {
          failing = false;
          callback(null, { current, ttl });
        },
        (error: unknown) => {
          if (!failing) log.warn({ err: error }, 'rate-limit counters unavailable in Redis: each node counts on its own');
          failing = true;
          this.#local.incr(key, callback, timeWindow, max);
        },
      );
    }
    // Route limits (login, widget sessions) count apart from the global one. The plugin passes its
    // merged parameters with `routeInfo` (its typings say route options).
    child(params: { routeInfo: { method: string | string[]; url: string } }): SharedStore {
      return new SharedStore(undefined, `${this.#prefix}${String(params.routeInfo.method)}${params.routeInfo.url}:`);
    }
  }
  return SharedStore as unknown as FastifyRateLimitStoreCtor;
}
