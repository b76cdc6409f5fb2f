import { Type } from '@sinclair/typebox';
import { limits } from '../limits.ts';
import type { Wire } from '../wire.ts';
import { Id, Literals, Nullable, PageLimit, Time } from './atoms.ts';

/** Campaigns (docs/campaigns.md): one message to many customers, each in their service conversation. */
const strict = { additionalProperties: false } as const;

export const CampaignKindSchema = Literals('one_off', 'ongoing');
export type CampaignKind = Wire<typeof CampaignKindSchema>;
/**
 * draft → scheduled (a time ahead) or running → paused ⇄ running → completed; cancelled from any
 * state but completed. Ongoing campaigns are running (shown to visitors) or paused.
 */
export const CampaignStatusSchema = Literals('draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled');
export type CampaignStatus = Wire<typeof CampaignStatusSchema>;

/** A condition on a contact's attribute (the shop site's facts, CustomerAttributes). */
export const AttributeConditionSchema = Type.Object(
  {
    key: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,40}$' }),
    op: Literals('eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'contains', 'exists'),
    value: Type.Optional(Type.Union([Type.String({ maxLength: limits.attributeValueMaxChars }), Type.Number(), Type.Boolean()])),
  },
  strict,
);
export type AttributeCondition = Wire<typeof AttributeConditionSchema>;

/**
 * Who receives a one-off campaign. Exactly one of `all`, `labelIds` (contacts with any of them) or
 * `externalIds` (an uploaded list); `attributes` narrow any of them (all must hold). Contacts who
 * opted out are never addressed.
 */
export const CampaignAudienceSchema = Type.Object(
  {
    all: Type.Optional(Type.Literal(true)),
    labelIds: Type.Optional(Type.Array(Id, { minItems: 1, maxItems: 50, uniqueItems: true })),
    externalIds: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1, maxItems: 100_000 })),
    attributes: Type.Optional(Type.Array(AttributeConditionSchema, { maxItems: 10 })),
    /** Only platform customers (one person across shops): what a platform campaign addresses in each shop. */
    platformOnly: Type.Optional(Type.Literal(true)),
  },
  strict,
);
export type CampaignAudience = Wire<typeof CampaignAudienceSchema>;

/** Ongoing (widget) campaigns: shown to a visitor once, after `delaySeconds` on a page whose URL matches. */
export const OngoingTriggerSchema = Type.Object(
  {
    /** `*` matches any run of characters; matched against the whole page URL. */
    urlPattern: Type.String({ minLength: 1, maxLength: 500 }),
    delaySeconds: Type.Integer({ minimum: 0, maximum: 3600 }),
    businessHoursOnly: Type.Boolean(),
  },
  strict,
);
export type OngoingTrigger = Wire<typeof OngoingTriggerSchema>;

export const CampaignCreateBodySchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: limits.nameMaxChars }),
    kind: CampaignKindSchema,
    /** The staff member the message comes from (owner, admin or agent of the shop). */
    senderId: Id,
    text: Type.String({ minLength: 1, maxLength: limits.textMaxChars }),
    /** One-off campaigns. */
    audience: Type.Optional(CampaignAudienceSchema),
    /** One-off: start at this time instead of when started. */
    scheduledAt: Type.Optional(Time),
    /** One-off: at most this many messages a second (default: as fast as storage takes them). */
    throttlePerSecond: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    /** Ongoing campaigns. */
    trigger: Type.Optional(OngoingTriggerSchema),
  },
  strict,
);
export type CampaignCreateBody = Wire<typeof CampaignCreateBodySchema>;

/**
 * Drafts only (and an ongoing campaign's text and trigger, any time). `scheduledAt: null` takes a
 * draft's schedule away (it starts when started), `throttlePerSecond: null` its throttle.
 */
