import type { TriageStore } from './inbox/triage.ts';
import type { Readable } from 'node:stream';
import type { Channel, CustomerAttributes, InquiryStatus, ShopSettings, StaffRole, UserKind, Visibility } from '@frontdesk/protocol';
import type { StaffChatStore } from './staff-chat/ports.ts';
import type { InquiryState, MergeDecision } from './inquiry-states.ts';
import type { WebhookStore } from './webhooks.ts';
import type { ApiKeyStore } from './api-keys.ts';
import type { Assignment, RoutingStore } from './routing-ports.ts';
import type { ContactStore, LabelStore, SavedViewStore } from './contacts/ports.ts';
import type { CampaignStore } from './campaigns/ports.ts';
import type { CsatStore } from './csat-ports.ts';
import type { MessageStore } from './message-ports.ts';

export type { PresenceChange, AgentCandidate, AgentPresenceRow, QueuedInquiry, Assignment, AgentStats, RoutingStore } from './routing-ports.ts';
export type { NewMessage, AppendResult, HistoryQuery, MessageStore } from './message-ports.ts';
import type {
  AttachmentRecord,
  CannedResponseRecord,
  ConversationFacts,
  ConversationRecord,
  ConversationView,
  CustomerProfile,
  CustomerRecord,
  InquiryRecord,
  MemberRecord,
  SessionRecord,
  ShopRecord,
  StaffRecord,
  UploadRecord,
} from './records.ts';

/**
 * The storage the domain needs, owned by the domain. storage/ implements it over Kysely for SQLite
 * and PostgreSQL; every method that touches shop data takes the shop id and filters by it.
 */
export interface Store {
  readonly shops: ShopStore;
  readonly staff: StaffStore;
  readonly sessions: SessionStore;
  readonly customers: CustomerStore;
  readonly conversations: ConversationStore;
  readonly messages: MessageStore;
  readonly routing: RoutingStore;
  readonly attachments: AttachmentStore;
  readonly cannedResponses: CannedResponseStore;
  readonly stats: StatsStore;
  readonly csat: CsatStore;
  readonly webhooks: WebhookStore;
  readonly staffChat: StaffChatStore;
  readonly apiKeys: ApiKeyStore;
  readonly contacts: ContactStore;
  readonly labels: LabelStore;
  readonly savedViews: SavedViewStore;
  readonly campaigns: CampaignStore;
  readonly triage: TriageStore;
}

export interface ShopStore {
  create(shop: ShopRecord): Promise<void>;
  find(id: string): Promise<ShopRecord | undefined>;
  /**
   * The shop for a hot path (every customer send reads its pre-chat rule): kept in memory, dropped
   * when this node changes the shop and when any node says so (`forget`, from the bus's
   * shop.changed); at most 30 s old on a node that missed that. Never for read-modify-write.
   */
  findCached(id: string): Promise<ShopRecord | undefined>;
  forget(id: string): void;
  update(id: string, patch: { name?: string; settings?: ShopSettings; identitySecret?: string }, now: number): Promise<void>;
  count(): Promise<number>;
  /** The oldest shop's id (the demo page's default). */
  firstId(): Promise<string | undefined>;
  /** Every origin any shop lets embed its widget (the WebSocket upgrade's first check). */
  widgetOrigins(): Promise<string[]>;
}

export interface StaffPatch {
  readonly name?: string;
  readonly role?: StaffRole;
  readonly capacity?: number | null;
  readonly disabledAt?: number | null;
  readonly passwordHash?: string;
}

export interface StaffStore {
  /** Throws AppError EMAIL_TAKEN when the e-mail is in use. */
  create(staff: StaffRecord): Promise<void>;
  findByEmail(email: string): Promise<StaffRecord | undefined>;
  find(shopId: string, id: string): Promise<StaffRecord | undefined>;
  list(shopId: string): Promise<StaffRecord[]>;
  /** Those of `ids` that are staff of the shop, in no particular order. */
  findMany(shopId: string, ids: readonly string[]): Promise<StaffRecord[]>;
  update(shopId: string, id: string, patch: StaffPatch, now: number): Promise<void>;
  countActiveOwners(shopId: string): Promise<number>;
}

