import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { SavedViewBodySchema, SavedViewListSchema, SavedViewPatchBodySchema, SavedViewSchema } from '@frontdesk/protocol/schemas';
import type { Services } from '../../domain/services.ts';
import { presentSavedView } from '../../domain/contacts/present.ts';
import { authenticate, principalOf } from '../principal.ts';
import { ViewParams, errorResponses } from '../schemas.ts';

const security = [{ bearer: [] }];
const tags = ['saved views'];

/** An agent's saved inbox filters: each person sees and changes their own only. */
export function savedViewRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    app.addHook('onRequest', authenticate(services.auth));

    app.get(
      '/views',
      { schema: { tags, summary: 'The caller’s saved inbox views, oldest first (staff)', security, response: { 200: SavedViewListSchema, ...errorResponses } } },
      async (request) => ({ items: (await services.savedViews.list(principalOf(request))).map(presentSavedView) }),
    );

    app.post<{ Body: Static<typeof SavedViewBodySchema> }>(
      '/views',
      {
        schema: {
          tags,
          summary: 'Save an inbox filter under a name (staff; at most 50 each)',
          description: 'The filters are those of `GET /conversations`: `view`, `status`, `assigneeId`, `labelId`, `channel`.',
          security,
          body: SavedViewBodySchema,
          response: { 201: SavedViewSchema, ...errorResponses },
        },
      },
      async (request, reply) => reply.status(201).send(presentSavedView(await services.savedViews.create(principalOf(request), request.body))),
    );

    app.patch<{ Params: Static<typeof ViewParams>; Body: Static<typeof SavedViewPatchBodySchema> }>(
      '/views/:viewId',
      {
        schema: { tags, summary: 'Rename a saved view or change its filters (its owner)', security, params: ViewParams, body: SavedViewPatchBodySchema, response: { 200: SavedViewSchema, ...errorResponses } },
      },
      async (request) => presentSavedView(await services.savedViews.update(principalOf(request), request.params.viewId, request.body)),
    );

    app.delete<{ Params: Static<typeof ViewParams> }>(
      '/views/:viewId',
      { schema: { tags, summary: 'Delete a saved view (its owner)', security, params: ViewParams, response: { 204: Type.Null(), ...errorResponses } } },
      async (request, reply) => {
        await services.savedViews.remove(principalOf(request), request.params.viewId);
        return reply.status(204).send();
      },
    );
  };
}
