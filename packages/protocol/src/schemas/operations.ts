import { Type } from '@sinclair/typebox';
import type { Wire } from '../wire.ts';
import { Literals, Nullable, Time } from './atoms.ts';

/**
 * The operations dashboard's figures (docs/monitoring.md, "The operations dashboard"): a shop's own
 * traffic, queue and agents, and the deployment's health as its nodes see it. Owners and admins,
 * over `GET /api/v1/operations` and live as `operations` frames after `operations.subscribe`.
 */
export const OperationsNodeSchema = Type.Object({
  id: Type.String(),
  host: Type.String(),
  startedAt: Time,
  /** The node's last heartbeat. */
  seenAt: Time,
  /** Signed-in connections on the node, every shop together. */
  connections: Type.Integer({ minimum: 0 }),
  /** The node's send p99 over the last five minutes; null without sends. */
  sendP99Ms: Nullable(Type.Number({ minimum: 0 })),
});
export type OperationsNode = Wire<typeof OperationsNodeSchema>;

export const AlertStateSchema = Literals('firing', 'resolved');
export type AlertState = Wire<typeof AlertStateSchema>;

/** One change of an alert rule's state (the platform operator's rules; docs/monitoring.md, "Alerts"). */
export const AlertEventSchema = Type.Object({
  id: Type.String(),
  rule: Type.String(),
  metric: Type.String(),
  state: AlertStateSchema,
  value: Type.Number(),
  threshold: Type.Number(),
  /** The node whose figure it is (host), or null for a figure of the whole deployment. */
  node: Nullable(Type.String()),
  at: Time,
});
export type AlertEvent = Wire<typeof AlertEventSchema>;

export const OperationsSchema = Type.Object({
  at: Time,
  /** Messages stored in the shop per minute, the last 60 whole minutes and the current one, oldest first. */
  messagesPerMinute: Type.Object({ from: Time, counts: Type.Array(Type.Integer({ minimum: 0 })) }),
  /** Since midnight in `timezone`. */
  messagesToday: Type.Integer({ minimum: 0 }),
  /** The IANA time zone whose day `messagesToday` counts: the shop's business-hours zone, else UTC. */
  timezone: Type.String(),
  messagesTotal: Type.Integer({ minimum: 0 }),
  /** The shop's signed-in connections (staff and customers) on the node answering. */
  connections: Type.Integer({ minimum: 0 }),
  agentsOnline: Type.Integer({ minimum: 0 }),
  queueLength: Type.Integer({ minimum: 0 }),
  /** How long the oldest queued inquiry has waited; null when none waits. */
  oldestWaitingMs: Nullable(Type.Integer({ minimum: 0 })),
  /** The highest send p99 among the nodes (last five minutes); null without sends. */
  sendP99Ms: Nullable(Type.Number({ minimum: 0 })),
  nodes: Type.Array(OperationsNodeSchema),
  /** The latest alert changes, newest first. */
  alerts: Type.Array(AlertEventSchema),
});
export type Operations = Wire<typeof OperationsSchema>;
