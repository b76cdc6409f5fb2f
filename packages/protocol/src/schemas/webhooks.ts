import { Type } from '@sinclair/typebox';
import type { Wire } from '../wire.ts';
import { webhookEvents } from '../webhook-events.ts';
import { Id, Literals, Nullable, Time } from './atoms.ts';

/** Webhooks (docs/webhooks.md): the facts a shop may subscribe to, and the endpoints and deliveries of the API. */
const strict = { additionalProperties: false } as const;

export { webhookEvents };

export const WebhookEventSchema = Literals(...webhookEvents);
const Url = Type.String({ minLength: 10, maxLength: 2000, format: 'uri', description: 'https:// (http:// only where WEBHOOK_ALLOW_HTTP is set)' });
const Events = Type.Array(WebhookEventSchema, { minItems: 1, maxItems: webhookEvents.length, uniqueItems: true });
const Secret = Type.String({ minLength: 16, maxLength: 200, pattern: '^[\\x21-\\x7e]+$', description: 'Printable ASCII, no spaces' });

export const WebhookBodySchema = Type.Object(
  {
    url: Url,
    events: Events,
    /** Internal notes (message.created with visibility 'internal') are sent only when true. */
    includeInternal: Type.Optional(Type.Boolean()),
    /** Generated when absent; returned once, in this response. */
    secret: Type.Optional(Secret),
  },
  strict,
);

export const WebhookPatchBodySchema = Type.Object(
  {
    url: Type.Optional(Url),
    events: Type.Optional(Events),
    includeInternal: Type.Optional(Type.Boolean()),
    /** A new signing secret (not echoed back). */
    secret: Type.Optional(Secret),
    /** false disables the endpoint; true enables it again (also after it was disabled for failing). */
    active: Type.Optional(Type.Boolean()),
  },
  { ...strict, minProperties: 1 },
);

export const WebhookSchema = Type.Object({
  id: Id,
  url: Type.String(),
  events: Type.Array(WebhookEventSchema),
  includeInternal: Type.Boolean(),
  active: Type.Boolean(),
  disabledAt: Nullable(Time),
  /** Why it was disabled: by staff, or after failing for WEBHOOK_RETRY_HOURS. */
  disabledReason: Nullable(Type.String()),
  /** Since when every attempt has failed; null when the last one succeeded. */
  failingSince: Nullable(Time),
  createdAt: Time,
  updatedAt: Time,
});

export const CreatedWebhookSchema = Type.Object({ ...WebhookSchema.properties, secret: Type.String() });

export const WebhookDeliverySchema = Type.Object({
  /** Sent as X-Frontdesk-Delivery, the same on every attempt. */
  id: Id,
  /** The payload's `id`. */
  eventId: Id,
  event: Type.String(),
  status: Literals('pending', 'delivered', 'failed'),
  attempts: Type.Integer(),
  /** The last attempt's HTTP status; null when no answer came. */
  responseStatus: Nullable(Type.Integer()),
  error: Nullable(Type.String()),
  nextAttemptAt: Nullable(Time),
  lastAttemptAt: Nullable(Time),
  createdAt: Time,
  deliveredAt: Nullable(Time),
});

export type WebhookEvent = Wire<typeof WebhookEventSchema>;
export type WebhookBody = Wire<typeof WebhookBodySchema>;
export type WebhookPatchBody = Wire<typeof WebhookPatchBodySchema>;
export type Webhook = Wire<typeof WebhookSchema>;
export type CreatedWebhook = Wire<typeof CreatedWebhookSchema>;
export type WebhookDelivery = Wire<typeof WebhookDeliverySchema>;
