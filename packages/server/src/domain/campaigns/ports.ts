import type { CampaignAudience, CampaignKind, CampaignStatus, OngoingTrigger } from '@frontdesk/protocol';
import type { NewMessage } from '../ports.ts';
import type { ConversationFacts, MessageRecord } from '../records.ts';
import type { CampaignBatchPlanner } from './batch.ts';
import type { CampaignMove } from './states.ts';

export interface CampaignRecord {
  readonly id: string;
  readonly shopId: string;
  readonly kind: CampaignKind;
  readonly name: string;
  readonly status: CampaignStatus;
  readonly senderId: string;
  readonly text: string;
  readonly audience: CampaignAudience | null;
  readonly trigger: OngoingTrigger | null;
  readonly throttlePerSecond: number | null;
  readonly scheduledAt: number | null;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  readonly total: number;
  readonly sent: number;
  readonly failed: number;
  readonly skipped: number;
  readonly createdBy: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** What recipients did after the message: computed from their read cursors, messages and contacts. */
export interface CampaignResults {
  readonly read: number;
  readonly replied: number;
  readonly optedOut: number;
}

export interface RecipientRecord {
  readonly customerId: string;
  readonly name: string | null;
  readonly status: 'pending' | 'sent' | 'failed' | 'skipped';
  readonly conversationId: string | null;
  readonly sentAt: number | null;
  readonly error: string | null;
}

export interface CampaignPatch {
  readonly name?: string;
  readonly senderId?: string;
  readonly text?: string;
  readonly audience?: CampaignAudience;
  readonly trigger?: OngoingTrigger;
  readonly scheduledAt?: number | null;
  readonly throttlePerSecond?: number | null;
}

/** One message of a batch as it was stored (or found stored: a resend after a crash), for its event. */
export interface CampaignDelivery {
  readonly conversation: ConversationFacts;
  readonly message: MessageRecord;
  readonly duplicate: boolean;
  /** Staff who see it besides the customer: the conversation's assignee, if any. */
  readonly staffIds: readonly string[];
}

/** What one batch did, after its commit. */
export interface BatchOutcome {
  readonly campaign: CampaignRecord;
  readonly delivered: readonly CampaignDelivery[];
  /** A progress fact was recorded (at most about once a second), or the campaign completed. */
  readonly progressed: boolean;
  readonly completed: boolean;
}

/** A campaign the sender may take: a running one-off whose lease is free or expired, or a scheduled one that is due. */
export interface DueCampaign {
  readonly id: string;
  readonly shopId: string;
  readonly status: CampaignStatus;
}

export interface CampaignStore {
  create(campaign: CampaignRecord): Promise<void>;
  find(shopId: string, id: string): Promise<CampaignRecord | undefined>;
  /** Newest first. */
  list(shopId: string, status: CampaignStatus | undefined, after: { createdAt: number; id: string } | null, limit: number): Promise<CampaignRecord[]>;
  /** Only while the status is one of `statuses`; false otherwise (or no such campaign). */
  update(shopId: string, id: string, patch: CampaignPatch, statuses: readonly CampaignStatus[], now: number): Promise<boolean>;
  deleteDraft(shopId: string, id: string): Promise<boolean>;
  /** A conditional status change; a move that fixes the audience inserts the recipients in the same transaction. */
  move(shopId: string, id: string, move: CampaignMove, now: number): Promise<CampaignRecord | undefined>;
  /** The shops where the audience addresses someone now (platform campaigns), with how many. */
  shopsAddressed(audience: CampaignAudience): Promise<Array<{ shopId: string; count: number }>>;
  /** Contacts of the shop the audience addresses now, opted-out ones left out. */
  countAudience(shopId: string, audience: CampaignAudience): Promise<number>;
  results(shopId: string, ids: readonly string[]): Promise<Map<string, CampaignResults>>;
  recipients(shopId: string, id: string, status: RecipientRecord['status'] | undefined, afterCustomerId: string | null, limit: number): Promise<RecipientRecord[]>;

  /** Campaigns to send, across shops: running one-offs (lease free, expired, or any on a single node) and scheduled ones due. */
  due(owner: string, now: number, singleNode: boolean, limit: number): Promise<DueCampaign[]>;
  /** Takes or renews the lease: only if free, expired, already `owner`'s, or (single node) anyone's. */
  lease(id: string, owner: string, now: number, leaseMs: number, singleNode: boolean): Promise<boolean>;
  release(id: string, owner: string): Promise<void>;
  /**
   * One batch in one transaction, while `owner` holds the lease and the campaign runs: up to
   * `limit` pending recipients are planned by `plan`, their conversations made, messages appended,
   * rows marked, counters moved, facts recorded. Null when the lease is lost or the campaign stopped.
   */
  sendBatch(id: string, owner: string, limit: number, now: number, leaseMs: number, plan: CampaignBatchPlanner): Promise<BatchOutcome | null>;

  /** The shop's running ongoing campaigns. */
  runningOngoing(shopId: string): Promise<CampaignRecord[]>;
  /** Of `campaignIds`, those already shown to the customer. */
  shownTo(customerId: string, campaignIds: readonly string[]): Promise<Set<string>>;
  /** Shows an ongoing campaign to a visitor: their recipient row and the message, in one transaction (once per visitor). */
  deliverOngoing(campaign: CampaignRecord, customerId: string, message: (conversationId: string) => NewMessage, now: number): Promise<CampaignDelivery>;
}