export interface SessionStore {
  create(session: SessionRecord, now: number): Promise<void>;
  /** Only sessions that have not expired at `now`. */
  find(tokenHash: string, now: number): Promise<SessionRecord | undefined>;
  delete(tokenHash: string): Promise<void>;
  deleteForUser(userId: string): Promise<void>;
  deleteExpired(now: number): Promise<number>;
}

export interface NewCustomer {
  readonly id: string;
  readonly shopId: string | null;
  readonly kind: CustomerRecord['kind'];
  readonly identityKey: string;
  readonly externalId: string | null;
  readonly name: string | null;
  readonly email: string | null;
  readonly visitorTokenHash: string | null;
}

export interface CustomerStore {
  /** Inserts unless the identity key exists; returns the stored customer either way. */
  upsert(customer: NewCustomer, now: number): Promise<CustomerRecord>;
  findByVisitorToken(shopId: string, tokenHash: string): Promise<CustomerRecord | undefined>;
  find(id: string): Promise<CustomerRecord | undefined>;
  /** The ids of the shop's identified customers with these external ids (goim's `mid`s). */
  idsOfShopCustomers(shopId: string, externalIds: readonly string[]): Promise<string[]>;
  /**
   * Sets what is given of the profile; true when that changed anything. A change to a customer the
   * shop already knows (a service conversation there) records customer.updated for it.
   */
  updateProfile(shopId: string, id: string, profile: { name?: string | null; email?: string | null }, now: number): Promise<boolean>;
  /** Replaces the customer's attributes; true when they changed (customer.updated as for the profile). */
  setAttributes(shopId: string, id: string, attributes: CustomerAttributes, now: number): Promise<boolean>;
  /** The customer, if they are a contact of the shop (platform customers span shops). */
  findInShop(shopId: string, id: string): Promise<CustomerProfile | undefined>;
  /** The customer's inquiries in the shop, newest first. */
  inquiries(shopId: string, customerId: string, limit: number): Promise<InquiryRecord[]>;
}

export interface ConversationFilter {
  readonly status?: InquiryStatus;
  /** Queued or assigned. */
  readonly open?: boolean;
  readonly assigneeId?: string;
  readonly labelId?: string;
  readonly channel?: Channel;
  /**
   * The customer's name, e-mail or external id contains this (case-insensitive), or their id is
   * exactly this.
   */
  readonly customerMatch?: string;
  /** true: only snoozed conversations; false: none of them (domain/inbox/triage.ts). */
  readonly snoozed?: boolean;
  /** Exactly this priority (0 none … 4 urgent). */
  readonly priority?: number;
  /** Most urgent first, then newest activity (the position then carries the priority). */
  readonly byPriority?: boolean;
}

/** Keyset position in a list sorted by last activity, newest first (by priority first when sorted so). */
export interface ListPosition {
  readonly lastActivityAt: number;
  readonly id: string;
  readonly priority?: number;
}

