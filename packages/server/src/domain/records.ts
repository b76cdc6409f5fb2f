import type {
  Attachment,
  AttachmentKind,
  Channel,
  CustomerAttributes,
  ContentType,
  ConversationKind,
  CustomerKind,
  InquiryStatus,
  MessageKind,
  Notice,
  Priority,
  SenderKind,
  ShopSettings,
  StaffRole,
  UserKind,
  Visibility,
} from '@frontdesk/protocol';

/** What the domain works with: storage maps rows to these. Times are epoch milliseconds. */
export interface ShopRecord {
  readonly id: string;
  readonly name: string;
  readonly identitySecret: string;
  readonly settings: ShopSettings;
  readonly createdAt: number;
}

export interface StaffRecord {
  readonly id: string;
  readonly shopId: string;
  readonly email: string;
  readonly name: string;
  readonly role: StaffRole;
  readonly passwordHash: string;
  readonly capacity: number | null;
  readonly disabledAt: number | null;
  readonly createdAt: number;
}

export interface CustomerRecord {
  readonly id: string;
  readonly shopId: string | null;
  readonly kind: CustomerKind;
  readonly externalId: string | null;
  readonly name: string | null;
  readonly email: string | null;
  readonly createdAt: number;
}

/** A customer as their shop's staff see them in the customer panel. */
export interface CustomerProfile {
  readonly customer: CustomerRecord;
  readonly attributes: CustomerAttributes;
}

export interface InquiryRecord {
  readonly id: string;
  readonly conversationId: string;
  readonly status: InquiryStatus;
  readonly assigneeId: string | null;
  readonly createdAt: number;
  readonly assignedAt: number | null;
  readonly firstResponseAt: number | null;
  readonly closedAt: number | null;
}

export interface CannedResponseRecord {
  readonly id: string;
  readonly shopId: string;
  readonly shortcut: string;
  readonly title: string;
  readonly text: string;
  readonly createdBy: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface ConversationRecord {
  readonly id: string;
  readonly shopId: string;
  readonly shopName: string;
  readonly kind: ConversationKind;
  readonly title: string | null;
  readonly customer: CustomerRecord | null;
  readonly status: InquiryStatus | null;
  readonly assigneeId: string | null;
  readonly currentInquiryId: string | null;
  readonly lastSeq: number;
  readonly lastPublicSeq: number;
  /** The seq of the last public message, system lines included: how far a customer's side goes. */
  readonly lastPublicMessageSeq: number;
  /** The preview: the last public message a person wrote (never a system line). */
  readonly lastMessage: {
    readonly seq: number;
    readonly preview: string;
    readonly contentType: ContentType;
    readonly senderId: string | null;
    readonly senderKind: SenderKind;
    readonly at: number;
  } | null;
  readonly lastActivityAt: number;
  readonly createdAt: number;
  /** The channel its customer came by ('web' for staff chats). */
  readonly channel: Channel;
  /** The shop's labels on a service conversation; [] for staff chats. */
  readonly labelIds: readonly string[];
  /** Staff only (domain/inbox/triage.ts): how urgent, and until when it is snoozed. */
  readonly priority: Priority;
  readonly snoozedUntil: number | null;
}

/** What never changes about a conversation: safe to cache on every node. */
export interface ConversationFacts {
  readonly id: string;
  readonly shopId: string;
  readonly kind: ConversationKind;
  readonly customerId: string | null;
}

/** A conversation as one user sees it in a list: with their read cursor. */
export interface ConversationView extends ConversationRecord {
  readonly readSeq: number;
  readonly readPublicSeq: number;
}

/**
 * A message's place in its shop's stream: the transaction that wrote it, then its rank inside that
 * transaction. Places order messages; they are not consecutive.
 */
export interface StreamPlace {
  readonly tx: number;
  readonly pos: number;
}

export interface MessageRecord {
  readonly id: string;
  readonly shopId: string;
  readonly conversationId: string;
  readonly seq: number;
  /** Place in the shop's stream (staff sync, domain/sync.ts). Not sent to clients. */
  readonly stream: StreamPlace;
  readonly senderId: string | null;
  readonly senderKind: SenderKind;
  readonly kind: MessageKind;
  readonly contentType: ContentType;
  readonly text: string | null;
  readonly visibility: Visibility;
  readonly clientMsgId: string | null;
  /** null for text messages and once the message is deleted. */
  readonly attachment: Attachment | null;
  /** Staff chat: mentioned staff ids or 'all'. */
  readonly mentions: readonly string[];
  /** Staff-chat system messages: what happened, as data. */
  readonly notice: Notice | null;
  readonly createdAt: number;
  readonly editedAt: number | null;
  readonly deletedAt: number | null;
}

export interface MemberRecord {
  readonly conversationId: string;
  readonly userId: string;
  readonly userKind: UserKind;
  readonly role: string;
  readonly readSeq: number;
  readonly readPublicSeq: number;
  /** Muted until this time; null when not muted. */
  readonly mutedUntil: number | null;
  readonly joinedAt: number;
}

export interface SessionRecord {
  readonly tokenHash: string;
  readonly userKind: UserKind;
  readonly userId: string;
  readonly shopId: string | null;
  readonly expiresAt: number;
}

/** Who is calling: resolved from a bearer token at the edge, passed to every domain call. */
export type Principal =
  | { readonly kind: 'staff'; readonly staff: StaffRecord; readonly tokenHash: string }
  | {
      readonly kind: 'customer';
      readonly customer: CustomerRecord;
      /** The shop the widget session was opened for. */
      readonly shopId: string | null;
      readonly tokenHash: string;
    };

export function principalUserId(principal: Principal): string {
  return principal.kind === 'staff' ? principal.staff.id : principal.customer.id;
}

/** A staff member's presence: online while any device is connected and not away. */
export type Presence = 'online' | 'away' | 'offline';

export interface AttachmentRecord {
  readonly id: string;
  readonly shopId: string;
  readonly conversationId: string;
  readonly uploaderId: string;
  readonly uploaderKind: UserKind;
  readonly kind: AttachmentKind;
  readonly name: string;
  readonly mime: string;
  readonly size: number;
  readonly blobKey: string;
  readonly width: number | null;
  readonly height: number | null;
  readonly thumbKey: string | null;
  readonly thumbWidth: number | null;
  readonly thumbHeight: number | null;
  readonly claimedBy: string | null;
  readonly claimedAt: number | null;
  readonly createdAt: number;
}

export interface UploadRecord {
  readonly id: string;
  readonly shopId: string;
  readonly conversationId: string;
  readonly uploaderId: string;
  readonly uploaderKind: UserKind;
  readonly name: string;
  readonly size: number;
  readonly received: number;
  readonly createdAt: number;
  readonly expiresAt: number;
}

/** What access checks and audiences need of a conversation. */
export function factsOf(conversation: ConversationRecord): ConversationFacts {
  return { id: conversation.id, shopId: conversation.shopId, kind: conversation.kind, customerId: conversation.customer?.id ?? null };
}
