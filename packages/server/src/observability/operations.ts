import type { AlertEvent, AlertState, Operations, OperationsNode } from '@frontdesk/protocol';
import type { Principal } from '../domain/records.ts';
import { requireRole } from '../domain/staff.ts';
import { isTimeZone, startOfDayAt } from '../domain/local-days.ts';

const MINUTE_MS = 60_000;
/**
 * Messages are counted once they are this old: a transaction commits well within it (statement
 * and lock timeouts are seconds), so a count of [.., now - SETTLE_MS) never changes later and each
 * tick only reads what came since the previous one.
 */
const SETTLE_MS = 30_000;
/** The settled counts are read again from scratch this often (hard deletes, a clock step). */
const REBASE_MS = 3_600_000;
/** A shop nobody looked at for this long is forgotten. */
const IDLE_MS = 600_000;
const ALERTS_SHOWN = 20;

export interface AlertEventRecord {
  readonly id: string;
  readonly rule: string;
  readonly metric: string;
  readonly state: AlertState;
  readonly value: number;
  readonly threshold: number;
  readonly node: string | null;
  readonly at: number;
}

/** What the figures are read from (storage/operations-store.ts). */
export interface OperationsStore {
  /** Messages of the shop created in [from, to), by minute since the epoch. */
  messagesByMinute(shopId: string, from: number, to: number): Promise<Array<{ minute: number; count: number }>>;
  messagesBefore(shopId: string, before: number): Promise<number>;
  agentsOnline(shopId: string): Promise<number>;
  queue(shopId: string): Promise<{ length: number; oldestAt: number | null }>;
  /** The oldest queued inquiry of any shop (the queue-wait alert). */
  oldestQueuedAt(): Promise<number | null>;
  recordAlert(event: AlertEventRecord): Promise<void>;
  latestAlerts(limit: number): Promise<AlertEventRecord[]>;
}

/** A node as the dashboard lists it (cluster: the registry's beats; one node: itself). */
export interface NodeFigures {
  readonly id: string;
  readonly host: string;
  readonly startedAt: number;
  readonly seenAt: number;
  readonly connections: number;
  readonly sendP99Ms: number | null;
}

export interface OperationsSources {
  readonly store: OperationsStore;
  /** The shop's signed-in connections: on this node, or (cluster) on every live node as of their last beat. */
  connections(shopId: string): Promise<number>;
  nodes(): Promise<readonly NodeFigures[]>;
  /** The IANA zone whose day "today" is for the shop (its business hours'; UTC when it has none). */
  timezone(shopId: string): Promise<string>;
  now(): number;
  /** Figures asked for again within this long are the cached ones (one computation per shop per tick). */
  readonly tickMs: number;
}

/** Settled counts of one shop, extended tick by tick. */
interface Tally {
  settledAt: number;
  rebasedAt: number;
  /** The first minute the counts were read from: a day that starts earlier (the shop's zone changed) reads again. */
  from: number;
  total: number;
  /** Messages per minute since the earlier of midnight and an hour ago. */
  minutes: Map<number, number>;
  lastAsked: number;
}

/**
 * The operations dashboard's figures (docs/monitoring.md): for owners and admins, their shop's
 * messages per minute (the last hour), today and in total (seed 002's three numbers), connections,
 * agents online, queue and oldest wait; and the deployment's send p99, nodes and alert history.
 * A shop's figures are computed at most once per tick, however many dashboards ask, and message
 * counts only read the messages stored since the previous tick (an index range), not the shop's
 * whole history.
 */