export interface ConversationStore {
  /**
   * The customer's service conversation in the shop, made (recording customer.created) if it is the
   * first, race-safe; `channel` is the one it is made for (default 'web').
   */
  ensureService(shopId: string, customerId: string, newId: string, now: number, channel?: Channel): Promise<ConversationRecord>;
  find(id: string): Promise<ConversationRecord | undefined>;
  /** Shop, kind and customer: immutable, so served from a cache on the hot path. */
  facts(id: string): Promise<ConversationFacts | undefined>;
  /** Drops a conversation's cached facts: another node deleted it (a visitor merged into a customer). */
  forgetFacts(id: string): void;
  member(conversationId: string, userId: string): Promise<MemberRecord | undefined>;
  /** A shop's service conversations as `viewerId` sees them. */
  listForShop(
    shopId: string,
    viewerId: string,
    filter: ConversationFilter,
    after: ListPosition | null,
    limit: number,
  ): Promise<ConversationView[]>;
  /** How many of the shop's service conversations match the filter. */
  countForShop(shopId: string, filter: ConversationFilter): Promise<number>;
  /** Those of `ids` that exist in the shop, in no particular order. */
  findMany(shopId: string, ids: readonly string[]): Promise<ConversationRecord[]>;
  /** The conversations `userId` is a member of, across shops. */
  listForMember(userId: string, after: ListPosition | null, limit: number): Promise<ConversationView[]>;
  /** Every conversation `userId` is a member of, with its last seq: the customer's sync. */
  memberships(userId: string): Promise<Array<{ conversationId: string; lastSeq: number }>>;
  /** Adds a member unless they are one; true when added. */
  addMember(conversationId: string, user: { id: string; kind: UserKind; shopId: string; role: string }, now: number): Promise<boolean>;
  /** Members of a conversation (direct and group audiences). */
  memberIds(conversationId: string): Promise<string[]>;
  /** Moves the read cursor forward (never back) to min(seq, last seq); returns the cursor. */
  /** `publicOnly`: the cursor stops at the last public message at or before `seq` (a customer's). */
  markRead(conversation: ConversationRecord, user: { id: string; kind: UserKind; role: string }, seq: number, now: number, publicOnly?: boolean): Promise<MemberRecord>;
  /**
   * Folds an anonymous visitor of the shop into an identified customer: the visitor's history moves
   * into the customer's service conversation (created if missing); the visitor is deleted. Null when
   * `visitorId` is not an anonymous visitor of the shop.
   */
  mergeVisitor(
    shopId: string,
    visitorId: string,
    customerId: string,
    newConversationId: string,
    now: number,
    decide: (visitor: InquiryState | null, customer: InquiryState | null) => MergeDecision,
  ): Promise<VisitorMerge | null>;
}

export interface VisitorMerge {
  /** The customer's service conversation, which now holds the visitor's history. */
  readonly conversationId: string;
  /** The visitor's conversation, now gone; null if they had none. */
  readonly fromConversationId: string | null;
  /** The visitor's open inquiry, closed because the customer's conversation had one open too. */
  readonly closed: Assignment | null;
}

/** The inquiries created on one day (days are numbered from the epoch, in the period's UTC offset). */
export interface DayCounts {
  readonly day: number;
  readonly inquiries: number;
  readonly closed: number;
  readonly answered: number;
}

/** A period of inquiry creation times, and the UTC offset its days are cut in. */
export interface StatsPeriod {
  readonly from: number;
  readonly to: number;
  readonly offsetMs: number;
}

export interface StatsStore {
  /** Days of the period with at least one inquiry created in [from, to). */
  dailyCounts(shopId: string, period: StatsPeriod): Promise<DayCounts[]>;
  /** First-response times (ms) of the period's answered inquiries, by day. */
  firstResponseTimes(shopId: string, period: StatsPeriod): Promise<Array<{ day: number; ms: number }>>;
  /** The period's inquiries by day and by their conversation's channel. */
  channelCounts(shopId: string, period: StatsPeriod): Promise<Array<{ day: number; channel: string; inquiries: number }>>;
  /** The inquiries created in [from, to), at most `limit` of them. */
  timings(shopId: string, from: number, to: number, limit: number): Promise<InquiryTimings[]>;
}

export interface CannedResponsePatch {
  readonly shortcut?: string;
  readonly title?: string;
  readonly text?: string;
}

export interface CannedResponseStore {
  /** Throws AppError SHORTCUT_TAKEN when the shop has the shortcut already. */
  create(response: CannedResponseRecord): Promise<void>;
  find(shopId: string, id: string): Promise<CannedResponseRecord | undefined>;
  /** Sorted by shortcut; `match` narrows to shortcuts or titles containing it (case-insensitive). */
  list(shopId: string, match: string | undefined, limit: number): Promise<CannedResponseRecord[]>;
  /** Throws AppError SHORTCUT_TAKEN as create does; false when there is no such response. */
  update(shopId: string, id: string, patch: CannedResponsePatch, now: number): Promise<boolean>;
  /** False when there is no such response. */
  delete(shopId: string, id: string): Promise<boolean>;
}

