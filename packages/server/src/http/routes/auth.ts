import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Services } from '../../domain/services.ts';
import { authenticate, principalOf } from '../principal.ts';
import { presentCustomer, presentStaff } from '../../domain/present.ts';
import { CustomerSchema, LoginBodySchema, StaffSchema } from '@frontdesk/protocol/schemas';
import { errorResponses } from '../schemas.ts';

export function authRoutes(services: Services, loginPerMinute: number): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Body: Static<typeof LoginBodySchema> }>(
      '/auth/login',
      {
        // Per address: slows password guessing without locking the real owner out.
        config: { rateLimit: { max: loginPerMinute, timeWindow: 60_000 } },
        schema: {
          tags: ['auth'],
          summary: 'Staff login: e-mail and password → bearer token',
          body: LoginBodySchema,
          response: {
            200: Type.Object({ token: Type.String(), expiresAt: Type.String({ format: 'date-time' }), staff: StaffSchema }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const { token, expiresAt, staff } = await services.auth.login(request.body.email, request.body.password);
        return { token, expiresAt: new Date(expiresAt).toISOString(), staff: presentStaff(staff) };
      },
    );

    app.post(
      '/auth/logout',
      {
        onRequest: authenticate(services.auth),
        schema: {
          tags: ['auth'],
          summary: 'Revoke the bearer token used for this request',
          security: [{ bearer: [] }],
          response: { 204: Type.Null(), ...errorResponses },
        },
      },
      async (request, reply) => {
        await services.auth.logout(principalOf(request));
        return reply.status(204).send();
      },
    );

    app.get(
      '/me',
      {
        onRequest: authenticate(services.auth),
        schema: {
          tags: ['auth'],
          summary: 'Who the bearer token belongs to',
          security: [{ bearer: [] }],
          response: {
            200: Type.Union([
              Type.Object({ kind: Type.Literal('staff'), staff: StaffSchema }),
              Type.Object({ kind: Type.Literal('customer'), customer: CustomerSchema }),
            ]),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        return principal.kind === 'staff'
          ? { kind: 'staff' as const, staff: presentStaff(principal.staff) }
          : { kind: 'customer' as const, customer: presentCustomer(principal.customer) };
      },
    );
  };
}
