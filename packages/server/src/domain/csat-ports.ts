import type { InquiryStatus } from '@frontdesk/protocol';

/** A customer's rating of one closed inquiry (docs/api.md#customer-satisfaction-csat). */
export interface CsatRecord {
  readonly inquiryId: string;
  readonly shopId: string;
  readonly conversationId: string;
  readonly customerId: string;
  /** The inquiry's assignee when it was closed. */
  readonly agentId: string | null;
  readonly rating: number;
  readonly comment: string | null;
  /** The first submission; a change moves only `updatedAt`. */
  readonly submittedAt: number;
  readonly updatedAt: number;
}

/** What a rating needs to know of its inquiry. */
export interface RatedInquiry {
  readonly id: string;
  readonly conversationId: string;
  readonly customerId: string;
  readonly status: InquiryStatus;
  readonly assigneeId: string | null;
  readonly closedAt: number | null;
}

export interface CsatStore {
  inquiry(shopId: string, inquiryId: string): Promise<RatedInquiry | undefined>;
  /** The customer's newest inquiry in the shop, open or closed. */
  latestInquiryId(shopId: string, customerId: string): Promise<string | null>;
  find(shopId: string, inquiryId: string): Promise<CsatRecord | undefined>;
  /** Inserts or replaces the inquiry's rating and records `csat.submitted` in the outbox, in one transaction. */
  save(rating: CsatRecord): Promise<void>;
  /** Ratings first submitted in [from, to), newest first. */
  inRange(shopId: string, from: number, to: number): Promise<CsatRecord[]>;
}
