import type { FastifyPluginAsync } from 'fastify';
import type { Static } from '@sinclair/typebox';
import { CsatBodySchema, CsatPromptSchema, CsatRatingSchema } from '@frontdesk/protocol/schemas';
import type { Services } from '../../domain/services.ts';
import { authenticate, principalOf } from '../principal.ts';
import { errorResponses } from '../schemas.ts';

const security = [{ bearer: [] }];

/** Customer satisfaction, the widget's side (docs/api.md#customer-satisfaction-csat). */
export function csatRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    app.addHook('onRequest', authenticate(services.auth));

    app.get(
      '/widget/csat',
      {
        schema: {
          tags: ['widget'],
          summary: 'Whether to ask the customer for a rating now: their last inquiry here is closed and the shop asks (customer)',
          description: 'Asked for 7 days after the close; `rating` is the answer given so far, which may be changed until `editableUntil`.',
          security,
          response: { 200: CsatPromptSchema, ...errorResponses },
        },
      },
      async (request) => services.csat.prompt(principalOf(request)),
    );

    app.post<{ Body: Static<typeof CsatBodySchema> }>(
      '/widget/csat',
      {
        schema: {
          tags: ['widget'],
          summary: 'The customer rates a closed inquiry of theirs 1–5, with an optional comment (customer)',
          description:
            'One rating per inquiry: within 7 days of the close a second one replaces the first (`submittedAt` stays), later it is ' +
            '`CSAT_WINDOW_CLOSED`. `CSAT_DISABLED` when the shop does not ask, `INQUIRY_NOT_CLOSED` for an open inquiry, ' +
            '`INQUIRY_NOT_FOUND` for an inquiry that is not the caller’s. Emits the `csat.submitted` webhook.',
          security,
          body: CsatBodySchema,
          response: { 200: CsatRatingSchema, ...errorResponses },
        },
      },
      async (request) => services.csat.submit(principalOf(request), request.body),
    );
  };
}
