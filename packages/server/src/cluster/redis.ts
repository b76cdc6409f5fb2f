import { Redis, type RedisOptions } from 'ioredis';
import type { Config } from '../config/config.ts';

/** Redis could not be reached or refused this node: the start stops with this message. */
export class ClusterError extends Error {
  override name = 'ClusterError';
}

export interface ClusterLogger {
  warn(object: object, message: string): void;
}

/**
 * A connection to the cluster's Redis (REDIS_URL). Password and database come from the URL
 * (`redis://:password@host:6379/0`); `rediss://` is TLS, checked against the system's CAs or
 * REDIS_TLS_CA_FILE's. Errors are logged, never thrown at the process: ioredis reconnects.
 *
 * `role` names the connection in `CLIENT LIST` (frontdesk:<role>:<node>), so an operator can tell
 * which node holds which connection.
 */
export function connectRedis(
  config: Pick<Config, 'redisUrl' | 'cluster'>,
  nodeId: string,
  role: string,
  log: ClusterLogger,
  options: RedisOptions = {},
): Redis {
  if (config.redisUrl === null) throw new Error('connectRedis needs REDIS_URL');
  const tls = config.redisUrl.startsWith('rediss:') && config.cluster.redisTlsCa !== null ? { tls: { ca: config.cluster.redisTlsCa } } : {};
  const client = new Redis(config.redisUrl, { connectionName: `frontdesk:${role}:${nodeId}`, ...tls, ...options });
  let failing = false;
  client.on('error', (error: Error) => {
    // One line per outage, not one per reconnect attempt.
    if (!failing) log.warn({ err: { message: error.message, code: (error as NodeJS.ErrnoException).code } }, `redis (${role}) connection error`);
    failing = true;
  });
  client.on('ready', () => (failing = false));
  return client;
}

/**
 * Resolves when the client is connected (ioredis's `ready`). Rejects at once when Redis refuses the
 * credentials, and after `ms` otherwise, with the last error seen: a node must not start half-joined.
 */
export function whenReady(client: Redis, ms: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    let last = 'no answer';
    const done = (error?: Error) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('error', onError);
      if (error) reject(error);
      else resolve();
    };
    const onReady = () => done();
    const onError = (error: Error) => {
      last = error.message;
      if (/WRONGPASS|NOAUTH|invalid password|invalid username/i.test(error.message)) {
        done(new ClusterError(`Redis refused the credentials in REDIS_URL: ${error.message}`));
      }
    };
    const timer = setTimeout(() => done(new ClusterError(`Redis not ready after ${ms} ms (check REDIS_URL, its password and TLS): ${last}`)), ms);
    client.once('ready', onReady);
    client.on('error', onError);
  });
}
