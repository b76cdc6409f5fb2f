import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';

/** How long /readyz waits for the database before answering 503: a hung database must not hang the probe. */
export const READY_CHECK_MS = 1000;

/**
 * `check` asks the database; `accepting` is false from the moment the node starts shutting down
 * (always true when not given); `checkTimeoutMs` bounds /readyz's database check.
 */
export function healthRoutes(
  check: () => Promise<void>,
  accepting: () => boolean = () => true,
  checkTimeoutMs: number = READY_CHECK_MS,
  /** /readyz's check: the database, and migrations applied and Redis reachable where asked; `check` when absent. */
  readyCheck: () => Promise<void> = check,
): FastifyPluginAsync {
  // One readiness check at a time: probes arriving while the database hangs share it instead of piling up.
  let inFlight: Promise<void> | null = null;
  const boundedCheck = (): Promise<void> => {
    inFlight ??= readyCheck().finally(() => {
      inFlight = null;
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`database did not answer within ${checkTimeoutMs} ms`)), checkTimeoutMs);
    });
    return Promise.race([inFlight, timeout]).finally(() => clearTimeout(timer));
  };

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

    app.get(
      '/readyz',
      {
        config: { rateLimit: false },
        schema: {
          tags: ['health'],
          summary: 'Readiness for a load balancer: accepting work; the database answers within 1 s with every migration applied; Redis answers (cluster)',
          response: {
            200: Type.Object({ status: Type.Literal('ready') }),
            503: Type.Object({ status: Type.Union([Type.Literal('draining'), Type.Literal('unavailable')]) }),
          },
        },
      },
      async (request, reply) => {
        if (!accepting()) return reply.status(503).send({ status: 'draining' as const });
        try {
          await boundedCheck();
          return { status: 'ready' as const };
        } catch (error) {
          request.log.warn({ err: error }, 'readiness check failed');
          return reply.status(503).send({ status: 'unavailable' as const });
        }
      },
    );
  };
}
