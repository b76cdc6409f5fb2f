import type { Presence, UserKind } from '@frontdesk/protocol';
import type { BroadcastView } from './staff-chat/ports.ts';
import type { CampaignRecord, CampaignResults } from './campaigns/ports.ts';
import type { CsatRecord } from './csat-ports.ts';
import type { ConversationFacts, ConversationRecord, CustomerRecord, MessageRecord, ShopRecord, StaffRecord } from './records.ts';

/**
 * Everything that happened, as typed past-tense facts (DESIGN.md §9). The domain emits them through
 * the EventSink after the commit; subscribers registered in app.ts react: fan-out to sockets (the
 * only code that publishes on the bus), routing, webhooks. A subscriber never calls another.
 */
export type DomainEvent =
  | MessageCreated
  | MessageDeleted
  | MessageUpdated
  | MemberRemoved
  | GroupUpdated
  | BroadcastSent
  | ConversationMerged
  | InquiryChanged
  | MemberAdded
  | ReadMoved
  | TypingStarted
  | PresenceChanged
  | QueueMoved
  | SessionsEnded
  | ShopUpdated
  | StaffChanged
  | CustomerChanged
  | ConversationLabelled
  | ConversationTriaged
  | PushRequested
  | CampaignChanged
  | CsatSubmitted;

export type DomainEventType = DomainEvent['type'];

/** The connection an event came from: it already has its answer (an ack, a receipt), so fan-out skips it. */
interface FromConnection {
  readonly originConnectionId?: string | undefined;
}

/** A message was stored; or, `resent`, a send already stored came again and is published again. */
export interface MessageCreated extends FromConnection {
  readonly type: 'message.created';
  readonly conversation: ConversationFacts;
  readonly message: MessageRecord;
  readonly resent: boolean;
  /** The customer's message opened a new inquiry (a first message, or one on a closed conversation). */
  readonly openedInquiryId?: string | undefined;
  /** The conversation was snoozed until then as the message was stored: a customer's message wakes it. */
  readonly snoozedUntil?: number | undefined;
  /** A campaign's message: it reaches the customer and `staffIds` (the assignee), not every staff member of the shop. */
  readonly campaign?: { readonly id: string; readonly staffIds: readonly string[] } | undefined;
}

export interface MessageDeleted {
  readonly type: 'message.deleted';
  readonly conversation: ConversationFacts;
  readonly message: MessageRecord;
}

/** The sender changed a message's text. */
export interface MessageUpdated {
  readonly type: 'message.updated';
  readonly conversation: ConversationFacts;
  readonly message: MessageRecord;
}

/** A staff member left a group or was removed from it. */
export interface MemberRemoved {
  readonly type: 'member.removed';
  readonly conversation: ConversationRecord;
  readonly userId: string;
}

/** A group's title, owner or members changed. */
export interface GroupUpdated {
  readonly type: 'group.updated';
  readonly conversation: ConversationRecord;
}

/** A broadcast was stored: to every staff member of the shop, or to those listed (group members resolved). */
export interface BroadcastSent {
  readonly type: 'broadcast.sent';
  readonly broadcast: BroadcastView;
  readonly recipients: 'all' | readonly string[];
}

/** An anonymous visitor signed in: their conversation was folded into the customer's. */
export interface ConversationMerged {
  readonly type: 'conversation.merged';
  readonly conversation: ConversationRecord;
  /** The visitor's conversation, now gone; null when the visitor had none. */
  readonly fromConversationId: string | null;
}

/** An inquiry moved (domain/inquiry-states.ts); `conversation` holds its status and assignee now. */
export interface InquiryChanged {
  readonly type: 'inquiry.queued' | 'inquiry.assigned' | 'inquiry.transferred' | 'inquiry.closed';
  readonly conversation: ConversationRecord;
}

/** A staff member joined a conversation (an invitation). */
export interface MemberAdded {
  readonly type: 'member.added';
  readonly conversation: ConversationRecord;
  readonly userId: string;
}

/** A reader's cursor moved forward. */
export interface ReadMoved extends FromConnection {
  readonly type: 'read.moved';
  readonly conversation: ConversationRecord;
  readonly readerKind: UserKind;
  readonly userId: string;
  readonly seq: number;
}

export interface TypingStarted {
  readonly type: 'typing.started';
  readonly conversation: ConversationFacts;
  readonly userId: string;
  readonly userKind: UserKind;
}

export interface PresenceChanged {
  readonly type: 'presence.changed';
  readonly shopId: string;
  readonly staffId: string;
  readonly before: Presence;
  readonly after: Presence;
}

