import { Type } from '@sinclair/typebox';
import { limits } from '../limits.ts';
import type { Wire } from '../wire.ts';
import { GroupRoleSchema, Id, Nullable, PresenceSchema, StaffRoleSchema, Time } from './atoms.ts';
import { ConversationSchema } from './conversations.ts';

/** Staff chat (docs/staff-chat.md): direct chats, groups, broadcasts, recent contacts. */
const strict = { additionalProperties: false } as const;
const Title = Type.String({ minLength: 1, maxLength: limits.nameMaxChars });
const StaffIds = Type.Array(Id, { minItems: 1, maxItems: 500, uniqueItems: true });

export const DirectBodySchema = Type.Object({ staffId: Id }, strict);
export type DirectBody = Wire<typeof DirectBodySchema>;

export const GroupCreateBodySchema = Type.Object(
  { title: Title, memberIds: Type.Array(Id, { maxItems: 500, uniqueItems: true, description: 'Colleagues to add besides the creator (the owner)' }) },
  strict,
);
export type GroupCreateBody = Wire<typeof GroupCreateBodySchema>;
export const GroupPatchBodySchema = Type.Object({ title: Title }, strict);
export type GroupPatchBody = Wire<typeof GroupPatchBodySchema>;
export const GroupMembersBodySchema = Type.Object({ staffIds: StaffIds }, strict);
/** A member's role in the group: admins remove members and mention @all, as the owner does. */
export const GroupMemberPatchBodySchema = Type.Object({ role: Type.Union([Type.Literal('admin'), Type.Literal('member')]) }, strict);
export type GroupMemberPatchBody = Wire<typeof GroupMemberPatchBodySchema>;
export type GroupMembersBody = Wire<typeof GroupMembersBodySchema>;

export const GroupMemberSchema = Type.Object({
  id: Id,
  name: Type.String(),
  role: GroupRoleSchema,
  joinedAt: Time,
});
export type GroupMember = Wire<typeof GroupMemberSchema>;

/** A group with its members, oldest member first. */
export const GroupSchema = Type.Object({
  conversation: ConversationSchema,
  ownerId: Nullable(Id),
  members: Type.Array(GroupMemberSchema),
  /** How many members the group may have. */
  memberLimit: Type.Integer(),
});
export type Group = Wire<typeof GroupSchema>;

/** `true`: muted until unmuted; a time: muted until then; `false`: not muted. */
export const MembershipPatchBodySchema = Type.Object({ muted: Type.Union([Type.Boolean(), Time]) }, strict);
export type MembershipPatchBody = Wire<typeof MembershipPatchBodySchema>;
export const MembershipSchema = Type.Object({
  conversationId: Id,
  /** Muted until this time; null when not muted. Muted for ever reads as 9999-12-31T23:59:59.999Z. */
  mutedUntil: Nullable(Time),
});
export type Membership = Wire<typeof MembershipSchema>;

export const ColleagueSchema = Type.Object({
  id: Id,
  name: Type.String(),
  role: StaffRoleSchema,
  presence: PresenceSchema,
});
export type Colleague = Wire<typeof ColleagueSchema>;

/** One of the caller's direct or group conversations in the recent-contacts list. */
export const RecentChatSchema = Type.Object({
  conversation: ConversationSchema,
  /** Direct chats: the colleague at the other end. */
  peerId: Nullable(Id),
  mutedUntil: Nullable(Time),
  /** Unread messages that mention the caller (or `all`): these notify even when muted. */
  mentions: Type.Integer(),
  memberCount: Type.Integer(),
});
export type RecentChat = Wire<typeof RecentChatSchema>;

/** GET /api/v1/team: the caller's staff chats, newest activity first, and every active colleague. */
export const TeamDirectorySchema = Type.Object({
  chats: Type.Array(RecentChatSchema),
  colleagues: Type.Array(ColleagueSchema),
});
export type TeamDirectory = Wire<typeof TeamDirectorySchema>;

/** Who has read a message of a direct or group conversation (not its sender). */
export const ReadersSchema = Type.Object({
  readerIds: Type.Array(Id),
  /** Members besides the sender: "read by 3 of 7". */
  of: Type.Integer(),
});
export type Readers = Wire<typeof ReadersSchema>;

export const BroadcastToSchema = Type.Union([
  Type.Literal('all'),
  Type.Object({ staffIds: Type.Optional(Type.Array(Id, { maxItems: 10_000, uniqueItems: true })), groupIds: Type.Optional(Type.Array(Id, { maxItems: 100, uniqueItems: true })) }, strict),
]);
export type BroadcastTo = Wire<typeof BroadcastToSchema>;

export const BroadcastBodySchema = Type.Object(
  { title: Type.String({ minLength: 1, maxLength: 200 }), text: Type.String({ minLength: 1, maxLength: limits.textMaxChars }), to: BroadcastToSchema },
  strict,
);
export type BroadcastBody = Wire<typeof BroadcastBodySchema>;

export const BroadcastSchema = Type.Object({
  id: Id,
  senderId: Id,
  senderName: Type.String(),
  title: Type.String(),
  text: Type.String(),
  /** Sent to every staff member of the shop, or to the staff and groups listed. */
  toAll: Type.Boolean(),
  createdAt: Time,
  /** When the caller read it; null while unread. */
  readAt: Nullable(Time),
});
export type Broadcast = Wire<typeof BroadcastSchema>;

export const BroadcastListSchema = Type.Object({
  /** Unread first, then newest first; at most `limit`. */
  items: Type.Array(BroadcastSchema),
  unread: Type.Integer(),
});
export type BroadcastList = Wire<typeof BroadcastListSchema>;
