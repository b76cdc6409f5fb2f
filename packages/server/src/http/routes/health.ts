import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';

export function healthRoutes(check: () => Promise<void>): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/healthz',
      {
        config: { rateLimit: false },
        schema: {
          tags: ['health'],
          summary: 'Liveness and database reachability',
          response: {
            200: Type.Object({ status: Type.Literal('ok') }),
            503: Type.Object({ status: Type.Literal('unavailable') }),
          },
        },
      },
      async (request, reply) => {
        try {
          await check();
          return { status: 'ok' as const };
        } catch (error) {
          request.log.warn({ err: error }, 'health check failed');
          return reply.status(503).send({ status: 'unavailable' as const });
        }
      },
    );
  };
}
