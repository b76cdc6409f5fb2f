import type { CsatBody, CsatPrompt, CsatRating } from '@frontdesk/protocol';
import type { CsatRecord, CsatStore } from './csat-ports.ts';
import type { DomainDeps } from './domain.ts';
import { fail } from './errors.ts';
import type { Principal } from './records.ts';

/** How long after the close a customer may rate an inquiry, and change their rating. */
export const CSAT_WINDOW_MS = 7 * 86_400_000;

export function presentCsat(rating: CsatRecord): CsatRating {
  return {
    inquiryId: rating.inquiryId,
    conversationId: rating.conversationId,
    customerId: rating.customerId,
    agentId: rating.agentId,
    rating: rating.rating,
    comment: rating.comment,
    submittedAt: new Date(rating.submittedAt).toISOString(),
    updatedAt: new Date(rating.submittedAt === rating.updatedAt ? rating.submittedAt : rating.updatedAt).toISOString(),
  };
}

/**
 * Customer satisfaction (docs/api.md#customer-satisfaction-csat): after a close, the customer of
 * the inquiry rates it 1–5 with an optional comment, once per inquiry; within 7 days of the close
 * a second answer replaces the first (the customer changed their mind), later ones are refused.
 */
export function createCsat({ store, events, now }: DomainDeps, ratings: CsatStore) {
  /** The customer and the shop of their widget session: no one else ever rates. */
  function customerOf(principal: Principal) {
    if (principal.kind !== 'customer' || principal.shopId === null) fail('FORBIDDEN', 'Only the conversation’s customer rates it.');
    return { customerId: principal.customer.id, shopId: principal.shopId };
  }

  async function enabled(shopId: string): Promise<boolean> {
    return (await store.shops.find(shopId))?.settings.csat?.enabled === true;
  }

  return {
    /** Whether the widget asks now: the customer's newest inquiry is closed, recently, and the shop asks. */
    async prompt(principal: Principal): Promise<CsatPrompt> {
      const { customerId, shopId } = customerOf(principal);
      const none: CsatPrompt = { ask: false, inquiryId: null, rating: null, editableUntil: null };
      if (!(await enabled(shopId))) return none;
      const latest = await ratings.latestInquiryId(shopId, customerId);
      const inquiry = latest === null ? undefined : await ratings.inquiry(shopId, latest);
      if (!inquiry || inquiry.status !== 'closed' || inquiry.closedAt === null) return none;
      const until = inquiry.closedAt + CSAT_WINDOW_MS;
      if (now() >= until) return none;
      const given = await ratings.find(shopId, inquiry.id);
      return { ask: true, inquiryId: inquiry.id, rating: given ? presentCsat(given) : null, editableUntil: new Date(until).toISOString() };
    },

    async submit(principal: Principal, body: CsatBody): Promise<CsatRating> {
      const { customerId, shopId } = customerOf(principal);
      if (!(await enabled(shopId))) fail('CSAT_DISABLED');
      const inquiry = await ratings.inquiry(shopId, body.inquiryId);
      // Another customer's inquiry is as unknown as one that does not exist.
      if (!inquiry || inquiry.customerId !== customerId) fail('INQUIRY_NOT_FOUND');
      if (inquiry.status !== 'closed' || inquiry.closedAt === null) fail('INQUIRY_NOT_CLOSED');
      const at = now();
      if (at >= inquiry.closedAt + CSAT_WINDOW_MS) fail('CSAT_WINDOW_CLOSED');
      const before = await ratings.find(shopId, inquiry.id);
      const comment = body.comment?.trim() || null;
      const rating: CsatRecord = {
        inquiryId: inquiry.id,
        shopId,
        conversationId: inquiry.conversationId,
        customerId,
        agentId: inquiry.assigneeId,
        rating: body.rating,
        comment,
        submittedAt: before?.submittedAt ?? at,
        updatedAt: at,
      };
      await ratings.save(rating);
      await events.emit({ type: 'csat.submitted', rating });
      return presentCsat(rating);
    },
  };
}
