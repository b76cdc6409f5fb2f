import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Services } from '../../domain/services.ts';
import { presentConversation, presentCustomer } from '../../domain/present.ts';
import { ConversationSchema, CustomerSchema, WidgetProfileBodySchema, WidgetSessionBodySchema } from '@frontdesk/protocol/schemas';
import { authenticate, principalOf } from '../principal.ts';
import { errorResponses } from '../schemas.ts';

export function widgetRoutes(services: Services, perMinute: number): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Body: Static<typeof WidgetSessionBodySchema> }>(
      '/widget/sessions',
      {
        config: { rateLimit: { max: perMinute, timeWindow: 60_000 } },
        schema: {
          tags: ['widget'],
          summary: 'Open a customer session: new visitor, returning visitor, or identified customer',
          description:
            'Without `visitorToken` or `identity` a new anonymous visitor is created and its `visitorToken` returned once: ' +
            'keep it to resume. `identity` is a JWT (HS256, `exp` and `sub` required; `platform: true` for a platform-wide ' +
            'identity signed with the platform secret) or `{externalId, identifierHash}` with ' +
            '`identifierHash = hex(HMAC-SHA256(secret, externalId))`. `identity` with `visitorToken` folds that anonymous visitor into ' +
            'the identified customer: their history moves into the customer\'s conversation and the token stops working (`merged: true`).',
          body: WidgetSessionBodySchema,
          response: {
            200: Type.Object({
              token: Type.String(),
              expiresAt: Type.String({ format: 'date-time' }),
              visitorToken: Type.Union([Type.String(), Type.Null()]),
              merged: Type.Boolean(),
              customer: CustomerSchema,
              conversation: ConversationSchema,
            }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const session = await services.widget.open(request.body);
        const principal = { kind: 'customer' as const, customer: session.customer, shopId: request.body.shopId, tokenHash: '' };
        const view = await services.conversations.get(principal, session.conversation.id);
        return {
          token: session.token,
          expiresAt: new Date(session.expiresAt).toISOString(),
          visitorToken: session.visitorToken,
          merged: session.merged,
          customer: presentCustomer(session.customer),
          conversation: presentConversation(view, principal),
        };
      },
    );

    app.patch<{ Body: Static<typeof WidgetProfileBodySchema> }>(
      '/widget/profile',
      {
        onRequest: authenticate(services.auth),
        schema: {
          tags: ['widget'],
          summary: 'The customer leaves an e-mail address to be answered at (the widget’s offline form)',
          description: 'A visitor may change theirs; an identified customer’s comes from their site and is only filled in when it has none. Staff replies they have not read are then e-mailed (docs/channels.md#e-mail).',
          security: [{ bearer: [] }],
          body: WidgetProfileBodySchema,
          response: { 200: CustomerSchema, ...errorResponses },
        },
      },
      async (request) => presentCustomer(await services.customers.setOwnEmail(principalOf(request), request.body.email, request.body.name)),
    );
  };
}
