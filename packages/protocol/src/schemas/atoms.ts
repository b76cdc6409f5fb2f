import { Type, type TSchema } from '@sinclair/typebox';
import { limits } from '../limits.ts';
import type { Wire } from '../wire.ts';

/** The pieces every frame, body and model is made of. Ids are opaque strings (UUIDv7); times are ISO-8601 in UTC. */
export const Id = Type.String({
  pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
  description: 'UUID',
});
export const Time = Type.String({ format: 'date-time' });
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
/** A closed set of strings: its TypeScript type is the union of the literals. */
export const Literals = <const T extends readonly string[]>(...values: T) => Type.Union(values.map((value) => Type.Literal(value as T[number])));

/** Seqs are 32-bit integers in storage; a larger bound would overflow PostgreSQL's comparison. */
export const seqMax = 2_147_483_647;
export const Seq = Type.Integer({ minimum: 0, maximum: seqMax });
/** The sender's idempotency key of a message (the optimistic bubble's id). */
/** Letters, digits and `._:-`; `campaign:` begins the server's own campaign messages (docs/campaigns.md) and is refused. */
export const ClientMsgId = Type.String({ minLength: 1, maxLength: limits.clientMsgIdMaxChars, pattern: '^(?!campaign:)[A-Za-z0-9._:-]+$' });
export const PageLimit = Type.Integer({ minimum: 1, maximum: limits.pageMax });

/** The languages Frontdesk writes in (the apps, transcripts, customer e-mails). */
export const LocaleSchema = Literals('en', 'zh-CN');
export type Locale = Wire<typeof LocaleSchema>;
export const StaffRoleSchema = Literals('owner', 'admin', 'agent');
export type StaffRole = Wire<typeof StaffRoleSchema>;
export const CustomerKindSchema = Literals('anonymous', 'shop', 'platform');
export type CustomerKind = Wire<typeof CustomerKindSchema>;
export const ConversationKindSchema = Literals('service', 'direct', 'group');
export type ConversationKind = Wire<typeof ConversationKindSchema>;
export const InquiryStatusSchema = Literals('queued', 'assigned', 'closed');
export type InquiryStatus = Wire<typeof InquiryStatusSchema>;
export const RoutingStrategySchema = Literals('sticky-then-least-busy', 'least-busy', 'round-robin', 'random', 'manual');
export type RoutingStrategy = Wire<typeof RoutingStrategySchema>;
export const UserKindSchema = Literals('staff', 'customer');
export type UserKind = Wire<typeof UserKindSchema>;
export const SenderKindSchema = Literals('staff', 'customer', 'system');
export type SenderKind = Wire<typeof SenderKindSchema>;
export const MessageKindSchema = Literals('user', 'system');
export type MessageKind = Wire<typeof MessageKindSchema>;
export const ContentTypeSchema = Literals('text', 'image', 'file');
export type ContentType = Wire<typeof ContentTypeSchema>;
export const VisibilitySchema = Literals('public', 'internal');
export type Visibility = Wire<typeof VisibilitySchema>;
export const PresenceSchema = Literals('online', 'away', 'offline');
export type Presence = Wire<typeof PresenceSchema>;
export const GroupRoleSchema = Literals('owner', 'admin', 'member');
export type GroupRole = Wire<typeof GroupRoleSchema>;
/** `@all`: every member of a group (group owner and admins only). */
export const MentionSchema = Type.Union([Id, Type.Literal('all')]);
export const AttachmentKindSchema = Literals('image', 'file');
export type AttachmentKind = Wire<typeof AttachmentKindSchema>;
/**
 * What happened to a service conversation's inquiry (the `conversation` event). `merged`: an
 * anonymous visitor identified themselves; their conversation (`mergedFromId`) is now part of this one.
 */
/**
 * Staff chat: `updated` (a group's title, owner or members changed; fetch it again) and `removed`
 * (`userId` left or was removed from the group: if it is you, drop the group from your lists).
 */
export const ConversationChangeSchema = Literals('queued', 'assigned', 'transferred', 'invited', 'closed', 'merged', 'updated', 'removed');
export type ConversationChange = Wire<typeof ConversationChangeSchema>;
