import path from 'node:path';
import { createSecureContext } from 'node:tls';
import { loadAlertConfig, type AlertConfig } from './alerts.ts';
import { ConfigError, hours, str, int, pemFile, privateKeyFile, redisPrefix, bool, oneOf, databaseSchema, origins, emailAddress, hostName, optionalUrl, isLoopback, type Env } from './env.ts';

import { DEFAULT_SQLITE_CACHE_MB } from '../storage/connect.ts';

export { ConfigError, isLoopback } from './env.ts';

export interface DatabaseTimeouts {
  /** Longest wait for a row lock (lock_timeout). */
  readonly lockMs: number;
  /** Longest statement (statement_timeout). */
  readonly statementMs: number;
  /** Longest pause inside a transaction between statements (idle_in_transaction_session_timeout). */
  readonly idleInTransactionMs: number;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  /** postgres://… when set; otherwise the embedded SQLite file under dataDir. */
  readonly databaseUrl: string | null;
  /** PostgreSQL schema for Frontdesk's tables (and its migration bookkeeping). */
  readonly databaseSchema: string;
  /**
   * PostgreSQL bounds on every transaction of the service, so a frozen node's transaction ends and
   * the others proceed (docs/deploy.md, "What each fault looks like"). 0 = no bound.
   */
  readonly databaseTimeouts: DatabaseTimeouts;
  /** SQLite: the serving connection's page cache, MiB. */
  readonly sqliteCacheMb: number;
  /** redis:// or rediss:// (TLS): cluster mode. */
  readonly redisUrl: string | null;
  /** Start even on a Redis off loopback that takes commands without a password (seed 000's miner). */
  readonly redisAllowNoAuth: boolean;
  readonly metrics: {
    /** Serve /metrics, without a token, on this port of `host`; null = not on a port of its own. */
    readonly port: number | null;
    readonly host: string;
    /** Serve /metrics on the public port to scrapes that present it; null = not on the public port. */
    readonly token: string | null;
  };
  /** Alert rules and their notifications (config/alerts.ts). */
  readonly alerts: AlertConfig;
  /** How often subscribed dashboards receive the operations figures. */
  readonly operationsPushMs: number;
  /** How often snoozed conversations whose time has come are woken (domain/inbox/triage.ts). */
  readonly snoozeSweepMs: number;
  readonly cluster: {
    /** PEM certificates that sign the Redis server's (rediss://), for a private CA; null = the system's. */
    readonly redisTlsCa: string | null;
    /** Each node renews its liveness this often; three missed beats and it is taken for dead. */
    readonly heartbeatMs: number;
    /**
     * Starts every Redis key and channel: deployments sharing one Redis (staging and production,
     * say) stay apart. Redis database numbers do not separate pub/sub channels; this does.
     */
    readonly redisPrefix: string;
  };
  readonly publicUrl: string;
  readonly logLevel: LogLevel;
  /** Signs platform-wide customer identities; null disables them. */
  readonly platformIdentitySecret: string | null;
  readonly staffSessionHours: number;
  /** Staff chat: members a group may have. */
  readonly groupMemberLimit: number;
  /** Campaign sending (docs/campaigns.md): how long a node holds a campaign unrenewed, recipients per transaction, how often due campaigns are looked for. */
  readonly campaigns: { readonly leaseMs: number; readonly batchSize: number; readonly pollMs: number };
  readonly customerSessionHours: number;
  readonly bodyLimitBytes: number;
  /** Seed a demo shop and owner when the database has no shop yet. */
  readonly seedDemo: boolean;
  readonly trustProxy: boolean;
  readonly loginRateLimitPerMinute: number;
  readonly widgetSessionRateLimitPerMinute: number;
  readonly rateLimitPerMinute: number;
  /** Extra origins allowed to open WebSockets (besides PUBLIC_URL and the shops' widget origins). */
  readonly allowedOrigins: readonly string[];
  readonly ws: {
    readonly heartbeatMs: number;
    readonly authTimeoutMs: number;
    readonly maxFrameBytes: number;
    readonly ratePerSecond: number;
    readonly rateBurst: number;
    readonly maxBufferedBytes: number;
    readonly maxConnectionsPerUser: number;
    /** goim packets (WebSocket /sub, TCP): the largest body a client may send. */
    readonly goimMaxBodyBytes: number;
    /** The goim TCP listener's port; null = off. */
    readonly goimTcpPort: number | null;
  };
  readonly attachments: {
    /** The deployment's ceiling on one file; a shop's own limit cannot go above it. */
    readonly maxBytes: number;
    /** Largest chunk of a resumable upload. */
    readonly chunkBytes: number;
    /** Lifetime of a signed attachment link. */
    readonly linkSeconds: number;
    /** Attachments never sent, and uploads never finished, are deleted after this many seconds. */
    readonly orphanSeconds: number;
    /** How often the cleanup runs. */
    readonly sweepMs: number;
    /** Images with more pixels are refused (decompression bombs). */
    readonly maxImagePixels: number;
  };
  readonly routing: {
    /** After an agent's last device disconnects, they stay online this long (a reload does not flap). */
    readonly graceMs: number;
    /** Agents coming online within this window share the waiting backlog evenly. */
    readonly settleMs: number;
    /** How often each node expires presence, auto-reassigns and re-runs its shops' queues. */
    readonly sweepMs: number;
  };
  /** E-mail to customers and their answers by e-mail (docs/channels.md#e-mail); off without SMTP_URL. */
  readonly email: {
    readonly smtpUrl: string | null;
    /** The sender address of customer e-mails (the shop's name is the display name). */
    readonly from: string;
    /** The domain of reply addresses: its MX must reach SMTP_INBOUND_PORT. */
    readonly replyDomain: string;
    /** The inbound SMTP listener's port; null = no listener (replies by e-mail are not taken). */
    readonly inboundPort: number | null;
    readonly inboundHost: string;
    /** The listener's certificate and key (PEM files): it offers STARTTLS; null = plain SMTP only. */
    readonly inboundTls: { readonly certFile: string; readonly keyFile: string } | null;
    readonly sweepMs: number;
  };
  /** WeChat official accounts (docs/channels.md). */
  readonly wechat: {
    /** WeChat's API (https://api.weixin.qq.com); a simulator's or a proxy's in tests and private deployments. */
    readonly apiBase: string;
    /** How often stored callbacks and pending replies are looked for (each event wakes them at once too). */
    readonly sweepMs: number;
  };
  /** Outbound webhooks (docs/webhooks.md). */
  readonly webhooks: {
    /** Plain http:// endpoints are accepted (development only). */
    readonly allowHttp: boolean;
    /** Endpoints may resolve to private, loopback and link-local addresses (development and tests only). */
    readonly allowPrivate: boolean;
    /** A delivery is retried this long; an endpoint failing without a success this long is disabled. */
    readonly retryMs: number;
    /** The first retry's largest delay; each further one doubles it (full jitter, at most an hour). */
    readonly retryBaseMs: number;
    /** One attempt may take this long. */
    readonly timeoutMs: number;
    /** The delivery job's safety-net poll (commits on this node wake it at once). */
    readonly pollMs: number;
    /** The sender thread's nice value on Linux: above 0, chat goes first on a busy machine. */
    readonly senderNice: number;
  };
}

