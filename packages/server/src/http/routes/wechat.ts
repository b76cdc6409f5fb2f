import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { ConversationChannelSchema, WechatAccountBodySchema, WechatAccountSchema } from '@frontdesk/protocol/schemas';
import type { WechatChannel } from '../../channels/wechat/wechat.ts';
import { AppError } from '../../domain/errors.ts';
import type { Services } from '../../domain/services.ts';
import { authenticate, principalOf } from '../principal.ts';
import { ConversationParams, MessageParams, errorResponses } from '../schemas.ts';

const security = [{ bearer: [] }];
const tags = ['channels'];

/** The console's side of the WeChat channel (docs/channels.md). */
export function wechatRoutes(services: Services, wechat: WechatChannel): FastifyPluginAsync {
  return async (app) => {
    app.addHook('onRequest', authenticate(services.auth));

    app.get(
      '/channels/wechat',
      { schema: { tags, summary: 'The shop’s WeChat official account, without its secrets (owner, admin)', security, response: { 200: WechatAccountSchema, ...errorResponses } } },
      async (request) => {
        const account = await wechat.accounts.get(principalOf(request));
        if (!account) throw new AppError('WECHAT_NOT_CONNECTED');
        return account;
      },
    );

    app.put<{ Body: Static<typeof WechatAccountBodySchema> }>(
      '/channels/wechat',
      {
        schema: {
          tags,
          summary: 'Connect (or replace) the shop’s WeChat official account (owner, admin)',
          description: 'Secrets are sealed at rest and never returned. The answer holds the callback URL to paste into WeChat’s 基本配置; a new one each time.',
          security,
          body: WechatAccountBodySchema,
          response: { 200: WechatAccountSchema, ...errorResponses },
        },
      },
      async (request) => wechat.accounts.connect(principalOf(request), request.body),
    );

    app.delete(
      '/channels/wechat',
      { schema: { tags, summary: 'Disconnect the shop’s WeChat official account (owner, admin)', security, response: { 204: Type.Null(), ...errorResponses } } },
      async (request, reply) => {
        if (!(await wechat.accounts.disconnect(principalOf(request)))) throw new AppError('WECHAT_NOT_CONNECTED');
        return reply.code(204).send();
      },
    );

    app.get<{ Params: Static<typeof ConversationParams> }>(
      '/conversations/:conversationId/channel',
      {
        schema: {
          tags,
          summary: 'How replies reach the conversation’s customer: channel, WeChat’s window and quota, failed messages (staff)',
          security,
          params: ConversationParams,
          response: { 200: ConversationChannelSchema, ...errorResponses },
        },
      },
      async (request) => wechat.conversationChannel(principalOf(request), request.params.conversationId),
    );

    app.post<{ Params: Static<typeof MessageParams> }>(
      '/conversations/:conversationId/messages/:messageId/retry',
      {
        schema: {
          tags,
          summary: 'Send again a message the customer’s channel refused (staff)',
          security,
          params: MessageParams,
          response: { 202: Type.Null(), ...errorResponses },
        },
      },
      async (request, reply) => {
        await wechat.retry(principalOf(request), request.params.conversationId, request.params.messageId);
        return reply.code(202).send();
      },
    );
  };
}

const CallbackParams = Type.Object({ callbackKey: Type.String({ pattern: '^[A-Za-z0-9_-]{10,64}$' }) }, { additionalProperties: false });
const CallbackQuery = Type.Object(
  {
    signature: Type.Optional(Type.String({ maxLength: 64 })),
    timestamp: Type.Optional(Type.String({ maxLength: 16 })),
    nonce: Type.Optional(Type.String({ maxLength: 64 })),
    echostr: Type.Optional(Type.String({ maxLength: 128 })),
    openid: Type.Optional(Type.String({ maxLength: 64 })),
    encrypt_type: Type.Optional(Type.String({ maxLength: 8 })),
    msg_signature: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: true },
);
/** WeChat's callbacks are small; a larger body is not WeChat's. */
const CALLBACK_BODY_LIMIT = 64 * 1024;

/** The URL WeChat calls (服务器地址): GET to verify it, POST for each fan message or event. */
export function wechatCallbackRoutes(wechat: WechatChannel): FastifyPluginAsync {
  return async (app) => {
    // WeChat posts XML as text/xml (some proxies say application/xml): read it as text here only.
    app.addContentTypeParser(['text/xml', 'application/xml', 'text/plain'], { parseAs: 'string', bodyLimit: CALLBACK_BODY_LIMIT }, (_request, body, done) => done(null, body));
    const schema = { tags, hide: true, params: CallbackParams, querystring: CallbackQuery };

    app.get<{ Params: Static<typeof CallbackParams>; Querystring: Static<typeof CallbackQuery> }>('/channels/wechat/:callbackKey', { schema }, async (request, reply) => {
      const answer = await wechat.callback.verify(request.params.callbackKey, request.query);
      return reply.code(answer.status).type('text/plain').send(answer.body);
    });

    app.post<{ Params: Static<typeof CallbackParams>; Querystring: Static<typeof CallbackQuery>; Body: string }>(
      '/channels/wechat/:callbackKey',
      { schema, bodyLimit: CALLBACK_BODY_LIMIT },
      async (request, reply) => {
        const body = typeof request.body === 'string' ? request.body : '';
        const answer = await wechat.callback.receive(request.params.callbackKey, request.query, body);
        return reply.code(answer.status).type('text/plain').send(answer.body);
      },
    );
  };
}
