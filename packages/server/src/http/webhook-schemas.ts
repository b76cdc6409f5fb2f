import { Type } from '@sinclair/typebox';
import { Id, PageLimit } from '@frontdesk/protocol/schemas';

/** The webhook routes' path and query strings (the bodies and models are the protocol's, schemas/webhooks.ts). */
const strict = { additionalProperties: false } as const;

export const WebhookParams = Type.Object({ webhookId: Id }, strict);
export const WebhookDeliveryParams = Type.Object({ webhookId: Id, deliveryId: Id }, strict);
export const WebhookDeliveryListQuery = Type.Object(
  { cursor: Type.Optional(Id), limit: Type.Optional(PageLimit) },
  strict,
);
