import { externalChannels } from './channels/external.ts';
import type { Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config/config.ts';
import type { Bus } from './fanout/bus.ts';
import { memoryBus } from './fanout/memory-bus.ts';
import { joinCluster } from './cluster/cluster.ts';
import type { Store } from './domain/ports.ts';
import { newId } from './domain/ids.ts';
import { processImage } from './attachments/images.ts';
import { sniffFile } from './attachments/sniff.ts';
import { diskBlobStore, diskStaging } from './blobs/disk.ts';
import { eventDispatcher, type EventSink } from './domain/events.ts';
import { routingReactions } from './domain/routing-reactions.ts';
import { createServices, type Services } from './domain/services.ts';
import { announceNodeDeath, fanout } from './fanout/fanout.ts';
import { startJobs } from './jobs/jobs.ts';
import { campaignSenderJob } from './jobs/campaign-sender.ts';
import { buildHttp } from './http/server.ts';
import { goimChannel } from './channels/goim/goim.ts';
import { createGateway, type Gateway } from './channels/sockets/gateway.ts';
import { wsChannel } from './channels/ws/ws.ts';
import { originPolicy } from './channels/sockets/origins.ts';
import { upgradeRouter } from './channels/sockets/upgrade.ts';
import { openStorage, type Storage } from './storage/connect.ts';
import { migrateToLatest, migrationsApplied } from './storage/migrate.ts';
import { createStore } from './storage/store.ts';
import { webhookDeliveryStore } from './storage/webhook-delivery-store.ts';
import { isWebhookEvent } from './domain/webhooks.ts';
import { systemLookup, type Lookup } from './integrations/webhooks/address-policy.ts';
import { webhookOutbound, type WebhookOutbound } from './integrations/webhooks/outbound.ts';
import { localOnline, type LocalOnline } from './cluster/online-counts.ts';
import { webhookDeliveries, type WebhookDeliveries } from './integrations/webhooks/deliveries.ts';
import { createMetrics, noMetrics, type Metrics } from './observability/metrics.ts';
import { metricsRoute, serveMetrics } from './observability/metrics-http.ts';
import { nodeHealth } from './observability/node-health.ts';
import { operationsFigures, type NodeFigures } from './observability/operations.ts';
import { operationsStore } from './storage/operations-store.ts';
import { alertNotifier } from './integrations/alert-notifications.ts';

export interface App {
  readonly config: Config;
  readonly storage: Storage;
  readonly store: Store;
  readonly bus: Bus;
  readonly services: Services;
  readonly http: FastifyInstance;
  readonly gateway: Gateway;
  /** The webhook delivery job (its poll runs among the jobs; commits here wake it). */
  readonly webhooks: WebhookDeliveries;
  /** Listens on config.host:config.port (0 = any free port); returns the base URL. */
  listen(): Promise<string>;
  /** The goim TCP listener's port once listening; null when off. */
  goimTcpPort(): number | null;
  /** The inbound SMTP listener's port; null when off. */
  smtpInboundPort(): number | null;
  /** The node's Prometheus registry. */
  readonly metrics: Metrics;
  /** METRICS_PORT's port once listening; null when off. */
  metricsPort(): number | null;
  close(): Promise<void>;
}

export interface AppOverrides {
  /** Tests pass a prepared database (a PostgreSQL schema of their own, say). */
  readonly storage?: Storage;
  readonly now?: () => number;
  readonly bus?: Bus;
  /** Log lines go here instead of standard output. */
  readonly logStream?: { write(line: string): void };
  /** How webhook hosts are resolved (a test answers differently at creation and at delivery). */
  readonly lookup?: Lookup;
}


/** `name` tells this process's sessions apart in PostgreSQL's pg_stat_activity. */
export function openConfiguredStorage(config: Config, name = `frontdesk pid=${process.pid}`): Storage {
  return openStorage({
    databaseUrl: config.databaseUrl,
    sqliteFile: path.join(config.dataDir, 'frontdesk.db'),
    sqliteCacheMb: config.sqliteCacheMb,
    ...(config.databaseSchema !== 'public' && { pgSchema: config.databaseSchema }),
    pgTimeouts: config.databaseTimeouts,
    applicationName: name,
  });
}

/** The domain services; `events` is where they emit facts (by default, nowhere: the CLI's case). */
export function createDomain(
  config: Config,
  store: Store,
  events: EventSink = eventDispatcher(() => {}),
  now: () => number = Date.now,
  nodeId: string = newId(),
  webhooks: WebhookOutbound = webhookOutbound(config.webhooks, store.attachments, systemLookup, now),
): Services {
  return createServices({
    store,
    events,
    now,
    settings: {
      platformIdentitySecret: config.platformIdentitySecret,
      staffSessionHours: config.staffSessionHours,
      customerSessionHours: config.customerSessionHours,
      routing: {
        nodeId,
        graceMs: config.routing.graceMs,
        settleMs: config.routing.settleMs,
        // Nodes refresh their devices every sweep; three missed sweeps and the node is taken for gone.
        deviceTtlMs: Math.max(3 * config.routing.sweepMs, 30_000),
        sweepMs: config.routing.sweepMs,
        singleNode: config.databaseUrl === null,
      },
      attachments: config.attachments,
      staffChat: { groupMemberLimit: config.groupMemberLimit },
    },
    files: {
      blobs: diskBlobStore(path.join(config.dataDir, 'blobs')),
      staging: diskStaging(path.join(config.dataDir, 'staging')),
      media: {
        sniff: sniffFile,
        processImage: (file, mime) => processImage(file, mime, { maxPixels: config.attachments.maxImagePixels }),
      },
    },
    webhooks: webhooks.io,
  });
}

/** Wiring only: config → storage → domain → http. */
/** How long a close waits for HTTP requests in flight before cutting their connections. */
const HTTP_DRAIN_MS = 3_000;

export async function createApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  const nodeId = newId();
  const storage = overrides.storage ?? openConfiguredStorage(config, `frontdesk node=${nodeId} pid=${process.pid}`);
  await migrateToLatest(storage);
  const now = overrides.now ?? Date.now;
  const store = createStore(storage.db, storage.engine, storage.sqlite);
  // Declared before the cluster's callbacks that read them; set further down.
  let http: Awaited<ReturnType<typeof buildHttp>> | undefined = undefined;
  let gateway: Gateway | undefined = undefined;
  let listeningPort: number | null = null;
  let goimTcpPort: number | null = null;
  let metricsServer: Awaited<ReturnType<typeof serveMetrics>> | null = null;
  // False from the first moment of close(): /readyz turns 503 while the node drains.
  let accepting = true;
  // This node's goim online figures (the gateway is made below; nothing asks before the server listens).
  const localFigures: LocalOnline = {
    figures: (shopId) => gateway?.hub.online(shopId) ?? { rooms: {}, connections: 0, people: 0 },
    all: () => gateway?.hub.onlineByShop() ?? new Map(),
  };
  // Cluster mode (REDIS_URL): events, presence, node liveness and rate limits shared over Redis.
  // Its logger exists once http does; until then a failure surfaces as the error that stops the start.
  const clusterLog = { warn: (object: object, message: string) => http?.log.warn(object, message) };
  // The node's own figures for the operations dashboard and the alerts, with or without Prometheus.
  const health = nodeHealth(now);
  const cluster =
    overrides.bus === undefined && config.redisUrl !== null
      ? await joinCluster(config, nodeId, clusterLog, { port: () => listeningPort, connections: () => gateway?.hub.size ?? 0, online: localFigures, sendP99Ms: health.sendP99Ms }).catch(async (error: unknown) => {
          await storage.close();
          throw error;
        })
      : null;
  const bus = overrides.bus ?? cluster?.bus ?? memoryBus();
  // Prometheus metrics (docs/monitoring.md): on a port of their own or behind METRICS_TOKEN, never open by default.
  const scraped = config.metrics.port !== null || config.metrics.token !== null;
  const metrics = !scraped ? noMetrics() : createMetrics({
    *connections() {
      for (const c of gateway?.hub.connections() ?? []) yield { role: c.principal?.kind ?? 'unauthenticated', transport: c.transport };
    },
    sqliteFile: storage.engine === 'sqlite' && storage.opened.options.sqliteFile !== ':memory:' ? storage.opened.options.sqliteFile : null,
    pool: storage.pool,
  });
  cluster?.bus.onPublishFailed(() => metrics.busPublishFailed());
  const events = eventDispatcher((error, event) => http?.log.error({ err: error, event: event.type }, 'event subscriber failed'));
  const outbound = webhookOutbound(config.webhooks, store.attachments, overrides.lookup ?? systemLookup, now);
  const services = createDomain(config, store, events, now, nodeId, outbound);
  const deliveries = webhookDeliveryStore(storage.db, storage.engine);
  const webhooks = webhookDeliveries({
    storage,
    name: `frontdesk node=${nodeId} pid=${process.pid}`,
    settings: { ...config.webhooks, nice: config.webhooks.senderNice },
    policy: outbound.policy,
    secrets: outbound.secrets,
    hasWork: () => deliveries.hasWork(now()),
    counted: (tally) => {
      for (const [result, count] of Object.entries(tally)) if (count > 0) metrics.webhookDeliveries(result as keyof typeof tally, count);
      health.webhooksFailed(tally.failed + tally.given_up);
    },
    log: { warn: (object, message) => http?.log.warn(object, message) },
  });
  // Channels whose customers are not on a socket (DESIGN.md §10): WeChat in and out, e-mail out and in.
  const { wechat, email } = externalChannels(config, store, storage.db, services, now, { warn: (object, message) => http?.log.warn(object, message) });
  // Subscribers, in the order they run: sockets first (the only publisher on the bus), then routing,
  // then webhooks, which read their facts from the outbox (DESIGN.md §9): this one only wakes the
  // delivery job after a commit, so an event does not wait for the next poll.
  const toSockets = fanout(bus, store.conversations);
  events.subscribe(async (event) => {
    const started = performance.now();
    await toSockets(event);
    metrics.fannedOut((performance.now() - started) / 1000);
  });
  events.subscribe(routingReactions(services.routing));
  events.subscribe(services.triage.reactions());
  events.subscribe(metrics.onEvent);
  events.subscribe((event) => {
    if (isWebhookEvent(event.type)) webhooks.wake();
  });
  events.subscribe(wechat.onEvent);
  if (email) events.subscribe(email.onEvent);
  // A visitor merged on any node: its conversation is gone, and so are its cached facts here.
  bus.subscribe((event) => {
    if (event.type === 'conversation' && event.mergedFromId !== undefined) store.conversations.forgetFacts(event.mergedFromId);
  });
  // A shop's connections on every live node (cluster/online-counts.ts): goim's online routes and the dashboard.
  const online = cluster?.online ?? localOnline(localFigures);
  const startedAt = now();
  const self = (): NodeFigures => ({ id: nodeId, host: os.hostname(), startedAt, seenAt: now(), connections: gateway?.hub.size ?? 0, sendP99Ms: health.sendP99Ms() });
  const operations = operationsFigures({
    store: operationsStore(storage.db),
    connections: async (shopId) => (await online.figures(shopId)).connections,
    nodes: async () => (cluster ? (await cluster.registry.list()).map((n) => ({ ...n, sendP99Ms: n.sendP99Ms ?? null })) : [self()]),
    timezone: async (shopId) => (await store.shops.findCached(shopId))?.settings.businessHours?.timezone ?? 'UTC',
    now,
    tickMs: config.operationsPushMs,
  });
  http = await buildHttp(services, {
    logLevel: config.logLevel,
    ...(overrides.logStream && { logStream: overrides.logStream }),
    bodyLimitBytes: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    publicUrl: config.publicUrl,
    rateLimits: {
      perMinute: config.rateLimitPerMinute,
      loginPerMinute: config.loginRateLimitPerMinute,
      widgetSessionsPerMinute: config.widgetSessionRateLimitPerMinute,
      ...(cluster && { store: cluster.rateLimitStore }),
    },
    maxChunkBytes: config.attachments.chunkBytes,
    goim: {
      // The gateway is made below; requests come only once the server listens.
      online,
      publicUrl: config.publicUrl,
      tcpPort: () => goimTcpPort,
      maxBodyBytes: config.ws.maxFrameBytes,
    },
    healthCheck: async () => {
      await sql`select 1`.execute(storage.db);
    },
    readyCheck: async () => {
      await Promise.all([migrationsApplied(storage), cluster?.ping()]);
    },
    observer: {
      request: (method, route, status, seconds) => {
        metrics.httpRequest(method, route, status, seconds);
        health.httpAnswered(status);
      },
      rateLimited: () => metrics.rateLimited('http'),
    },
    operations,
    metrics: metricsRoute(metrics.registry, config.metrics.token),
    accepting: () => accepting,
    wechat,
    email,
  });

  // Every socket the HTTP server holds, to cut at the end of a close's drain (see close()).
  const sockets = new Set<Socket>();
  let closing: Promise<void> | null = null;
  http.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  const origins = originPolicy({
    publicOrigin: new URL(config.publicUrl).origin,
    allowedOrigins: config.allowedOrigins,
    widgetOrigins: () => store.shops.widgetOrigins(),
    findShop: (id) => store.shops.find(id),
  });
  // A shop's new widget origin is accepted at once on every node, not at the cache's next expiry.
  bus.subscribe((event) => {
    if (event.type === 'shop.changed') {
      origins.forget();
      store.shops.forget(event.shopId);
    }
  });
  gateway = createGateway(services, bus, origins, {
      ...config.ws,
      onSendAcked: (seconds) => {
        metrics.sendAcked(seconds);
        health.sendAcked(seconds);
      },
      operations,
    }, http.log, cluster?.connections);
  // After a Redis outage this node missed other nodes' events: its clients reconnect and sync.
  cluster?.bus.onResubscribed(() => gateway.resync());
  // Taken for dead by the other nodes (a stall, a long cut from Redis): its agents' devices are put back.
  cluster?.registry.onRevived(() => {
    gateway.restoreDevices().catch((error: unknown) => http.log.warn({ err: error }, 'restoring devices failed'));
  });
  // Channels (DESIGN.md §10): each way in turns its wire format into the core's frames and back.
  const ws = wsChannel(gateway, config.ws, http.log);
  const goim = goimChannel(gateway, services, { maxBodyBytes: config.ws.goimMaxBodyBytes, maxFrameBytes: config.ws.maxFrameBytes }, http.log);
  http.server.on('upgrade', upgradeRouter(new Map([['/ws', ws.upgrade], ['/sub', goim.upgrade]])));

  await services.routing.start();
  const notifier = alertNotifier(config.alerts, { ...config.webhooks, ...(overrides.lookup && { lookup: overrides.lookup }) }, http.log);
  await email?.start();
  const jobs = startJobs(config, {
    store,
    wechat,
    email,
    services,
    registry: cluster?.registry ?? null,
    // A node killed between its commit and its publish leaves messages no one was pushed: every client syncs.
    nodeDied: () => announceNodeDeath(bus),
    webhooks,
    now,
    log: http.log,
    operations: { watchedShops: () => gateway.hub.operationsWatchedShops(), figures: operations.forShop, deliver: (event) => gateway.hub.deliver(event) },
    alerts: {
      health,
      store: operationsStore(storage.db),
      nodeLabel: `${os.hostname()} (${nodeId.slice(-8)})`,
      // The node with the lowest id among the live ones watches the deployment's figures.
      isLeader: () => !cluster || [...cluster.registry.liveNodes()].sort()[0] === nodeId,
      nodesGone: async () => (cluster ? (await cluster.registry.dead()).length : 0),
      notifier,
      now,
      log: http.log,
    },
  });
  // Campaigns (docs/campaigns.md): due ones are sent in batches by whichever node holds their lease.
  const campaignJob = campaignSenderJob(config.campaigns, { campaigns: store.campaigns, events, now, nodeId, singleNode: config.databaseUrl === null, log: http.log });

  return {
    config,
    storage,
    store,
    bus,
    services,
    http,
    gateway,
    webhooks,
    async listen() {
      const address = await http.listen({ host: config.host, port: config.port });
      listeningPort = new URL(address).port === '' ? null : Number(new URL(address).port);
      if (config.ws.goimTcpPort !== null) goimTcpPort = await goim.listenTcp(config.ws.goimTcpPort, config.host);
      if (config.metrics.port !== null) metricsServer = await serveMetrics(metrics.registry, config.metrics.host, config.metrics.port);
      return address;
    },
    metrics,
    metricsPort: () => metricsServer?.port ?? null,
    /** The goim TCP listener's port once listening (GOIM_TCP_PORT=0 picks one); null when off. */
    goimTcpPort: () => goimTcpPort,
    /** The inbound SMTP listener's port once listening (SMTP_INBOUND_PORT=0 picks one); null when off. */
    smtpInboundPort: () => email?.inboundPort() ?? null,
    /** Drains and stops the node; a second call waits for the first. */
    close() {
      return (closing ??= drainAndStop());
    },
  };

  async function drainAndStop(): Promise<void> {
    if (!http || !gateway) return;
    accepting = false;
    jobs.stop();
    campaignJob.stop();
    notifier.close();
    health.close();
    await webhooks.stop();
    await campaignJob.stopped();
    await email?.close();
    await gateway.close();
    await services.routing.stop();
    // Requests in flight get a moment to finish; then every connection is cut. Node's own
    // closeAllConnections misses some (a keep-alive connection that served a streamed file was
    // seen to hold the close for the whole keep-alive timeout, 72 s).
    const cut = setTimeout(() => sockets.forEach((socket) => socket.destroy()), HTTP_DRAIN_MS);
    await http.close();
    clearTimeout(cut);
    await metricsServer?.close();
    await cluster?.close();
    await storage.close();
  }
}
