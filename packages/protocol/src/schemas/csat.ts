import { Type } from '@sinclair/typebox';
import type { Wire } from '../wire.ts';
import { Id, Nullable, Time } from './atoms.ts';

/** How satisfied the customer was with one closed inquiry (docs/api.md#customer-satisfaction-csat). */
export const CsatRatingSchema = Type.Object({
  inquiryId: Id,
  conversationId: Id,
  customerId: Id,
  /** The inquiry's assignee when it was closed; null when it was closed in the queue. */
  agentId: Nullable(Id),
  /** 1 (very unhappy) to 5 (very happy). */
  rating: Type.Integer({ minimum: 1, maximum: 5 }),
  comment: Nullable(Type.String()),
  submittedAt: Time,
  updatedAt: Time,
});
export type CsatRating = Wire<typeof CsatRatingSchema>;

/** POST /api/v1/widget/csat: the customer rates their last closed inquiry. */
export const CsatBodySchema = Type.Object(
  {
    inquiryId: Id,
    rating: Type.Integer({ minimum: 1, maximum: 5 }),
    comment: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);
export type CsatBody = Wire<typeof CsatBodySchema>;

/** GET /api/v1/widget/csat: what the widget asks after a close, from the server so a reload asks again. */
export const CsatPromptSchema = Type.Object({
  /** The shop asks for ratings and the customer's last inquiry is closed and still within the rating window. */
  ask: Type.Boolean(),
  inquiryId: Nullable(Id),
  /** The rating given already (it may still be changed until `editableUntil`). */
  rating: Nullable(CsatRatingSchema),
  editableUntil: Nullable(Time),
});
export type CsatPrompt = Wire<typeof CsatPromptSchema>;
