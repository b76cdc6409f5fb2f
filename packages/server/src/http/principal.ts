import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Auth } from '../domain/auth.ts';
import type { Principal } from '../domain/records.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** Bearer tokens only come in the Authorization header: never in the URL, where logs keep them. */
export function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

export function authenticate(auth: Auth) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    request.principal = await auth.authenticate(bearer(request));
  };
}

/** For handlers behind `authenticate`: the principal is always set there. */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === null) throw new Error('route is missing the authenticate hook');
  return request.principal;
}
