import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ServerFrame } from '@frontdesk/protocol';
import { HistoryQuerySchema, ReadBodySchema, ReadFrameSchema, SendBodySchema, SendFrameSchema, HistoryFrameSchema } from '@frontdesk/protocol/schemas';
import { call, createShop, openWidget, type CustomerFixture, type ShopFixture } from './support/client.ts';
import { fetchOperations, type Operation } from './support/openapi.ts';
import { startServer, type TestServer } from './support/server.ts';
import { engines } from './support/storage.ts';
import { rawAuthed, type RawClient } from './support/ws-client.ts';

/**
 * One wire contract (issue 16): send, read and history are one request whether they come over
 * HTTP or as a frame on /ws, validated against the same schema of @frontdesk/protocol. The same
 * hostile input gets the same error code on both transports, and the same valid input is taken by
 * both. Each case is the JSON of the request's own fields: HTTP sends it as the body (send, read)
 * or the query (history), with the conversation in the path; the socket sends it as a frame with
 * `type`, `id` and `conversationId` (the envelope, which only the socket has, is not probed here).
 */

interface Case {
  readonly label: string;
  /** The request's fields as JSON text, sent byte for byte (NUL escapes and `__proto__` keys included). */
  readonly fields: string;
  /** Instead of the customer's own conversation. */
  readonly conversationId?: string;
  /** What both transports must answer: an error code, or `accepted`. */
  readonly expect: string;
}

const VALIDATION_FAILED = 'VALIDATION_FAILED';
const UNKNOWN_ID = '0190f0f0-0000-7000-8000-000000000000';
const json = (value: unknown) => JSON.stringify(value);

/** Wrong conversation ids, each refused the same way in a path and in a frame. */
function conversationCases(valid: string, fields: string): Case[] {
  return [
    { label: 'conversationId not a UUID', conversationId: 'not-a-uuid', fields, expect: VALIDATION_FAILED },
    { label: 'conversationId in upper case', conversationId: valid.toUpperCase(), fields, expect: VALIDATION_FAILED },
    { label: 'conversationId too long', conversationId: `${valid}0`, fields, expect: VALIDATION_FAILED },
    { label: 'conversationId with NUL', conversationId: `${valid}\u0000`, fields, expect: VALIDATION_FAILED },
    { label: 'conversationId with a quote', conversationId: `${valid.slice(0, -1)}'`, fields, expect: VALIDATION_FAILED },
    { label: 'unknown conversation', conversationId: UNKNOWN_ID, fields, expect: 'CONVERSATION_NOT_FOUND' },
  ];
}

/** Prototype-pollution shapes and NUL in a key, around otherwise valid fields. */
function poisonCases(valid: string): Case[] {
  const inner = valid.slice(1, -1);
  return [
    { label: '__proto__ key', fields: `{${inner},"__proto__":{"isAdmin":true}}`, expect: VALIDATION_FAILED },
    { label: '__proto__ key holding null', fields: `{"__proto__":null,${inner}}`, expect: VALIDATION_FAILED },
    { label: 'constructor.prototype', fields: `{${inner},"constructor":{"prototype":{"isAdmin":true}}}`, expect: VALIDATION_FAILED },
    { label: 'constructor key', fields: `{${inner},"constructor":1}`, expect: VALIDATION_FAILED },
    { label: 'NUL in a key', fields: `{${inner},"a\\u0000":1}`, expect: VALIDATION_FAILED },
    { label: 'unknown field', fields: `{${inner},"unknownField":1}`, expect: VALIDATION_FAILED },
    { label: 'operator object as a field', fields: `{${inner},"$where":{"$gt":""}}`, expect: VALIDATION_FAILED },
  ];
}

