import { Type } from '@sinclair/typebox';
import { limits } from '../limits.ts';
import type { Wire } from '../wire.ts';
import { Id, InquiryStatusSchema, Literals, LocaleSchema, Nullable, PageLimit, Time } from './atoms.ts';
import { ChannelSchema, ConversationSchema } from './conversations.ts';
import { PrioritySchema } from './inbox.ts';
import { CustomerAttributesBody, CustomerAttributesSchema, CustomerInquirySchema, CustomerSchema } from './customers.ts';

/** Contacts, labels and saved inbox views (docs/contacts.md). */
const strict = { additionalProperties: false } as const;

// Defined with conversations (they carry it); re-exported here, where the contract of contacts names it.
export { ChannelSchema, type Channel } from './conversations.ts';

const LabelName = Type.String({ minLength: 1, maxLength: 50 });
const Color = Type.String({ pattern: '^#[0-9a-fA-F]{6}$', description: '#rrggbb' });

export const LabelSchema = Type.Object({ id: Id, name: Type.String(), color: Type.String(), createdAt: Time });
export type Label = Wire<typeof LabelSchema>;
export const LabelCreateBodySchema = Type.Object({ name: LabelName, color: Color }, strict);
export type LabelCreateBody = Wire<typeof LabelCreateBodySchema>;
export const LabelPatchBodySchema = Type.Object({ name: Type.Optional(LabelName), color: Type.Optional(Color) }, { ...strict, minProperties: 1 });
export type LabelPatchBody = Wire<typeof LabelPatchBodySchema>;
export const LabelListSchema = Type.Object({ items: Type.Array(LabelSchema) });
export type LabelList = Wire<typeof LabelListSchema>;

/** One customer as a shop knows them. */
export const ContactSchema = Type.Object({
  customer: CustomerSchema,
  attributes: CustomerAttributesSchema,
  labelIds: Type.Array(Id),
  channel: ChannelSchema,
  lastSeenAt: Nullable(Time),
  /** Opted out of campaigns at; null = campaigns may address them. */
  optedOutAt: Nullable(Time),
  /** The language the customer's widget last spoke (their e-mails are in it); null: not known. */
  locale: Nullable(LocaleSchema),
  /** The contact's service conversation in this shop; null for an imported contact who never wrote. */
  conversationId: Nullable(Id),
  createdAt: Time,
});
export type Contact = Wire<typeof ContactSchema>;

export const ContactSortSchema = Literals('lastSeen', 'created', 'name');
export type ContactSort = Wire<typeof ContactSortSchema>;

/**
 * GET /api/v1/contacts. Filters combine (and). `attribute` is `key:value` (equality; numbers and
 * booleans compared as the attribute's JSON value); `seenAfter`/`seenBefore` bound the last time seen.
 */
export const ContactListQuerySchema = Type.Object(
  {
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Name, e-mail or external id containing this, ignoring case' })),
    labelId: Type.Optional(Id),
    attribute: Type.Optional(Type.String({ minLength: 3, maxLength: 250, pattern: '^[A-Za-z0-9_.-]{1,40}:', description: 'key:value' })),
    channel: Type.Optional(ChannelSchema),
    seenAfter: Type.Optional(Time),
    seenBefore: Type.Optional(Time),
    optedOut: Type.Optional(Type.Boolean()),
    sort: Type.Optional(ContactSortSchema),
    order: Type.Optional(Literals('asc', 'desc')),
    // A name cursor carries the name itself: 120 characters of up to 4 bytes, in base64.
    cursor: Type.Optional(Type.String({ maxLength: 1024 })),
    limit: Type.Optional(PageLimit),
  },
  strict,
);
export type ContactListQuery = Wire<typeof ContactListQuerySchema>;
export const ContactPageSchema = Type.Object({ items: Type.Array(ContactSchema), nextCursor: Nullable(Type.String()) });
export type ContactPage = Wire<typeof ContactPageSchema>;

export const ContactNoteSchema = Type.Object({ id: Id, authorId: Id, authorName: Type.String(), text: Type.String(), createdAt: Time, updatedAt: Time });
export type ContactNote = Wire<typeof ContactNoteSchema>;
export const ContactNoteBodySchema = Type.Object({ text: Type.String({ minLength: 1, maxLength: limits.textMaxChars }) }, strict);
export type ContactNoteBody = Wire<typeof ContactNoteBodySchema>;

/** GET /api/v1/contacts/{customerId}: the contact page. */
export const ContactDetailsSchema = Type.Object({
  contact: ContactSchema,
  notes: Type.Array(ContactNoteSchema),
  /** The service conversation in this shop (a customer has one per shop). */
  conversation: Nullable(ConversationSchema),
  /** Newest first, at most 100. */
  inquiries: Type.Array(CustomerInquirySchema),
});
export type ContactDetails = Wire<typeof ContactDetailsSchema>;

export const ContactPatchBodySchema = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: limits.nameMaxChars })),
    email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
    attributes: Type.Optional(CustomerAttributesBody),
    optedOut: Type.Optional(Type.Boolean()),
  },
  { ...strict, minProperties: 1 },
);
export type ContactPatchBody = Wire<typeof ContactPatchBodySchema>;

const ManyIds = Type.Array(Id, { minItems: 1, maxItems: 1000, uniqueItems: true });
const SomeLabels = Type.Array(Id, { maxItems: 50, uniqueItems: true });
/** POST /api/v1/contacts/labels and /api/v1/conversations/labels: labels added and removed in bulk. */
export const BulkLabelBodySchema = Type.Object({ ids: ManyIds, add: Type.Optional(SomeLabels), remove: Type.Optional(SomeLabels) }, strict);
export type BulkLabelBody = Wire<typeof BulkLabelBodySchema>;
export const BulkResultSchema = Type.Object({ changed: Type.Integer() });

/** POST /api/v1/contacts/import (text/csv): what happened to each line. */
export const ContactImportResultSchema = Type.Object({
  created: Type.Integer(),
  updated: Type.Integer(),
  /** Line numbers (1 = the header) and why they were not imported. */
  errors: Type.Array(Type.Object({ line: Type.Integer(), message: Type.String() }), { maxItems: 100 }),
});
export type ContactImportResult = Wire<typeof ContactImportResultSchema>;

/** An inbox filter: the console's views and an agent's saved views. Filters combine (and). */
export const InboxFilterSchema = Type.Object(
  {
    view: Type.Optional(Literals('queue', 'mine', 'open', 'closed', 'snoozed')),
    status: Type.Optional(InquiryStatusSchema),
    assigneeId: Type.Optional(Id),
    labelId: Type.Optional(Id),
    channel: Type.Optional(ChannelSchema),
    /** docs/console.md: a priority, and the order (newest activity first by default). */
    priority: Type.Optional(PrioritySchema),
    sort: Type.Optional(Literals('recent', 'priority')),
  },
  strict,
);
export type InboxFilter = Wire<typeof InboxFilterSchema>;
export const SavedViewSchema = Type.Object({ id: Id, name: Type.String(), filters: InboxFilterSchema, createdAt: Time });
export type SavedView = Wire<typeof SavedViewSchema>;
export const SavedViewBodySchema = Type.Object({ name: Type.String({ minLength: 1, maxLength: 60 }), filters: InboxFilterSchema }, strict);
export type SavedViewBody = Wire<typeof SavedViewBodySchema>;
export const SavedViewPatchBodySchema = Type.Object(
  { name: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })), filters: Type.Optional(InboxFilterSchema) },
  { ...strict, minProperties: 1 },
);
export const SavedViewListSchema = Type.Object({ items: Type.Array(SavedViewSchema) });
