import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { MessageSchema, PushEventBodySchema, PushMessageBodySchema } from '@frontdesk/protocol/schemas';
import type { ApiCaller } from '../../domain/api-keys.ts';
import { presentMessage } from '../../domain/present.ts';
import type { Services } from '../../domain/services.ts';
import { bearer } from '../principal.ts';
import { errorResponses } from '../schemas.ts';

const security = [{ bearer: [] }];
const tags = ['push'];

/**
 * Frontdesk's own push API (docs/api.md#push-apis), for a shop's servers: an API key of the shop
 * (`Authorization: Bearer fdk_…`), never a staff or customer session.
 */
export function pushRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    const callers = new WeakMap<FastifyRequest, ApiCaller>();
    app.addHook('onRequest', async (request) => void callers.set(request, await services.apiKeys.authenticate(bearer(request))));
    const caller = (request: FastifyRequest) => callers.get(request)!;

    app.post<{ Body: Static<typeof PushMessageBodySchema> }>(
      '/push/messages',
      {
        schema: {
          tags,
          summary: 'Send a stored message into a customer’s conversation, by their external id (API key)',
          description:
            'Through the normal send path: stored, routed, synced and pushed to every side. As the customer, or as `staffId`. ' +
            'A resend with the same clientMsgId returns the stored message (200); nothing new is stored.',
          security,
          body: PushMessageBodySchema,
          response: { 200: MessageSchema, 201: MessageSchema, ...errorResponses },
        },
      },
      async (request, reply) => {
        const { externalId, clientMsgId, text, staffId } = request.body;
        const key = caller(request);
        const principal = staffId === undefined ? await services.apiKeys.actAsCustomer(key, externalId) : await services.apiKeys.actAsStaff(key, staffId);
        const conversationId = await services.pushes.conversationOfCustomer(key, externalId);
        const sent = await services.messages.send(principal, { conversationId, clientMsgId, contentType: 'text', text });
        return reply.status(sent.duplicate ? 200 : 201).send(presentMessage(sent.message));
      },
    );

    app.post<{ Body: Static<typeof PushEventBodySchema> }>(
      '/push/events',
      {
        schema: {
          tags,
          summary: 'Push an ephemeral event to a customer, a conversation or a room (API key)',
          description: 'Not stored: connections open now receive it (`push` frame on /ws, the operation as the op for goim clients).',
          security,
          body: PushEventBodySchema,
          response: { 202: Type.Object({ accepted: Type.Boolean() }), ...errorResponses },
        },
      },
      async (request, reply) => {
        const { to, operation = 1000, body } = request.body;
        const key = caller(request);
        const push = { operation, body: Buffer.from(body) };
        if ('externalId' in to) {
          await services.apiKeys.actAsCustomer(key, to.externalId);
          await services.pushes.toMids(key, [to.externalId], push);
        } else if ('conversationId' in to) await services.pushes.toConversation(key, to.conversationId, push);
        else await services.pushes.toRoom(key, to.room, push);
        return reply.status(202).send({ accepted: true });
      },
    );
  };
}
