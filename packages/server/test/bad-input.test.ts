import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, createShop, openWidget, send, type CustomerFixture, type Reply, type ShopFixture } from './support/client.ts';
import {
  bodyAccepts,
  fetchOperations,
  fillPath,
  locations,
  objectLocations,
  paramAccepts,
  queryAccepts,
  refusalProblems,
  remove,
  replaceAt,
  schemaPaths,
  valuePaths,
  type Operation,
} from './support/openapi.ts';
import { snapshotRows } from './support/snapshot.ts';
import { startServer, type TestServer } from './support/server.ts';
import { engines } from './support/storage.ts';
import { rawAuthed } from './support/ws-client.ts';

/**
 * Bad input. Every operation of the OpenAPI document is swept with hostile variants of its path
 * parameters, query, body, media type and size, with a staff owner's token, a customer's token and
 * none. Every answer must be a 4xx with a catalogue error whose status is the HTTP status; never a
 * 500, and nothing may be written.
 */

/** Small enough to exceed cheaply, big enough that a 100k string reaches validation. */
const BODY_LIMIT = 200_000;
const HUGE = 'x'.repeat(100_000);

interface Probe {
  readonly label: string;
  readonly method: string;
  readonly url: string;
  /** Raw body, sent as is. */
  readonly body?: string;
  readonly headers?: Record<string, string>;
  /** The request is invalid by the document (or by a rule outside it, like NUL): it must get a 4xx. */
  readonly mustReject: boolean;
  /** Whether the bearer token of the pass may be added. */
  readonly withToken: boolean;
}

const hasNul = (value: unknown): boolean => JSON.stringify(value)?.includes('\\u0000') ?? false;
const json = (value: unknown) => JSON.stringify(value);
const enc = encodeURIComponent;

/** Replacements for every value inside a body: wrong types, boundaries, injection shapes. */
const replacements: readonly unknown[] = [
  { $gt: '' },
  { $ne: null },
  {},
  [],
  ['x'],
  [{}],
  12345,
  1e308,
  -1,
  0,
  1.5,
  true,
  false,
  null,
  '',
  HUGE,
  'a\u0000b',
  '__proto__',
  remove,
];

/** Hostile path parameter values, already URL-encoded. */
function pathValues(valid: string): string[] {
  return [
    enc('{"$gt":""}'),
    enc('[]'),
    '%5B%5D',
    '%00',
    enc(`${valid}\u0000`),
    'a'.repeat(300),
    'a'.repeat(150),
    'not-a-uuid',
    valid.toUpperCase(),
    `${valid}x`,
    valid.slice(0, -1),
    '%E0%A4%A',
    '..%2F..%2Fadmin',
    '1',
    '-1',
    '1e400',
    'null',
    'undefined',
    '__proto__',
    'constructor',
    enc("' OR 1=1 --"),
    '%20',
  ];
}

/** Hostile query strings for one parameter. */
function queryValues(name: string): string[] {
  return [
    `${name}[$gt]=`,
    `${name}[]=1`,
    `${name}=1&${name}=2`,
    `${name}=${enc('{"$gt":""}')}`,
    `${name}=${enc('[]')}`,
    `${name}=1e400`,
    `${name}=99999999999999999999`,
    `${name}=2147483648`,
    `${name}=-1`,
    `${name}=-99999999999`,
    `${name}=abc`,
    `${name}=`,
    `${name}=1.5`,
    `${name}=0x10`,
    `${name}=%00`,
    `${name}=${'x'.repeat(5000)}`,
    `${name}=true`,
    `${name}=null`,
    `${name}=${enc("' OR 1=1 --")}`,
  ];
}