export interface NewBlob {
  /** sha256 of the bytes, hex. */
  readonly key: string;
  readonly size: number;
}

export type ClaimOutcome = 'claimed' | 'in-use' | 'missing';

export interface AttachmentStore {
  /** Records the attachment and its blobs (a blob stored before is shared, not duplicated). */
  create(attachment: AttachmentRecord, blobs: readonly NewBlob[]): Promise<void>;
  find(id: string): Promise<AttachmentRecord | undefined>;
  /**
   * Binds an attachment to one send (`claim` = the sender's clientMsgId): only its uploader may,
   * in its conversation, and only once; the same send may claim again (a resend).
   */
  claim(id: string, conversationId: string, uploaderId: string, claim: string, now: number): Promise<ClaimOutcome>;
  /** The message that carries the attachment, if one was stored. */
  messageOf(attachmentId: string, conversationId: string): Promise<{ visibility: Visibility; deletedAt: number | null } | undefined>;
  /** Attachments not on a live message (never sent, or their message deleted) since before `cutoff`. */
  orphans(cutoff: number, limit: number): Promise<AttachmentRecord[]>;
  /** Deletes those of `ids` that are still orphans as of `cutoff` (a send may have claimed one since); returns them. */
  deleteOrphans(ids: readonly string[], cutoff: number): Promise<AttachmentRecord[]>;
  /**
   * Deletes the blob if no attachment uses it: the row is locked meanwhile, and `remove` (the
   * bytes) runs before the lock is let go, so an upload reusing the blob waits and stores it again.
   */
  releaseBlob(key: string, remove: () => Promise<void>): Promise<boolean>;

  createUpload(upload: UploadRecord): Promise<void>;
  findUpload(id: string): Promise<UploadRecord | undefined>;
  /** Moves `received` from `from` to `to`; false when it was not at `from`. */
  advanceUpload(id: string, from: number, to: number): Promise<boolean>;
  deleteUpload(id: string): Promise<void>;
  expiredUploads(now: number, limit: number): Promise<UploadRecord[]>;

  /** The deployment's key called `name`, created (by `generate`) on first use; every node gets the same. */
  serverKey(name: string, generate: () => string, now: number): Promise<string>;
}

/**
 * Where attachment bytes live, by content (key = sha256 of the bytes, hex): the local disk under
 * DATA_DIR by default; the shape leaves room for an S3-compatible store.
 */
export interface BlobStore {
  /** Stores the bytes under `key` unless they are there; a file given by path is left in place. */
  put(key: string, source: { readonly path: string } | { readonly data: Buffer }): Promise<void>;
  has(key: string): Promise<boolean>;
  /** The bytes, or null when missing. */
  read(key: string): Promise<{ stream: Readable; size: number } | null>;
  remove(key: string): Promise<void>;
}

export interface StagingWrite {
  /** Bytes written (and flushed) before the body ended, failed or hit the limit. */
  readonly written: number;
  /** The body failed part way (a dropped connection). */
  readonly error: Error | null;
  /** The body went on past `maxBytes`; the bytes past it were not written. */
  readonly overflow: boolean;
}

/** Files being received (uploads in progress), on this node's disk. */
export interface Staging {
  /** Writes the body into staging file `id` from `offset` on; `fresh` creates (or empties) the file, else it must exist. */
  write(id: string, offset: number, body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, maxBytes: number, fresh?: boolean): Promise<StagingWrite>;
  path(id: string): string;
  /** sha256 (hex) and size of the staged file. */
  hash(id: string): Promise<{ key: string; size: number }>;
  remove(id: string): Promise<void>;
  /** Staging files last written before `cutoff` (left behind by a crash, say). */
  stale(cutoff: number): Promise<string[]>;
}

/** An inquiry's timings, as the statistics report reads them (a bounded scan of a range). */
export interface InquiryTimings {
  readonly createdAt: number;
  readonly firstResponseAt: number | null;
  readonly closedAt: number | null;
  readonly closed: boolean;
  readonly assigneeId: string | null;
  readonly channel: string;
}