/** A waiting customer's place in the shop's queue changed (1 = next). */
export interface QueueMoved {
  readonly type: 'queue.moved';
  readonly shopId: string;
  readonly customerId: string;
  readonly conversationId: string;
  readonly position: number;
}

/** Sessions ended (logout, password reset, account disabled); `tokenHash` null = every session of the user. */
export interface SessionsEnded {
  readonly type: 'session.ended';
  readonly userId: string;
  readonly tokenHash: string | null;
  readonly reason: 'TOKEN_INVALID' | 'ACCOUNT_DISABLED';
}

export interface ShopUpdated {
  readonly type: 'shop.updated';
  readonly shop: ShopRecord;
}

export interface StaffChanged {
  readonly type: 'staff.created' | 'staff.updated';
  readonly staff: StaffRecord;
}

/** A customer appeared in a shop (their service conversation there was made), or their profile or attributes changed. */
export interface CustomerChanged {
  readonly type: 'customer.created' | 'customer.updated';
  readonly shopId: string;
  readonly customer: CustomerRecord;
}

/** A service conversation's priority changed, it was snoozed, or it woke (domain/inbox/triage.ts); staff only. */
export interface ConversationTriaged {
  readonly type: 'conversation.prioritised' | 'conversation.snoozed' | 'conversation.woken';
  readonly conversation: ConversationRecord;
}

/** Labels were put on or taken off a service conversation; `conversation` holds its labels now. */
export interface ConversationLabelled {
  readonly type: 'conversation.labelled';
  readonly conversation: ConversationRecord;
}

/** A campaign moved (started, paused…) or progressed; `completed` once its last recipient's turn passed. */
export interface CampaignChanged {
  readonly type: 'campaign.progressed' | 'campaign.completed';
  readonly campaign: CampaignRecord;
  readonly results: CampaignResults;
}

/** A customer rated a closed inquiry or changed their rating (docs/api.md#customer-satisfaction-csat). */
export interface CsatSubmitted {
  readonly type: 'csat.submitted';
  readonly rating: CsatRecord;
}

/** Who a raw push of the push APIs goes to, always inside one shop (domain/pushes.ts). */
export type PushTarget =
  /** Connections, by their key (the connection id a goim-dialect client gets in its op 8 reply). */
  | { readonly kind: 'keys'; readonly keys: readonly string[] }
  /** Every device of these users (customers found by their external id, goim's `mid`). */
  | { readonly kind: 'users'; readonly userIds: readonly string[] }
  /** The connections in a room (domain/rooms.ts), on every node. */
  | { readonly kind: 'room'; readonly room: string }
  /** Everyone in a conversation who may read its public messages. */
  | { readonly kind: 'conversation'; readonly conversation: ConversationFacts }
  /** Every connection of the shop, staff and customers. */
  | { readonly kind: 'shop' };

/** A push API was asked to push bytes: nothing is stored, and a client that is away misses it. */
export interface PushRequested {
  readonly type: 'push.requested';
  readonly shopId: string;
  readonly target: PushTarget;
  /** goim's operation: the op of the packet a goim-dialect client receives. */
  readonly operation: number;
  /** The pushed bytes, base64. */
  readonly body: string;
  /** goim's `speed` of push/all: connections per second and node; 0 = at once. */
  readonly speed: number;
}

/**
 * A fact a subscriber must not lose, as storage records it in the outbox inside the transaction
 * that makes it (storage/outbox.ts): its subject is read again when it is delivered, `data` keeps
 * what the subject will no longer tell (an inquiry's move).
 */
export interface DurableFact {
  readonly shopId: string;
  readonly type: DomainEventType;
  readonly subjectId: string;
  readonly data?: Readonly<Record<string, unknown>>;
  readonly createdAt: number;
}

/** The port the domain emits through, after the commit. */
export interface EventSink {
  emit(event: DomainEvent): Promise<void>;
}

export type Subscriber = (event: DomainEvent) => Promise<void> | void;

/**
 * Runs the subscribers of each event in the order they were registered (app.ts), one after the
 * other: fan-out first, so a message reaches sockets before routing reacts to it. A subscriber that
 * fails is reported and the others still run; the fact is committed whatever they do.
 */
export function eventDispatcher(onError: (error: unknown, event: DomainEvent) => void) {
  const subscribers: Subscriber[] = [];
  return {
    subscribe(subscriber: Subscriber): void {
      subscribers.push(subscriber);
    },
    async emit(event: DomainEvent): Promise<void> {
      for (const subscriber of subscribers) {
        try {
          await subscriber(event);
        } catch (error) {
          onError(error, event);
        }
      }
    },
  };
}