/** The query object the server sees: repeated keys become arrays. */
function parseQuery(query: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(query)) {
    const seen = out[key];
    out[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return out;
}

/** Bodies no operation may accept, whatever its schema. */
const malformed: readonly { label: string; body: string; contentType?: string }[] = [
  { label: 'truncated JSON', body: '{"a":' },
  { label: 'missing value', body: '{"a":}' },
  { label: 'open bracket', body: '[' },
  { label: 'lone comma', body: '{,}' },
  { label: 'undefined', body: 'undefined' },
  { label: 'NaN', body: 'NaN' },
  { label: 'trailing brace', body: '{"a":1}}' },
  { label: 'single quotes', body: "{'a':1}" },
  { label: 'raw NUL', body: '\u0000' },
  { label: 'empty JSON body', body: '' },
  { label: '__proto__ poisoning', body: '{"__proto__":{"x":1}}' },
  { label: 'nested __proto__ poisoning', body: '{"a":{"__proto__":{"isAdmin":true}}}' },
  { label: 'constructor poisoning', body: '{"constructor":{"prototype":{"x":1}}}' },
  { label: 'form-urlencoded', body: 'a=1&b=2', contentType: 'application/x-www-form-urlencoded' },
  { label: 'XML', body: '<a>1</a>', contentType: 'application/xml' },
  { label: 'multipart', body: '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n', contentType: 'multipart/form-data; boundary=x' },
  { label: 'oversized JSON', body: json({ x: 'a'.repeat(BODY_LIMIT + 1000) }) },
  { label: 'oversized text', body: 'a'.repeat(BODY_LIMIT + 1000), contentType: 'text/plain' },
];

/** Hostile Authorization headers: always "not signed in". */
const authHeaders: readonly string[] = [
  `Bearer ${'x'.repeat(5000)}`,
  'Bearer {"$gt":""}',
  'Bearer []',
  'Bearer null',
  'Basic Zm9vOmJhcg==',
  'Bearer',
  'Bearer a b',
  'fds_not-a-token',
];

async function pool<T, R>(items: readonly T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i]!);
      }
    }),
  );
  return results;
}

