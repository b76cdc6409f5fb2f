import type { FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { Config } from '../config/config.ts';
import { redisBus, type RedisBus } from '../fanout/redis-bus.ts';
import type { ConnectionLimit } from '../channels/sockets/connection-limit.ts';
import { connectionPresence } from './connection-presence.ts';
import { nodeRegistry, type NodeRegistry } from './node-registry.ts';
import { sharedRateLimitStore } from './rate-limit-store.ts';
import { clusterOnline, type LocalOnline, type OnlineView } from './online-counts.ts';
import { connectRedis, refuseOpenRedis, whenReady, type ClusterLogger } from './redis.ts';

export interface Cluster {
  readonly bus: ReturnType<typeof redisBus>;
  readonly registry: NodeRegistry;
  /** The per-user connection limit over every node. */
  readonly connections: ConnectionLimit;
  readonly rateLimitStore: FastifyRateLimitStoreCtor;
  /** Readiness: Redis answers. */
  ping(): Promise<void>;
  /** goim's online figures summed over the live nodes. */
  readonly online: OnlineView;
  /** Leaves the cluster: deregisters this node and closes its Redis connections. */
  close(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Cluster mode (REDIS_URL, DESIGN.md §7): what the nodes share in Redis. Three connections per
 * node: the bus's publisher and subscriber, and one for state (the node registry, connection
 * presence, rate-limit counters). State commands fail fast while Redis is away (no offline queue,
 * a one-second timeout), and each part then falls back to what this node knows on its own.
 */
export async function joinCluster(
  config: Config,
  nodeId: string,
  log: ClusterLogger,
  self: { port: () => number | null; connections: () => number; online: LocalOnline; sendP99Ms?: () => number | null },
): Promise<Cluster> {
  await refuseOpenRedis(config);
  const publisher = connectRedis(config, nodeId, 'publish', log, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  const subscriber = connectRedis(config, nodeId, 'subscribe', log, { maxRetriesPerRequest: 1 });
  const state = connectRedis(config, nodeId, 'state', log, { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 1_000 });
  const clients = [publisher, subscriber, state];
  try {
    await Promise.all(clients.map((client) => whenReady(client, CONNECT_TIMEOUT_MS)));
    const prefix = config.cluster.redisPrefix;
    const bus = redisBus(publisher, subscriber, nodeId, log, prefix);
    await bus.ready;
    const registry = await nodeRegistry(state, nodeId, { heartbeatMs: config.cluster.heartbeatMs, prefix, ...self }, log);
    const connections = connectionPresence(state, nodeId, { heartbeatMs: config.cluster.heartbeatMs, prefix, liveNodes: registry.liveNodes }, log);
    const online = clusterOnline(state, nodeId, { heartbeatMs: config.cluster.heartbeatMs, prefix, liveNodes: registry.liveNodes, local: self.online }, log);
    return {
      bus,
      registry,
      connections,
      rateLimitStore: sharedRateLimitStore(state, prefix, log),
      async ping() {
        await state.ping();
      },
      online,
      async close() {
        await online.close();
        await registry.close();
        await connections.close();
        await bus.close();
        await state.quit().catch(() => state.disconnect());
      },
    };
  } catch (error) {
    clients.forEach((client) => client.disconnect());
    throw error;
  }
}