function sendCases(conversationId: string): Case[] {
  const fields = (value: Record<string, unknown>) => json(value);
  const refused = (label: string, value: Record<string, unknown>): Case => ({ label, fields: fields(value), expect: VALIDATION_FAILED });
  const valid = fields({ clientMsgId: 'probe', text: 'hello' });
  return [
    refused('missing clientMsgId', { text: 'hello' }),
    refused('empty fields', {}),
    refused('clientMsgId a number', { clientMsgId: 123, text: 'hello' }),
    refused('clientMsgId null', { clientMsgId: null, text: 'hello' }),
    refused('clientMsgId an array', { clientMsgId: ['a'], text: 'hello' }),
    refused('clientMsgId an operator object', { clientMsgId: { $gt: '' }, text: 'hello' }),
    refused('clientMsgId empty', { clientMsgId: '', text: 'hello' }),
    refused('clientMsgId in the campaigns’ reserved space', { clientMsgId: 'campaign:0193aa', text: 'hello' }),
    refused('clientMsgId too long', { clientMsgId: 'a'.repeat(65), text: 'hello' }),
    refused('clientMsgId with a space', { clientMsgId: 'a b', text: 'hello' }),
    refused('clientMsgId with a slash', { clientMsgId: '../a', text: 'hello' }),
    refused('clientMsgId with markup', { clientMsgId: '<script>', text: 'hello' }),
    refused('clientMsgId with a newline', { clientMsgId: 'a\nb', text: 'hello' }),
    refused('clientMsgId not ASCII', { clientMsgId: 'café', text: 'hello' }),
    refused('clientMsgId with NUL', { clientMsgId: 'a\u0000', text: 'hello' }),
    refused('text a number', { clientMsgId: 'x1', text: 42 }),
    refused('text an array', { clientMsgId: 'x2', text: ['hello'] }),
    refused('text an object', { clientMsgId: 'x3', text: { $ne: null } }),
    refused('text too long', { clientMsgId: 'x4', text: 'x'.repeat(8001) }),
    refused('text too long in code points', { clientMsgId: 'x5', text: '🙂'.repeat(8001) }),
    refused('text with NUL', { clientMsgId: 'x6', text: 'a\u0000b' }),
    refused('text missing for a text message', { clientMsgId: 'x7', contentType: 'text' }),
    refused('text empty', { clientMsgId: 'x7a', text: '' }),
    refused('text only spaces', { clientMsgId: 'x7b', text: '  \n ' }),
    refused('contentType unknown', { clientMsgId: 'x8', contentType: 'video', text: 'hello' }),
    refused('contentType a boolean', { clientMsgId: 'x9', contentType: true, text: 'hello' }),
    refused('visibility unknown', { clientMsgId: 'x10', visibility: 'secret', text: 'hello' }),
    refused('attachmentId not a UUID', { clientMsgId: 'x11', contentType: 'file', text: '', attachmentId: 'not-a-uuid' }),
    refused('attachmentId in upper case', { clientMsgId: 'x12', contentType: 'file', text: '', attachmentId: UNKNOWN_ID.toUpperCase() }),
    refused('attachmentId a number', { clientMsgId: 'x13', contentType: 'file', text: '', attachmentId: 1 }),
    { label: 'unknown attachment', fields: fields({ clientMsgId: 'x14', contentType: 'file', text: '', attachmentId: UNKNOWN_ID }), expect: 'ATTACHMENT_NOT_FOUND' },
    { label: 'internal note from a customer', fields: fields({ clientMsgId: 'x15', text: 'psst', visibility: 'internal' }), expect: 'FORBIDDEN' },
    ...poisonCases(valid),
    ...conversationCases(conversationId, valid),
  ];
}

function readCases(conversationId: string): Case[] {
  const refused = (label: string, fields: string): Case => ({ label, fields, expect: VALIDATION_FAILED });
  return [
    refused('missing seq', '{}'),
    refused('seq a string', '{"seq":"1"}'),
    refused('seq a boolean', '{"seq":true}'),
    refused('seq null', '{"seq":null}'),
    refused('seq an array', '{"seq":[1]}'),
    refused('seq an operator object', '{"seq":{"$gt":0}}'),
    refused('seq a fraction', '{"seq":1.5}'),
    refused('seq negative', '{"seq":-1}'),
    refused('seq past 32 bits', '{"seq":2147483648}'),
    refused('seq huge', '{"seq":99999999999999999999}'),
    refused('seq beyond a double', '{"seq":1e400}'),
    ...poisonCases('{"seq":1}'),
    ...conversationCases(conversationId, '{"seq":1}'),
  ];
}

function historyCases(conversationId: string): Case[] {
  const refused = (label: string, fields: string): Case => ({ label, fields, expect: VALIDATION_FAILED });
  return [
    refused('beforeSeq not a number', '{"beforeSeq":"abc"}'),
    refused('beforeSeq zero', '{"beforeSeq":0}'),
    refused('beforeSeq negative', '{"beforeSeq":-1}'),
    refused('beforeSeq a fraction', '{"beforeSeq":1.5}'),
    refused('beforeSeq past 32 bits', '{"beforeSeq":2147483648}'),
    refused('beforeSeq huge', '{"beforeSeq":99999999999999999999}'),
    refused('beforeSeq a boolean', '{"beforeSeq":true}'),
    refused('beforeSeq null', '{"beforeSeq":null}'),
    refused('beforeSeq twice', '{"beforeSeq":[1,2]}'),
    refused('beforeSeq an operator object', '{"beforeSeq":{"$gt":""}}'),
    refused('beforeSeq with NUL', '{"beforeSeq":"1\\u0000"}'),
    refused('afterSeq negative', '{"afterSeq":-1}'),
    refused('afterSeq past 32 bits', '{"afterSeq":2147483648}'),
    refused('limit zero', '{"limit":0}'),
    refused('limit above a page', '{"limit":101}'),
    refused('limit not a number', '{"limit":"ten"}'),
    refused('both beforeSeq and afterSeq', '{"beforeSeq":5,"afterSeq":1}'),
    refused('unknown field', '{"limit":1,"cursor":"x"}'),
    refused('__proto__ key', '{"limit":1,"__proto__":"x"}'),
    refused('constructor key', '{"limit":1,"constructor":"x"}'),
    refused('NUL in a key', '{"limit":1,"a\\u0000":"1"}'),
    ...conversationCases(conversationId, '{"limit":1}'),
  ];
}

