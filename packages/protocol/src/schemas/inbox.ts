import { Type } from '@sinclair/typebox';
import type { Wire } from '../wire.ts';
import { Literals, LocaleSchema, Nullable, Time } from './atoms.ts';
import { priorities } from '../priorities.ts';

const strict = { additionalProperties: false } as const;

/** How urgent a service conversation is for the shop's staff (docs/console.md); customers always read 'none'. */
export const PrioritySchema = Literals(...priorities);

/** PATCH /api/v1/conversations/{id} (staff): priority, and snooze until a time (null wakes it now). */
export const ConversationPatchBodySchema = Type.Object(
  {
    priority: Type.Optional(PrioritySchema),
    snoozedUntil: Type.Optional(Nullable(Time)),
  },
  { ...strict, minProperties: 1 },
);
export type ConversationPatchBody = Wire<typeof ConversationPatchBodySchema>;

/** GET /api/v1/conversations/{id}/transcript (staff). */
export const TranscriptQuerySchema = Type.Object(
  {
    format: Type.Optional(Literals('txt', 'html')),
    /** Internal notes are left out unless asked for. */
    notes: Type.Optional(Type.Boolean()),
    /** The language of its headings and readable times (default en). */
    locale: Type.Optional(LocaleSchema),
    /** The IANA time zone the readable times are written in (default UTC). */
    timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_+\\-/]+$' })),
  },
  strict,
);
export type TranscriptQuery = Wire<typeof TranscriptQuerySchema>;
