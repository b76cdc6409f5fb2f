import type { FastifyPluginAsync } from 'fastify';
import type { Static } from '@sinclair/typebox';
import type { Services } from '../../domain/services.ts';
import { presentConversation, presentConversationSummary, presentMessage } from '../../domain/present.ts';
import { authenticate, principalOf } from '../principal.ts';
import { SearchResultsSchema } from '@frontdesk/protocol/schemas';
import { SearchQuery, errorResponses } from '../schemas.ts';

const security = [{ bearer: [] }];

/** The console's search box. */
export function searchRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    app.addHook('onRequest', authenticate(services.auth));

    app.get<{ Querystring: Static<typeof SearchQuery> }>(
      '/search',
      {
        schema: {
          tags: ['conversations'],
          summary: 'Find conversations by customer and messages by text (staff)',
          description:
            '`conversations`: the shop’s service conversations whose customer’s name, e-mail or external id contains `q` ' +
            '(ignoring case) or whose customer id is `q`, most recent activity first. `messages`: messages the caller may ' +
            'read whose text contains `q`, internal notes included, deleted ones not, newest first, each with its ' +
            'conversation. `limit` (default 20) applies to each list.',
          security,
          querystring: SearchQuery,
          response: { 200: SearchResultsSchema, ...errorResponses },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        const hits = await services.search.search(principal, request.query.q, request.query.limit);
        return {
          conversations: hits.conversations.map((c) => presentConversation(c, principal)),
          messages: hits.messages.map((hit) => ({ message: presentMessage(hit.message), conversation: presentConversationSummary(hit.conversation) })),
        };
      },
    );
  };
}