/** History's fields as a query string: arrays repeat the key, objects use brackets (which the server does not parse). */
function toQuery(fields: string): string {
  const params: string[] = [];
  const add = (key: string, value: unknown) => {
    if (Array.isArray(value)) value.forEach((item) => add(key, item));
    else if (typeof value === 'object' && value !== null) Object.entries(value).forEach(([k, v]) => add(`${key}[${k}]`, v));
    else params.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  };
  // Numbers go as written: 99999999999999999999 must not become 100000000000000000000.
  const parsed = JSON.parse(fields.replace(/:(-?[0-9][0-9.e+-]*)/g, ':"$1"')) as Record<string, unknown>;
  for (const [key, value] of Object.entries(parsed)) add(key, value);
  return params.join('&');
}

/** The frame: the socket's envelope, then the same fields text. */
function frameText(type: string, id: string, conversationId: string, fields: string): string {
  const rest = fields.slice(1);
  return `{"type":"${type}","id":"${id}","conversationId":${json(conversationId)}${rest === '}' ? '' : ','}${rest}`;
}

/** The reply to the frame with `id`: its answer or its error. */
function replyTo(client: RawClient, id: string, timeoutMs = 5_000): Promise<ServerFrame> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.ws.off('message', look);
      reject(new Error(`no reply to frame ${id}`));
    }, timeoutMs);
    const look = (data: unknown) => {
      const frame = JSON.parse(String(data)) as ServerFrame;
      if (!('id' in frame) || frame.id !== id) return;
      clearTimeout(timer);
      client.ws.off('message', look);
      resolve(frame);
    };
    client.ws.on('message', look);
  });
}

type Kind = 'send' | 'read' | 'history';

