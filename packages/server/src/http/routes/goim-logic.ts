import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { errorCatalogue } from '@frontdesk/protocol';
import type { ApiCaller } from '../../domain/api-keys.ts';
import { AppError } from '../../domain/errors.ts';
import { parseRoom } from '../../domain/rooms.ts';
import type { Services } from '../../domain/services.ts';
import { bearer } from '../principal.ts';
import { toAppError } from '../errors.ts';
import type { OnlineView } from '../../cluster/online-counts.ts';

export interface GoimLogicOptions {
  /** A shop's figures: this node's, or (cluster) every live node's (cluster/online-counts.ts). */
  readonly online: OnlineView;
  /** The public URL clients connect to, and the goim TCP port when it listens. */
  readonly publicUrl: string;
  readonly tcpPort: () => number | null;
  /** The largest pushed body. */
  readonly maxBodyBytes: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    apiCaller: ApiCaller | null;
  }
}

type Query = Record<string, string | string[] | undefined>;

/**
 * goim's logic HTTP API (internal/logic/http), at goim's paths with goim's query parameters and
 * `{code, message, data}` replies: code 0 is success, a failure is `-<status>` with the catalogue
 * code in the message. Every route but nodes/weighted takes a shop's API key
 * (`Authorization: Bearer fdk_…`) and reaches that shop's connections only. Not in the OpenAPI
 * document: goim documents it (docs/protocol-goim.md#goims-logic-http-api).
 */
export function goimLogicRoutes(services: Services, options: GoimLogicOptions): FastifyPluginAsync {
  return async (app) => {
    app.decorateRequest('apiCaller', null);
    // goim takes the body as bytes, whatever its type.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: options.maxBodyBytes }, (_request, body, done) => done(null, body));
    app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const { code, message } = toAppError(error);
      const status = errorCatalogue[code].status;
      if (status >= 500) request.log.error({ err: error }, 'goim request failed');
      void reply.status(status).send({ code: -status, message: `${code}: ${message}` });
    });
    const keyed = { onRequest: async (request: FastifyRequest) => void (request.apiCaller = await services.apiKeys.authenticate(bearer(request))) };
    const hide = { schema: { hide: true } };
    const ok = (data?: unknown) => ({ code: 0, message: '', ...(data !== undefined && { data }) });
    const caller = (request: FastifyRequest) => request.apiCaller!;
    const push = (request: FastifyRequest, required: boolean) => ({ operation: int32(request.query as Query, 'operation', required), body: bodyOf(request) });

    app.post('/goim/push/keys', { ...hide, ...keyed }, async (request) => {
      await services.pushes.toKeys(caller(request), list(request.query as Query, 'keys'), push(request, false));
      return ok();
    });
    app.post('/goim/push/mids', { ...hide, ...keyed }, async (request) => {
      const mids = list(request.query as Query, 'mids');
      if (mids.some((mid) => !/^-?\d{1,20}$/.test(mid))) throw new AppError('VALIDATION_FAILED', 'mids must be integers.');
      await services.pushes.toMids(caller(request), mids, push(request, false));
      return ok();
    });
    app.post('/goim/push/room', { ...hide, ...keyed }, async (request) => {
      const query = request.query as Query;
      await services.pushes.toRoom(caller(request), `${text(query, 'type')}://${text(query, 'room')}`, push(request, true));
      return ok();
    });
    app.post('/goim/push/all', { ...hide, ...keyed }, async (request) => {
      const query = request.query as Query;
      const speed = query.speed === undefined ? 0 : int32(query, 'speed', true);
      await services.pushes.toAll(caller(request), speed, push(request, true));
      return ok();
    });

    app.get('/goim/online/top', { ...hide, ...keyed }, async (request) => {
      const query = request.query as Query;
      const type = text(query, 'type');
      const limit = int32(query, 'limit', true);
      if (limit < 1 || limit > 1000) throw new AppError('VALIDATION_FAILED', 'limit must be from 1 to 1000.');
      const tops = Object.entries((await options.online.figures(caller(request).shopId)).rooms)
        .filter(([room]) => room.startsWith(type))
        .map(([room, count]) => ({ room_id: nameOf(room), count }))
        .sort((a, b) => b.count - a.count);
      return ok(tops.slice(0, limit));
    });
    app.get('/goim/online/room', { ...hide, ...keyed }, async (request) => {
      const query = request.query as Query;
      const type = text(query, 'type');
      const rooms = list(query, 'rooms');
      if (rooms.length === 0) throw new AppError('VALIDATION_FAILED', 'rooms is required.');
      const counts = (await options.online.figures(caller(request).shopId)).rooms;
      return ok(Object.fromEntries(rooms.map((room) => [room, counts[roomKey(type, room)] ?? 0])));
    });
    app.get('/goim/online/total', { ...hide, ...keyed }, async (request) => {
      const { connections, people } = await options.online.figures(caller(request).shopId);
      return ok({ ip_count: people, conn_count: connections });
    });

    // For clients that discover their endpoint: public, like the address it gives out.
    app.get('/goim/nodes/weighted', hide, async () => {
      const url = new URL(options.publicUrl);
      const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
      const secure = url.protocol === 'https:';
      return ok({
        domain: url.hostname,
        tcp_port: options.tcpPort() ?? 0,
        ws_port: secure ? 0 : port,
        wss_port: secure ? port : 0,
        heartbeat: 240,
        heartbeat_max: 2,
        nodes: [url.host],
        backoff: { max_delay: 300, base_delay: 3, factor: 1.8, jitter: 0.3 },
      });
    });
  };
}

/** goim's room key, `type://room`; a conversation's is normalised as when it is joined. */
function roomKey(type: string, room: string): string {
  try {
    return parseRoom(`${type}://${room}`).key;
  } catch {
    return `${type}://${room}`;
  }
}

function nameOf(room: string): string {
  return room.slice(room.indexOf('://') + 3);
}

function list(query: Query, name: string): string[] {
  const value = query[name];
  const values = value === undefined ? [] : Array.isArray(value) ? value : [value];
  if (values.some((v) => typeof v !== 'string' || v.length > 200)) throw new AppError('VALIDATION_FAILED', `${name} must be short strings.`);
  return values;
}

function text(query: Query, name: string): string {
  const value = query[name];
  if (typeof value !== 'string' || value === '' || value.length > 200) throw new AppError('VALIDATION_FAILED', `${name} is required, once, up to 200 characters.`);
  return value;
}

function int32(query: Query, name: string, required: boolean): number {
  if (query[name] === undefined && !required) return 0;
  const value = text(query, name);
  if (!/^-?\d{1,10}$/.test(value) || Number(value) > 0x7fff_ffff || Number(value) < -0x8000_0000) throw new AppError('VALIDATION_FAILED', `${name} must be an int32.`);
  return Number(value);
}

function bodyOf(request: FastifyRequest): Uint8Array {
  return Buffer.isBuffer(request.body) ? request.body : new Uint8Array(0);
}
