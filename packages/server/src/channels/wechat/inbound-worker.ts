import type { createChannelCustomers } from '../../domain/channel-customers.ts';
import type { AccessTokens } from './access-token.ts';
import type { WechatApi } from './api.ts';
import type { WechatInbound } from './inbound.ts';
import type { WechatStore } from './ports.ts';

const BATCH = 50;
/** Retries of a message that could not be stored (media unreachable, database away): 5 s, 10 s … up to 10 min, 20 tries. */
const RETRY_BASE_MS = 5_000;
const RETRY_MAX_MS = 600_000;
const ATTEMPTS_MAX = 20;
/**
 * The events after which WeChat lets the account send customer-service messages for 48 hours, as a
 * message does ("客服消息": following, scanning a code, clicking a menu of the pushing kinds).
 */
const WINDOW_EVENTS = new Set(['subscribe', 'SCAN', 'CLICK', 'scancode_push', 'scancode_waitmsg']);

interface Log {
  warn(object: object, message: string): void;
}

/**
 * Turns recorded callbacks into the fan's messages, in arrival order: text as text, images fetched
 * through the media API and stored as attachments, voice as its transcript when WeChat sent one,
 * locations as a line of text; each message's clientMsgId is `wx-<MsgId>`, so even a record
 * processed twice is stored once. Events store no message: following, scanning the account's code
 * or clicking its menu make the fan a customer of the shop and open WeChat's reply window, as
 * WeChat does; unfollowing is recorded, so that the console says replies cannot reach them.
 */
export function wechatInbound(
  store: WechatStore,
  customers: ReturnType<typeof createChannelCustomers>,
  api: WechatApi,
  tokens: AccessTokens,
  options: { maxImageBytes: number; now: () => number; log: Log },
) {
  const { now, log } = options;

  async function handle(shopId: string, message: WechatInbound): Promise<void> {
    const openid = message.fromUser;
    if (message.type === 'event') {
      const opens = WINDOW_EVENTS.has(message.event);
      if (!opens && message.event !== 'unsubscribe') return;
      const { conversationId, lastSeq } = await customers.arrive(shopId, 'wechat', openid);
      if (opens) await store.customerWrote(conversationId, shopId, 'wechat', lastSeq, now());
      else await store.unfollowed(conversationId, shopId, lastSeq, now());
      return;
    }
    const clientMsgId = `wx-${message.msgId ?? message.createTime}`;
    let sent;
    switch (message.type) {
      case 'text':
        sent = await customers.receive(shopId, 'wechat', openid, { clientMsgId, text: message.content || ' ' });
        break;
      case 'image': {
        const media = await tokens.withToken(shopId, (token) => api.downloadMedia(token, message.mediaId, options.maxImageBytes));
        const extension = media.mime.split('/')[1]?.replace(/[^a-z0-9]/g, '') || 'jpg';
        sent = await customers.receive(shopId, 'wechat', openid, { clientMsgId, file: { bytes: media.bytes, name: `wechat-${message.msgId}.${extension}` } });
        break;
      }
      case 'voice':
        sent = await customers.receive(shopId, 'wechat', openid, { clientMsgId, text: message.recognition ? `🎤 ${message.recognition}` : '🎤 [Voice message: listen in WeChat]' });
        break;
      case 'location':
        sent = await customers.receive(shopId, 'wechat', openid, {
          clientMsgId,
          text: `📍 ${message.label ?? ''} (${message.latitude}, ${message.longitude})`.replace('📍  (', '📍 ('),
        });
        break;
      case 'other':
        sent = await customers.receive(shopId, 'wechat', openid, { clientMsgId, text: `[WeChat ${message.msgType} message: not shown here]` });
        break;
    }
    // The fan wrote: WeChat's 48 h reply window opens again, with a fresh quota.
    await store.customerWrote(sent.conversationId, shopId, 'wechat', sent.message.seq, sent.message.createdAt);
  }

  let running: Promise<void> | null = null;
  let again = false;

  async function drain(): Promise<void> {
    for (;;) {
      const rows = await store.pendingInbound(now(), BATCH);
      for (const row of rows) {
        try {
          await handle(row.shopId, JSON.parse(row.payload) as WechatInbound);
          await store.inboundDone(row.shopId, row.dedupKey, now());
        } catch (error) {
          const attempts = row.attempts + 1;
          const delay = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (attempts - 1));
          log.warn({ err: error instanceof Error ? error.message : String(error), shopId: row.shopId, attempts }, 'WeChat message not stored yet');
          await store.inboundFailed(row.shopId, row.dedupKey, error instanceof Error ? error.message : String(error), attempts >= ATTEMPTS_MAX ? null : now() + delay);
        }
      }
      if (rows.length < BATCH) return;
    }
  }

  return {
    /** Processes what is pending; a call while a run is going makes it go round once more. */
    run(): Promise<void> {
      if (running) {
        again = true;
        return running;
      }
      running = (async () => {
        do {
          again = false;
          await drain();
        } while (again);
      })().finally(() => (running = null));
      return running;
    },
  };
}

export type WechatInboundWorker = ReturnType<typeof wechatInbound>;
