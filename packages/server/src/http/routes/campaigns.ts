import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import {
  AudienceBodySchema,
  AudienceCountSchema,
  CampaignCreateBodySchema,
  CampaignListQuerySchema,
  CampaignPageSchema,
  CampaignPatchBodySchema,
  CampaignRecipientListQuerySchema,
  CampaignRecipientPageSchema,
  CampaignSchema,
  Id,
} from '@frontdesk/protocol/schemas';
import type { Services } from '../../domain/services.ts';
import type { CampaignView } from '../../domain/campaigns/campaigns.ts';
import { presentCampaign, presentRecipient } from '../../domain/campaigns/present.ts';
import { authenticate, principalOf } from '../principal.ts';
import { errorResponses } from '../schemas.ts';

const security = [{ bearer: [] }];
const tags = ['campaigns'];
const CampaignParams = Type.Object({ campaignId: Id }, { additionalProperties: false });
const ActionParams = Type.Object({ campaignId: Id, action: Type.Union([Type.Literal('start'), Type.Literal('pause'), Type.Literal('resume'), Type.Literal('cancel')]) }, { additionalProperties: false });
const shown = (view: CampaignView) => presentCampaign(view.campaign, view.results);

/** Campaigns (docs/campaigns.md): owners and admins write, every staff member of the shop reads. */
export function campaignRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    app.addHook('onRequest', authenticate(services.auth));

    app.get<{ Querystring: Static<typeof CampaignListQuerySchema> }>(
      '/campaigns',
      { schema: { tags, summary: 'The shop’s campaigns, newest first (staff)', security, querystring: CampaignListQuerySchema, response: { 200: CampaignPageSchema, ...errorResponses } } },
      async (request) => {
        const page = await services.campaigns.list(principalOf(request), request.query);
        return { items: page.items.map(shown), nextCursor: page.nextCursor };
      },
    );

    app.post<{ Body: Static<typeof CampaignCreateBodySchema> }>(
      '/campaigns',
      {
        schema: {
          tags,
          summary: 'Create a draft campaign (owner, admin)',
          description: 'One-off campaigns take an `audience` (exactly one of `all`, `labelIds`, `externalIds`, narrowed by `attributes`); ongoing ones a `trigger`.',
          security,
          body: CampaignCreateBodySchema,
          response: { 201: CampaignSchema, ...errorResponses },
        },
      },
      async (request, reply) => reply.status(201).send(shown(await services.campaigns.create(principalOf(request), request.body))),
    );

    app.post<{ Body: Static<typeof AudienceBodySchema> }>(
      '/campaigns/audience',
      { schema: { tags, summary: 'How many contacts an audience addresses now, opted-out ones left out (owner, admin)', security, body: AudienceBodySchema, response: { 200: AudienceCountSchema, ...errorResponses } } },
      async (request) => ({ count: await services.campaigns.countAudience(principalOf(request), request.body.audience) }),
    );

    app.get<{ Params: Static<typeof CampaignParams> }>(
      '/campaigns/:campaignId',
      { schema: { tags, summary: 'A campaign with its counts: sent, failed, read, replied, opted out (staff)', security, params: CampaignParams, response: { 200: CampaignSchema, ...errorResponses } } },
      async (request) => shown(await services.campaigns.get(principalOf(request), request.params.campaignId)),
    );

    app.patch<{ Params: Static<typeof CampaignParams>; Body: Static<typeof CampaignPatchBodySchema> }>(
      '/campaigns/:campaignId',
      {
        schema: {
          tags,
          summary: 'Change a draft (owner, admin); an ongoing campaign’s text and trigger change at any time',
          security,
          params: CampaignParams,
          body: CampaignPatchBodySchema,
          response: { 200: CampaignSchema, ...errorResponses },
        },
      },
      async (request) => shown(await services.campaigns.patch(principalOf(request), request.params.campaignId, request.body)),
    );

    app.delete<{ Params: Static<typeof CampaignParams> }>(
      '/campaigns/:campaignId',
      { schema: { tags, summary: 'Delete a draft (owner, admin); cancel a started campaign instead', security, params: CampaignParams, response: { 204: Type.Null(), ...errorResponses } } },
      async (request, reply) => {
        await services.campaigns.remove(principalOf(request), request.params.campaignId);
        return reply.status(204).send();
      },
    );

    app.post<{ Params: Static<typeof ActionParams> }>(
      '/campaigns/:campaignId/:action',
      {
        schema: {
          tags,
          summary: 'Start (now, or at its scheduledAt), pause, resume or cancel a campaign (owner, admin)',
          description: 'Starting a one-off campaign fixes its audience. See docs/campaigns.md#lifecycle for the moves allowed.',
          security,
          params: ActionParams,
          response: { 200: CampaignSchema, ...errorResponses },
        },
      },
      async (request) => shown(await services.campaigns.act(principalOf(request), request.params.campaignId, request.params.action)),
    );

    app.get<{ Params: Static<typeof CampaignParams>; Querystring: Static<typeof CampaignRecipientListQuerySchema> }>(
      '/campaigns/:campaignId/recipients',
      {
        schema: {
          tags,
          summary: 'A campaign’s recipients, by customer id, with their status (staff)',
          security,
          params: CampaignParams,
          querystring: CampaignRecipientListQuerySchema,
          response: { 200: CampaignRecipientPageSchema, ...errorResponses },
        },
      },
      async (request) => {
        const page = await services.campaigns.recipients(principalOf(request), request.params.campaignId, request.query);
        return { items: page.items.map(presentRecipient), nextCursor: page.nextCursor };
      },
    );
  };
}
