import { Type } from '@sinclair/typebox';
import { limits } from '../limits.ts';
import type { Wire } from '../wire.ts';
import { ClientMsgId, Id } from './atoms.ts';

/** Frontdesk's own push API (docs/api.md#push-apis), called by a shop's server with an API key. */
const strict = { additionalProperties: false } as const;
/** A customer of the shop, by the id the shop's site knows them by (goim's `mid`). */
const ExternalId = Type.String({ minLength: 1, maxLength: 255, description: 'The customer’s external id in your shop' });

export const PushMessageBodySchema = Type.Object(
  {
    externalId: ExternalId,
    /** Resending with the same clientMsgId returns the stored message; nothing new is stored. */
    clientMsgId: ClientMsgId,
    text: Type.String({ minLength: 1, maxLength: limits.textMaxChars }),
    /** Sent as this staff member of the shop; absent: as the customer (what their site says for them). */
    staffId: Type.Optional(Id),
  },
  strict,
);
export type PushMessageBody = Wire<typeof PushMessageBodySchema>;

export const PushEventBodySchema = Type.Object(
  {
    /** Exactly one target: a customer (every device), a conversation (whoever may read it), or a goim room of the shop. */
    to: Type.Union([
      Type.Object({ externalId: ExternalId }, strict),
      Type.Object({ conversationId: Id }, strict),
      Type.Object({ room: Type.String({ minLength: 1, maxLength: 200, description: '`type://name`, `shop://<shop id>` or a conversation id' }) }, strict),
    ]),
    /** goim's operation: the op goim clients receive it as (default 1000). */
    operation: Type.Optional(Type.Integer({ minimum: -2147483648, maximum: 2147483647 })),
    /** What is pushed, as text (JSON is fine); `/ws` clients receive it as the `push` frame's `body`. */
    body: Type.String({ maxLength: 16_384 }),
  },
  strict,
);
export type PushEventBody = Wire<typeof PushEventBodySchema>;