export function operationsFigures(sources: OperationsSources) {
  const { store } = sources;
  const tallies = new Map<string, Tally>();
  const cached = new Map<string, { at: number; figures: Promise<Operations> }>();
  let shared: { at: number; value: Promise<[readonly NodeFigures[], AlertEventRecord[]]> } | null = null;

  async function settle(shopId: string, now: number, dayStart: number): Promise<Tally> {
    const settledAt = now - SETTLE_MS;
    const keepFrom = Math.min(dayStart, now - 61 * MINUTE_MS);
    let tally = tallies.get(shopId);
    if (!tally || now - tally.rebasedAt > REBASE_MS || settledAt < tally.settledAt || keepFrom < tally.from) {
      const [total, rows] = await Promise.all([store.messagesBefore(shopId, settledAt), store.messagesByMinute(shopId, keepFrom, settledAt)]);
      tally = { settledAt, rebasedAt: now, from: keepFrom, total, minutes: new Map(rows.map((r) => [r.minute, r.count])), lastAsked: now };
      tallies.set(shopId, tally);
    } else if (settledAt > tally.settledAt) {
      for (const { minute, count } of await store.messagesByMinute(shopId, tally.settledAt, settledAt)) {
        tally.total += count;
        tally.minutes.set(minute, (tally.minutes.get(minute) ?? 0) + count);
      }
      tally.settledAt = settledAt;
    }
    for (const minute of tally.minutes.keys()) if (minute < Math.floor(keepFrom / MINUTE_MS)) tally.minutes.delete(minute);
    tally.lastAsked = now;
    return tally;
  }

  async function compute(shopId: string, now: number): Promise<Operations> {
    const zone = await sources.timezone(shopId);
    const timezone = isTimeZone(zone) ? zone : 'UTC';
    const dayStart = startOfDayAt(timezone, now);
    const tally = await settle(shopId, now, dayStart);
    const [recent, agentsOnline, queue, [nodes, alerts]] = await Promise.all([
      store.messagesByMinute(shopId, tally.settledAt, now + 1),
      store.agentsOnline(shopId),
      store.queue(shopId),
      deployment(now),
    ]);
    const minutes = new Map(tally.minutes);
    let total = tally.total;
    for (const { minute, count } of recent) {
      total += count;
      minutes.set(minute, (minutes.get(minute) ?? 0) + count);
    }
    const thisMinute = Math.floor(now / MINUTE_MS);
    const firstMinute = thisMinute - 60;
    const counts = Array.from({ length: 61 }, (_, i) => minutes.get(firstMinute + i) ?? 0);
    const dayMinute = Math.floor(dayStart / MINUTE_MS);
    let today = 0;
    for (const [minute, count] of minutes) if (minute >= dayMinute) today += count;
    const p99s = nodes.map((n) => n.sendP99Ms).filter((v): v is number => v !== null);
    return {
      at: new Date(now).toISOString(),
      messagesPerMinute: { from: new Date(firstMinute * MINUTE_MS).toISOString(), counts },
      messagesToday: today,
      timezone,
      messagesTotal: total,
      connections: await sources.connections(shopId),
      agentsOnline,
      queueLength: queue.length,
      oldestWaitingMs: queue.oldestAt === null ? null : Math.max(0, now - queue.oldestAt),
      sendP99Ms: p99s.length === 0 ? null : Math.max(...p99s),
      nodes: nodes.map(presentNode),
      alerts: alerts.map(presentAlert),
    };
  }

  /** The nodes and the alert history: the same for every shop, read once per tick. */
  function deployment(now: number) {
    if (shared === null || now - shared.at >= sources.tickMs / 2) {
      const value = Promise.all([sources.nodes(), store.latestAlerts(ALERTS_SHOWN)]);
      shared = { at: now, value };
      value.catch(() => (shared = null));
    }
    return shared.value;
  }

  /** One shop's figures, computed at most once per half tick. */
  function forShop(shopId: string): Promise<Operations> {
    const now = sources.now();
    const hit = cached.get(shopId);
    if (hit && now - hit.at < sources.tickMs / 2) return hit.figures;
    const figures = compute(shopId, now);
    cached.set(shopId, { at: now, figures });
    figures.catch(() => cached.delete(shopId));
    for (const [id, tally] of tallies) {
      if (now - tally.lastAsked > IDLE_MS) {
        tallies.delete(id);
        cached.delete(id);
      }
    }
    return figures;
  }

  return {
    forShop,
    /** Owners and admins: their own shop's figures. */
    read(principal: Principal): Promise<Operations> {
      return forShop(requireRole(principal, 'admin').shopId);
    },
  };
}

export type OperationsFigures = ReturnType<typeof operationsFigures>;

function presentNode(node: NodeFigures): OperationsNode {
  return {
    id: node.id,
    host: node.host,
    startedAt: new Date(node.startedAt).toISOString(),
    seenAt: new Date(node.seenAt).toISOString(),
    connections: node.connections,
    sendP99Ms: node.sendP99Ms,
  };
}

export function presentAlert(event: AlertEventRecord): AlertEvent {
  return { ...event, at: new Date(event.at).toISOString() };
}
