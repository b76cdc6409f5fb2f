import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyPluginAsync } from 'fastify';
import type { Registry } from 'prom-client';
import { AppError } from '../domain/errors.ts';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * `/metrics` on the public port: only with METRICS_TOKEN set, and only for a scrape that presents
 * it (`Authorization: Bearer <token>`, compared in constant time). Without the token it is not there
 * at all: metrics are never open on the public port by default.
 */
export function metricsRoute(registry: Registry, token: string | null): FastifyPluginAsync {
  const expected = token === null ? null : digest(token);
  return async (app) => {
    app.get('/metrics', { config: { rateLimit: false }, schema: { hide: true } }, async (request, reply) => {
      if (expected === null) throw new AppError('ROUTE_NOT_FOUND');
      const header = request.headers.authorization ?? '';
      if (!header.startsWith('Bearer ')) throw new AppError('AUTH_REQUIRED');
      if (!timingSafeEqual(digest(header.slice('Bearer '.length)), expected)) throw new AppError('TOKEN_INVALID');
      return reply.type(registry.contentType).send(await registry.metrics());
    });
  };
}

/** METRICS_PORT: the metrics alone, without a token, on an address of their own (loopback by default). */
export async function serveMetrics(registry: Registry, host: string, port: number): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((request, response) => {
    if (request.method !== 'GET' || (request.url ?? '').split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics failed\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
