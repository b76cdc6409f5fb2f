import { Type } from '@sinclair/typebox';
import type { Wire } from '../wire.ts';
import { Id, Time } from './atoms.ts';

/** A shop's API keys (docs/api.md): bearer credentials of the push APIs, shown once at creation. */
const strict = { additionalProperties: false } as const;

export const ApiKeyBodySchema = Type.Object(
  {
    /** What the key is for, as the console lists it. */
    name: Type.String({ minLength: 1, maxLength: 100 }),
  },
  strict,
);

export const ApiKeySchema = Type.Object({
  id: Id,
  name: Type.String(),
  /** The key's first characters (`fdk_ab12…`), to tell keys apart; the rest is never shown again. */
  prefix: Type.String(),
  createdAt: Time,
});
export type ApiKey = Wire<typeof ApiKeySchema>;

/** The creation's reply: the only time the key itself is shown. */
export const CreatedApiKeySchema = Type.Object({ ...ApiKeySchema.properties, key: Type.String({ description: '`fdk_…`: send as `Authorization: Bearer fdk_…`' }) });
export type CreatedApiKey = Wire<typeof CreatedApiKeySchema>;
