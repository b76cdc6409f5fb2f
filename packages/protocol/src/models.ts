/**
 * Shapes the server sends over HTTP and the realtime transports. Times are ISO-8601 strings in UTC;
 * ids are opaque strings (UUIDv7).
 */
export type StaffRole = 'owner' | 'admin' | 'agent';
export type CustomerKind = 'anonymous' | 'shop' | 'platform';
export type ConversationKind = 'service' | 'direct' | 'group';
export type InquiryStatus = 'queued' | 'assigned' | 'closed';
export type RoutingStrategy = 'sticky-then-least-busy' | 'least-busy' | 'round-robin' | 'random' | 'manual';
export type UserKind = 'staff' | 'customer';
export type SenderKind = UserKind | 'system';
export type MessageKind = 'user' | 'system';
export type ContentType = 'text' | 'image' | 'file';
export type Visibility = 'public' | 'internal';

export interface ShopSettings {
  readonly routingStrategy: RoutingStrategy;
  /** Open inquiries an agent may hold at once; 0 = unlimited. */
  readonly defaultCapacity: number;
  /** Origins allowed to embed the widget, e.g. `https://shop.example`. */
  readonly widgetOrigins: readonly string[];
  /** Seconds before an unanswered assigned inquiry goes to another agent; 0 = off. */
  readonly autoReassignSeconds: number;
  readonly offlineMessage: string;
  /** Largest file a customer or agent may upload into this shop, in bytes. */
  readonly maxAttachmentBytes: number;
  /**
   * Types (sniffed from the bytes, never the declared ones) that may be uploaded. Raster images
   * (png, jpeg, gif, webp) are shown inline; everything else is only ever downloaded.
   */
  readonly allowedAttachmentTypes: readonly string[];
  /** When the shop answers; null = always open. */
  readonly businessHours: BusinessHours | null;
}

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** A shop's opening hours in its own time zone. */
export interface BusinessHours {
  /** IANA time zone, e.g. `Europe/Berlin`: the hours follow its daylight-saving changes. */
  readonly timezone: string;
  /**
   * Up to 4 ranges a day, `["HH:MM", "HH:MM"]`, start included, end excluded (`"24:00"` = midnight).
   * A day that is absent or empty is closed.
   */
  readonly days: Partial<Record<Weekday, ReadonlyArray<readonly [string, string]>>>;
}

export interface Shop {
  readonly id: string;
  readonly name: string;
  readonly settings: ShopSettings;
  readonly createdAt: string;
}

export interface Staff {
  readonly id: string;
  readonly shopId: string;
  readonly email: string;
  readonly name: string;
  readonly role: StaffRole;
  /** null = the shop's default capacity. */
  readonly capacity: number | null;
  readonly disabled: boolean;
  readonly createdAt: string;
}

export interface Customer {
  readonly id: string;
  readonly kind: CustomerKind;
  /** The id the shop or platform knows this person by; null for anonymous visitors. */
  readonly externalId: string | null;
  readonly name: string | null;
  readonly email: string | null;
  readonly createdAt: string;
}

export interface LastMessage {
  readonly seq: number;
  readonly preview: string;
  readonly contentType: ContentType;
  readonly senderId: string | null;
  readonly senderKind: SenderKind;
  readonly at: string;
}

export interface Conversation {
  readonly id: string;
  readonly shopId: string;
  readonly shopName: string;
  readonly kind: ConversationKind;
  readonly title: string | null;
  readonly customer: Customer | null;
  /** Service conversations: the current inquiry's state. */
  readonly status: InquiryStatus | null;
  readonly assigneeId: string | null;
  readonly lastSeq: number;
  readonly lastMessage: LastMessage | null;
  readonly lastActivityAt: string;
  /** The caller's read cursor and unread count. */
  readonly readSeq: number;
  readonly unread: number;
  readonly createdAt: string;
}

/** A conversation as every viewer sees it: without the caller's read cursor and unread count. */
export type ConversationSummary = Omit<Conversation, 'readSeq' | 'unread'>;

/**
 * What happened to a service conversation's inquiry (the `conversation` event). `merged`: an
 * anonymous visitor identified themselves; their conversation (`mergedFromId`) is now part of this one.
 */
export type ConversationChange = 'queued' | 'assigned' | 'transferred' | 'invited' | 'closed' | 'merged';

export type Presence = 'online' | 'away' | 'offline';

/** A staff member as a conversation's customer sees them: a name, never an e-mail or a role. */
export interface TeamMember {
  readonly id: string;
  readonly name: string;
}

/** Who answers a conversation (GET /conversations/{id}/team), for names, avatars and the offline notice. */
export interface Team {
  /** Staff the caller may know of: for customers, the assignee and the authors of public messages. */
  readonly members: readonly TeamMember[];
  /** Within business hours and some agent of the shop is online now. */
  readonly available: boolean;
  /** Within the shop's business hours (always, without any): tells "closed" from "nobody online". */
  readonly openNow: boolean;
  /** The shop's offline message, shown while nobody is available. */
  readonly offlineMessage: string;
}

/** A staff member as routing sees them (GET /api/v1/agents). */
export interface Agent {
  readonly staffId: string;
  readonly name: string;
  readonly role: StaffRole;
  readonly presence: Presence;
  readonly openInquiries: number;
  /** The capacity in force: the staff member's own, else the shop's default; 0 = unlimited. */
  readonly capacity: number;
}

