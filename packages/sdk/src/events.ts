import type { BroadcastFrame, Campaign, CsatRating, ConversationFrame, Message, Operations, PresenceFrame, QueueFrame, ReadReceiptFrame, SessionUser, TypingEventFrame } from '@frontdesk/protocol';
import type { FrontdeskError } from './errors.ts';
import type { PendingMessage } from './outbox.ts';
import type { SyncSummary } from './sync.ts';

export type ClientState = 'idle' | 'connecting' | 'authenticating' | 'open' | 'reconnecting' | 'closed';

export interface StateChange {
  readonly state: ClientState;
  readonly previous: ClientState;
}

export interface DisconnectInfo {
  /** The WebSocket close code (1006 when the link just died, 4xxx from the catalogue). */
  readonly code: number;
  /** The close reason: the server puts the catalogue's error code there, e.g. "SERVICE_UNAVAILABLE". */
  readonly reason: string;
  /** Milliseconds until the next attempt; null when the client stops (terminal failure). */
  readonly retryInMs: number | null;
}

export interface ClosedInfo {
  readonly code: number;
  readonly reason: string;
  /** Why the client stopped; null after `close()`. */
  readonly error: FrontdeskError | null;
}

export interface FailedSend {
  readonly message: PendingMessage;
  readonly error: FrontdeskError;
}

/** Everything a FrontdeskClient emits, by event name. */
export interface ClientEvents {
  state: StateChange;
  /** Authenticated (first connect and every reconnect). */
  ready: SessionUser;
  /** A stored message, once per (conversationId, seq), from push, ack or sync. */
  message: Message;
  /**
   * A message already shown was edited (`editedAt`) or deleted (`deletedAt`, text gone): replace the
   * copy with the same id. Not deduplicated: every edit is news.
   */
  messageUpdated: Message;
  /** A message entered the outbox: show the optimistic bubble, match it later by clientMsgId. */
  pending: PendingMessage;
  /** The server refused a message for good; `retry(clientMsgId)` queues it again. */
  failed: FailedSend;
  read: ReadReceiptFrame;
  typing: TypingEventFrame;
  /**
   * A service conversation was queued, assigned, transferred, joined by a colleague or closed; a
   * group was `updated`, or `removed` for `userId` (who left or was removed).
   */
  conversation: ConversationFrame;
  /** Staff: a colleague's presence changed. */
  presence: PresenceFrame;
  /** Staff: a broadcast from the shop's owners or admins (one missed while offline is in GET /broadcasts). */
  broadcast: BroadcastFrame;
  /** Owners and admins who called `watchOperations`: the shop's figures, every few seconds. */
  operations: Operations;
  /** Owners and admins: a campaign of their shop moved or progressed (docs/campaigns.md). */
  campaign: Campaign;
  /** Owners and admins: a customer rated a closed inquiry of their shop (docs/api.md#customer-satisfaction-csat). */
  csat: CsatRating;
  /** Customers: their place in the shop's queue changed (1 = next). */
  queue: QueueFrame;
  /** The automatic sync after a (re)connect has caught up. */
  synced: SyncSummary;
  /** A connection ended; see `retryInMs`. */
  disconnected: DisconnectInfo;
  error: FrontdeskError;
  /** The client stopped for good: `close()` or a terminal auth failure. */
  closed: ClosedInfo;
}
