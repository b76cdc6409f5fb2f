import type { EmailChannel } from '../channels/email/email.ts';
import { emailRoutes } from './routes/email.ts';
import type { WechatChannel } from '../channels/wechat/wechat.ts';
import { wechatCallbackRoutes, wechatRoutes } from './routes/wechat.ts';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyPluginAsync, type FastifyReply, type FastifyRequest } from 'fastify';
import rateLimit, { type FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { errorCatalogue, type ErrorBody as ErrorBodyType, type ErrorCode } from '@frontdesk/protocol';
import { findUnsafeInput } from '@frontdesk/protocol/schemas';
import { AppError } from '../domain/errors.ts';
import type { Services } from '../domain/services.ts';
import { adminRoutes } from './routes/admin.ts';
import { appRoutes } from './routes/apps.ts';
import { attachmentRoutes } from './routes/attachments.ts';
import { authRoutes } from './routes/auth.ts';
import { cannedResponseRoutes } from './routes/canned-responses.ts';
import { conversationRoutes } from './routes/conversations.ts';
import { inboxRoutes } from './routes/inbox.ts';
import { staffChatRoutes } from './routes/staff-chat.ts';
import { customerRoutes } from './routes/customers.ts';
import { routingRoutes } from './routes/routing.ts';
import { healthRoutes } from './routes/health.ts';
import { searchRoutes } from './routes/search.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { widgetRoutes } from './routes/widget.ts';
import { csatRoutes } from './routes/csat.ts';
import { statsReportRoutes } from './routes/stats-report.ts';
import { ErrorBody } from './schemas.ts';
import { toAppError } from './errors.ts';
import { apiKeyRoutes } from './routes/api-keys.ts';
import { openRoutes } from './routes/open.ts';
import { pushRoutes } from './routes/push.ts';
import { goimLogicRoutes, type GoimLogicOptions } from './routes/goim-logic.ts';
import { operationsRoutes, type OperationsReader } from './routes/operations.ts';
import { contactRoutes } from './routes/contacts.ts';
import { labelRoutes } from './routes/labels.ts';
import { savedViewRoutes } from './routes/saved-views.ts';
import { campaignRoutes } from './routes/campaigns.ts';
import { widgetCampaignRoutes } from './routes/widget-campaigns.ts';

export interface HttpOptions {
  /** The WeChat channel's routes (channels/wechat). */
  readonly wechat?: WechatChannel;
  /** The e-mail channel's unsubscribe page (channels/email); null without SMTP_URL. */
  readonly email?: EmailChannel | null;
  readonly logLevel: string;
  /** Where log lines go; standard output when absent (tests collect them). */
  readonly logStream?: { write(line: string): void };
  readonly bodyLimitBytes: number;
  readonly trustProxy: boolean;
  readonly publicUrl: string;
  readonly rateLimits: {
    readonly perMinute: number;
    readonly loginPerMinute: number;
    readonly widgetSessionsPerMinute: number;
    /** Where the counters live: this process by default, Redis in a cluster. */
    readonly store?: FastifyRateLimitStoreCtor;
  };
  readonly healthCheck: () => Promise<void>;
  /** /readyz's checks beyond the database's answer: migrations applied, Redis reachable. */
  readonly readyCheck?: () => Promise<void>;
  /** False once the node is shutting down: /readyz answers 503 so balancers stop sending work. */
  readonly accepting?: () => boolean;
  readonly maxChunkBytes: number;
  /** goim's logic HTTP API (/goim/*), when the goim channel is served. */
  readonly goim?: GoimLogicOptions;
  /** Every request's route template, status and duration, and every rate-limit refusal (observability/). */
  readonly observer?: HttpObserver;
  /** GET /metrics on this port (observability/metrics-http.ts). */
  readonly metrics?: FastifyPluginAsync;
  /** The operations dashboard's figures (GET /api/v1/operations). */
  readonly operations?: OperationsReader;
}

export interface HttpObserver {
  request(method: string, route: string, status: number, seconds: number): void;
  rateLimited(): void;
}

export async function buildHttp(services: Services, options: HttpOptions): Promise<FastifyInstance> {
  const sendError = (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const { code, message, details } = toAppError(error);
    const status = errorCatalogue[code].status;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    const body: ErrorBodyType = { error: { code, message, ...(details && { details }) } };
    void reply.status(status).send(body);
  };
  const app = Fastify({
    logger: {
      level: options.logLevel,
      ...(options.logStream && { stream: options.logStream }),
      // Requests are logged by method, URL and status only: never headers, where tokens live.
      redact: ['req.headers.authorization', 'req.headers.cookie'],
      // Signed attachment links carry their signature in the query: it never reaches the log.
      serializers: {
        req: (request: { method: string; url: string; ip?: string }) => ({
          method: request.method,
          url: request.url.replace(/([?&]signature=)[^&]*/gi, '$1[redacted]'),
          remoteAddress: request.ip,
        }),
      },
    },
    bodyLimit: options.bodyLimitBytes,
    trustProxy: options.trustProxy,
    routerOptions: { maxParamLength: 200 },
    // Prototype poisoning is refused by the preValidation hook below, as VALIDATION_FAILED like on the socket.
    onProtoPoisoning: 'ignore',
    onConstructorPoisoning: 'ignore',
    // Undecodable URLs and over-long path parameters are answered before routing: in the catalogue shape too.
    frameworkErrors: sendError,
  });
  app.decorateRequest('principal', null);
  // JSON is the only body the API speaks; anything else is 415 rather than silently ignored.
  app.removeContentTypeParser('text/plain');

  // Bodies are checked strictly: no type coercion, no silently dropped unknown fields.
  // Query strings and params are text on the wire, so only there are numbers coerced.
  const strict = addFormats.default(new Ajv({ coerceTypes: false, removeAdditional: false, allErrors: true, strict: false }));
  const coercing = addFormats.default(new Ajv({ coerceTypes: true, removeAdditional: false, allErrors: true, strict: false }));
  app.setValidatorCompiler(({ schema, httpPart }) =>
    httpPart === 'body' ? strict.compile(schema) : coercing.compile(schema),
  );

  app.addSchema(ErrorBody);
  app.setErrorHandler(sendError);
  // NUL and prototype-poisoning keys, refused before any schema or handler sees them (the socket applies the same rule).
  app.addHook('preValidation', async (request) => {
    const unsafe = findUnsafeInput(request.query, 'querystring') ?? findUnsafeInput(request.body, 'body');
    if (unsafe !== undefined) throw new AppError('VALIDATION_FAILED', undefined, [unsafe]);
  });
  app.setNotFoundHandler((_request, reply) => {
    void reply.status(404).send({ error: { code: 'ROUTE_NOT_FOUND', message: errorCatalogue.ROUTE_NOT_FOUND.message } });
  });

  await app.register(rateLimit, {
    max: options.rateLimits.perMinute,
    ...(options.rateLimits.store && { store: options.rateLimits.store }),
    timeWindow: 60_000,
    errorResponseBuilder: () => new AppError('RATE_LIMITED'),
    ...(options.observer && { onExceeded: () => options.observer!.rateLimited() }),
  });
  const observer = options.observer;
  if (observer) {
    // The route's template, never its URL: ids stay out of the labels.
    app.addHook('onResponse', async (request, reply) => {
      observer.request(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    });
  }

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Frontdesk API',
        version: '1',
        description: 'Customer-service messaging. Errors always have the shape `{ error: { code, message } }`; see docs/errors.md.',
      },
      servers: [{ url: options.publicUrl }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (json.$id as string) ?? `def-${i}` },
  });
  // The API's pages get the same protections as the apps': a CSP (swagger-ui's own, with nonces),
  // no framing, no sniffing (issue 22).
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    // Not framed at all; inline styles (swagger-ui sets some itself) but no stylesheet from elsewhere;
    // and no upgrade-insecure-requests, which would break the page on plain http.
    transformStaticCSP: (header) =>
      header
        .replace("frame-ancestors 'self'", "frame-ancestors 'none'")
        .replace(/style-src [^;]*/, "style-src 'self' 'unsafe-inline'")
        .replace(/\s*upgrade-insecure-requests;?/, ''),
  });
  app.addHook('onSend', async (request, reply) => {
    if (request.url === '/docs' || request.url.startsWith('/docs/')) reply.header('x-content-type-options', 'nosniff').header('x-frame-options', 'DENY');
  });

  const readyCheck = options.readyCheck;
  const ready = readyCheck ? async () => void (await Promise.all([options.healthCheck(), readyCheck()])) : options.healthCheck;
  await app.register(healthRoutes(options.healthCheck, options.accepting, undefined, ready));
  if (options.metrics) await app.register(options.metrics);
  await app.register(appRoutes(services));
  await app.register(
    async (api) => {
      await api.register(authRoutes(services, options.rateLimits.loginPerMinute));
      await api.register(widgetRoutes(services, options.rateLimits.widgetSessionsPerMinute));
      await api.register(conversationRoutes(services));
      await api.register(inboxRoutes(services));
      await api.register(adminRoutes(services));
      await api.register(routingRoutes(services));
      await api.register(attachmentRoutes(services, { maxChunkBytes: options.maxChunkBytes }));
      await api.register(cannedResponseRoutes(services));
      await api.register(staffChatRoutes(services));
      await api.register(searchRoutes(services));
      await api.register(customerRoutes(services));
      await api.register(webhookRoutes(services));
      await api.register(apiKeyRoutes(services));
      await api.register(pushRoutes(services));
      await api.register(contactRoutes(services));
      await api.register(labelRoutes(services));
      await api.register(savedViewRoutes(services));
      await api.register(campaignRoutes(services));
      await api.register(widgetCampaignRoutes(services));
      await api.register(csatRoutes(services));
      await api.register(statsReportRoutes(services));
      if (options.operations) await api.register(operationsRoutes(services, options.operations));
      if (options.wechat) await api.register(wechatRoutes(services, options.wechat));
    },
    { prefix: '/api/v1' },
  );
  if (options.goim) await app.register(goimLogicRoutes(services, options.goim));
  await app.register(openRoutes(services));
  if (options.wechat) await app.register(wechatCallbackRoutes(options.wechat));
  if (options.email) await app.register(emailRoutes(options.email));
  return app;
}