/** SMTP_INBOUND_TLS_CERT_FILE and _KEY_FILE, both or neither; read now so that a bad pair stops the start. */
function inboundTls(env: Env, cwd: string): Config['email']['inboundTls'] {
  const cert = env.SMTP_INBOUND_TLS_CERT_FILE || null;
  const key = env.SMTP_INBOUND_TLS_KEY_FILE || null;
  if (cert === null && key === null) return null;
  if (cert === null || key === null) throw new ConfigError('SMTP_INBOUND_TLS_CERT_FILE and SMTP_INBOUND_TLS_KEY_FILE go together: set both, or neither.');
  const certFile = path.resolve(cwd, cert);
  const keyFile = path.resolve(cwd, key);
  try {
    createSecureContext({ cert: pemFile('SMTP_INBOUND_TLS_CERT_FILE', certFile), key: privateKeyFile('SMTP_INBOUND_TLS_KEY_FILE', keyFile) });
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`SMTP_INBOUND_TLS_KEY_FILE does not go with SMTP_INBOUND_TLS_CERT_FILE (${(error as Error).message}).`);
  }
  return Object.freeze({ certFile, keyFile });
}

/** Parses the environment once; a bad value throws a ConfigError that names the variable. */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const port = int(env, 'PORT', 8080, 0, 65535);
  const host = str(env, 'HOST', '127.0.0.1');
  const dataDir = path.resolve(cwd, str(env, 'DATA_DIR', './data'));
  const databaseUrl = optionalUrl(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const redisUrl = optionalUrl(env, 'REDIS_URL', ['redis:', 'rediss:']);
  const publicUrl = optionalUrl(env, 'PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`;
  if (redisUrl !== null && databaseUrl === null) {
    // Several nodes cannot share one SQLite file: cluster mode needs PostgreSQL (DESIGN.md §6).
    throw new ConfigError('REDIS_URL is set (cluster mode) but DATABASE_URL is not: cluster mode needs PostgreSQL.');
  }
  const redisTlsCaFile = env.REDIS_TLS_CA_FILE || null;
  if (redisTlsCaFile !== null && (redisUrl === null || !redisUrl.startsWith('rediss:'))) {
    throw new ConfigError('REDIS_TLS_CA_FILE is set but REDIS_URL does not start with rediss:// (TLS).');
  }
  if (databaseUrl !== null && !bool(env, 'DATABASE_ALLOW_NO_AUTH', false)) {
    const url = new URL(databaseUrl);
    if (url.password === '' && !isLoopback(url.hostname) && !/sslcert=/.test(url.search)) {
      throw new ConfigError(
        `DATABASE_URL reaches ${url.hostname} without a password: a database open to the network must require one. ` +
          'Put the password in the URL (or a client certificate, sslcert=…), or set DATABASE_ALLOW_NO_AUTH=true if access is restricted otherwise.',
      );
    }
  }
  const metricsToken = env.METRICS_TOKEN || null;
  if (metricsToken !== null && metricsToken.length < 16) throw new ConfigError('METRICS_TOKEN must be at least 16 characters long.');
  const platformIdentitySecret = env.PLATFORM_IDENTITY_SECRET || null;
  if (platformIdentitySecret !== null && platformIdentitySecret.length < 32) {
    throw new ConfigError('PLATFORM_IDENTITY_SECRET must be at least 32 characters long.');
  }
  return Object.freeze({
    host,
    port,
    dataDir,
    databaseUrl,
    databaseSchema: databaseSchema(env, databaseUrl),
    databaseTimeouts: Object.freeze({
      lockMs: int(env, 'DATABASE_LOCK_TIMEOUT_MS', 4_000, 0, 3_600_000),
      statementMs: int(env, 'DATABASE_STATEMENT_TIMEOUT_MS', 5_000, 0, 3_600_000),
      idleInTransactionMs: int(env, 'DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS', 2_000, 0, 3_600_000),
    }),
    sqliteCacheMb: int(env, 'SQLITE_CACHE_MB', DEFAULT_SQLITE_CACHE_MB, 2, 65_536),
    redisUrl,
    redisAllowNoAuth: bool(env, 'REDIS_ALLOW_NO_AUTH', false),
    metrics: Object.freeze({
      port: env.METRICS_PORT ? int(env, 'METRICS_PORT', 9464, 0, 65535) : null,
      host: str(env, 'METRICS_HOST', '127.0.0.1'),
      token: metricsToken,
    }),
    alerts: loadAlertConfig(env, cwd, (message) => {
      throw new ConfigError(message);
    }, int(env, 'ALERT_EVALUATE_MS', 10_000, 50, 3_600_000)),
    operationsPushMs: int(env, 'OPERATIONS_PUSH_MS', 5_000, 50, 600_000),
    snoozeSweepMs: int(env, 'SNOOZE_SWEEP_MS', 15_000, 50, 600_000),
    cluster: Object.freeze({
      redisTlsCa: redisTlsCaFile === null ? null : pemFile('REDIS_TLS_CA_FILE', path.resolve(cwd, redisTlsCaFile)),
      heartbeatMs: int(env, 'CLUSTER_HEARTBEAT_MS', 5_000, 100, 60_000),
      redisPrefix: redisPrefix(env),
    }),
    publicUrl: publicUrl.replace(/\/+$/, ''),
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    platformIdentitySecret,
    staffSessionHours: int(env, 'STAFF_SESSION_HOURS', 12, 1, 24 * 90),
    groupMemberLimit: int(env, 'GROUP_MEMBER_LIMIT', 500, 2, 100_000),
    campaigns: {
      leaseMs: int(env, 'CAMPAIGN_LEASE_MS', 15_000, 1_000, 600_000),
      batchSize: int(env, 'CAMPAIGN_BATCH', 500, 1, 10_000),
      pollMs: int(env, 'CAMPAIGN_POLL_MS', 1_000, 50, 60_000),
    },
    customerSessionHours: int(env, 'CUSTOMER_SESSION_HOURS', 24 * 7, 1, 24 * 365),
    bodyLimitBytes: int(env, 'HTTP_BODY_LIMIT', 256 * 1024, 1024, 64 * 1024 * 1024),
    seedDemo: bool(env, 'SEED_DEMO', true),
    trustProxy: bool(env, 'TRUST_PROXY', false),
    loginRateLimitPerMinute: int(env, 'LOGIN_RATE_LIMIT', 10, 1, 100_000),
    widgetSessionRateLimitPerMinute: int(env, 'WIDGET_SESSION_RATE_LIMIT', 30, 1, 100_000),
    rateLimitPerMinute: int(env, 'RATE_LIMIT', 1200, 1, 1_000_000),
    allowedOrigins: Object.freeze(origins(env, 'ALLOWED_ORIGINS')),
    ws: Object.freeze({
      heartbeatMs: int(env, 'WS_HEARTBEAT_MS', 25_000, 100, 600_000),
      authTimeoutMs: int(env, 'WS_AUTH_TIMEOUT_MS', 10_000, 100, 120_000),
      maxFrameBytes: int(env, 'WS_MAX_FRAME_BYTES', 64 * 1024, 1024, 16 * 1024 * 1024),
      ratePerSecond: int(env, 'WS_RATE_PER_SECOND', 20, 1, 100_000),
      rateBurst: int(env, 'WS_RATE_BURST', 40, 1, 100_000),
      maxBufferedBytes: int(env, 'WS_MAX_BUFFERED_BYTES', 1024 * 1024, 1024, 256 * 1024 * 1024),
      maxConnectionsPerUser: int(env, 'WS_MAX_CONNECTIONS_PER_USER', 10, 1, 10_000),
      goimMaxBodyBytes: int(env, 'GOIM_MAX_BODY_BYTES', 4096, 256, 1024 * 1024),
      goimTcpPort: env.GOIM_TCP_PORT === undefined || env.GOIM_TCP_PORT === '' ? null : int(env, 'GOIM_TCP_PORT', 3101, 0, 65_535),
    }),
    attachments: Object.freeze({
      maxBytes: int(env, 'ATTACHMENT_MAX_BYTES', 100 * 1024 * 1024, 1024, 4 * 1024 * 1024 * 1024),
      chunkBytes: int(env, 'UPLOAD_CHUNK_BYTES', 8 * 1024 * 1024, 1024, 64 * 1024 * 1024),
      linkSeconds: int(env, 'ATTACHMENT_LINK_SECONDS', 300, 5, 86_400),
      orphanSeconds: int(env, 'ATTACHMENT_ORPHAN_SECONDS', 86_400, 0, 365 * 86_400),
      sweepMs: int(env, 'ATTACHMENT_SWEEP_MS', 3_600_000, 50, 86_400_000),
      maxImagePixels: int(env, 'IMAGE_MAX_PIXELS', 40_000_000, 1, 1_000_000_000),
    }),
    routing: Object.freeze({
      graceMs: int(env, 'PRESENCE_GRACE_MS', 30_000, 0, 3_600_000),
      settleMs: int(env, 'ROUTING_SETTLE_MS', 1_000, 0, 60_000),
      sweepMs: int(env, 'ROUTING_SWEEP_MS', 5_000, 50, 600_000),
    }),
    email: Object.freeze({
      smtpUrl: env.SMTP_URL || null,
      from: emailAddress(env, 'EMAIL_FROM', `frontdesk@${new URL(publicUrl).hostname}`),
      replyDomain: hostName(env, 'EMAIL_REPLY_DOMAIN', new URL(publicUrl).hostname),
      inboundPort: env.SMTP_INBOUND_PORT ? int(env, 'SMTP_INBOUND_PORT', 0, 0, 65_535) : null,
      inboundHost: env.SMTP_INBOUND_HOST || '0.0.0.0',
      inboundTls: inboundTls(env, cwd),
      sweepMs: int(env, 'EMAIL_SWEEP_MS', 15_000, 50, 600_000),
    }),
    wechat: Object.freeze({
      apiBase: (optionalUrl(env, 'WECHAT_API_BASE', ['http:', 'https:']) ?? 'https://api.weixin.qq.com').replace(/\/+$/, ''),
      sweepMs: int(env, 'WECHAT_SWEEP_MS', 5_000, 50, 600_000),
    }),
    webhooks: Object.freeze({
      allowHttp: bool(env, 'WEBHOOK_ALLOW_HTTP', false),
      allowPrivate: bool(env, 'WEBHOOK_ALLOW_PRIVATE', false),
      retryMs: Math.round(hours(env, 'WEBHOOK_RETRY_HOURS', 24, 0.0001, 24 * 30) * 3_600_000),
      retryBaseMs: int(env, 'WEBHOOK_RETRY_BASE_MS', 10_000, 1, 3_600_000),
      timeoutMs: int(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 100, 60_000),
      pollMs: int(env, 'WEBHOOK_POLL_MS', 1_000, 20, 60_000),
      senderNice: int(env, 'WEBHOOK_SENDER_NICE', 10, 0, 19),
    }),
  });
}
