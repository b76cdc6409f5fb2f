import type { FastifyPluginAsync } from 'fastify';
import { OperationsSchema, type Operations } from '@frontdesk/protocol/schemas';
import type { Principal } from '../../domain/records.ts';
import type { Services } from '../../domain/services.ts';
import { authenticate, principalOf } from '../principal.ts';
import { errorResponses } from '../schemas.ts';

/** The operations dashboard's figures (observability/operations.ts). */
export interface OperationsReader {
  read(principal: Principal): Promise<Operations>;
}

/** `GET /api/v1/operations` (owner, admin; docs/monitoring.md, "The operations dashboard"). */
export function operationsRoutes(services: Services, operations: OperationsReader): FastifyPluginAsync {
  return async (app) => {
    app.addHook('onRequest', authenticate(services.auth));
    app.get(
      '/operations',
      {
        schema: {
          tags: ['operations'],
          summary: 'The shop’s live figures, the nodes and the alert history (owner, admin)',
          description: 'The same figures arrive every few seconds over `/ws` after an `operations.subscribe` frame.',
          security: [{ bearer: [] }],
          response: { 200: OperationsSchema, ...errorResponses },
        },
      },
      async (request) => operations.read(principalOf(request)),
    );
  };
}
