import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Services } from '../../domain/services.ts';
import type { WebhookDeliveryRecord, WebhookEndpointRecord } from '../../domain/webhooks.ts';
import { authenticate, principalOf } from '../principal.ts';
import { errorResponses } from '../schemas.ts';
import { CreatedWebhookSchema, WebhookBodySchema, WebhookDeliverySchema, WebhookPatchBodySchema, WebhookSchema } from '@frontdesk/protocol/schemas';
import { WebhookDeliveryListQuery, WebhookDeliveryParams, WebhookParams } from '../webhook-schemas.ts';

const security = [{ bearer: [] }];
const tags = ['webhooks'];
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function presentWebhook(e: WebhookEndpointRecord): Static<typeof WebhookSchema> {
  return {
    id: e.id,
    url: e.url,
    events: [...e.events],
    includeInternal: e.includeInternal,
    active: e.disabledAt === null,
    disabledAt: iso(e.disabledAt),
    disabledReason: e.disabledReason,
    failingSince: iso(e.failingSince),
    createdAt: iso(e.createdAt)!,
    updatedAt: iso(e.updatedAt)!,
  };
}

function presentDelivery(d: WebhookDeliveryRecord): Static<typeof WebhookDeliverySchema> {
  return {
    id: d.id,
    eventId: d.eventId,
    event: d.event,
    status: d.status,
    attempts: d.attempts,
    responseStatus: d.responseStatus,
    error: d.error,
    nextAttemptAt: iso(d.nextAttemptAt),
    lastAttemptAt: iso(d.lastAttemptAt),
    createdAt: iso(d.createdAt)!,
    deliveredAt: iso(d.deliveredAt),
  };
}

/** A shop's webhook endpoints and their delivery logs (owners and admins; docs/webhooks.md). */
export function webhookRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    app.addHook('onRequest', authenticate(services.auth));

    app.get(
      '/webhooks',
      { schema: { tags, summary: 'The shop’s webhook endpoints (owner, admin)', security, response: { 200: Type.Object({ items: Type.Array(WebhookSchema) }), ...errorResponses } } },
      async (request) => ({ items: (await services.webhooks.list(principalOf(request))).map(presentWebhook) }),
    );

    app.post<{ Body: Static<typeof WebhookBodySchema> }>(
      '/webhooks',
      {
        schema: {
          tags,
          summary: 'Add a webhook endpoint (owner, admin); the signing secret is in this response only',
          description: 'At most 20 per shop. The URL must be https and resolve to public addresses only.',
          security,
          body: WebhookBodySchema,
          response: { 201: CreatedWebhookSchema, ...errorResponses },
        },
      },
      async (request, reply) => {
        const { endpoint, secret } = await services.webhooks.create(principalOf(request), request.body);
        return reply.status(201).send({ ...presentWebhook(endpoint), secret });
      },
    );

    app.patch<{ Params: Static<typeof WebhookParams>; Body: Static<typeof WebhookPatchBodySchema> }>(
      '/webhooks/:webhookId',
      {
        schema: {
          tags,
          summary: 'Change a webhook endpoint’s URL, events, secret, or whether it is active (owner, admin)',
          security,
          params: WebhookParams,
          body: WebhookPatchBodySchema,
          response: { 200: WebhookSchema, ...errorResponses },
        },
      },
      async (request) => presentWebhook(await services.webhooks.update(principalOf(request), request.params.webhookId, request.body)),
    );

    app.delete<{ Params: Static<typeof WebhookParams> }>(
      '/webhooks/:webhookId',
      { schema: { tags, summary: 'Delete a webhook endpoint and its delivery log (owner, admin)', security, params: WebhookParams, response: { 204: Type.Null(), ...errorResponses } } },
      async (request, reply) => {
        await services.webhooks.remove(principalOf(request), request.params.webhookId);
        return reply.status(204).send();
      },
    );

    app.get<{ Params: Static<typeof WebhookParams>; Querystring: Static<typeof WebhookDeliveryListQuery> }>(
      '/webhooks/:webhookId/deliveries',
      {
        schema: {
          tags,
          summary: 'The endpoint’s deliveries, newest first (owner, admin)',
          security,
          params: WebhookParams,
          querystring: WebhookDeliveryListQuery,
          response: { 200: Type.Object({ items: Type.Array(WebhookDeliverySchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses },
        },
      },
      async (request) => {
        const page = await services.webhooks.deliveries(principalOf(request), request.params.webhookId, request.query.cursor, request.query.limit);
        return { items: page.items.map(presentDelivery), nextCursor: page.nextCursor };
      },
    );

    app.post<{ Params: Static<typeof WebhookDeliveryParams> }>(
      '/webhooks/:webhookId/deliveries/:deliveryId/redeliver',
      {
        schema: {
          tags,
          summary: 'Send a delivery again now, with the same id and body (owner, admin)',
          security,
          params: WebhookDeliveryParams,
          response: { 202: Type.Null(), ...errorResponses },
        },
      },
      async (request, reply) => {
        await services.webhooks.redeliver(principalOf(request), request.params.webhookId, request.params.deliveryId);
        return reply.status(202).send();
      },
    );
  };
}
