import { Type } from '@sinclair/typebox';
import type { Wire } from '../wire.ts';
import { Id, Nullable, Time } from './atoms.ts';

/** Channels beyond sockets (docs/channels.md). */
const strict = { additionalProperties: false } as const;

/** PUT /api/v1/channels/wechat: the official account's developer settings (基本配置). */
export const WechatAccountBodySchema = Type.Object(
  {
    appId: Type.String({ pattern: '^wx[0-9a-zA-Z]{6,30}$', description: 'AppID (开发者ID)' }),
    appSecret: Type.String({ minLength: 16, maxLength: 64, pattern: '^[0-9A-Za-z]+$', description: 'AppSecret (开发者密码)' }),
    token: Type.String({ minLength: 3, maxLength: 32, pattern: '^[0-9A-Za-z]+$', description: 'Token (令牌), as entered in WeChat' }),
    encodingAesKey: Type.String({ pattern: '^[A-Za-z0-9+/]{43}$', description: 'EncodingAESKey (消息加解密密钥), 43 characters' }),
    originalId: Type.String({ pattern: '^gh_[0-9a-zA-Z]{6,30}$', description: 'The account’s original id (原始ID, gh_…)' }),
  },
  strict,
);
export type WechatAccountBody = Wire<typeof WechatAccountBodySchema>;

/** The account as the console shows it: never its secrets. */
export const WechatAccountSchema = Type.Object({
  appId: Type.String(),
  originalId: Type.String(),
  /** Paste into WeChat's 服务器地址(URL); choose 安全模式 or 明文模式 there, both are understood. */
  callbackUrl: Type.String(),
  connectedAt: Time,
});
export type WechatAccount = Wire<typeof WechatAccountSchema>;

/** A staff message the customer's channel refused or could not take. */
export const ChannelFailureSchema = Type.Object({
  messageId: Id,
  status: Type.Union([Type.Literal('failed'), Type.Literal('retrying')]),
  /** The channel's own code (WeChat's errcode, say 45015). */
  errorCode: Nullable(Type.String()),
  error: Nullable(Type.String()),
  at: Time,
});
export type ChannelFailure = Wire<typeof ChannelFailureSchema>;

/** GET /api/v1/conversations/{id}/channel: how replies reach this conversation's customer. */
export const ConversationChannelSchema = Type.Object({
  channel: Type.String(),
  /** WeChat: replies are allowed until this time (48 h after the customer last wrote); null = no window. */
  windowClosesAt: Nullable(Time),
  /** WeChat: replies left in the window (5 per window); null = no quota. */
  remaining: Nullable(Type.Integer()),
  /** WeChat: the customer unfollowed the official account at; nothing reaches them until they follow again. */
  unfollowedAt: Nullable(Time),
  failures: Type.Array(ChannelFailureSchema),
});
export type ConversationChannel = Wire<typeof ConversationChannelSchema>;
