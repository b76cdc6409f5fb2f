import type { FastifyPluginAsync } from 'fastify';
import type { Static } from '@sinclair/typebox';
import type { Services } from '../../domain/services.ts';
import { presentCustomer, presentInquiry } from '../../domain/present.ts';
import { authenticate, principalOf } from '../principal.ts';
import { CustomerDetailsSchema } from '@frontdesk/protocol/schemas';
import { CustomerParams, errorResponses } from '../schemas.ts';

const security = [{ bearer: [] }];

/** The console's customer panel. */
export function customerRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    app.addHook('onRequest', authenticate(services.auth));

    app.get<{ Params: Static<typeof CustomerParams> }>(
      '/customers/:customerId',
      {
        schema: {
          tags: ['customers'],
          summary: 'A customer of the shop, their attributes and their inquiries here (staff)',
          description:
            'Only customers with a conversation in the caller’s shop; inquiries of this shop only, newest first, at most 100.',
          security,
          params: CustomerParams,
          response: { 200: CustomerDetailsSchema, ...errorResponses },
        },
      },
      async (request) => {
        const details = await services.customers.details(principalOf(request), request.params.customerId);
        return { customer: presentCustomer(details.customer), attributes: details.attributes, inquiries: details.inquiries.map(presentInquiry) };
      },
    );
  };
}
