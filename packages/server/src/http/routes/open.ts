import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { errorCatalogue } from '@frontdesk/protocol';
import { AppError } from '../../domain/errors.ts';
import { presentMessage } from '../../domain/present.ts';
import type { Principal } from '../../domain/records.ts';
import type { Services } from '../../domain/services.ts';
import { flatMessage } from '../../channels/openresty-im/openresty-im.ts';
import { bearer } from '../principal.ts';
import { toAppError } from '../errors.ts';

type Fields = Record<string, string | string[] | undefined>;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * openresty-im's HTTP routes (api/app/routes/open.lua), at its paths with its fields:
 * - `POST /open/push`: a message, sent through the normal send path (stored, routed, synced) as the
 *   caller: a Frontdesk token, or an API key of the shop with `mid` (the customer's external id);
 *   its form fields `type`, `msg`, `room_id` and query `mid`, `shop_id`, `room_id`. Replies are its
 *   `{success, msg}` (with `status` 1/0, which its client reads, and the stored message as `data`).
 * - `GET /open/im?shop_id=…`: the shop's hosted full-page customer chat (the widget's page).
 * - `GET /open/com?shop_id=…`: the shop's agent entry: the console.
 */
export function openRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
    app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const { code, message } = toAppError(error);
      const status = errorCatalogue[code].status;
      if (status >= 500) request.log.error({ err: error }, 'open request failed');
      void reply.status(status).send({ success: false, status: 0, msg: `${code}: ${message}` });
    });
    const hide = { schema: { hide: true } };

    app.post('/open/push', hide, async (request) => {
      const query = request.query as Fields;
      const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Fields;
      const field = (name: string, max: number) => {
        const value = body[name] ?? query[name];
        if (value === undefined) return undefined;
        if (typeof value !== 'string' || value.length > max) throw new AppError('VALIDATION_FAILED', `${name} must be one string of at most ${max} characters.`);
        return value;
      };
      const msg = field('msg', 8000);
      if (msg === undefined || msg.trim() === '') throw new AppError('VALIDATION_FAILED', 'msg is required.');
      const principal = await caller(services, bearer(request), field('shop_id', 100), field('mid', 40));
      const conversationId = await conversationFor(services, principal, field('room_id', 200));
      const clientMsgId = field('client_msg_id', 100) ?? randomUUID();
      const sent = await services.messages.send(principal, { conversationId, clientMsgId, contentType: 'text', text: msg });
      const me = { connection: null, mid: field('mid', 40) ?? null };
      const flat = flatMessage(presentMessage(sent.message), me);
      return { success: true, status: 1, msg: 'ok', data: { ...flat, mid: me.mid ?? flat.mid, room_id: `conversation://${conversationId}` } };
    });

    app.get('/open/im', hide, async (request, reply) => {
      const shopId = await shopOf(services, request.query as Fields);
      return reply.redirect(`/widget/?shop=${encodeURIComponent(shopId)}`);
    });
    app.get('/open/com', hide, async (request, reply) => {
      await shopOf(services, request.query as Fields);
      return reply.redirect('/console/');
    });
  };
}

async function shopOf(services: Services, query: Fields): Promise<string> {
  const shopId = query.shop_id;
  if (typeof shopId !== 'string' || !UUID.test(shopId)) throw new AppError('SHOP_NOT_FOUND');
  const shop = await services.shops.embedding(shopId.toLowerCase());
  if (!shop) throw new AppError('SHOP_NOT_FOUND');
  return shopId.toLowerCase();
}

/** A Frontdesk token's user; or, for an API key, the shop's customer whose external id is `mid`. */
async function caller(services: Services, token: string | undefined, shopId: string | undefined, mid: string | undefined): Promise<Principal> {
  if (token === undefined || !token.startsWith('fdk_')) return services.auth.authenticate(token);
  const key = await services.apiKeys.authenticate(token);
  if (shopId !== undefined && shopId !== key.shopId) throw new AppError('SHOP_NOT_FOUND');
  if (mid === undefined || !/^-?\d{1,20}$|^[\w.@:-]{1,40}$/.test(mid)) throw new AppError('VALIDATION_FAILED', 'mid is required with an API key.');
  return services.apiKeys.actAsCustomer(key, mid);
}

/** openresty-im's room_id: a conversation id (`conversation://<id>` or bare); absent: the customer's own. */
async function conversationFor(services: Services, principal: Principal, roomId: string | undefined): Promise<string> {
  if (roomId !== undefined && roomId !== '') {
    const id = roomId.startsWith('conversation://') ? roomId.slice('conversation://'.length) : roomId;
    if (!UUID.test(id)) throw new AppError('CONVERSATION_NOT_FOUND');
    return id.toLowerCase();
  }
  if (principal.kind !== 'customer') throw new AppError('VALIDATION_FAILED', 'room_id is required for staff.');
  const page = await services.conversations.list(principal, { limit: 1 });
  const own = page.items.find((c) => c.shopId === principal.shopId);
  if (!own) throw new AppError('CONVERSATION_NOT_FOUND');
  return own.id;
}
