import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { ApiKeyBodySchema, ApiKeySchema, CreatedApiKeySchema, Id } from '@frontdesk/protocol/schemas';
import type { ApiKeyRecord } from '../../domain/api-keys.ts';
import type { Services } from '../../domain/services.ts';
import { authenticate, principalOf } from '../principal.ts';
import { errorResponses } from '../schemas.ts';

const security = [{ bearer: [] }];
const tags = ['api keys'];
const ApiKeyParams = Type.Object({ apiKeyId: Id }, { additionalProperties: false });

function presentApiKey(key: ApiKeyRecord): Static<typeof ApiKeySchema> {
  return { id: key.id, name: key.name, prefix: key.prefix, createdAt: new Date(key.createdAt).toISOString() };
}

/** A shop's API keys for the push APIs (owners and admins; docs/api.md#api-keys). */
export function apiKeyRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    app.addHook('onRequest', authenticate(services.auth));

    app.get(
      '/api-keys',
      { schema: { tags, summary: 'The shop’s API keys, without the keys themselves (owner, admin)', security, response: { 200: Type.Object({ items: Type.Array(ApiKeySchema) }), ...errorResponses } } },
      async (request) => ({ items: (await services.apiKeys.list(principalOf(request))).map(presentApiKey) }),
    );

    app.post<{ Body: Static<typeof ApiKeyBodySchema> }>(
      '/api-keys',
      {
        schema: {
          tags,
          summary: 'Create an API key (owner, admin); the key is in this response only',
          description: 'At most 20 per shop. Send it as `Authorization: Bearer fdk_…` to the push APIs.',
          security,
          body: ApiKeyBodySchema,
          response: { 201: CreatedApiKeySchema, ...errorResponses },
        },
      },
      async (request, reply) => {
        const { record, key } = await services.apiKeys.create(principalOf(request), request.body.name);
        return reply.status(201).send({ ...presentApiKey(record), key });
      },
    );

    app.delete<{ Params: Static<typeof ApiKeyParams> }>(
      '/api-keys/:apiKeyId',
      { schema: { tags, summary: 'Revoke an API key at once (owner, admin)', security, params: ApiKeyParams, response: { 204: Type.Null(), ...errorResponses } } },
      async (request, reply) => {
        await services.apiKeys.revoke(principalOf(request), request.params.apiKeyId);
        return reply.status(204).send();
      },
    );
  };
}
