import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Services } from '../../domain/services.ts';
import { presentConversation, presentCustomer } from '../../domain/present.ts';
import { ConversationSchema, CustomerSchema, Id, PublicAppearanceSchema, WidgetProfileBodySchema, WidgetSessionBodySchema } from '@frontdesk/protocol/schemas';
import { authenticate, principalOf } from '../principal.ts';
import { errorResponses } from '../schemas.ts';

const ShopParams = Type.Object({ shopId: Id }, { additionalProperties: false });
const LogoParams = Type.Object({ shopId: Id, logoId: Type.String({ pattern: '^[0-9a-f]{64}$' }) }, { additionalProperties: false });
const Image = { description: 'The logo (PNG, JPEG, WebP or GIF)', content: { 'image/*': { schema: { type: 'string', format: 'binary' } } } };

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
          summary: 'The customer leaves a name or an e-mail address to be answered at (the widget’s pre-chat and offline forms)',
          description: 'A visitor may change theirs; an identified customer’s comes from their site and is only filled in when it has none. Staff replies they have not read are then e-mailed (docs/channels.md#e-mail).',
          security: [{ bearer: [] }],
          body: WidgetProfileBodySchema,
          response: { 200: CustomerSchema, ...errorResponses },
        },
      },
      async (request) => presentCustomer(await services.customers.setOwnProfile(principalOf(request), request.body)),
    );

    app.get<{ Params: Static<typeof ShopParams> }>(
      '/widget/shops/:shopId/appearance',
      {
        schema: {
          tags: ['widget'],
          summary: 'How the shop’s widget looks and which pre-chat fields it asks (public)',
          description: 'The loader and the widget read it before any session; `no-cache`, so a change shows on the next page view.',
          params: ShopParams,
          response: { 200: PublicAppearanceSchema, ...errorResponses },
        },
      },
      async (request, reply) => {
        void reply.header('cache-control', 'no-cache');
        return services.widgetAppearance.appearance(request.params.shopId);
      },
    );

    app.get<{ Params: Static<typeof LogoParams> }>(
      '/widget/shops/:shopId/logo/:logoId',
      {
        schema: {
          tags: ['widget'],
          summary: 'The shop’s current logo (public)',
          description:
            'Only the current logo of the shop: its type from its bytes (a raster image, never SVG), `nosniff`, a sandboxing CSP, ' +
            'and cached for a year (a new logo has a new id).',
          params: LogoParams,
          response: { 200: Image, ...errorResponses },
        },
      },
      async (request, reply) => {
        const logo = await services.widgetAppearance.logo(request.params.shopId, request.params.logoId);
        return reply
          .header('content-type', logo.mime)
          .header('x-content-type-options', 'nosniff')
          .header('content-security-policy', "default-src 'none'; sandbox")
          .header('cross-origin-resource-policy', 'same-origin')
          .header('cache-control', 'public, max-age=31536000, immutable')
          .send(logo.data);
      },
    );
  };
}