/** Reception statistics of one agent over a period (GET /api/v1/stats/agents). */
export interface AgentStatistics {
  readonly staffId: string;
  /** Inquiries opened in the period and assigned to this agent at the end. */
  readonly inquiries: number;
  readonly closed: number;
  /** Mean time from the customer's first message to the first staff answer, ms. */
  readonly avgFirstResponseMs: number | null;
  /** Mean time from assignment to close, ms. */
  readonly avgHandlingMs: number | null;
}

/**
 * Facts a shop's site tells about a customer (plan, order count, …), shown to its staff: at most
 * `limits.attributesMax` keys matching `attributeKeyPattern`; strings of at most
 * `limits.attributeValueMaxChars` characters, finite numbers or booleans.
 */
export type CustomerAttributes = Readonly<Record<string, string | number | boolean>>;

export const attributeKeyPattern = '^[A-Za-z0-9_.-]{1,40}$';

/** One service episode of a customer, for the console's customer panel. */
export interface CustomerInquiry {
  readonly id: string;
  readonly conversationId: string;
  readonly status: InquiryStatus;
  readonly assigneeId: string | null;
  readonly createdAt: string;
  readonly assignedAt: string | null;
  readonly firstResponseAt: string | null;
  readonly closedAt: string | null;
}

/** GET /api/v1/customers/{id}: the customer as the caller's shop knows them. */
export interface CustomerDetails {
  readonly customer: Customer;
  readonly attributes: CustomerAttributes;
  /** In the caller's shop only, newest first, at most 100. */
  readonly inquiries: readonly CustomerInquiry[];
}

/** A shop's reply template, inserted in the console's composer by its shortcut. */
export interface CannedResponse {
  readonly id: string;
  /** `[a-z0-9][a-z0-9_-]{0,31}`, unique in the shop. */
  readonly shortcut: string;
  readonly title: string;
  readonly text: string;
  /** The staff member who created it. */
  readonly createdBy: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** GET /api/v1/conversations/counts: how many conversations each of the console's views holds. */
export interface InboxCounts {
  readonly queue: number;
  readonly mine: number;
  readonly open: number;
  readonly closed: number;
}

/** GET /api/v1/search. */
export interface SearchResults {
  /** Service conversations whose customer matches, most recent activity first. */
  readonly conversations: readonly Conversation[];
  /** Messages whose text matches (internal notes included), newest first. */
  readonly messages: ReadonlyArray<{ readonly message: Message; readonly conversation: ConversationSummary }>;
}

/** One local day of GET /api/v1/stats/daily: the inquiries created on it. */
export interface DayStatistics {
  /** `YYYY-MM-DD` in the requested UTC offset. */
  readonly day: string;
  readonly inquiries: number;
  /** Of those, closed now. */
  readonly closed: number;
  /** Of those, with a public staff answer. */
  readonly answered: number;
  /** Median time from the inquiry's creation to the first public staff answer, ms; null when none was answered. */
  readonly medianFirstResponseMs: number | null;
}

export type AttachmentKind = 'image' | 'file';

/** An uploaded file: its bytes are fetched with GET /api/v1/attachments/{id}/content or a signed link. */
export interface Attachment {
  readonly id: string;
  readonly conversationId: string;
  /** 'image': a raster image, shown inline and with a thumbnail; 'file': downloaded only. */
  readonly kind: AttachmentKind;
  /** The uploader's file name, cleaned (no path, no control characters). */
  readonly name: string;
  /** Sniffed from the bytes. */
  readonly mime: string;
  readonly size: number;
  readonly width: number | null;
  readonly height: number | null;
  /** Images only: the thumbnail's size (a webp no larger than 320×320). */
  readonly thumbnail: { readonly width: number; readonly height: number } | null;
  readonly createdAt: string;
}

/** A resumable upload in progress (POST /conversations/{id}/uploads). */
export interface Upload {
  readonly id: string;
  readonly conversationId: string;
  readonly name: string;
  readonly size: number;
  /** Bytes received so far: the next chunk starts here. */
  readonly offset: number;
  /** Largest chunk one PUT may carry. */
  readonly maxChunkBytes: number;
  readonly expiresAt: string;
}

/** A short-lived link to an attachment's bytes that needs no Authorization header (for img src). */
export interface AttachmentLink {
  readonly url: string;
  readonly expiresAt: string;
}

export interface Message {
  readonly id: string;
  readonly conversationId: string;
  readonly seq: number;
  readonly senderId: string | null;
  readonly senderKind: SenderKind;
  readonly kind: MessageKind;
  readonly contentType: ContentType;
  /** null once the message is deleted. */
  readonly text: string | null;
  readonly visibility: Visibility;
  readonly clientMsgId: string | null;
  /** Image and file messages; null for text and once the message is deleted. */
  readonly attachment: Attachment | null;
  readonly createdAt: string;
  readonly deletedAt: string | null;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

export interface MessagePage {
  readonly items: readonly Message[];
  /** True when older (or, paging forward, newer) messages remain. */
  readonly hasMore: boolean;
}

/** Limits shared by the server and clients. */
export const limits = {
  textMaxChars: 8000,
  clientMsgIdMaxChars: 64,
  pageMax: 100,
  pageDefault: 50,
  nameMaxChars: 120,
  /** File names are cut to this many characters. */
  fileNameMaxChars: 200,
  /** Customer attributes: keys per customer, characters per string value. */
  attributesMax: 20,
  attributeValueMaxChars: 200,
} as const;
