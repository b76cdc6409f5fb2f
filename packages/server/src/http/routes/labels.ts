import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import {
  BulkLabelBodySchema,
  BulkResultSchema,
  ConversationSchema,
  LabelCreateBodySchema,
  LabelListSchema,
  LabelPatchBodySchema,
  LabelSchema,
} from '@frontdesk/protocol/schemas';
import type { Services } from '../../domain/services.ts';
import { presentConversation } from '../../domain/present.ts';
import { presentLabel } from '../../domain/contacts/present.ts';
import { authenticate, principalOf } from '../principal.ts';
import { ConversationLabelParams, LabelParams, errorResponses } from '../schemas.ts';

const security = [{ bearer: [] }];
const tags = ['labels'];

/** The shop's labels (docs/contacts.md) and their use on service conversations. */
export function labelRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    app.addHook('onRequest', authenticate(services.auth));

    app.get(
      '/labels',
      { schema: { tags, summary: 'The shop’s labels, by name (staff)', security, response: { 200: LabelListSchema, ...errorResponses } } },
      async (request) => ({ items: (await services.labels.list(principalOf(request))).map(presentLabel) }),
    );

    app.post<{ Body: Static<typeof LabelCreateBodySchema> }>(
      '/labels',
      {
        schema: { tags, summary: 'Create a label (owner, admin); names are unique in the shop', security, body: LabelCreateBodySchema, response: { 201: LabelSchema, ...errorResponses } },
      },
      async (request, reply) => reply.status(201).send(presentLabel(await services.labels.create(principalOf(request), request.body))),
    );

    app.patch<{ Params: Static<typeof LabelParams>; Body: Static<typeof LabelPatchBodySchema> }>(
      '/labels/:labelId',
      {
        schema: { tags, summary: 'Rename or recolour a label (owner, admin)', security, params: LabelParams, body: LabelPatchBodySchema, response: { 200: LabelSchema, ...errorResponses } },
      },
      async (request) => presentLabel(await services.labels.update(principalOf(request), request.params.labelId, request.body)),
    );

    app.delete<{ Params: Static<typeof LabelParams> }>(
      '/labels/:labelId',
      {
        schema: { tags, summary: 'Delete a label; it goes from every contact and conversation (owner, admin)', security, params: LabelParams, response: { 204: Type.Null(), ...errorResponses } },
      },
      async (request, reply) => {
        await services.labels.remove(principalOf(request), request.params.labelId);
        return reply.status(204).send();
      },
    );

    app.post<{ Body: Static<typeof BulkLabelBodySchema> }>(
      '/conversations/labels',
      {
        schema: {
          tags,
          summary: 'Add and remove labels on many service conversations at once (staff)',
          description: 'Ids that are not service conversations of the shop are skipped. `changed` counts the conversations whose labels changed.',
          security,
          body: BulkLabelBodySchema,
          response: { 200: BulkResultSchema, ...errorResponses },
        },
      },
      async (request) => ({ changed: await services.labels.bulkLabelConversations(principalOf(request), request.body) }),
    );

    for (const [method, on] of [['put', true], ['delete', false]] as const) {
      app[method]<{ Params: Static<typeof ConversationLabelParams> }>(
        '/conversations/:conversationId/labels/:labelId',
        {
          schema: {
            tags,
            summary: on ? 'Put a label on a service conversation (staff); idempotent' : 'Take a label off a service conversation (staff); idempotent',
            description: 'The shop’s consoles receive the conversation as a `conversation` frame with change `updated`.',
            security,
            params: ConversationLabelParams,
            response: { 200: ConversationSchema, ...errorResponses },
          },
        },
        async (request) => {
          const principal = principalOf(request);
          const conversation = await services.labels.labelConversation(principal, request.params.conversationId, request.params.labelId, on);
          const view = await services.conversations.get(principal, conversation.id);
          return presentConversation(view, principal);
        },
      );
    }
  };
}
