import { aesKeyOf, decryptMessage, signatureMatches, wechatSignature } from './crypto.ts';
import { dedupKey, parseInbound, readEnvelope } from './inbound.ts';
import type { WechatAccounts } from './accounts.ts';
import type { WechatStore } from './ports.ts';

export interface CallbackQuery {
  readonly signature?: string;
  readonly timestamp?: string;
  readonly nonce?: string;
  readonly echostr?: string;
  readonly encrypt_type?: string;
  readonly msg_signature?: string;
}

export interface CallbackAnswer {
  readonly status: number;
  readonly body: string;
}

/** WeChat signs with the time of sending; an older callback is a replay. */
const MAX_AGE_S = 300;
const refused: CallbackAnswer = { status: 401, body: 'invalid signature' };
const unknown: CallbackAnswer = { status: 404, body: 'unknown callback' };

/**
 * The official account's callback URL (开发者文档 "接入指南", "消息加解密说明"):
 * - GET: WeChat checks the URL; answer `echostr` if the signature is ours;
 * - POST: a fan's message or event, plain or (encrypt_type=aes) encrypted. Checked, recorded
 *   under its MsgId (a retry is recorded once), and answered at once with "success": the message is
 *   stored as the fan's by the inbound worker, well within WeChat's 5 s, and a crash after the
 *   answer loses nothing since the record is durable.
 * Anything unsigned, stale or malformed stores nothing.
 */
export function wechatCallback(accounts: WechatAccounts, store: WechatStore, now: () => number, wake: () => void) {
  function signedNow(token: string, query: CallbackQuery, extra: readonly string[], given: string | undefined): boolean {
    const { timestamp, nonce } = query;
    if (!timestamp || !nonce || !/^\d{1,12}$/.test(timestamp) || nonce.length > 64) return false;
    if (Math.abs(now() / 1000 - Number(timestamp)) > MAX_AGE_S) return false;
    return signatureMatches(wechatSignature(token, timestamp, nonce, ...extra), given);
  }

  return {
    async verify(callbackKey: string, query: CallbackQuery): Promise<CallbackAnswer> {
      const account = await accounts.byCallbackKey(callbackKey);
      if (!account) return unknown;
      if (!signedNow(account.token, query, [], query.signature) || !query.echostr || query.echostr.length > 128) return refused;
      return { status: 200, body: query.echostr };
    },

    async receive(callbackKey: string, query: CallbackQuery, body: string): Promise<CallbackAnswer> {
      const account = await accounts.byCallbackKey(callbackKey);
      if (!account) return unknown;
      let envelope = readEnvelope(body);
      if (!envelope) return { status: 400, body: 'not a WeChat message' };
      if (query.encrypt_type === 'aes') {
        const encrypted = envelope.Encrypt;
        if (!encrypted || !signedNow(account.token, query, [encrypted], query.msg_signature)) return refused;
        const plain = decryptMessage(aesKeyOf(account.encodingAesKey), account.appId, encrypted);
        envelope = plain === undefined ? undefined : readEnvelope(plain);
        if (!envelope) return { status: 400, body: 'undecryptable message' };
      } else if (!signedNow(account.token, query, [], query.signature)) {
        return refused;
      }
      const message = parseInbound(envelope);
      if (!message || message.toUser !== account.originalId) return { status: 400, body: 'not a message for this account' };
      await store.recordInbound(account.shopId, dedupKey(message), JSON.stringify(message), now());
      wake();
      // "success" (or an empty body) tells WeChat not to retry and to show nothing to the fan.
      return { status: 200, body: 'success' };
    },
  };
}

export type WechatCallback = ReturnType<typeof wechatCallback>;
