import { Type } from '@sinclair/typebox';
import type { Wire } from '../wire.ts';
import { ContentTypeSchema, ConversationKindSchema, Id, InquiryStatusSchema, Literals, Nullable, SenderKindSchema, Time } from './atoms.ts';
import { CustomerSchema } from './customers.ts';
import { MessageSchema } from './messages.ts';
import { PrioritySchema } from './inbox.ts';

export const LastMessageSchema = Type.Object({
  seq: Type.Integer(),
  preview: Type.String(),
  contentType: ContentTypeSchema,
  senderId: Nullable(Id),
  senderKind: SenderKindSchema,
  at: Time,
});
export type LastMessage = Wire<typeof LastMessageSchema>;

/** The way a customer reaches the shop; a conversation remembers it so a reply goes back the same way. */
export const ChannelSchema = Literals('web', 'api', 'goim', 'wechat', 'email');
export type Channel = Wire<typeof ChannelSchema>;

export const ConversationSchema = Type.Object({
  id: Id,
  shopId: Id,
  shopName: Type.String(),
  kind: ConversationKindSchema,
  title: Nullable(Type.String()),
  customer: Nullable(CustomerSchema),
  /** Service conversations: the current inquiry's state. */
  status: Nullable(InquiryStatusSchema),
  assigneeId: Nullable(Id),
  lastSeq: Type.Integer(),
  lastMessage: Nullable(LastMessageSchema),
  lastActivityAt: Time,
  /** The caller's read cursor and unread count. */
  readSeq: Type.Integer(),
  unread: Type.Integer(),
  createdAt: Time,
  /** Service conversations: the channel their customer came by ('web' for staff chats). */
  channel: ChannelSchema,
  /** Service conversations: the shop's labels on it (docs/contacts.md); [] for staff chats. */
  labelIds: Type.Array(Id),
  /** Service conversations, staff only (docs/console.md): 'none' for customers and staff chats. */
  priority: PrioritySchema,
  /** Service conversations, staff only: out of the open lists until then (or until the customer writes). */
  snoozedUntil: Nullable(Time),
});
export type Conversation = Wire<typeof ConversationSchema>;

/** A conversation as every viewer sees it (search hits, events): without the caller's read cursor and unread count. */
export const ConversationSummarySchema = Type.Omit(ConversationSchema, ['readSeq', 'unread']);
export type ConversationSummary = Wire<typeof ConversationSummarySchema>;

/** A staff member as a conversation's customer sees them: a name, never an e-mail or a role. */
export const TeamMemberSchema = Type.Object({ id: Type.String(), name: Type.String() });
export type TeamMember = Wire<typeof TeamMemberSchema>;

/** Who answers a conversation (GET /conversations/{id}/team), for names, avatars and the offline notice. */
export const TeamSchema = Type.Object({
  /** Staff the caller may know of: for customers, the assignee, the authors of public messages and staff public system lines name. */
  members: Type.Array(TeamMemberSchema),
  /** Within business hours and some agent of the shop is online now. */
  available: Type.Boolean(),
  /** Within the shop's business hours (always, without any): tells "closed" from "nobody online". */
  openNow: Type.Boolean(),
  /** The shop's offline message, shown while nobody is available. */
  offlineMessage: Type.String(),
  /** The widget asks for an e-mail address before the first message (the shop's pre-chat setting). */
  askEmail: Type.Boolean(),
  /** While closed by business hours: when the shop opens next (within a week); else null. */
  opensAt: Nullable(Time),
  /**
   * The conversation's agent is away or offline now: it stays theirs (issue 22), and the widget
   * shows a calm "we'll reply soon" instead of any presence news.
   */
  assigneeAway: Type.Boolean(),
  /** The shop e-mails replies a customer has not read (its e-mail channel is on): "we'll reply by e-mail". */
  emailReplies: Type.Boolean(),
});
export type Team = Wire<typeof TeamSchema>;

/** GET /api/v1/conversations/counts: how many conversations each of the console's views holds. */
export const InboxCountsSchema = Type.Object({ queue: Type.Integer(), mine: Type.Integer(), open: Type.Integer(), closed: Type.Integer(), snoozed: Type.Integer() });
export type InboxCounts = Wire<typeof InboxCountsSchema>;

/** GET /api/v1/search. */
export const SearchResultsSchema = Type.Object({
  /** Service conversations whose customer matches, most recent activity first. */
  conversations: Type.Array(ConversationSchema),
  /** Messages whose text matches (internal notes included), newest first. */
  messages: Type.Array(Type.Object({ message: MessageSchema, conversation: ConversationSummarySchema })),
});
export type SearchResults = Wire<typeof SearchResultsSchema>;

/** The customer's place in the shop's queue (1 = next); null when not waiting. */
export const QueuePositionSchema = Type.Object({ position: Nullable(Type.Integer()) });
export type QueuePosition = Wire<typeof QueuePositionSchema>;
