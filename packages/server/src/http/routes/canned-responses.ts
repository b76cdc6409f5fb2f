import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Services } from '../../domain/services.ts';
import { presentCannedResponse } from '../../domain/present.ts';
import { authenticate, principalOf } from '../principal.ts';
import { CannedResponseBodySchema, CannedResponsePatchBodySchema, CannedResponseSchema } from '@frontdesk/protocol/schemas';
import { CannedResponseListQuery, CannedResponseParams, errorResponses } from '../schemas.ts';

const security = [{ bearer: [] }];

/** The shop's reply templates for the console's composer. */
export function cannedResponseRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    app.addHook('onRequest', authenticate(services.auth));

    app.get<{ Querystring: Static<typeof CannedResponseListQuery> }>(
      '/canned-responses',
      {
        schema: {
          tags: ['canned responses'],
          summary: 'The shop’s canned responses, sorted by shortcut, at most 200 (staff)',
          description: '`q` narrows to those whose shortcut or title contains it, ignoring case.',
          security,
          querystring: CannedResponseListQuery,
          response: { 200: Type.Object({ items: Type.Array(CannedResponseSchema) }), ...errorResponses },
        },
      },
      async (request) => ({ items: (await services.cannedResponses.list(principalOf(request), request.query.q)).map(presentCannedResponse) }),
    );

    app.post<{ Body: Static<typeof CannedResponseBodySchema> }>(
      '/canned-responses',
      {
        schema: {
          tags: ['canned responses'],
          summary: 'Create a canned response (owner, admin); the shortcut is unique in the shop',
          security,
          body: CannedResponseBodySchema,
          response: { 201: CannedResponseSchema, ...errorResponses },
        },
      },
      async (request, reply) => reply.status(201).send(presentCannedResponse(await services.cannedResponses.create(principalOf(request), request.body))),
    );

    app.patch<{ Params: Static<typeof CannedResponseParams>; Body: Static<typeof CannedResponsePatchBodySchema> }>(
      '/canned-responses/:cannedId',
      {
        schema: {
          tags: ['canned responses'],
          summary: 'Change a canned response’s shortcut, title or text (owner, admin)',
          security,
          params: CannedResponseParams,
          body: CannedResponsePatchBodySchema,
          response: { 200: CannedResponseSchema, ...errorResponses },
        },
      },
      async (request) => presentCannedResponse(await services.cannedResponses.update(principalOf(request), request.params.cannedId, request.body)),
    );

    app.delete<{ Params: Static<typeof CannedResponseParams> }>(
      '/canned-responses/:cannedId',
      {
        schema: {
          tags: ['canned responses'],
          summary: 'Delete a canned response (owner, admin)',
          security,
          params: CannedResponseParams,
          response: { 204: Type.Null(), ...errorResponses },
        },
      },
      async (request, reply) => {
        await services.cannedResponses.remove(principalOf(request), request.params.cannedId);
        return reply.status(204).send();
      },
    );
  };
}
