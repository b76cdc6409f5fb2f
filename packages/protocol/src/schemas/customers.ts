import { Type } from '@sinclair/typebox';
import { attributeKeyPattern, limits } from '../limits.ts';
import type { Wire } from '../wire.ts';
import { CustomerKindSchema, Id, InquiryStatusSchema, Nullable, Time } from './atoms.ts';

export const CustomerSchema = Type.Object({
  id: Id,
  kind: CustomerKindSchema,
  /** The id the shop or platform knows this person by; null for anonymous visitors. */
  externalId: Nullable(Type.String()),
  name: Nullable(Type.String()),
  email: Nullable(Type.String()),
  createdAt: Time,
});
export type Customer = Wire<typeof CustomerSchema>;

const AttributeValue = Type.Union([Type.String({ maxLength: limits.attributeValueMaxChars }), Type.Number(), Type.Boolean()]);

/**
 * Facts a shop's site tells about a customer (plan, order count, …), shown to its staff: at most
 * `limits.attributesMax` keys matching `attributeKeyPattern`; strings of at most
 * `limits.attributeValueMaxChars` characters, finite numbers or booleans.
 */
export const CustomerAttributesSchema = Type.Record(Type.String(), AttributeValue);
export type CustomerAttributes = Wire<typeof CustomerAttributesSchema>;

/** Attributes in a request body: every key, value and count checked. */
export const CustomerAttributesBody = Type.Record(Type.String({ pattern: attributeKeyPattern }), AttributeValue, {
  maxProperties: limits.attributesMax,
  additionalProperties: false,
});

/** One service episode of a customer, for the console's customer panel. */
export const CustomerInquirySchema = Type.Object({
  id: Id,
  conversationId: Id,
  status: InquiryStatusSchema,
  assigneeId: Nullable(Id),
  createdAt: Time,
  assignedAt: Nullable(Time),
  firstResponseAt: Nullable(Time),
  closedAt: Nullable(Time),
});
export type CustomerInquiry = Wire<typeof CustomerInquirySchema>;

/** GET /api/v1/customers/{id}: the customer as the caller's shop knows them. */
export const CustomerDetailsSchema = Type.Object({
  customer: CustomerSchema,
  attributes: CustomerAttributesSchema,
  /** In the caller's shop only, newest first, at most 100. */
  inquiries: Type.Array(CustomerInquirySchema),
});
export type CustomerDetails = Wire<typeof CustomerDetailsSchema>;
