import { XMLParser } from 'fast-xml-parser';

/**
 * What a WeChat official account's callback carries (developers.weixin.qq.com, "接收普通消息" and
 * "接收事件推送"), as the adapter uses it. Values stay strings: MsgId is a 64-bit number.
 */
export type WechatInbound =
  | (Common & { readonly type: 'text'; readonly msgId: string; readonly content: string })
  | (Common & { readonly type: 'image'; readonly msgId: string; readonly mediaId: string; readonly picUrl: string | null })
  | (Common & { readonly type: 'voice'; readonly msgId: string; readonly mediaId: string; readonly recognition: string | null })
  | (Common & { readonly type: 'location'; readonly msgId: string; readonly latitude: string; readonly longitude: string; readonly label: string | null })
  | (Common & { readonly type: 'other'; readonly msgId: string | null; readonly msgType: string })
  | (Common & { readonly type: 'event'; readonly event: string });

interface Common {
  /** The account's original id (gh_…). */
  readonly toUser: string;
  /** The customer's openid within this account. */
  readonly fromUser: string;
  /** Seconds since the epoch. */
  readonly createTime: number;
}

const parser = new XMLParser({
  // Every value a string: no number guessing (MsgId overflows a double), no entity tricks.
  parseTagValue: false,
  processEntities: false,
  ignoreAttributes: true,
  trimValues: true,
});

/** The top-level fields of a callback body, or undefined when it is not WeChat's `<xml>` envelope. */
export function readEnvelope(body: string): Record<string, string> | undefined {
  let parsed: unknown;
  try {
    parsed = parser.parse(body);
  } catch {
    return undefined;
  }
  const xml = (parsed as { xml?: unknown } | null)?.xml;
  if (typeof xml !== 'object' || xml === null || Array.isArray(xml)) return undefined;
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(xml)) if (typeof value === 'string') fields[key] = value;
  return fields;
}

/** A plain-mode message (or a decrypted safe-mode one), or undefined when a required field is missing. */
export function parseInbound(fields: Record<string, string>): WechatInbound | undefined {
  const { ToUserName: toUser, FromUserName: fromUser, MsgType: msgType } = fields;
  const createTime = Number(fields.CreateTime);
  if (!toUser || !fromUser || !msgType || !Number.isSafeInteger(createTime)) return undefined;
  const common = { toUser, fromUser, createTime };
  const msgId = fields.MsgId || null;
  if (msgType === 'event') return fields.Event ? { ...common, type: 'event', event: fields.Event } : undefined;
  if (msgId === null || !/^\d{1,20}$/.test(msgId)) return undefined;
  switch (msgType) {
    case 'text':
      return fields.Content === undefined ? undefined : { ...common, type: 'text', msgId, content: fields.Content };
    case 'image':
      return fields.MediaId ? { ...common, type: 'image', msgId, mediaId: fields.MediaId, picUrl: fields.PicUrl || null } : undefined;
    case 'voice':
      return fields.MediaId ? { ...common, type: 'voice', msgId, mediaId: fields.MediaId, recognition: fields.Recognition || null } : undefined;
    case 'location':
      return fields.Location_X && fields.Location_Y
        ? { ...common, type: 'location', msgId, latitude: fields.Location_X, longitude: fields.Location_Y, label: fields.Label || null }
        : undefined;
    default:
      return { ...common, type: 'other', msgId, msgType };
  }
}

/**
 * The key WeChat's retries of one delivery share: MsgId, or for events sender + time (WeChat's own
 * advice) + the event, so that an unfollow in the second of the follow is not taken for its retry.
 */
export function dedupKey(message: WechatInbound): string {
  if (message.type !== 'event' && message.msgId !== null) return `m:${message.msgId}`;
  return message.type === 'event' ? `e:${message.fromUser}:${message.createTime}:${message.event}` : `e:${message.fromUser}:${message.createTime}`;
}
