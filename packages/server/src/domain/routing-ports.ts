/** The routing side of storage (domain/routing.ts): presence, the queue, assignments and their statistics. Part of the Store port (ports.ts). */
import type { Presence } from '@frontdesk/protocol';
import type { InquiryMove, InquiryState } from './inquiry-states.ts';

export interface PresenceChange {
  readonly staffId: string;
  readonly shopId: string;
  readonly before: Presence;
  readonly after: Presence;
}

/** An agent who may take an inquiry now: online, enabled, below capacity (0 = unlimited). */
export interface AgentCandidate {
  readonly staffId: string;
  readonly openInquiries: number;
  readonly capacity: number;
  readonly lastAssignedAt: number | null;
}

export interface AgentPresenceRow {
  readonly staffId: string;
  readonly presence: Presence;
  readonly openInquiries: number;
  /** The staff member's own capacity; null = the shop's default. */
  readonly capacity: number | null;
  readonly lastAssignedAt: number | null;
}

export interface QueuedInquiry {
  readonly id: string;
  readonly conversationId: string;
  readonly customerId: string;
  readonly createdAt: number;
  /** The agent of the customer's previous inquiry in this conversation (sticky routing). */
  readonly previousAgentId: string | null;
}

/** An inquiry that changed hands: `agentId` null = back in the queue or closed. */
export interface Assignment {
  readonly inquiryId: string;
  readonly conversationId: string;
  readonly customerId: string;
  readonly agentId: string | null;
  readonly previousAgentId: string | null;
}

export interface AgentStats {
  readonly staffId: string;
  readonly inquiries: number;
  readonly closed: number;
  /** Mean time from the customer's first message to the first staff answer. */
  readonly avgFirstResponseMs: number | null;
  /** Mean time from assignment to close. */
  readonly avgHandlingMs: number | null;
}

/**
 * Presence and assignment, enforced in the database (storage/routing-store.ts): every hand-over is
 * a conditional update, so two nodes can never assign one inquiry twice or overfill an agent.
 */
export interface RoutingStore {
  deviceConnected(device: { id: string; staffId: string; shopId: string; nodeId: string; away: boolean }, now: number, graceMs: number): Promise<PresenceChange>;
  deviceAway(deviceId: string, away: boolean, now: number, graceMs: number): Promise<PresenceChange | null>;
  /** The device is gone; with no device left the agent stays as they were for `graceMs`. */
  deviceDisconnected(deviceId: string, now: number, graceMs: number): Promise<PresenceChange | null>;
  refreshDevices(nodeId: string, now: number): Promise<void>;
  /** The devices of one node, or (null) of every node; with `seenBefore`, only those not refreshed since. */
  forgetDevices(nodeId: string | null, seenBefore?: number): Promise<void>;
  /** Drops devices not refreshed since `staleBefore`, and turns agents offline whose grace has ended. */
  expirePresence(now: number, staleBefore: number, graceMs: number): Promise<PresenceChange[]>;
  agents(shopId: string): Promise<AgentPresenceRow[]>;
  /** Takes the oldest queued inquiry of the shop and applies the move `choose` decides (null: nobody can take it). */
  assignNext(
    shopId: string,
    defaultCapacity: number,
    choose: (inquiry: QueuedInquiry, candidates: readonly AgentCandidate[]) => InquiryMove | null,
    now: number,
  ): Promise<Assignment | 'empty' | 'no-agent'>;
  /**
   * Locks the conversation, reads its current inquiry (null: none yet), and applies what `decide`
   * returns (domain/inquiry-states.ts) as a conditional update; null from `decide` changes nothing.
   */
  moveInquiry(
    shopId: string,
    conversationId: string,
    decide: (current: InquiryState | null) => InquiryMove | null,
    now: number,
  ): Promise<Assignment | null>;
  assignedTo(staffId: string): Promise<Array<{ conversationId: string; shopId: string }>>;
  /** Assigned inquiries of the shop held by disabled staff (disabled while offline: no presence change tells). */
  heldByDisabled(shopId: string): Promise<Array<{ conversationId: string; agentId: string }>>;
  /**
   * Of these shops, those the sweep has work in, in two queries whatever their number: a queue to
   * drain, or inquiries held by disabled staff.
   */
  sweepable(shopIds: readonly string[]): Promise<{ readonly queued: ReadonlySet<string>; readonly heldByDisabled: ReadonlySet<string> }>;
  /**
   * The reassignment policy's candidates: assigned before `waitingSince` to an agent now away or
   * offline, the customer's last message before `waitingSince` unanswered, never moved by hand or
   * by the policy before (no skip agent).
   */
  unanswered(shopId: string, waitingSince: number): Promise<Array<{ conversationId: string; agentId: string }>>;
  /** The queue, oldest first. */
  queue(shopId: string, limit: number): Promise<Array<{ conversationId: string; customerId: string }>>;
  queuePosition(shopId: string, conversationId: string): Promise<number | null>;
  stats(shopId: string, from: number, to: number): Promise<AgentStats[]>;
}