for (const engine of engines) {
  describe(`bad input on ${engine}`, () => {
    let server: TestServer;
    let shop: ShopFixture;
    let customer: CustomerFixture;
    let messageId: string;
    let attachmentId: string;
    let uploadId: string;
    let linkQuery: string;
    let cannedId: string;
    let webhookId: string;
    let deliveryId: string;
    let broadcastId: string;
    let apiKeyId: string;
    let labelId: string;
    let otherLabelId: string;
    let noteId: string;
    let viewId: string;
    let campaignId: string;
    let operations: Operation[];

    before(async () => {
      server = await startServer(engine, { HTTP_BODY_LIMIT: String(BODY_LIMIT), WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE: 'true' });
      shop = await createShop(server);
      customer = await openWidget(server, shop.shopId);
      const sent = await send(server, customer.token, customer.conversationId, 'the only message');
      assert.equal(sent.status, 201);
      messageId = sent.body.id;
      // The agent's (no pass below uses the agent's token): an unsent attachment and an upload.
      const form = new FormData();
      form.append('file', new Blob(['probe attachment\n']), 'probe.txt');
      const uploaded = await fetch(`${server.url}/api/v1/conversations/${customer.conversationId}/attachments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${shop.agentToken}` },
        body: form,
      });
      assert.equal(uploaded.status, 201);
      attachmentId = ((await uploaded.json()) as { id: string }).id;
      const started = await call(server, 'POST', `/api/v1/conversations/${customer.conversationId}/uploads`, { token: shop.agentToken, body: { name: 'p.bin', size: 10 } });
      uploadId = started.body.id;
      linkQuery = (await call(server, 'GET', `/api/v1/attachments/${attachmentId}/link`, { token: shop.agentToken })).body.url.split('?')[1];
      const canned = await call(server, 'POST', '/api/v1/canned-responses', { token: shop.ownerToken, body: { shortcut: 'probe', title: 'Probe', text: 'Probe text' } });
      assert.equal(canned.status, 201);
      cannedId = canned.body.id;
      // An endpoint (subscribed to nothing this suite does) with a delivery in its log.
      const hook = await call(server, 'POST', '/api/v1/webhooks', { token: shop.ownerToken, body: { url: 'http://127.0.0.1:9/probe', events: ['staff.created'] } });
      assert.equal(hook.status, 201);
      webhookId = hook.body.id;
      deliveryId = '01890a5d-ac96-774b-bcce-b302099a8058';
      await server.storage.db
        .insertInto('webhook_deliveries')
        .values({
          id: deliveryId, endpoint_id: webhookId, shop_id: shop.shopId, event_id: deliveryId, event: 'staff.created', payload: '{}', status: 'delivered',
          attempts: 1, next_attempt_at: null, retry_until: 0, locked_until: null, last_attempt_at: 0, response_status: 200, error: null, created_at: 0, delivered_at: 0,
        })
        .execute();
      const broadcast = await call(server, 'POST', '/api/v1/broadcasts', { token: shop.ownerToken, body: { title: 'Probe', text: 'Probe broadcast', to: 'all' } });
      assert.equal(broadcast.status, 201);
      broadcastId = broadcast.body.id;
      const apiKey = await call(server, 'POST', '/api/v1/api-keys', { token: shop.ownerToken, body: { name: 'Probe' } });
      assert.equal(apiKey.status, 201);
      apiKeyId = apiKey.body.id;
      const created = async (path: string, body: unknown) => {
        const reply = await call(server, 'POST', path, { token: shop.ownerToken, body });
        assert.equal(reply.status, 201, JSON.stringify(reply.body));
        return reply.body.id as string;
      };
      labelId = await created('/api/v1/labels', { name: 'Probe', color: '#123456' });
      otherLabelId = await created('/api/v1/labels', { name: 'Other probe', color: '#654321' });
      noteId = await created(`/api/v1/contacts/${customer.customerId}/notes`, { text: 'Probe note' });
      viewId = await created('/api/v1/views', { name: 'Probe view', filters: { view: 'open' } });
      const campaign = await call(server, 'POST', '/api/v1/campaigns', { token: shop.ownerToken, body: { name: 'Probe', kind: 'one_off', senderId: shop.agentId, text: 'Probe campaign', audience: { all: true } } });
      assert.equal(campaign.status, 201);
      campaignId = campaign.body.id;
      operations = await fetchOperations(server);
    });
    after(() => server.close());

    /** Valid path parameters: the hostile part of a probe is then the one thing changed. */
    const validParams = (): Record<string, string> => ({
      conversationId: customer.conversationId,
      messageId,
      staffId: shop.agentId,
      attachmentId,
      uploadId,
      variant: 'original',
      cannedId,
      customerId: customer.customerId,
      webhookId,
      deliveryId,
      broadcastId,
      apiKeyId,
      noteId,
      labelId,
      viewId,
      campaignId,
      action: 'cancel',
      shopId: shop.shopId,
      logoId: 'a'.repeat(64),
    });

    /** Valid values of the required query parameters, where an operation has them. */
    const validQueries = (): Record<string, string> => ({
      'PUT /api/v1/uploads/{uploadId}': 'offset=0',
      'GET /api/v1/files/{attachmentId}/{variant}': linkQuery,
      'GET /api/v1/search': 'q=only',
      'GET /api/v1/widget/campaigns': `url=${enc('https://shop.example/products/1')}`,
      'GET /api/v1/stats/report': 'from=2026-01-01&to=2026-01-31&timezone=Europe%2FBerlin',
      'GET /api/v1/stats/report.csv': 'from=2026-01-01&to=2026-01-31&timezone=Europe%2FBerlin',
    });

    /** Valid bodies of every operation that takes one, with every property the schema knows. */
    const validBodies = (): Record<string, unknown[]> => ({
      'POST /api/v1/auth/login': [{ email: 'nobody@example.test', password: 'not the password' }],
      'POST /api/v1/widget/sessions': [
        {
          shopId: shop.shopId,
          visitorToken: 'fdv_unknown',
          identity: { jwt: 'a.b.c' },
          profile: { name: 'Ann', email: 'ann@example.test', attributes: { plan: 'gold', orders: 3, vip: true } },
          locale: 'zh-CN',
        },
        { shopId: shop.shopId, identity: { externalId: 'ext-1', identifierHash: 'a'.repeat(64), platform: false } },
        { shopId: shop.shopId, signInLink: 'eyJzIjoiYSJ9.c2lnbmF0dXJl' },
      ],
      'PATCH /api/v1/widget/profile': [{ email: 'ann@example.test', name: 'Ann' }],
      'POST /api/v1/widget/csat': [{ inquiryId: '01890a5d-ac96-774b-bcce-b302099a8057', rating: 4, comment: 'Quick and kind' }],
      'POST /api/v1/conversations/{conversationId}/messages': [
        { clientMsgId: 'probe-1', contentType: 'text', text: 'hello', visibility: 'public', mentions: [shop.agentId, 'all'] },
        { clientMsgId: 'probe-2', contentType: 'file', text: '', attachmentId: '01890a5d-ac96-774b-bcce-b302099a8057' },
      ],
      'POST /api/v1/conversations/{conversationId}/uploads': [{ name: 'report.pdf', size: 1000 }],
      'POST /api/v1/conversations/{conversationId}/read': [{ seq: 1 }],
      'PATCH /api/v1/shop': [
        {
          name: 'Renamed',
          settings: {
            routingStrategy: 'manual',
            defaultCapacity: 3,
            widgetOrigins: ['https://shop.example'],
            autoReassignSeconds: 60,
            offlineMessage: 'Back soon',
            email: { enabled: true, fromName: 'Shop support', delayMinutes: 15, transcriptOnClose: true, askBeforeChat: true },
            widget: { color: '#0f766e', greeting: 'Hello!', position: 'left', launcherText: 'Help', logo: null, prechat: { name: 'required', email: 'optional' } },
            csat: { enabled: true },
            maxAttachmentBytes: 4096,
            allowedAttachmentTypes: ['image/png', 'application/pdf'],
            businessHours: {
              timezone: 'Europe/Berlin',
              days: {
                mon: [['09:00', '12:00'], ['13:00', '17:00']],
                tue: [['09:00', '17:00']],
                wed: [['09:00', '17:00']],
                thu: [['09:00', '17:00']],
                fri: [['09:00', '24:00']],
                sat: [['10:00', '14:00']],
                sun: [['11:00', '15:00']],
              },
            },
          },
        },
      ],
      // A 1×1 PNG.
      'POST /api/v1/shop/logo': [{ contentBase64: 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==' }],
      'POST /api/v1/staff': [{ email: 'new-staff@example.test', name: 'New', role: 'agent', password: 'long enough secret', capacity: 2 }],
      'PATCH /api/v1/staff/{staffId}': [{ name: 'New name', role: 'agent', capacity: 2, disabled: false }],
      'POST /api/v1/conversations/{conversationId}/transfer': [{ toStaffId: shop.agentId, note: 'yours' }, { toStaffId: null }],
      'POST /api/v1/conversations/{conversationId}/invite': [{ staffId: shop.agentId }],
      'POST /api/v1/canned-responses': [{ shortcut: 'refund', title: 'Refund policy', text: 'Within 30 days.' }],
      'PATCH /api/v1/canned-responses/{cannedId}': [{ shortcut: 'refund-2', title: 'Refunds', text: 'Within 60 days.' }],
      'POST /api/v1/webhooks': [{ url: 'https://hooks.example.test/frontdesk', events: ['message.created', 'inquiry.closed'], includeInternal: false, secret: 'a-secret-of-enough-length' }],
      'POST /api/v1/direct': [{ staffId: shop.agentId }],
      'POST /api/v1/groups': [{ title: 'Night shift', memberIds: [shop.agentId] }],
      'PATCH /api/v1/groups/{conversationId}': [{ title: 'Night owls' }],
      'POST /api/v1/groups/{conversationId}/members': [{ staffIds: [shop.agentId] }],
      'PATCH /api/v1/groups/{conversationId}/members/{staffId}': [{ role: 'admin' }, { role: 'member' }],
      'PATCH /api/v1/conversations/{conversationId}/membership': [{ muted: true }, { muted: '2030-01-01T00:00:00.000Z' }],
      'PATCH /api/v1/conversations/{conversationId}/messages/{messageId}': [{ text: 'edited' }],
      'POST /api/v1/broadcasts': [
        { title: 'Holiday', text: 'Closed on Monday', to: 'all' },
        { title: 'Some', text: 'For a few', to: { staffIds: [shop.agentId], groupIds: ['01890a5d-ac96-774b-bcce-b302099a8057'] } },
      ],
      'POST /api/v1/api-keys': [{ name: 'Order system' }],
      'POST /api/v1/campaigns': [
        {
          name: 'Spring', kind: 'one_off', senderId: shop.agentId, text: 'Sale', scheduledAt: '2030-01-01T00:00:00.000Z', throttlePerSecond: 50,
          audience: { labelIds: ['01890a5d-ac96-774b-bcce-b302099a8057'], attributes: [{ key: 'plan', op: 'eq', value: 'gold' }, { key: 'vip', op: 'exists' }] },
        },
        { name: 'List', kind: 'one_off', senderId: shop.agentId, text: 'Sale', audience: { externalIds: ['order-1'] } },
        { name: 'All', kind: 'one_off', senderId: shop.agentId, text: 'Sale', audience: { all: true, platformOnly: true } },
        { name: 'Help', kind: 'ongoing', senderId: shop.agentId, text: 'Need help?', trigger: { urlPattern: 'https://shop.example/*', delaySeconds: 10, businessHoursOnly: true } },
      ],
      'PATCH /api/v1/campaigns/{campaignId}': [
        { name: 'Renamed', senderId: shop.agentId, text: 'New text', audience: { all: true, attributes: [{ key: 'orders', op: 'gt', value: 3 }] }, scheduledAt: '2030-01-01T00:00:00.000Z', throttlePerSecond: 10 },
        { audience: { labelIds: ['01890a5d-ac96-774b-bcce-b302099a8057'], platformOnly: true } },
        { audience: { externalIds: ['order-1'] } },
        { trigger: { urlPattern: 'https://shop.example/*', delaySeconds: 10, businessHoursOnly: true } },
        { scheduledAt: null, throttlePerSecond: null },
      ],
      'POST /api/v1/campaigns/audience': [
        { audience: { all: true, attributes: [{ key: 'orders', op: 'gt', value: 3 }] } },
        { audience: { labelIds: ['01890a5d-ac96-774b-bcce-b302099a8057'] } },
        { audience: { externalIds: ['order-1'], platformOnly: true } },
      ],
      'PUT /api/v1/channels/wechat': [{ appId: 'wx1234567890abcdef', appSecret: '0123456789abcdef0123456789abcdef', token: 'wechatToken1', encodingAesKey: 'a'.repeat(43), originalId: 'gh_0123456789ab' }],
      'POST /api/v1/push/messages': [{ externalId: 'order-1', clientMsgId: 'push-1', text: 'Shipped', staffId: shop.agentId }],
      'POST /api/v1/push/events': [
        { to: { externalId: 'order-1' }, operation: 1000, body: '{"shipped":true}' },
        { to: { conversationId: customer.conversationId }, body: 'x' },
        { to: { room: 'live://1000' }, body: 'x' },
      ],
      'PATCH /api/v1/contacts/{customerId}': [{ name: 'New name', email: 'new@example.test', attributes: { plan: 'gold', orders: 3, vip: true }, optedOut: true }],
      'POST /api/v1/contacts/{customerId}/notes': [{ text: 'A note' }],
      'PATCH /api/v1/contacts/{customerId}/notes/{noteId}': [{ text: 'Edited note' }],
      'POST /api/v1/contacts/labels': [{ ids: [customer.customerId], add: [labelId], remove: [otherLabelId] }],
      'POST /api/v1/conversations/labels': [{ ids: [customer.conversationId], add: [labelId], remove: [otherLabelId] }],
      'POST /api/v1/labels': [{ name: 'Urgent', color: '#ff0000' }],
      'PATCH /api/v1/conversations/{conversationId}': [{ priority: 'high', snoozedUntil: '2099-01-01T00:00:00.000Z' }, { snoozedUntil: null }],
      'PATCH /api/v1/labels/{labelId}': [{ name: 'Renamed', color: '#00ff00' }],
      'POST /api/v1/views': [{ name: 'Mine', filters: { view: 'open', status: 'queued', assigneeId: shop.agentId, labelId, channel: 'web', priority: 'urgent', sort: 'priority' } }],
      'PATCH /api/v1/views/{viewId}': [{ name: 'Renamed', filters: { view: 'snoozed', status: 'assigned', assigneeId: shop.agentId, labelId, channel: 'api', priority: 'none', sort: 'recent' } }],
      'PATCH /api/v1/webhooks/{webhookId}': [{ url: 'https://hooks.example.test/other', events: ['staff.updated'], includeInternal: true, secret: 'another-secret-long-enough', active: false }],
    });

    function probesFor(op: Operation): Probe[] {
      const params = validParams();
      const bodies = validBodies()[op.key] ?? [];
      const validBody = bodies[0] === undefined ? undefined : json(bodies[0]);
      const base = { method: op.method, withToken: true };
      const out: Probe[] = [];
      const required = validQueries()[op.key] ?? '';
      const url = (values: Record<string, string>, query = required) => fillPath(op.path, values) + (query ? `?${query}` : '');

      // Path parameters, one at a time, the rest valid.
      for (const param of op.pathParams) {
        for (const value of pathValues(params[param.name]!)) {
          let decoded: string | undefined;
          try {
            decoded = decodeURIComponent(value);
          } catch {
            decoded = undefined;
          }
          // Only values the document refuses: an accepted one would really change something.
          if (decoded !== undefined && !decoded.includes('\u0000') && paramAccepts(param, decoded)) continue;
          out.push({
            ...base,
            label: `path ${param.name}=${value.slice(0, 40)}`,
            url: url({ ...params, [param.name]: value }),
            ...(validBody !== undefined && { body: validBody }),
            mustReject: true,
          });
        }
      }

      // Query parameters, one at a time, plus unknown ones.
      if (op.queryParams.length > 0) {
        const queries = [
          ...op.queryParams.flatMap((p) => queryValues(p.name)),
          'unknownParam=1',
          '__proto__=1',
          `__proto__[x]=1`,
          'constructor[prototype][x]=1',
          `${op.queryParams[0]!.name}=1&unknownParam[$gt]=`,
        ];
        for (const query of queries) {
          out.push({
            ...base,
            label: `query ${query.slice(0, 60)}`,
            url: url(params, query),
            mustReject: !queryAccepts(op.queryParams, parseQuery(query)) || query.includes('%00'),
          });
        }
      }

      if (op.method === 'GET') return out;

      // Bodies: every value of every valid body replaced, unknown fields added, each sent only when invalid.
      if (op.body) {
        const schema = op.body;
        const variants = new Map<string, string>();
        for (const valid of bodies) {
          for (const at of locations(valid)) {
            for (const replacement of replacements) {
              if (at.length === 0 && replacement === remove) continue;
              variants.set(json(replaceAt(valid, at, replacement)), `body ${at.join('.') || '(root)'} = ${json(replacement === remove ? 'removed' : replacement)?.slice(0, 30)}`);
            }
          }
          for (const at of objectLocations(valid)) {
            variants.set(json(replaceAt(valid, [...at, 'unknownField'], 1)), `body unknown field at ${at.join('.') || '(root)'}`);
            variants.set(json(replaceAt(valid, [...at, 'constructor'], { prototype: { x: 1 } })), `body constructor at ${at.join('.') || '(root)'}`);
          }
        }
        for (const [body, label] of variants) {
          const parsed: unknown = JSON.parse(body);
          const mustReject = !bodyAccepts(schema, parsed) || hasNul(parsed) || body.includes('"constructor":{"prototype"');
          if (mustReject) out.push({ ...base, label, url: url(params), body, mustReject });
        }
        const first = Object.keys(bodies[0] as object)[0]!;
        for (const [label, body, contentType] of [
          ['bare string', '"just a string"'],
          ['bare null', 'null'],
          ['bare array', '[]'],
          ['bare number', '1'],
          ['duplicate key', `${validBody!.slice(0, -1)},"${first}":{"$gt":""}}`],
          ['NUL in a key', `{"a\\u0000":1,${validBody!.slice(1)}`],
          ['deep nesting', `{"${first}":${'['.repeat(20_000)}${']'.repeat(20_000)}}`],
          ['valid JSON as text/plain', validBody!, 'text/plain'],
          ['valid JSON as form-urlencoded', validBody!, 'application/x-www-form-urlencoded'],
        ] as const) {
          out.push({ ...base, label, url: url(params), body, headers: { 'content-type': contentType ?? 'application/json' }, mustReject: true });
        }
      }
      // Bodies that no route may accept, also the ones without a body schema.
      for (const { label, body, contentType } of malformed) {
        out.push({ ...base, label, url: url(params), body, headers: { 'content-type': contentType ?? 'application/json' }, mustReject: true });
      }
      return out;
    }

    /** Probes of the routes as a whole: unknown methods and paths, the health check, hostile tokens. */
    function generalProbes(): Probe[] {
      const params = validParams();
      const out: Probe[] = [];
      const byPath = new Map<string, Set<string>>();
      for (const op of operations) byPath.set(op.path, (byPath.get(op.path) ?? new Set()).add(op.method));
      for (const [path, known] of byPath) {
        for (const method of ['PUT', 'PATCH', 'DELETE', 'POST'].filter((m) => !known.has(m))) {
          out.push({ label: `${method} not routed`, method, url: fillPath(path, params), mustReject: true, withToken: true });
        }
      }
      for (const path of [
        '/api/v1/nope',
        `/api/v1/conversations/${params.conversationId}/nope`,
        '/api/v2/me',
        '/api/v1//conversations',
        '/api/v1/conversations/',
        '/api/v1/%E0%A4%A',
        '/healthz/%00',
        '/healthz%E0%A4%A',
      ]) {
        out.push({ label: `unknown path ${path}`, method: 'GET', url: path, mustReject: true, withToken: true });
      }
      for (const method of ['POST', 'PUT', 'DELETE']) {
        out.push({ label: `${method} /healthz`, method, url: '/healthz', body: '{"a":}', headers: { 'content-type': 'application/json' }, mustReject: true, withToken: true });
      }
      // The health check takes nothing: junk in its query is ignored, but must not break it.
      for (const query of ['x[$gt]=1', 'x=%00', `x=${'y'.repeat(5000)}`, '__proto__[x]=1']) {
        out.push({ label: `healthz ${query.slice(0, 30)}`, method: 'GET', url: `/healthz?${query}`, mustReject: false, withToken: false });
      }
      for (const op of operations.filter((o) => o.secured)) {
        const body = validBodies()[op.key]?.[0];
        for (const authorization of authHeaders) {
          out.push({
            label: `${op.key} with Authorization: ${authorization.slice(0, 30)}`,
            method: op.method,
            url: fillPath(op.path, params),
            ...(body !== undefined && { body: json(body) }),
            headers: { authorization, ...(body !== undefined && { 'content-type': 'application/json' }) },
            mustReject: true,
            withToken: false,
          });
        }
      }
      return out;
    }


    const messageCount = async () =>
      Number((await server.storage.db.selectFrom('messages').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

    test('the document lists the API, and every body schema has valid examples covering all its fields', () => {
      const api = operations.filter((op) => op.path.startsWith('/api/v1/'));
      assert.ok(api.length >= 14, `operations: ${api.map((op) => op.key).join(', ')}`);
      assert.ok(operations.some((op) => op.key === 'GET /healthz'));
      const bodies = validBodies();
      for (const op of api) {
        for (const param of op.pathParams) assert.ok(validParams()[param.name], `${op.key}: no valid value for {${param.name}}`);
        if (!op.body) {
          assert.equal(bodies[op.key], undefined, `${op.key} takes no body`);
          continue;
        }
        const examples = bodies[op.key];
        assert.ok(examples && examples.length > 0, `${op.key}: no valid body example`);
        for (const example of examples) assert.ok(bodyAccepts(op.body, example), `${op.key}: example ${json(example)} is not valid`);
        const covered = new Set(examples.flatMap((e) => [...valuePaths(e)]));
        assert.deepEqual([...schemaPaths(op.body)].filter((p) => !covered.has(p)), [], `${op.key}: fields without an example`);
      }
      for (const op of api) {
        const valid = parseQuery(validQueries()[op.key] ?? '');
        assert.ok(op.queryParams.every((p) => !p.required || p.name in valid), `${op.key}: required query parameters need valid values here`);
      }
    });

    test("goim's logic HTTP API and openresty-im's routes: hostile queries, bodies and keys get a clear refusal, never a 500, and nothing is written", async () => {
      const key = (await call(server, 'POST', '/api/v1/api-keys', { token: shop.ownerToken, body: { name: 'goim probe' } })).body.key as string;
      const listener = await rawAuthed(server, shop.agentToken);
      const routes: Record<string, readonly string[]> = {
        'POST /goim/push/keys': ['operation', 'keys'],
        'POST /goim/push/mids': ['operation', 'mids'],
        'POST /goim/push/room': ['operation', 'type', 'room'],
        'POST /goim/push/all': ['operation', 'speed'],
        'GET /goim/online/top': ['type', 'limit'],
        'GET /goim/online/room': ['type', 'rooms'],
      };
      const before = await snapshotRows(server.storage.db, { sessions: true });
      const problems: string[] = [];
      for (const [route, params] of Object.entries(routes)) {
        const [method, path] = route.split(' ') as [string, string];
        const probes = [
          ...params.flatMap((name) => queryValues(name)).map((query) => ({ query, authorization: `Bearer ${key}`, body: 'probe' })),
          ...authHeaders.map((authorization) => ({ query: 'operation=1&type=live&room=1&limit=1&rooms=1', authorization, body: 'probe' })),
          { query: 'operation=1&type=live&room=1', authorization: `Bearer ${key}`, body: 'x'.repeat(BODY_LIMIT + 1000) },
        ];
        await pool(probes, 8, async ({ query, authorization, body }) => {
          const response = await fetch(`${server.url}${path}?${query}`, { method, headers: { authorization }, ...(method === 'POST' && { body }) });
          const reply = (await response.json()) as { code: number; message: string };
          if (response.status >= 500 || typeof reply.code !== 'number' || (reply.code !== 0 && !/^[A-Z_]+: /.test(reply.message))) {
            problems.push(`${route}?${query.slice(0, 60)}: ${response.status} ${JSON.stringify(reply).slice(0, 100)}`);
          }
        });
      }
      // openresty-im's routes: hostile form fields, queries and shop ids.
      // Without a credential that may write (a valid send would rightly be stored): the API key finds no customer by these mids.
      const openProbes: Array<{ url: string; body?: string }> = [
        ...['msg', 'room_id', 'mid', 'shop_id', 'client_msg_id'].flatMap((name) => queryValues(name)).map((q) => ({ url: `/open/push?${q}`, body: q })),
        ...malformed.map((m) => ({ url: '/open/push', body: m.body })),
        ...queryValues('shop_id').flatMap((q) => [{ url: `/open/im?${q}` }, { url: `/open/com?${q}` }]),
      ];
      await pool(openProbes, 8, async (probe) => {
        for (const authorization of [`Bearer ${key}`, 'Bearer fdc_nope', '']) {
          const response = await fetch(`${server.url}${probe.url}`, {
            method: probe.body === undefined ? 'GET' : 'POST',
            redirect: 'manual',
            headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
            ...(probe.body !== undefined && { body: probe.body }),
          });
          if (response.status >= 500 || (response.status >= 400 && !/^[A-Z_]+: /.test(((await response.json()) as { msg: string }).msg))) {
            problems.push(`${probe.url.slice(0, 60)}: ${response.status}`);
          }
        }
      });
      assert.deepEqual(problems.slice(0, 20), []);
      assert.deepEqual(await snapshotRows(server.storage.db, { sessions: true }), before);
      // Only probes that were valid pushes reached anyone (push/all with an int32 operation).
      const pushed = listener.frames.filter((f) => f.type === 'push');
      assert.ok(pushed.every((f) => Number.isInteger(f.operation) && f.body === 'probe'), JSON.stringify(pushed.slice(0, 3)));
      listener.close();
    });

    test('every route answers hostile input with a 4xx catalogue error, never a 500, and writes nothing', async () => {
      const api = operations.filter((op) => op.path.startsWith('/api/v1/') || op.path === '/healthz');
      const perOperation = api.map((op) => ({ op, probes: probesFor(op) }));
      const probes = [...perOperation.flatMap((p) => p.probes), ...generalProbes()];
      // Every operation under /api/v1 is probed: with parameters, a query or a body, or at least its media types and tokens.
      for (const { op, probes: own } of perOperation) {
        if (op.path === '/healthz') continue;
        const related = own.length + probes.filter((p) => p.label.startsWith(`${op.key} with Authorization`)).length;
        assert.ok(related >= 8, `${op.key}: only ${related} probes`);
      }
      assert.ok(probes.filter((p) => p.mustReject).length > 500, `${probes.length} probes`);

      const before = await snapshotRows(server.storage.db, { sessions: true });
      const beforeMessages = await messageCount();
      const passes = [
        { name: 'owner', token: shop.ownerToken },
        { name: 'customer', token: customer.token },
        { name: 'anonymous', token: undefined },
      ];
      const problems: string[] = [];
      const statuses = new Map<number, number>();
      for (const pass of passes) {
        await pool(probes, 8, async (probe) => {
          const token = probe.withToken ? pass.token : undefined;
          let reply: Reply;
          try {
            reply = await call(server, probe.method, probe.url, {
              ...(token && { token }),
              ...(probe.body !== undefined && { rawBody: probe.body }),
              headers: { ...(probe.body !== undefined && { 'content-type': 'application/json' }), ...probe.headers },
            });
          } catch (error) {
            problems.push(`[${pass.name}] ${probe.method} ${probe.url.slice(0, 80)} ${probe.label}: request failed: ${String(error)}`);
            return;
          }
          statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
          const found = probe.mustReject || reply.status >= 400 ? refusalProblems(reply) : [];
          if (reply.status >= 500) found.push('server error');
          if (found.length > 0) {
            problems.push(`[${pass.name}] ${probe.method} ${probe.url.slice(0, 80)} ${probe.label}: ${[...new Set(found)].join('; ')}`);
          }
        });
      }
      assert.deepEqual(problems.slice(0, 40), [], `${problems.length} problems`);
      // The refusals came from validation as well as authentication (the owner pass was not all 401s).
      for (const status of [400, 401, 404, 413, 415]) assert.ok(statuses.has(status), `no ${status} seen: ${json([...statuses])}`);

      // Nothing was written, nothing was broken.
      assert.equal(await messageCount(), beforeMessages);
      assert.deepEqual(await snapshotRows(server.storage.db, { sessions: true }), before);
      const health = await call(server, 'GET', '/healthz');
      assert.equal(health.status, 200);
      assert.deepEqual(health.body, { status: 'ok' });
      assert.equal((await call(server, 'GET', '/api/v1/me', { token: shop.ownerToken })).status, 200);
      assert.equal((await call(server, 'GET', '/api/v1/me', { token: customer.token })).status, 200);
      const sent = await send(server, customer.token, customer.conversationId, 'still works');
      assert.equal(sent.status, 201);
      assert.equal(sent.body.seq, 2);
      const reply = await send(server, shop.agentToken, customer.conversationId, 'so do we');
      assert.equal(reply.status, 201);
      assert.equal(await messageCount(), beforeMessages + 2);
    });
  });
}