for (const engine of engines) {
  describe(`one wire contract on ${engine}`, () => {
    let server: TestServer;
    let shop: ShopFixture;
    let customer: CustomerFixture;
    let socket: RawClient;
    let operations: Operation[];
    let frames = 0;

    before(async () => {
      server = await startServer(engine, { WS_RATE_PER_SECOND: '100000', WS_RATE_BURST: '100000' });
      shop = await createShop(server);
      customer = await openWidget(server, shop.shopId);
      socket = await rawAuthed(server, customer.token);
      operations = await fetchOperations(server);
    });
    after(async () => {
      socket.close();
      await server.close();
    });

    const path = (conversationId: string, tail: string) => `/api/v1/conversations/${encodeURIComponent(conversationId)}/${tail}`;

    /** What HTTP answers: the error code, or `accepted`. */
    async function overHttp(kind: Kind, c: Case): Promise<string> {
      const conversationId = c.conversationId ?? customer.conversationId;
      const reply =
        kind === 'history'
          ? await call(server, 'GET', `${path(conversationId, 'messages')}?${toQuery(c.fields)}`, { token: customer.token })
          : await call(server, 'POST', path(conversationId, kind === 'send' ? 'messages' : 'read'), { token: customer.token, rawBody: c.fields });
      if (reply.status === 200 || reply.status === 201) return 'accepted';
      return (reply.body as { error?: { code?: string } }).error?.code ?? `status ${reply.status}`;
    }

    /** What the socket answers: the error code, or `accepted`. */
    async function overSocket(kind: Kind, c: Case): Promise<string> {
      const id = `f${++frames}`;
      const reply = replyTo(socket, id);
      socket.send(frameText(kind, id, c.conversationId ?? customer.conversationId, c.fields));
      const frame = await reply;
      const answers: Record<Kind, string> = { send: 'ack', read: 'read', history: 'history.result' };
      if (frame.type === answers[kind]) return 'accepted';
      return frame.type === 'error' ? frame.code : `frame ${frame.type}`;
    }

    async function mismatches(kind: Kind, cases: readonly Case[]): Promise<string[]> {
      const problems: string[] = [];
      for (const c of cases) {
        const [http, ws] = [await overHttp(kind, c), await overSocket(kind, c)];
        if (http !== c.expect || ws !== c.expect) problems.push(`${kind} ${c.label}: HTTP ${http}, WebSocket ${ws}, expected ${c.expect}`);
      }
      return problems;
    }

    const messageCount = async () =>
      Number((await server.storage.db.selectFrom('messages').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

    test('HTTP and the socket take the fields of one schema', () => {
      const body = (key: string) => operations.find((op) => op.key === key)?.body;
      const query = (key: string) => Object.fromEntries((operations.find((op) => op.key === key)?.queryParams ?? []).map((p) => [p.name, p.schema]));
      // As the document shows a schema: JSON, with `const` written as a one-value `enum` (@fastify/swagger does so for OpenAPI 3).
      const wire = (schema: object) =>
        JSON.parse(JSON.stringify(schema), (_key, value: unknown) => {
          if (typeof value !== 'object' || value === null || !('const' in value)) return value;
          const { const: only, ...rest } = value;
          return { ...rest, enum: [only] };
        }) as unknown;
      const fieldsOf = (frame: { properties: object }) => {
        const { type: _type, id: _id, conversationId: _conversationId, ...fields } = frame.properties as Record<string, unknown>;
        return wire(fields);
      };
      // The OpenAPI document shows the protocol's schemas, and the frames carry the same fields.
      assert.deepEqual(body('POST /api/v1/conversations/{conversationId}/messages'), wire(SendBodySchema));
      assert.deepEqual(body('POST /api/v1/conversations/{conversationId}/read'), wire(ReadBodySchema));
      assert.deepEqual(query('GET /api/v1/conversations/{conversationId}/messages'), wire(HistoryQuerySchema.properties));
      assert.deepEqual(fieldsOf(SendFrameSchema), wire(SendBodySchema.properties));
      assert.deepEqual(fieldsOf(ReadFrameSchema), wire(ReadBodySchema.properties));
      assert.deepEqual(fieldsOf(HistoryFrameSchema), wire(HistoryQuerySchema.properties));
    });

    test('the same hostile input gets the same error code over HTTP and the socket, and writes nothing', async () => {
      const before = await messageCount();
      const cases = {
        send: sendCases(customer.conversationId),
        read: readCases(customer.conversationId),
        history: historyCases(customer.conversationId),
      };
      assert.ok(Object.values(cases).flat().length > 80);
      const problems = [
        ...(await mismatches('send', cases.send)),
        ...(await mismatches('read', cases.read)),
        ...(await mismatches('history', cases.history)),
      ];
      assert.deepEqual(problems, []);
      assert.equal(await messageCount(), before, 'no hostile send was stored');
      assert.equal((await call(server, 'GET', '/healthz')).status, 200);
    });

    test('the same valid input is taken by both', async () => {
      const before = await messageCount();
      // Each transport sends its own clientMsgIds: the same one twice would be one message.
      const sends = (transport: string): Case[] =>
        [
          { clientMsgId: `plain-${transport}`, text: 'hello' },
          { clientMsgId: `full-${transport}`, contentType: 'text', text: 'hello', visibility: 'public' },
          { clientMsgId: `longest-${transport}-${'a'.repeat(64 - 9 - transport.length)}`, text: 'x'.repeat(8000) },
          { clientMsgId: `emoji.${transport}:1`, text: '🙂'.repeat(4000) },
        ].map((fields) => ({ label: fields.clientMsgId, fields: json(fields), expect: 'accepted' }));
      const problems: string[] = [];
      for (const c of sends('http')) {
        const got = await overHttp('send', c);
        if (got !== 'accepted') problems.push(`send over HTTP ${c.label}: ${got}`);
      }
      for (const c of sends('ws')) {
        const got = await overSocket('send', c);
        if (got !== 'accepted') problems.push(`send over the socket ${c.label}: ${got}`);
      }
      const accepted = (label: string, fields: string): Case => ({ label, fields, expect: 'accepted' });
      problems.push(
        ...(await mismatches('read', [accepted('seq 0', '{"seq":0}'), accepted('seq 1', '{"seq":1}'), accepted('seq at the 32-bit bound', '{"seq":2147483647}')])),
        ...(await mismatches('history', [
          accepted('no fields', '{}'),
          accepted('beforeSeq and limit', '{"beforeSeq":1,"limit":1}'),
          accepted('afterSeq 0', '{"afterSeq":0}'),
          accepted('largest page', '{"limit":100}'),
          accepted('beforeSeq at the 32-bit bound', '{"beforeSeq":2147483647}'),
          accepted('afterSeq at the 32-bit bound', '{"afterSeq":2147483647}'),
        ])),
      );
      assert.deepEqual(problems, []);
      assert.equal(await messageCount(), before + 8);
      // What each stored is the same message shape: HTTP's history shows the socket's sends too.
      const history = await call(server, 'GET', `${path(customer.conversationId, 'messages')}?limit=100`, { token: customer.token });
      const ids = (history.body as { items: { clientMsgId: string }[] }).items.map((m) => m.clientMsgId);
      for (const c of [...sends('http'), ...sends('ws')]) assert.ok(ids.includes(JSON.parse(c.fields).clientMsgId), c.label);
    });
  });
}
