import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Id, MessageSchema, WidgetCampaignListSchema, WidgetCampaignQuerySchema } from '@frontdesk/protocol/schemas';
import type { Services } from '../../domain/services.ts';
import { presentMessage } from '../../domain/present.ts';
import { presentWidgetCampaign } from '../../domain/campaigns/present.ts';
import { authenticate, principalOf } from '../principal.ts';
import { errorResponses } from '../schemas.ts';

const security = [{ bearer: [] }];
const tags = ['widget'];
const CampaignParams = Type.Object({ campaignId: Id }, { additionalProperties: false });

/** Ongoing campaigns, as the widget asks for them with its customer session (docs/campaigns.md, "Widget campaigns"). */
export function widgetCampaignRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    app.addHook('onRequest', authenticate(services.auth));

    app.get<{ Querystring: Static<typeof WidgetCampaignQuerySchema> }>(
      '/widget/campaigns',
      {
        schema: {
          tags,
          summary: 'The running ongoing campaigns for the page the visitor is on, none already shown to them (customer session)',
          security,
          querystring: WidgetCampaignQuerySchema,
          response: { 200: WidgetCampaignListSchema, ...errorResponses },
        },
      },
      async (request) => ({ items: (await services.ongoingCampaigns.forPage(principalOf(request), request.query.url)).map(presentWidgetCampaign) }),
    );

    app.post<{ Params: Static<typeof CampaignParams> }>(
      '/widget/campaigns/:campaignId/shown',
      {
        schema: {
          tags,
          summary: 'Deliver an ongoing campaign’s message into the visitor’s conversation, once per visitor; returns it (customer session)',
          security,
          params: CampaignParams,
          response: { 200: MessageSchema, ...errorResponses },
        },
      },
      async (request) => presentMessage(await services.ongoingCampaigns.shown(principalOf(request), request.params.campaignId)),
    );
  };
}