export const CampaignPatchBodySchema = Type.Partial(
  Type.Composite([
    Type.Omit(CampaignCreateBodySchema, ['kind', 'scheduledAt', 'throttlePerSecond']),
    Type.Object({ scheduledAt: Nullable(Time), throttlePerSecond: Nullable(Type.Integer({ minimum: 1, maximum: 100_000 })) }),
  ]),
  { ...strict, minProperties: 1 },
);
export type CampaignPatchBody = Wire<typeof CampaignPatchBodySchema>;

export const CampaignCountsSchema = Type.Object({
  /** Recipients addressed (one-off: fixed when it starts; ongoing: visitors shown so far). */
  total: Type.Integer(),
  sent: Type.Integer(),
  failed: Type.Integer(),
  /** Recipients left out at their turn because they had opted out since the audience was fixed. */
  skipped: Type.Integer(),
  /** Recipients whose read cursor passed the campaign message. */
  read: Type.Integer(),
  /** Recipients who wrote after it. */
  replied: Type.Integer(),
  /** Recipients who opted out after it. */
  optedOut: Type.Integer(),
});
export type CampaignCounts = Wire<typeof CampaignCountsSchema>;

export const CampaignSchema = Type.Object({
  id: Id,
  name: Type.String(),
  kind: CampaignKindSchema,
  status: CampaignStatusSchema,
  senderId: Id,
  text: Type.String(),
  audience: Nullable(CampaignAudienceSchema),
  trigger: Nullable(OngoingTriggerSchema),
  throttlePerSecond: Nullable(Type.Integer()),
  scheduledAt: Nullable(Time),
  startedAt: Nullable(Time),
  finishedAt: Nullable(Time),
  counts: CampaignCountsSchema,
  createdAt: Time,
});
export type Campaign = Wire<typeof CampaignSchema>;
export const CampaignPageSchema = Type.Object({ items: Type.Array(CampaignSchema), nextCursor: Nullable(Type.String()) });
export type CampaignPage = Wire<typeof CampaignPageSchema>;
export const CampaignListQuerySchema = Type.Object(
  { status: Type.Optional(CampaignStatusSchema), cursor: Type.Optional(Type.String({ maxLength: 300 })), limit: Type.Optional(PageLimit) },
  strict,
);

/** POST /api/v1/campaigns/audience: how many contacts an audience addresses now (opted-out left out). */
export const AudienceCountSchema = Type.Object({ count: Type.Integer() });
export const AudienceBodySchema = Type.Object({ audience: CampaignAudienceSchema }, strict);

/** `skipped`: the contact opted out between the start and their turn. */
export const CampaignRecipientStatusSchema = Literals('pending', 'sent', 'failed', 'skipped');
export const CampaignRecipientListQuerySchema = Type.Object(
  { status: Type.Optional(CampaignRecipientStatusSchema), cursor: Type.Optional(Type.String({ maxLength: 300 })), limit: Type.Optional(PageLimit) },
  strict,
);
export const CampaignRecipientSchema = Type.Object({
  customerId: Id,
  name: Nullable(Type.String()),
  status: CampaignRecipientStatusSchema,
  conversationId: Nullable(Id),
  sentAt: Nullable(Time),
  error: Nullable(Type.String()),
});
export type CampaignRecipient = Wire<typeof CampaignRecipientSchema>;
export const CampaignRecipientPageSchema = Type.Object({ items: Type.Array(CampaignRecipientSchema), nextCursor: Nullable(Type.String()) });

/** GET /api/v1/widget/campaigns?url=…: the ongoing campaigns the visitor may be shown on this page. */
export const WidgetCampaignSchema = Type.Object({ id: Id, text: Type.String(), delaySeconds: Type.Integer(), senderName: Type.String() });
export type WidgetCampaign = Wire<typeof WidgetCampaignSchema>;
export const WidgetCampaignListSchema = Type.Object({ items: Type.Array(WidgetCampaignSchema) });
export type WidgetCampaignList = Wire<typeof WidgetCampaignListSchema>;
export const WidgetCampaignQuerySchema = Type.Object({ url: Type.String({ minLength: 1, maxLength: 2000 }) }, strict);

