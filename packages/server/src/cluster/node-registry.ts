import os from 'node:os';
import type { Redis } from 'ioredis';
import type { ClusterLogger } from './redis.ts';

/** What a node says of itself at every beat (`frontdesk nodes` prints it). */
export interface NodeInfo {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  /** The HTTP port, once listening. */
  readonly port: number | null;
  readonly startedAt: number;
  readonly seenAt: number;
  /** Authenticated client connections on the node at its last beat. */
  readonly connections: number;
  /** The node's send p99 over five minutes (ms) at its last beat; null without sends (absent before it was reported). */
  readonly sendP99Ms?: number | null;
}

export interface NodeRegistry {
  readonly nodeId: string;
  /** The nodes alive at the last beat, this one included (a cached list: no Redis call). */
  liveNodes(): readonly string[];
  /** Every live node with what it said of itself, from Redis. */
  list(): Promise<NodeInfo[]>;
  /**
   * Nodes that registered and then stopped beating (crashed, or cut off from Redis for three beats),
   * each with `seenBefore`: its last beat plus one interval. Had it lived past that moment it would
   * have beaten again, so what it recorded before then may be dropped, and what it recorded later
   * shows it alive. They stay listed until `forget`, so a cleanup that fails is tried again.
   */
  dead(): Promise<Array<{ id: string; seenBefore: number }>>;
  /** A dead node has been cleaned up after; true for the one caller that removed it. */
  forget(nodeId: string): Promise<boolean>;
  /** Called when this node finds it was taken for dead (it stalled or lost Redis longer than the TTL). */
  onRevived(listener: () => void): void;
  close(): Promise<void>;
}

const membersKey = (prefix: string) => `${prefix}:nodes`;
const aliveKey = (prefix: string, id: string) => `${prefix}:node:${id}`;

/** The live nodes and what each said of itself at its last beat (`frontdesk nodes`). */
export async function listNodes(redis: Redis, prefix: string): Promise<NodeInfo[]> {
  const ids = await redis.zrange(membersKey(prefix), '0', '-1');
  if (ids.length === 0) return [];
  const values = await redis.mget(ids.map((id) => aliveKey(prefix, id)));
  return values.flatMap((value) => (value === null ? [] : [JSON.parse(value) as NodeInfo]));
}

/**
 * Node liveness in Redis: each node renews `<prefix>:node:<id>` (its NodeInfo, expiring after three
 * beats) and its score in the `<prefix>:nodes` set every beat. A node whose key expired while it is
 * still in the set has died without saying goodbye; a graceful stop removes both.
 */
export async function nodeRegistry(
  redis: Redis,
  nodeId: string,
  options: { heartbeatMs: number; prefix: string; port: () => number | null; connections: () => number; sendP99Ms?: () => number | null },
  log: ClusterLogger,
): Promise<NodeRegistry> {
  const ttlMs = 3 * options.heartbeatMs;
  const MEMBERS = membersKey(options.prefix);
  const alive = (id: string) => aliveKey(options.prefix, id);
  const startedAt = Date.now();
  const revived = new Set<() => void>();
  let live: string[] = [nodeId];
  let beats = 0;
  let closed = false;

  async function beat(): Promise<void> {
    const info: NodeInfo = {
      id: nodeId,
      host: os.hostname(),
      pid: process.pid,
      port: options.port(),
      startedAt,
      seenAt: Date.now(),
      connections: options.connections(),
      sendP99Ms: options.sendP99Ms?.() ?? null,
    };
    const [[, previous]] = (await redis
      .multi()
      .set(alive(nodeId), JSON.stringify(info), 'PX', ttlMs, 'GET')
      .zadd(MEMBERS, info.seenAt, nodeId)
      .exec()) as [[Error | null, string | null], [Error | null, unknown]];
    // The key was gone although this node has beaten before: the others took it for dead and may
    // have dropped its agents' devices. The listener puts them back.
    if (previous === null && beats > 0) revived.forEach((listener) => listener());
    beats++;
    live = await aliveAmong(await redis.zrange(MEMBERS, '0', '-1'));
    if (!live.includes(nodeId)) live.push(nodeId);
  }

  async function aliveAmong(ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const values = await redis.mget(ids.map(alive));
    return ids.filter((_, i) => values[i] !== null);
  }

  await beat();
  const timer = setInterval(() => {
    beat().catch((error: unknown) => log.warn({ err: error }, 'node heartbeat failed'));
  }, options.heartbeatMs);
  timer.unref();

  return {
    nodeId,
    liveNodes: () => live,
    list: () => listNodes(redis, options.prefix),
    async dead() {
      const entries = await redis.zrange(MEMBERS, '0', '-1', 'WITHSCORES');
      const ids = entries.filter((_, i) => i % 2 === 0);
      const living = new Set(await aliveAmong(ids));
      return ids.flatMap((id, i) =>
        living.has(id) || id === nodeId ? [] : [{ id, seenBefore: Number(entries[2 * i + 1]) + options.heartbeatMs }],
      );
    },
    async forget(id) {
      return (await redis.zrem(MEMBERS, id)) > 0;
    },
    onRevived(listener) {
      revived.add(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      await redis
        .multi()
        .del(alive(nodeId))
        .zrem(MEMBERS, nodeId)
        .exec()
        .catch((error: unknown) => log.warn({ err: error }, 'node deregistration failed'));
    },
  };
}
