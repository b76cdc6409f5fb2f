import { Redis, type RedisOptions } from 'ioredis';
import { isLoopback, type Config } from '../config/config.ts';

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
  // TLS stated rather than left to the driver's reading of the URL; a private CA when configured.
  const tls = config.redisUrl.startsWith('rediss:') ? { tls: config.cluster.redisTlsCa === null ? {} : { ca: config.cluster.redisTlsCa } } : {};
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

/** TLS failures no retry can mend (Node's codes for them). */
const CERTIFICATE_ERRORS = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * Resolves when the client is connected (ioredis's `ready`). Rejects at once when Redis refuses the
 * credentials or its certificate does not verify, and after `ms` otherwise, with the last error seen: a node must not start half-joined.
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
      } else if (CERTIFICATE_ERRORS.has((error as NodeJS.ErrnoException).code ?? '')) {
        // Retrying will not make a certificate trusted.
        done(new ClusterError(`Redis's TLS certificate does not verify (REDIS_TLS_CA_FILE?): ${error.message}`));
      }
    };
    const timer = setTimeout(() => done(new ClusterError(`Redis not ready after ${ms} ms (check REDIS_URL, its password and TLS): ${last}`)), ms);
    client.once('ready', onReady);
    client.on('error', onError);
  });
}

/**
 * Seed 000's lesson: a Redis reachable from the network that takes commands without a password
 * becomes someone else's. Off loopback, the node asks that Redis, without credentials, for a PING;
 * an answer means anyone can, and the start stops (REDIS_ALLOW_NO_AUTH=true overrides).
 */
export async function refuseOpenRedis(config: Pick<Config, 'redisUrl' | 'cluster' | 'redisAllowNoAuth'>, ms = 2_000): Promise<void> {
  if (config.redisUrl === null || config.redisAllowNoAuth) return;
  const url = new URL(config.redisUrl);
  if (isLoopback(url.hostname)) return;
  url.username = '';
  url.password = '';
  const probe = connectRedis({ ...config, redisUrl: url.toString() }, 'probe', 'auth-check', { warn() {} }, {
    maxRetriesPerRequest: 0,
    enableOfflineQueue: true,
    retryStrategy: () => null,
    connectTimeout: ms,
    commandTimeout: ms,
    lazyConnect: true,
  });
  let answered = false;
  try {
    await probe.connect();
    answered = (await probe.ping()) === 'PONG';
  } catch {
    // NOAUTH, refused or unreachable: not open (an unreachable Redis fails the join with its own message).
  } finally {
    probe.disconnect();
  }
  if (answered) {
    throw new ClusterError(
      `The Redis at ${url.hostname}:${url.port || 6379} answers commands without a password, and it is not on loopback: anyone who reaches it can read and change ` +
        'the cluster state (seed 000 found one turned into a miner). Require a password (requirepass or ACL users) and put it in REDIS_URL, ' +
        'or set REDIS_ALLOW_NO_AUTH=true if the network is closed otherwise.',
    );
  }
}
