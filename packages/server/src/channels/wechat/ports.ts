import type { MessageRecord } from '../../domain/records.ts';

/** A shop's account as stored: secrets sealed (the adapter opens them). */
export interface StoredWechatAccount {
  readonly shopId: string;
  readonly appId: string;
  readonly originalId: string;
  readonly callbackKey: string;
  readonly appSecret: string;
  readonly callbackToken: string;
  readonly encodingAesKey: string;
  readonly createdAt: number;
}

export interface CachedToken {
  /** Sealed. */
  readonly accessToken: string | null;
  readonly expiresAt: number | null;
  readonly refreshUntil: number | null;
}

export interface InboundRow {
  readonly shopId: string;
  readonly dedupKey: string;
  readonly payload: string;
  readonly attempts: number;
}

export interface CursorState {
  readonly conversationId: string;
  readonly shopId: string;
  readonly deliveredSeq: number;
  readonly customerWroteAt: number | null;
  readonly sentSince: number;
  /** The fan unfollowed the account at; null while they follow. */
  readonly unfollowedAt: number | null;
}

export interface FailedDelivery {
  readonly messageId: string;
  readonly status: 'failed' | 'retrying';
  readonly errorCode: string | null;
  readonly error: string | null;
  readonly updatedAt: number;
}

/** What the WeChat adapter needs from storage (storage/wechat-store.ts). */
export interface WechatStore {
  saveAccount(account: StoredWechatAccount, now: number): Promise<void>;
  removeAccount(shopId: string): Promise<boolean>;
  accountOfShop(shopId: string): Promise<StoredWechatAccount | undefined>;
  accountByCallbackKey(callbackKey: string): Promise<StoredWechatAccount | undefined>;

  token(shopId: string): Promise<CachedToken | undefined>;
  /** Takes the right to refresh the token until `until`, if nobody holds it now. */
  claimRefresh(shopId: string, now: number, until: number): Promise<boolean>;
  /** `renewAt`: when the token is due for renewal (some minutes before WeChat's expiry). */
  saveToken(shopId: string, sealedToken: string, renewAt: number): Promise<void>;
  /** Gives the right to refresh back (the refresh failed). */
  releaseRefresh(shopId: string): Promise<void>;
  /** Forgets the token due for renewal at `renewAt` (a stale one), unless a newer one replaced it already. */
  dropToken(shopId: string, renewAt: number): Promise<void>;

  /** False when the key is known already (a retry of WeChat's). */
  recordInbound(shopId: string, dedupKey: string, payload: string, now: number): Promise<boolean>;
  pendingInbound(now: number, limit: number): Promise<InboundRow[]>;
  inboundDone(shopId: string, dedupKey: string, now: number): Promise<void>;
  inboundFailed(shopId: string, dedupKey: string, error: string, nextAttemptAt: number | null): Promise<void>;

  /**
   * The conversation speaks this channel from now on; its customer just wrote, or did what WeChat
   * counts as writing (followed, scanned a code, clicked a menu): the reply window opens, and they
   * follow the account.
   */
  customerWrote(conversationId: string, shopId: string, channel: string, startSeq: number, at: number): Promise<void>;
  /** The WeChat fan unfollowed the account: nothing reaches them until they follow again. */
  unfollowed(conversationId: string, shopId: string, startSeq: number, at: number): Promise<void>;
  cursor(conversationId: string): Promise<CursorState | undefined>;
  /** Locks the conversation's outbound side until `until` if it is free; the cursor as it stands. */
  claimCursor(conversationId: string, now: number, until: number): Promise<CursorState | undefined>;
  /** Staff messages the customer should get after `afterSeq`, oldest first. */
  undelivered(conversationId: string, afterSeq: number, limit: number): Promise<MessageRecord[]>;
  /** Moves the cursor past `seq` (sent or given up) and counts `sent` replies in the window. */
  advance(conversationId: string, seq: number, sent: number, now: number): Promise<void>;
  /** Unlocks, to try again at `nextAttemptAt` (null: whenever there is work). */
  release(conversationId: string, nextAttemptAt: number | null): Promise<void>;
  /** Conversations with messages to hand over (or due again), not locked. */
  dueConversations(now: number, limit: number): Promise<string[]>;
  recordFailure(message: MessageRecord, channel: string, errorCode: string | null, error: string, now: number): Promise<void>;
  failures(conversationId: string): Promise<FailedDelivery[]>;
  /** A failed message is put back: the next run sends it again. False when it had not failed. */
  markRetry(conversationId: string, messageId: string, now: number): Promise<boolean>;
  retrying(conversationId: string): Promise<MessageRecord[]>;
  clearFailure(messageId: string): Promise<void>;
}
