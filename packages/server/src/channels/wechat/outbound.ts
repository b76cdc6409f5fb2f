import type { MessageRecord } from '../../domain/records.ts';
import type { AccessTokens } from './access-token.ts';
import { WechatApiError, type WechatApi } from './api.ts';
import type { WechatStore } from './ports.ts';

/** What an attachment is, for sending it on (read from the blob store). */
export type ReadAttachment = (attachmentId: string) => Promise<{ bytes: Buffer; name: string; mime: string } | undefined>;

interface Log {
  warn(object: object, message: string): void;
}

const LOCK_MS = 60_000;
const BATCH = 20;
/** A transient failure (WeChat unreachable, -1 system busy) waits and tries again, in order. */
const RETRY_MS = 10_000;
/** WeChat's codes that refuse this message for good: outside the 48 h window, quota spent, unfollowed, bad media… */
const transient = (error: unknown) => !(error instanceof WechatApiError) || error.errcode === -1;

/**
 * Staff replies to WeChat fans, through the customer-service message API. The messages table is the
 * outbox: each WeChat conversation has a cursor (channel_cursors), and every public staff message
 * after it is handed to WeChat in seq order by whichever node locks the cursor, so a crash or a
 * node loss delays a reply but never loses or reorders it. A message WeChat refuses (45015 outside
 * the window, 45047 over the quota…) is recorded as failed, shown as such, and skipped; a retry from
 * the console puts it back. Woken by each staff message, and by a sweep for what was left over.
 */
export function wechatOutbound(store: WechatStore, api: WechatApi, tokens: AccessTokens, readAttachment: ReadAttachment, now: () => number, log: Log) {
  async function send(message: MessageRecord, openid: string): Promise<void> {
    if (message.attachment && message.attachment.kind === 'image') {
      const file = await readAttachment(message.attachment.id);
      if (!file) throw new WechatApiError(40007, 'the image is no longer stored');
      const mediaId = await tokens.withToken(message.shopId, (token) => api.uploadImage(token, file.bytes, file.name, file.mime));
      await tokens.withToken(message.shopId, (token) => api.sendImage(token, openid, mediaId));
      if (message.text) await tokens.withToken(message.shopId, (token) => api.sendText(token, openid, message.text!));
      return;
    }
    const text = message.attachment ? `${message.text ? `${message.text}\n` : ''}📎 ${message.attachment.name}` : (message.text ?? '');
    await tokens.withToken(message.shopId, (token) => api.sendText(token, openid, text));
  }

  /** Delivers one message: sent, refused for good (recorded), or to wait (a transient failure). */
  async function attempt(message: MessageRecord, openid: string): Promise<'sent' | 'refused' | 'wait'> {
    try {
      await send(message, openid);
      await store.clearFailure(message.id);
      return 'sent';
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (transient(error)) {
        log.warn({ err: reason, conversationId: message.conversationId }, 'WeChat reply waits: WeChat unreachable');
        return 'wait';
      }
      await store.recordFailure(message, 'wechat', error instanceof WechatApiError ? String(error.errcode) : null, reason, now());
      return 'refused';
    }
  }

  async function deliver(conversationId: string, openidOf: (conversationId: string) => Promise<string | undefined>): Promise<void> {
    const cursor = await store.claimCursor(conversationId, now(), now() + LOCK_MS);
    if (!cursor) return;
    let retryAt: number | null = null;
    try {
      const openid = await openidOf(conversationId);
      if (openid === undefined) return;
      for (const message of await store.retrying(conversationId)) {
        const outcome = await attempt(message, openid);
        if (outcome === 'wait') return void (retryAt = now() + RETRY_MS);
        if (outcome === 'sent') await store.advance(conversationId, cursor.deliveredSeq, 1, now());
      }
      let after = cursor.deliveredSeq;
      for (;;) {
        const batch = await store.undelivered(conversationId, after, BATCH);
        for (const message of batch) {
          const outcome = await attempt(message, openid);
          if (outcome === 'wait') return void (retryAt = now() + RETRY_MS);
          await store.advance(conversationId, message.seq, outcome === 'sent' ? 1 : 0, now());
          after = message.seq;
        }
        if (batch.length < BATCH) return;
      }
    } finally {
      await store.release(conversationId, retryAt);
    }
  }

  return { deliver };
}

export type WechatOutbound = ReturnType<typeof wechatOutbound>;
