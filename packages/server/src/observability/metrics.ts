import fs from 'node:fs';
import client from 'prom-client';
import type { DomainEvent } from '../domain/events.ts';

/**
 * The node's Prometheus metrics (docs/monitoring.md), on a registry of its own: Node's defaults
 * (CPU, memory, event-loop lag, GC) and `frontdesk_*`. Labels are bounded sets (kinds, states,
 * routes, statuses): never a shop, user or conversation id.
 */
export interface Metrics {
  readonly registry: client.Registry;
  /** The domain-event subscriber (app.ts): messages stored, inquiries moved. */
  readonly onEvent: (event: DomainEvent) => void;
  /** A socket send, from its frame's arrival to its ack (after the commit). */
  sendAcked(seconds: number): void;
  /** The fan-out subscriber's work for one event, from the emit to the bus publish. */
  fannedOut(seconds: number): void;
  busPublishFailed(): void;
  rateLimited(where: 'http' | 'socket'): void;
  httpRequest(method: string, route: string, status: number, seconds: number): void;
  webhookDeliveries(result: 'delivered' | 'failed' | 'given_up', count: number): void;
}

export interface MetricsSources {
  /** Open connections by role (staff, customer, unauthenticated) and transport. */
  connections(): Iterable<{ role: string; transport: string }>;
  /** SQLite: the database file, for the WAL's size. Null on PostgreSQL. */
  sqliteFile: string | null;
  /** PostgreSQL: the pool's clients. */
  pool: { totalCount: number; idleCount: number; waitingCount: number } | null;
}

/** No scrape is possible (neither METRICS_PORT nor METRICS_TOKEN): nothing is counted, nothing costs. */
export function noMetrics(): Metrics {
  const nothing = () => {};
  return {
    registry: new client.Registry(),
    onEvent: nothing,
    sendAcked: nothing,
    fannedOut: nothing,
    busPublishFailed: nothing,
    rateLimited: nothing,
    httpRequest: nothing,
    webhookDeliveries: nothing,
  };
}

/** Latency buckets in seconds: 0.5 ms to 5 s. */
const LATENCY = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export function createMetrics(sources: MetricsSources): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  // Gauges named like counters, which promtool's lint refuses; nodejs_active_handles and
  // nodejs_active_requests (by type) say the same.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) registry.removeSingleMetric(name);

  new client.Gauge({
    name: 'frontdesk_connections',
    help: 'Open client connections on this node, by role and transport.',
    labelNames: ['role', 'transport'],
    registers: [registry],
    collect() {
      this.reset();
      const counts = new Map<string, { role: string; transport: string; n: number }>();
      for (const c of sources.connections()) {
        const key = `${c.role}|${c.transport}`;
        const entry = counts.get(key) ?? { role: c.role, transport: c.transport, n: 0 };
        entry.n += 1;
        counts.set(key, entry);
      }
      for (const { role, transport, n } of counts.values()) this.set({ role, transport }, n);
    },
  });
  const messages = new client.Counter({
    name: 'frontdesk_messages_stored_total',
    help: 'Messages stored, by conversation kind, sender kind and message kind (a resend is not counted).',
    labelNames: ['conversation', 'sender', 'kind'],
    registers: [registry],
  });
  const inquiries = new client.Counter({
    name: 'frontdesk_inquiry_transitions_total',
    help: 'Inquiries moved to a state: queued, assigned, transferred, closed.',
    labelNames: ['state'],
    registers: [registry],
  });
  const send = new client.Histogram({
    name: 'frontdesk_send_duration_seconds',
    help: 'Socket sends from the frame in to the ack out (authorise, validate, commit).',
    buckets: LATENCY,
    registers: [registry],
  });
  const fanout = new client.Histogram({
    name: 'frontdesk_fanout_duration_seconds',
    help: 'Fan-out of one domain event: audience and publish on the bus.',
    buckets: LATENCY,
    registers: [registry],
  });
  const busErrors = new client.Counter({ name: 'frontdesk_bus_publish_errors_total', help: 'Bus publishes that failed (Redis down in cluster mode).', registers: [registry] });
  const limited = new client.Counter({
    name: 'frontdesk_rate_limited_total',
    help: 'Requests and frames refused by a rate limit.',
    labelNames: ['where'],
    registers: [registry],
  });
  const http = new client.Histogram({
    name: 'frontdesk_http_request_duration_seconds',
    help: 'HTTP requests by method, route template and status.',
    labelNames: ['method', 'route', 'status'],
    buckets: LATENCY,
    registers: [registry],
  });
  const webhooks = new client.Counter({
    name: 'frontdesk_webhook_deliveries_total',
    help: 'Webhook delivery attempts by result.',
    labelNames: ['result'],
    registers: [registry],
  });
  if (sources.sqliteFile !== null) {
    const wal = `${sources.sqliteFile}-wal`;
    new client.Gauge({
      name: 'frontdesk_sqlite_wal_bytes',
      help: 'Size of the SQLite write-ahead log.',
      registers: [registry],
      collect() {
        this.set(fs.statSync(wal, { throwIfNoEntry: false })?.size ?? 0);
      },
    });
  }
  const pool = sources.pool;
  if (pool !== null) {
    new client.Gauge({
      name: 'frontdesk_pg_pool_clients',
      help: 'PostgreSQL pool clients: total, idle, and requests waiting for one.',
      labelNames: ['state'],
      registers: [registry],
      collect() {
        this.set({ state: 'total' }, pool.totalCount);
        this.set({ state: 'idle' }, pool.idleCount);
        this.set({ state: 'waiting' }, pool.waitingCount);
      },
    });
  }

  return {
    registry,
    onEvent(event) {
      if (event.type === 'message.created' && !event.resent) {
        messages.inc({ conversation: event.conversation.kind, sender: event.message.senderKind, kind: event.message.kind });
      } else if (event.type === 'inquiry.queued' || event.type === 'inquiry.assigned' || event.type === 'inquiry.transferred' || event.type === 'inquiry.closed') {
        inquiries.inc({ state: event.type.slice('inquiry.'.length) });
      }
    },
    sendAcked: (seconds) => send.observe(seconds),
    fannedOut: (seconds) => fanout.observe(seconds),
    busPublishFailed: () => busErrors.inc(),
    rateLimited: (where) => limited.inc({ where }),
    httpRequest: (method, route, status, seconds) => http.observe({ method, route, status: String(status) }, seconds),
    webhookDeliveries: (result, count) => webhooks.inc({ result }, count),
  };
}
