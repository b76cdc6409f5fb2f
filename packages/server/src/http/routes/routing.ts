import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Services } from '../../domain/services.ts';
import { presentConversation } from '../../domain/present.ts';
import { authenticate, principalOf } from '../principal.ts';
import {
  AgentSchema,
  AgentStatisticsSchema,
  ConversationSchema,
  DayStatisticsSchema,
  InviteBodySchema,
  QueuePositionSchema,
  TransferBodySchema,
} from '@frontdesk/protocol/schemas';
import { ConversationParams, DailyStatsQuery, StatsQuery, errorResponses } from '../schemas.ts';

const security = [{ bearer: [] }];
const WEEK = 7 * 24 * 3600 * 1000;

/** The period of a statistics query: without `to`, now; without `from`, a week before `to`. */
function period(query: { from?: string; to?: string }): { from: number; to: number } {
  const to = query.to !== undefined ? Date.parse(query.to) : Date.now();
  const from = query.from !== undefined ? Date.parse(query.from) : to - WEEK;
  return { from, to };
}

/** The inquiry lifecycle and the routing views (docs/routing.md). */
export function routingRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    app.addHook('onRequest', authenticate(services.auth));

    const lifecycle = (
      path: string,
      summary: string,
      run: (request: { principal: ReturnType<typeof principalOf>; conversationId: string; body: any }) => Promise<void>,
      body?: object,
    ) =>
      app.post<{ Params: Static<typeof ConversationParams> }>(
        `/conversations/:conversationId/${path}`,
        {
          schema: {
            tags: ['routing'],
            summary,
            security,
            params: ConversationParams,
            ...(body !== undefined && { body }),
            response: { 200: ConversationSchema, ...errorResponses },
          },
        },
        async (request) => {
          const principal = principalOf(request);
          const { conversationId } = request.params;
          await run({ principal, conversationId, body: request.body });
          return presentConversation(await services.conversations.get(principal, conversationId), principal);
        },
      );

    lifecycle('claim', 'Take a queued conversation (staff; respects capacity)', ({ principal, conversationId }) =>
      services.routing.claim(principal, conversationId),
    );
    lifecycle(
      'transfer',
      'Hand the conversation to a colleague, or back to the queue with toStaffId null; the note is for staff only',
      ({ principal, conversationId, body }) => services.routing.transfer(principal, conversationId, body.toStaffId, body.note),
      TransferBodySchema,
    );
    lifecycle(
      'invite',
      'Add a colleague to the conversation (the assignee stays)',
      ({ principal, conversationId, body }) => services.routing.invite(principal, conversationId, body.staffId),
      InviteBodySchema,
    );
    lifecycle('close', 'Close the inquiry and free the agent; the customer’s next message opens a new one', ({ principal, conversationId }) =>
      services.routing.close(principal, conversationId),
    );

    app.get<{ Params: Static<typeof ConversationParams> }>(
      '/conversations/:conversationId/queue',
      {
        schema: {
          tags: ['routing'],
          summary: 'The conversation’s place in the queue (1 = next), null when it is not waiting',
          security,
          params: ConversationParams,
          response: { 200: QueuePositionSchema, ...errorResponses },
        },
      },
      async (request) => ({ position: await services.routing.queuePosition(principalOf(request), request.params.conversationId) }),
    );

    app.get(
      '/agents',
      {
        schema: {
          tags: ['routing'],
          summary: 'The shop’s staff with presence, open inquiries and capacity (staff)',
          security,
          response: { 200: Type.Array(AgentSchema), ...errorResponses },
        },
      },
      async (request) => services.routing.agents(principalOf(request)),
    );

    app.get<{ Querystring: Static<typeof StatsQuery> }>(
      '/stats/agents',
      {
        schema: {
          tags: ['routing'],
          summary: 'Per-agent reception statistics for inquiries opened in [from, to) (owner, admin; default: the last 7 days)',
          security,
          querystring: StatsQuery,
          response: { 200: Type.Array(AgentStatisticsSchema), ...errorResponses },
        },
      },
      async (request) => {
        const { from, to } = period(request.query);
        return services.routing.stats(principalOf(request), from, to);
      },
    );

    app.get<{ Querystring: Static<typeof DailyStatsQuery> }>(
      '/stats/daily',
      {
        schema: {
          tags: ['routing'],
          summary: 'Inquiries of [from, to) by the day they were created, in a UTC offset (owner, admin; default: the last 7 days)',
          description:
            'One entry per day of the period, days without inquiries included; at most 92 days. `tzOffsetMinutes` is east ' +
            'positive (UTC+08:00 = 480), the opposite sign of JavaScript’s `getTimezoneOffset()`.',
          security,
          querystring: DailyStatsQuery,
          response: { 200: Type.Object({ days: Type.Array(DayStatisticsSchema) }), ...errorResponses },
        },
      },
      async (request) => {
        const { from, to } = period(request.query);
        return { days: await services.stats.daily(principalOf(request), from, to, request.query.tzOffsetMinutes ?? 0) };
      },
    );
  };
}
