import type { Locale } from '@frontdesk/protocol';
import type { MessageRecord } from '../../domain/records.ts';

/** A conversation whose customer may be e-mailed, as the e-mail worker needs it. */
export interface EmailThread {
  readonly conversationId: string;
  readonly shopId: string;
  readonly customerId: string;
  readonly email: string | null;
  readonly customerName: string | null;
  /** The language the customer's widget last spoke; null: never said (e-mails in English). */
  readonly locale: Locale | null;
  /** The customer's read cursor: what they saw in the widget is not e-mailed. */
  readonly readSeq: number;
  readonly emailedSeq: number;
  /** The address bounced or its owner unsubscribed: no more e-mail. */
  readonly blocked: boolean;
}

/** What the e-mail channel needs from storage (storage/email-store.ts). */
export interface EmailStore {
  /** The burst of the conversation goes out at `dueAt` (a later reply pushes it back). */
  schedule(conversationId: string, shopId: string, dueAt: number, now: number): Promise<void>;
  /** Threads due, not locked, locked now until `until` for the caller. */
  claimDue(now: number, until: number, limit: number): Promise<string[]>;
  thread(conversationId: string): Promise<EmailThread | undefined>;
  /** Public staff messages after `afterSeq`, oldest first. */
  repliesAfter(conversationId: string, afterSeq: number, limit: number): Promise<MessageRecord[]>;
  /** Everything public since `since` (a transcript), oldest first. */
  publicSince(conversationId: string, since: number, limit: number): Promise<MessageRecord[]>;
  /** Done: e-mailed up to `seq` (or nothing to send), unlocked, nothing pending. */
  finish(conversationId: string, seq: number, now: number): Promise<void>;
  /** Failed: unlocked, due again at `retryAt`. */
  postpone(conversationId: string, retryAt: number, now: number): Promise<void>;
  /** Service conversations whose last message is a staff one after `since` and that have no thread scheduled (reconciliation). */
  unscheduled(since: number, limit: number): Promise<Array<{ conversationId: string; shopId: string; lastMessageAt: number }>>;
  markBounced(shopId: string, customerId: string, now: number): Promise<void>;
  markUnsubscribed(shopId: string, customerId: string, now: number): Promise<boolean>;
}
