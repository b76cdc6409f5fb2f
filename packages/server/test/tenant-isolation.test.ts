import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { encodeCursor } from '../src/domain/cursor.ts';
import { call, createShop, openWidget, send, type CustomerFixture, type Reply, type ShopFixture } from './support/client.ts';
import { fetchOperations, fillPath, refusalProblems } from './support/openapi.ts';
import { snapshotRows } from './support/snapshot.ts';
import { startServer, type TestServer } from './support/server.ts';
import { engines } from './support/storage.ts';
import { rawAuthed } from './support/ws-client.ts';

/**
 * Tenant isolation. Staff of shop A use shop B's conversation, message and staff ids on every route
 * that takes one; a customer of A uses another customer's conversation (in A and in B). Every call
 * must be refused exactly as a call with an id that does not exist, return nothing of the other
 * party, and change nothing.
 */

interface Row {
  readonly name: string;
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';
  /** The OpenAPI template of the route, for the coverage check. */
  readonly route: string;
  /** Parameter values; those named in `foreign` belong to someone else. */
  readonly params: Readonly<Record<string, string>>;
  readonly foreign: readonly string[];
  readonly query?: string;
  readonly body?: unknown;
  readonly actor: 'ownerA' | 'agentA' | 'customerX';
  readonly token: string;
  /** What a nonexistent id gets, and so what this call must get. */
  readonly expect: { readonly status: number; readonly code: string };
}

const CONVERSATION = '/api/v1/conversations/{conversationId}';
const MESSAGES = '/api/v1/conversations/{conversationId}/messages';
const MESSAGE = '/api/v1/conversations/{conversationId}/messages/{messageId}';
const READ = '/api/v1/conversations/{conversationId}/read';
const STAFF = '/api/v1/staff/{staffId}';
const ROUTING = (action: string) => `/api/v1/conversations/{conversationId}/${action}`;
const UPLOAD_FILE = '/api/v1/conversations/{conversationId}/attachments';
const START_UPLOAD = '/api/v1/conversations/{conversationId}/uploads';
const UPLOAD = '/api/v1/uploads/{uploadId}';
const COMPLETE_UPLOAD = '/api/v1/uploads/{uploadId}/complete';
const ATTACHMENT = '/api/v1/attachments/{attachmentId}';
const FILE_LINK = '/api/v1/files/{attachmentId}/{variant}';
const CANNED = '/api/v1/canned-responses/{cannedId}';
const CUSTOMER = '/api/v1/customers/{customerId}';
const WEBHOOK = '/api/v1/webhooks/{webhookId}';
const WEBHOOK_LOG = '/api/v1/webhooks/{webhookId}/deliveries';
const REDELIVER = '/api/v1/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver';
const GROUP = '/api/v1/groups/{conversationId}';
const GROUP_MEMBERS = '/api/v1/groups/{conversationId}/members';
const GROUP_MEMBER = '/api/v1/groups/{conversationId}/members/{staffId}';
const MEMBERSHIP = '/api/v1/conversations/{conversationId}/membership';
const READERS = '/api/v1/conversations/{conversationId}/messages/{messageId}/readers';
const BROADCAST_READ = '/api/v1/broadcasts/{broadcastId}/read';
const API_KEY = '/api/v1/api-keys/{apiKeyId}';
const CONTACT = '/api/v1/contacts/{customerId}';
const CONTACT_NOTES = '/api/v1/contacts/{customerId}/notes';
const CONTACT_NOTE = '/api/v1/contacts/{customerId}/notes/{noteId}';
const CONTACT_LABEL = '/api/v1/contacts/{customerId}/labels/{labelId}';
const LABEL = '/api/v1/labels/{labelId}';
const CONVERSATION_LABEL = '/api/v1/conversations/{conversationId}/labels/{labelId}';
const VIEW = '/api/v1/views/{viewId}';
const CAMPAIGN = '/api/v1/campaigns/{campaignId}';
const CAMPAIGN_ACTION = '/api/v1/campaigns/{campaignId}/{action}';
const CAMPAIGN_RECIPIENTS = '/api/v1/campaigns/{campaignId}/recipients';
const WIDGET_CAMPAIGN_SHOWN = '/api/v1/widget/campaigns/{campaignId}/shown';
const CHANNEL = '/api/v1/conversations/{conversationId}/channel';
const RETRY = '/api/v1/conversations/{conversationId}/messages/{messageId}/retry';
const WIDGET_LOGO = '/api/v1/widget/shops/{shopId}/logo/{logoId}';
/** Public by design, whoever asks: what a shop's widget looks like (its own site's visitors read it before any session). */
const PUBLIC_BY_ID = ['GET /api/v1/widget/shops/{shopId}/appearance'];
const TRANSCRIPT = '/api/v1/conversations/{conversationId}/transcript';

const notFound = (code: string) => ({ status: 404, code });
const forbidden = { status: 403, code: 'FORBIDDEN' };

function url(row: Row, params: Readonly<Record<string, string>>): string {
  return fillPath(row.route, params) + (row.query ? `?${row.query}` : '');
}

/** The same row with every foreign id replaced by a fresh random one. */
function nonexistent(row: Row): Record<string, string> {
  const params: Record<string, string> = { ...row.params };
  for (const name of row.foreign) params[name] = randomUUID();
  return params;
}

const items = (reply: Reply) => reply.body.items as { id: string; shopId: string }[];

for (const engine of engines) {
  describe(`tenant isolation on ${engine}`, () => {
    let server: TestServer;
    let a: ShopFixture;
    let b: ShopFixture;
    const tag = randomUUID().slice(0, 8);
    // Shop A: customers X and Y.
    let x: CustomerFixture;
    let yA: CustomerFixture;
    const yAMessages: string[] = [];
    let xNoteId: string;
    // Shop B: customers yB (identified, assigned to B's agent) and bAnon.
    let yB: CustomerFixture;
    let bAnon: CustomerFixture;
    const bMessages = new Map<string, string[]>();
    /** Ids, texts, names, e-mails and secrets of shop B: never shown to A or A's customers. */
    const bSecrets: string[] = [];
    /** Y's (in A) data and A's internal notes: never shown to customer X. */
    const ySecrets: string[] = [];
    /** Nothing of either may appear in a refusal. */
    const secrets: string[] = [];
    const bStaff: { id: string; name: string; email: string }[] = [];
    // Attachments: B's (sent in B's conversation), Y's in A (sent), B's upload in progress, and a
    // signed link of X's own attachment (its signature must not open anyone else's).
    let bAttachmentId: string;
    let yAttachmentId: string;
    let bUploadId: string;
    let xLinkQuery: string;
    let bCannedId: string;
    // Webhooks: B's endpoint with a delivery in its log, and A's own endpoint.
    let bWebhookId: string;
    let bDeliveryId: string;
    let aWebhookId: string;
    // Staff chat in B: a direct chat and a group, each with a message, and a broadcast to all.
    let bDirect: { id: string; messageId: string };
    let bGroup: { id: string; messageId: string };
    let bBroadcastId: string;
    // B's API key (its id, and the key itself: never shown to A).
    let bApiKey: { id: string; key: string };
    // Contacts in B: a label on yB (contact and conversation), a note on yB, B's agent's saved view; A's own label.
    let bLabelId: string;
    let bNoteId: string;
    let bViewId: string;
    let aLabelId: string;
    // B's campaigns: a one-off draft to all its contacts, and a running ongoing one on every page.
    let bDraftCampaignId: string;
    let bOngoingCampaignId: string;
    // B's widget logo (public under B's shop only).
    let bLogoId: string;
    const bWebhookUrl = `http://127.0.0.1:9/b-hook-${tag}`;

    const text = (label: string) => `${label} ${tag}`;


    /** Pins a conversation's open inquiry on an assignee (no HTTP route assigns yet). */
    async function assign(conversationId: string, staffId: string) {
      const db = server.storage.db;
      await db.updateTable('conversations').set({ status: 'assigned', assignee_id: staffId }).where('id', '=', conversationId).execute();
      await db.updateTable('inquiries').set({ status: 'assigned', assignee_id: staffId, assigned_at: Date.now() }).where('conversation_id', '=', conversationId).execute();
    }

    function leaks(body: unknown, of: readonly string[] = secrets): string[] {
      const serialized = typeof body === 'string' ? body : JSON.stringify(body);
      return of.filter((s) => serialized.includes(s));
    }

    before(async () => {
      // Webhook endpoints on 127.0.0.1 are allowed here; nothing they subscribe to happens in this suite.
      server = await startServer(engine, { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOW_PRIVATE: 'true' });
      a = await createShop(server, `Alpha Shop ${tag}`);
      b = await createShop(server, `Bravo Bakery ${tag}`);

      // B's staff get names of their own, so a leak of them is visible.
      for (const [id, name] of [[b.ownerId, `Bertha Owner ${tag}`], [b.agentId, `Bruno Agent ${tag}`]] as const) {
        const renamed = await call(server, 'PATCH', `/api/v1/staff/${id}`, { token: b.ownerToken, body: { name } });
        assert.equal(renamed.status, 200);
        bStaff.push({ id, name, email: renamed.body.email });
      }

      x = await openWidget(server, a.shopId, { profile: { name: `Xavier ${tag}` } });
      assert.equal((await send(server, x.token, x.conversationId, text('x asks'))).status, 201);
      const xNote = await send(server, a.agentToken, x.conversationId, text('x internal note'), { visibility: 'internal' });
      xNoteId = xNote.body.id;

      yA = await openWidget(server, a.shopId, { profile: { name: `Yvonne A ${tag}`, email: `yvonne-${tag}@a.example` } });
      for (const [token, body, extra] of [
        [yA.token, text('y-a private question'), {}],
        [a.agentToken, text('y-a public answer'), {}],
        [a.agentToken, text('y-a internal note'), { visibility: 'internal' }],
      ] as const) {
        const sent = await send(server, token, yA.conversationId, body, extra);
        assert.equal(sent.status, 201);
        yAMessages.push(sent.body.id);
      }
      await assign(yA.conversationId, a.agentId);

      yB = await openWidget(server, b.shopId, { profile: { name: `Yusuf B ${tag}`, email: `yusuf-${tag}@b.example` } });
      bAnon = await openWidget(server, b.shopId, { profile: { name: `Bianca ${tag}`, attributes: { plan: `b plan ${tag}` } } });
      for (const customer of [yB, bAnon]) {
        const ids: string[] = [];
        for (const [token, body, extra] of [
          [customer.token, text(`b secret question ${customer.customerId}`), {}],
          [b.agentToken, text(`b public answer ${customer.customerId}`), {}],
          [b.ownerToken, text(`b internal note ${customer.customerId}`), { visibility: 'internal' }],
        ] as const) {
          const sent = await send(server, token, customer.conversationId, body, extra);
          assert.equal(sent.status, 201);
          ids.push(sent.body.id);
        }
        bMessages.set(customer.conversationId, ids);
      }
      await assign(yB.conversationId, b.agentId);

      const attach = async (customer: CustomerFixture, label: string) => {
        const form = new FormData();
        form.append('file', new Blob([text(`${label} attachment`)]), `${label}.txt`);
        const uploaded = await fetch(`${server.url}/api/v1/conversations/${customer.conversationId}/attachments`, {
          method: 'POST',
          headers: { authorization: `Bearer ${customer.token}` },
          body: form,
        });
        assert.equal(uploaded.status, 201);
        const { id } = (await uploaded.json()) as { id: string };
        assert.equal((await send(server, customer.token, customer.conversationId, '', { attachmentId: id })).status, 201);
        return id;
      };
      bAttachmentId = await attach(yB, 'b');
      yAttachmentId = await attach(yA, 'y');
      const xAttachmentId = await attach(x, 'x');
      const link = await call(server, 'GET', `/api/v1/attachments/${xAttachmentId}/link`, { token: x.token });
      xLinkQuery = link.body.url.split('?')[1];
      const started = await call(server, 'POST', `/api/v1/conversations/${yB.conversationId}/uploads`, { token: yB.token, body: { name: 'b.bin', size: 100 } });
      assert.equal(started.status, 201);
      bUploadId = started.body.id;
      const canned = await call(server, 'POST', '/api/v1/canned-responses', {
        token: b.ownerToken,
        body: { shortcut: 'b-secret', title: `b canned title ${tag}`, text: `b canned text ${tag}` },
      });
      assert.equal(canned.status, 201);
      bCannedId = canned.body.id;
      const hook = async (shop: ShopFixture, url: string) => {
        const created = await call(server, 'POST', '/api/v1/webhooks', { token: shop.ownerToken, body: { url, events: ['staff.updated'] } });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        return created.body.id as string;
      };
      bWebhookId = await hook(b, bWebhookUrl);
      aWebhookId = await hook(a, `http://127.0.0.1:9/a-hook-${tag}`);
      // A delivery in B's log, as the delivery job leaves one.
      bDeliveryId = randomUUID();
      await server.storage.db
        .insertInto('webhook_deliveries')
        .values({
          id: bDeliveryId, endpoint_id: bWebhookId, shop_id: b.shopId, event_id: randomUUID(), event: 'staff.updated', payload: '{}', status: 'delivered',
          attempts: 1, next_attempt_at: null, retry_until: Date.now(), locked_until: null, last_attempt_at: Date.now(), response_status: 200, error: null,
          created_at: Date.now(), delivered_at: Date.now(),
        })
        .execute();

      const staffChat = async (conversationId: string, label: string) => {
        const sent = await send(server, b.ownerToken, conversationId, text(`b ${label} secret`));
        assert.equal(sent.status, 201);
        return { id: conversationId, messageId: sent.body.id as string };
      };
      const direct = await call(server, 'POST', '/api/v1/direct', { token: b.ownerToken, body: { staffId: b.agentId } });
      bDirect = await staffChat(direct.body.id, 'direct');
      const group = await call(server, 'POST', '/api/v1/groups', { token: b.ownerToken, body: { title: text('b group title'), memberIds: [b.agentId] } });
      assert.equal(group.status, 201);
      bGroup = await staffChat(group.body.conversation.id, 'group');
      const broadcast = await call(server, 'POST', '/api/v1/broadcasts', { token: b.ownerToken, body: { title: text('b broadcast title'), text: text('b broadcast text'), to: 'all' } });
      assert.equal(broadcast.status, 201);
      bBroadcastId = broadcast.body.id;

      const apiKey = await call(server, 'POST', '/api/v1/api-keys', { token: b.ownerToken, body: { name: text('b api key') } });
      assert.equal(apiKey.status, 201);
      bApiKey = { id: apiKey.body.id, key: apiKey.body.key };

      const logo = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#0f766e' } }).png().toBuffer();
      const logoReply = await call(server, 'POST', '/api/v1/shop/logo', { token: b.ownerToken, body: { contentBase64: logo.toString('base64') } });
      assert.equal(logoReply.status, 200);
      bLogoId = logoReply.body.settings.widget.logo;

      const made = async (reply: Promise<Reply>) => {
        const r = await reply;
        assert.ok(r.status === 200 || r.status === 201, JSON.stringify(r.body));
        return r.body;
      };
      bLabelId = (await made(call(server, 'POST', '/api/v1/labels', { token: b.ownerToken, body: { name: text('b label'), color: '#123456' } }))).id;
      aLabelId = (await made(call(server, 'POST', '/api/v1/labels', { token: a.ownerToken, body: { name: 'a label', color: '#654321' } }))).id;
      await made(call(server, 'PUT', `/api/v1/contacts/${yB.customerId}/labels/${bLabelId}`, { token: b.agentToken }));
      await made(call(server, 'PUT', `/api/v1/conversations/${yB.conversationId}/labels/${bLabelId}`, { token: b.agentToken }));
      bNoteId = (await made(call(server, 'POST', `/api/v1/contacts/${yB.customerId}/notes`, { token: b.agentToken, body: { text: text('b contact note') } }))).id;
      bViewId = (await made(call(server, 'POST', '/api/v1/views', { token: b.agentToken, body: { name: text('b saved view'), filters: { labelId: bLabelId } } }))).id;
      const campaign = async (body: Record<string, unknown>) => {
        const created = await call(server, 'POST', '/api/v1/campaigns', { token: b.ownerToken, body: { senderId: b.agentId, ...body } });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        return created.body.id as string;
      };
      bDraftCampaignId = await campaign({ name: text('b campaign name'), kind: 'one_off', text: text('b campaign text'), audience: { all: true } });
      bOngoingCampaignId = await campaign({ name: text('b ongoing name'), kind: 'ongoing', text: text('b ongoing text'), trigger: { urlPattern: '*', delaySeconds: 0, businessHoursOnly: false } });
      assert.equal((await call(server, 'POST', `/api/v1/campaigns/${bOngoingCampaignId}/start`, { token: b.ownerToken })).status, 200);

      bSecrets.push(
        bLabelId, text('b label'), bNoteId, text('b contact note'), bViewId, text('b saved view'),
        bApiKey.id, text('b api key'),
        bDraftCampaignId, text('b campaign name'), text('b campaign text'), bOngoingCampaignId, text('b ongoing name'), text('b ongoing text'),
        bDirect.id, bDirect.messageId, text('b direct secret'), bGroup.id, bGroup.messageId, text('b group secret'), text('b group title'),
        bBroadcastId, text('b broadcast title'), text('b broadcast text'),
        bWebhookId, bWebhookUrl, bDeliveryId,
        bCannedId, `b canned title ${tag}`, `b canned text ${tag}`, `b plan ${tag}`,
        b.shopId, b.identitySecret, `Bravo Bakery ${tag}`,
        ...bStaff.flatMap((s) => [s.id, s.name, s.email]),
        ...[yB, bAnon].flatMap((c) => [
          c.customerId,
          c.conversationId,
          ...bMessages.get(c.conversationId)!,
          text(`b secret question ${c.customerId}`),
          text(`b public answer ${c.customerId}`),
          text(`b internal note ${c.customerId}`),
        ]),
        `Yusuf B ${tag}`, `yusuf-${tag}@b.example`, `Bianca ${tag}`,
      );
      ySecrets.push(
        yA.customerId, yA.conversationId, ...yAMessages, `Yvonne A ${tag}`, `yvonne-${tag}@a.example`,
        text('y-a private question'), text('y-a public answer'), text('y-a internal note'), text('x internal note'), xNoteId,
      );
      secrets.push(...bSecrets, ...ySecrets);

      // Control: the secrets are real data their owners do see, so their absence below means something.
      const seenByB = JSON.stringify([
        (await call(server, 'GET', '/api/v1/staff', { token: b.ownerToken })).body,
        (await call(server, 'GET', '/api/v1/shop', { token: b.ownerToken })).body,
        (await call(server, 'GET', '/api/v1/canned-responses', { token: b.ownerToken })).body,
        (await call(server, 'GET', '/api/v1/webhooks', { token: b.ownerToken })).body,
        (await call(server, 'GET', '/api/v1/api-keys', { token: b.ownerToken })).body,
        (await call(server, 'GET', '/api/v1/campaigns', { token: b.ownerToken })).body,
        (await call(server, 'GET', `/api/v1/webhooks/${bWebhookId}/deliveries`, { token: b.ownerToken })).body,
        (await call(server, 'GET', `/api/v1/customers/${bAnon.customerId}`, { token: b.ownerToken })).body,
        (await call(server, 'GET', '/api/v1/team', { token: b.ownerToken })).body,
        (await call(server, 'GET', `/api/v1/contacts/${yB.customerId}`, { token: b.agentToken })).body,
        (await call(server, 'GET', '/api/v1/labels', { token: b.agentToken })).body,
        (await call(server, 'GET', '/api/v1/views', { token: b.agentToken })).body,
        (await call(server, 'GET', `/api/v1/groups/${bGroup.id}`, { token: b.ownerToken })).body,
        (await call(server, 'GET', '/api/v1/broadcasts', { token: b.agentToken })).body,
        (await call(server, 'GET', `/api/v1/conversations/${bDirect.id}/messages`, { token: b.agentToken })).body,
        (await call(server, 'GET', `/api/v1/conversations/${bGroup.id}/messages`, { token: b.agentToken })).body,
        ...(await Promise.all(
          [yB, bAnon].flatMap((c) => [
            call(server, 'GET', `/api/v1/conversations/${c.conversationId}`, { token: b.ownerToken }),
            call(server, 'GET', `/api/v1/conversations/${c.conversationId}/messages`, { token: b.ownerToken }),
          ]),
        )).map((r) => r.body),
      ]);
      const seenByA = JSON.stringify([
        (await call(server, 'GET', `/api/v1/conversations/${yA.conversationId}`, { token: a.ownerToken })).body,
        (await call(server, 'GET', `/api/v1/conversations/${yA.conversationId}/messages`, { token: a.ownerToken })).body,
        (await call(server, 'GET', `/api/v1/conversations/${x.conversationId}/messages`, { token: a.ownerToken })).body,
      ]);
      const unseen = secrets.filter((s) => !seenByB.includes(s) && !seenByA.includes(s));
      assert.deepEqual(unseen, [], 'every secret is visible to its own shop');
    });
    after(() => server.close());

    function rows(): Row[] {
      const out: Row[] = [];
      const staffActors = [
        { actor: 'ownerA' as const, token: a.ownerToken, role: 'owner' },
        { actor: 'agentA' as const, token: a.agentToken, role: 'agent' },
      ];
      for (const { actor, token, role } of staffActors) {
        for (const conv of [yB, bAnon]) {
          conversationRows(out, actor, token, `B's conversation ${conv === yB ? 'yB' : 'bAnon'}`, conv.conversationId, bMessages.get(conv.conversationId)!, x.conversationId);
        }
        attachmentRows(out, actor, token, "B's attachment", bAttachmentId);
        for (const [label, chat] of [["B's direct chat", bDirect], ["B's group", bGroup]] as const) {
          conversationRows(out, actor, token, label, chat.id, [chat.messageId], x.conversationId);
          staffChatRows(out, actor, token, label, chat, notFound('CONVERSATION_NOT_FOUND'), notFound('CONVERSATION_NOT_FOUND'));
        }
        out.push({ actor, token, name: `${actor} read B's broadcast`, method: 'POST', route: BROADCAST_READ, params: { broadcastId: bBroadcastId }, foreign: ['broadcastId'], expect: notFound('BROADCAST_NOT_FOUND') });
        consoleRows(out, actor, token, role === 'agent' ? forbidden : notFound('CANNED_RESPONSE_NOT_FOUND'), [yB.customerId, bAnon.customerId], notFound('CUSTOMER_NOT_FOUND'));
        contactRows(out, actor, token, role === 'agent' ? 'agent' : 'admin');
        webhookRows(out, actor, token, role === 'agent' ? forbidden : notFound('WEBHOOK_NOT_FOUND'), role === 'agent' ? forbidden : notFound('WEBHOOK_DELIVERY_NOT_FOUND'));
        out.push({ actor, token, name: `${actor} DELETE B's API key`, method: 'DELETE', route: API_KEY, params: { apiKeyId: bApiKey.id }, foreign: ['apiKeyId'], expect: role === 'agent' ? forbidden : notFound('API_KEY_NOT_FOUND') });
        // Agents read campaigns (not found, as for an owner) and may not write them (refused whoever owns the id).
        campaignRows(out, actor, token, notFound('CAMPAIGN_NOT_FOUND'), role === 'agent' ? forbidden : notFound('CAMPAIGN_NOT_FOUND'), forbidden);
        for (const staff of bStaff) {
          for (const body of [{ name: 'Taken over' }, { disabled: true }, { role: 'agent' }, { capacity: 0 }, { role: 'owner', name: 'x' }]) {
            out.push({
              name: `${actor} PATCH B's staff ${staff.name} ${JSON.stringify(body)}`,
              method: 'PATCH', route: STAFF, params: { staffId: staff.id }, foreign: ['staffId'], body, actor, token,
              // Agents may not manage staff at all: the same FORBIDDEN a nonexistent id gets.
              expect: role === 'agent' ? forbidden : notFound('STAFF_NOT_FOUND'),
            });
          }
        }
      }
      // Customer X: Y's conversation in shop A, Y's (another customer's) in shop B, and B's anonymous one.
      conversationRows(out, 'customerX', x.token, "Y's conversation in A", yA.conversationId, yAMessages, x.conversationId);
      conversationRows(out, 'customerX', x.token, "Y's conversation in B", yB.conversationId, bMessages.get(yB.conversationId)!, x.conversationId);
      conversationRows(out, 'customerX', x.token, "B's conversation", bAnon.conversationId, bMessages.get(bAnon.conversationId)!, x.conversationId);
      // An internal note in X's own conversation does not exist for X.
      out.push({
        name: 'customerX DELETE the internal note in its own conversation',
        method: 'DELETE', route: MESSAGE, params: { conversationId: x.conversationId, messageId: xNoteId }, foreign: ['messageId'],
        actor: 'customerX', token: x.token, expect: notFound('MESSAGE_NOT_FOUND'),
      });
      // Staff chat is for staff: refused (or, through the conversation routes, not found) whoever owns it.
      for (const [label, chat] of [["B's direct chat", bDirect], ["B's group", bGroup]] as const) {
        conversationRows(out, 'customerX', x.token, label, chat.id, [chat.messageId], x.conversationId);
        staffChatRows(out, 'customerX', x.token, label, chat, forbidden, notFound('CONVERSATION_NOT_FOUND'));
      }
      out.push({ actor: 'customerX', token: x.token, name: "customerX read B's broadcast", method: 'POST', route: BROADCAST_READ, params: { broadcastId: bBroadcastId }, foreign: ['broadcastId'], expect: forbidden });
      // The console's routes are for staff: a customer is refused whoever the id belongs to.
      consoleRows(out, 'customerX', x.token, forbidden, [yA.customerId, yB.customerId, bAnon.customerId], forbidden);
      contactRows(out, 'customerX', x.token, 'customer');
      webhookRows(out, 'customerX', x.token, forbidden, forbidden);
      campaignRows(out, 'customerX', x.token, forbidden, forbidden, notFound('CAMPAIGN_NOT_FOUND'));
      out.push({ actor: 'customerX', token: x.token, name: "customerX DELETE B's API key", method: 'DELETE', route: API_KEY, params: { apiKeyId: bApiKey.id }, foreign: ['apiKeyId'], expect: forbidden });
      attachmentRows(out, 'customerX', x.token, "Y's attachment in A", yAttachmentId);
      attachmentRows(out, 'customerX', x.token, "B's attachment", bAttachmentId);
      for (const staff of [...bStaff, { id: a.agentId, name: 'A agent' }]) {
        out.push({
          name: `customerX PATCH staff ${staff.name}`,
          method: 'PATCH', route: STAFF, params: { staffId: staff.id }, foreign: ['staffId'], body: { disabled: true },
          actor: 'customerX', token: x.token, expect: forbidden,
        });
      }
      for (const [actor, token] of [['ownerA', a.ownerToken], ['agentA', a.agentToken], ['customerX', x.token]] as const) {
        out.push({ actor, token, name: `${actor} GET B's logo under shop A`, method: 'GET', route: WIDGET_LOGO, params: { shopId: a.shopId, logoId: bLogoId }, foreign: [], expect: notFound('LOGO_NOT_FOUND') });
      }
      return out;
    }

    /** Every campaign route against B's campaigns: reads, writes, and the widget's "shown" (customer sessions only). */
    function campaignRows(out: Row[], actor: Row['actor'], token: string, readExpect: Row['expect'], writeExpect: Row['expect'], shownExpect: Row['expect']) {
      for (const campaignId of [bDraftCampaignId, bOngoingCampaignId]) {
        const common = { actor, token, params: { campaignId }, foreign: ['campaignId'] };
        out.push({ ...common, name: `${actor} GET B's campaign ${campaignId}`, method: 'GET', route: CAMPAIGN, expect: readExpect });
        for (const query of [undefined, 'status=sent&limit=5']) {
          out.push({ ...common, name: `${actor} GET B's campaign recipients ${query ?? ''}`, method: 'GET', route: CAMPAIGN_RECIPIENTS, ...(query && { query }), expect: readExpect });
        }
        for (const body of [{ text: 'Taken over' }, { name: 'Mine now' }]) {
          out.push({ ...common, name: `${actor} PATCH B's campaign ${JSON.stringify(body)}`, method: 'PATCH', route: CAMPAIGN, body, expect: writeExpect });
        }
        out.push({ ...common, name: `${actor} DELETE B's campaign`, method: 'DELETE', route: CAMPAIGN, expect: writeExpect });
        for (const action of ['start', 'pause', 'resume', 'cancel']) {
          out.push({ ...common, name: `${actor} ${action} B's campaign`, method: 'POST', route: CAMPAIGN_ACTION, params: { campaignId, action }, expect: writeExpect });
        }
        out.push({ ...common, name: `${actor} show B's campaign in a widget`, method: 'POST', route: WIDGET_CAMPAIGN_SHOWN, expect: shownExpect });
      }
    }

    /** The console's id routes: B's canned response, and customers of someone else. */
    function consoleRows(out: Row[], actor: Row['actor'], token: string, cannedExpect: Row['expect'], customerIds: readonly string[], customerExpect: Row['expect']) {
      const canned = { actor, token, route: CANNED, params: { cannedId: bCannedId }, foreign: ['cannedId'], expect: cannedExpect };
      for (const body of [{ title: 'Taken over' }, { shortcut: 'mine', text: 'x' }]) {
        out.push({ ...canned, name: `${actor} PATCH B's canned response ${JSON.stringify(body)}`, method: 'PATCH', body });
      }
      out.push({ ...canned, name: `${actor} DELETE B's canned response`, method: 'DELETE' });
      for (const customerId of customerIds) {
        out.push({
          name: `${actor} GET customer ${customerId}`,
          method: 'GET', route: CUSTOMER, params: { customerId }, foreign: ['customerId'], actor, token, expect: customerExpect,
        });
      }
    }

    /**
     * Contacts, labels and saved views against B's: B's contacts, note, label and view, and B's label
     * or note through A's own contact X. Customers are refused whatever the ids.
     */
    function contactRows(out: Row[], actor: Row['actor'], token: string, role: 'agent' | 'admin' | 'customer') {
      const staffOr = (expect: Row['expect']) => (role === 'customer' ? forbidden : expect);
      const adminOr = (expect: Row['expect']) => (role === 'admin' ? expect : forbidden);
      const customer = staffOr(notFound('CUSTOMER_NOT_FOUND'));
      for (const customerId of [yB.customerId, bAnon.customerId]) {
        const theirs = { actor, token, params: { customerId }, foreign: ['customerId'], expect: customer };
        out.push({ ...theirs, name: `${actor} GET B's contact ${customerId}`, method: 'GET', route: CONTACT });
        for (const body of [{ optedOut: true }, { name: 'Taken over', attributes: { plan: 'x' } }]) {
          out.push({ ...theirs, name: `${actor} PATCH B's contact ${customerId} ${JSON.stringify(body)}`, method: 'PATCH', route: CONTACT, body });
        }
        out.push({ ...theirs, name: `${actor} note on B's contact ${customerId}`, method: 'POST', route: CONTACT_NOTES, body: { text: 'intruder' } });
        for (const method of ['PUT', 'DELETE'] as const) {
          out.push({ ...theirs, name: `${actor} ${method} A's label on B's contact ${customerId}`, method, route: CONTACT_LABEL, params: { customerId, labelId: aLabelId } });
          out.push({ ...theirs, name: `${actor} ${method} B's label on B's contact ${customerId}`, method, route: CONTACT_LABEL, params: { customerId, labelId: bLabelId }, foreign: ['customerId', 'labelId'] });
        }
      }
      for (const method of ['PUT', 'DELETE'] as const) {
        out.push({ actor, token, name: `${actor} ${method} B's label on A's contact X`, method, route: CONTACT_LABEL, params: { customerId: x.customerId, labelId: bLabelId }, foreign: ['labelId'], expect: staffOr(notFound('LABEL_NOT_FOUND')) });
        out.push({ actor, token, name: `${actor} ${method} B's label on A's conversation X`, method, route: CONVERSATION_LABEL, params: { conversationId: x.conversationId, labelId: bLabelId }, foreign: ['labelId'], expect: staffOr(notFound('LABEL_NOT_FOUND')) });
      }
      const note = { customerId: yB.customerId, noteId: bNoteId };
      out.push({ actor, token, name: `${actor} PATCH B's note`, method: 'PATCH', route: CONTACT_NOTE, params: note, foreign: ['customerId', 'noteId'], body: { text: 'edited' }, expect: customer });
      out.push({ actor, token, name: `${actor} DELETE B's note`, method: 'DELETE', route: CONTACT_NOTE, params: note, foreign: ['customerId', 'noteId'], expect: customer });
      const viaX = { customerId: x.customerId, noteId: bNoteId };
      out.push({ actor, token, name: `${actor} PATCH B's note via X`, method: 'PATCH', route: CONTACT_NOTE, params: viaX, foreign: ['noteId'], body: { text: 'edited' }, expect: staffOr(notFound('NOTE_NOT_FOUND')) });
      out.push({ actor, token, name: `${actor} DELETE B's note via X`, method: 'DELETE', route: CONTACT_NOTE, params: viaX, foreign: ['noteId'], expect: staffOr(notFound('NOTE_NOT_FOUND')) });
      const label = { actor, token, params: { labelId: bLabelId }, foreign: ['labelId'], expect: adminOr(notFound('LABEL_NOT_FOUND')) };
      for (const body of [{ name: 'Taken over' }, { color: '#000000' }]) out.push({ ...label, name: `${actor} PATCH B's label ${JSON.stringify(body)}`, method: 'PATCH', route: LABEL, body });
      out.push({ ...label, name: `${actor} DELETE B's label`, method: 'DELETE', route: LABEL });
      const view = { actor, token, params: { viewId: bViewId }, foreign: ['viewId'], expect: staffOr(notFound('VIEW_NOT_FOUND')) };
      out.push({ ...view, name: `${actor} PATCH B's saved view`, method: 'PATCH', route: VIEW, body: { name: 'Taken over', filters: {} } });
      out.push({ ...view, name: `${actor} DELETE B's saved view`, method: 'DELETE', route: VIEW });
    }

    /** Every staff-chat route against B's direct chat or group: `expect` for staff-only routes, `editExpect` for editing a message. */
    function staffChatRows(out: Row[], actor: Row['actor'], token: string, label: string, chat: { id: string; messageId: string }, expect: Row['expect'], editExpect: Row['expect']) {
      const common = { actor, token, params: { conversationId: chat.id }, foreign: ['conversationId'], expect };
      out.push({ ...common, name: `${actor} GET ${label} as a group`, method: 'GET', route: GROUP });
      out.push({ ...common, name: `${actor} rename ${label}`, method: 'PATCH', route: GROUP, body: { title: 'Taken over' } });
      out.push({ ...common, name: `${actor} add to ${label}`, method: 'POST', route: GROUP_MEMBERS, body: { staffIds: [a.agentId] } });
      for (const staffId of [b.agentId, b.ownerId]) {
        out.push({ ...common, name: `${actor} remove ${staffId} from ${label}`, method: 'DELETE', route: GROUP_MEMBER, params: { conversationId: chat.id, staffId }, foreign: ['conversationId', 'staffId'] });
      }
      out.push({ ...common, name: `${actor} make ${b.agentId} an admin of ${label}`, method: 'PATCH', route: GROUP_MEMBER, params: { conversationId: chat.id, staffId: b.agentId }, foreign: ['conversationId', 'staffId'], body: { role: 'admin' } });
      for (const muted of [true, false]) out.push({ ...common, name: `${actor} mute ${label} ${muted}`, method: 'PATCH', route: MEMBERSHIP, body: { muted } });
      const message = { conversationId: chat.id, messageId: chat.messageId };
      out.push({ ...common, name: `${actor} readers of ${label}'s message`, method: 'GET', route: READERS, params: message, foreign: ['conversationId', 'messageId'] });
      out.push({ ...common, name: `${actor} edit ${label}'s message`, method: 'PATCH', route: MESSAGE, params: message, foreign: ['conversationId', 'messageId'], body: { text: 'edited' }, expect: editExpect });
      out.push({
        ...common, name: `${actor} edit ${label}'s message via its own conversation`, method: 'PATCH', route: MESSAGE,
        params: { conversationId: x.conversationId, messageId: chat.messageId }, foreign: ['messageId'], body: { text: 'edited' }, expect: notFound('MESSAGE_NOT_FOUND'),
      });
    }

    /** Every webhook route against B's endpoint and B's delivery (also through A's own endpoint). */
    function webhookRows(out: Row[], actor: Row['actor'], token: string, endpointExpect: Row['expect'], deliveryExpect: Row['expect']) {
      const theirs = { actor, token, params: { webhookId: bWebhookId }, foreign: ['webhookId'], expect: endpointExpect };
      for (const body of [{ url: `http://127.0.0.1:9/taken-${tag}` }, { active: false }, { events: ['message.created'], includeInternal: true }, { secret: 'a-secret-of-enough-length' }]) {
        out.push({ ...theirs, name: `${actor} PATCH B's webhook ${JSON.stringify(body)}`, method: 'PATCH', route: WEBHOOK, body });
      }
      out.push({ ...theirs, name: `${actor} DELETE B's webhook`, method: 'DELETE', route: WEBHOOK });
      for (const query of [undefined, 'limit=100', `cursor=${randomUUID()}`]) {
        out.push({ ...theirs, name: `${actor} GET B's delivery log ${query ?? ''}`, method: 'GET', route: WEBHOOK_LOG, ...(query && { query }) });
      }
      out.push({
        ...theirs, name: `${actor} redeliver B's delivery`, method: 'POST', route: REDELIVER,
        params: { webhookId: bWebhookId, deliveryId: bDeliveryId }, foreign: ['webhookId', 'deliveryId'],
      });
      out.push({
        actor, token, name: `${actor} redeliver B's delivery through A's own webhook`, method: 'POST', route: REDELIVER,
        params: { webhookId: aWebhookId, deliveryId: bDeliveryId }, foreign: ['deliveryId'], expect: deliveryExpect,
      });
    }

    /** Every attachment route against someone else's attachment and upload. */
    function attachmentRows(out: Row[], actor: Row['actor'], token: string, label: string, attachmentId: string) {
      const common = { actor, token };
      const attachmentNotFound = notFound('ATTACHMENT_NOT_FOUND');
      for (const route of [ATTACHMENT, `${ATTACHMENT}/content`, `${ATTACHMENT}/link`]) {
        for (const query of [undefined, 'variant=thumbnail']) {
          if (route === ATTACHMENT && query) continue;
          out.push({ ...common, name: `${actor} GET ${route} of ${label} ${query ?? ''}`, method: 'GET', route, params: { attachmentId }, foreign: ['attachmentId'], ...(query && { query }), expect: attachmentNotFound });
        }
      }
      // A link's signature is for one attachment: on another one it is simply invalid.
      out.push({
        ...common,
        name: `${actor} GET ${label} through X's signed link`,
        method: 'GET', route: FILE_LINK, params: { attachmentId, variant: 'original' }, foreign: ['attachmentId'], query: xLinkQuery,
        expect: { status: 403, code: 'LINK_INVALID' },
      });
      const uploadNotFound = notFound('UPLOAD_NOT_FOUND');
      const upload = { params: { uploadId: bUploadId }, foreign: ['uploadId'] };
      out.push({ ...common, ...upload, name: `${actor} GET B's upload`, method: 'GET', route: UPLOAD, expect: uploadNotFound });
      out.push({ ...common, ...upload, name: `${actor} PUT a chunk into B's upload`, method: 'PUT', route: UPLOAD, query: 'offset=0', expect: uploadNotFound });
      out.push({ ...common, ...upload, name: `${actor} complete B's upload`, method: 'POST', route: COMPLETE_UPLOAD, expect: uploadNotFound });
      out.push({ ...common, ...upload, name: `${actor} DELETE B's upload`, method: 'DELETE', route: UPLOAD, expect: uploadNotFound });
    }

    /** Every conversation route against someone else's conversation and messages. */
    function conversationRows(
      out: Row[],
      actor: Row['actor'],
      token: string,
      label: string,
      conversationId: string,
      messageIds: readonly string[],
      ownConversationId: string,
    ) {
      const conv = { conversationId };
      const common = { actor, token, foreign: ['conversationId'] };
      const convNotFound = notFound('CONVERSATION_NOT_FOUND');
      out.push({ ...common, name: `${actor} GET ${label}`, method: 'GET', route: CONVERSATION, params: conv, expect: convNotFound });
      for (const query of [undefined, 'limit=100', 'afterSeq=0&limit=100', 'beforeSeq=3']) {
        out.push({ ...common, name: `${actor} GET ${label} history ${query ?? ''}`, method: 'GET', route: MESSAGES, params: conv, ...(query && { query }), expect: convNotFound });
      }
      const sends: unknown[] = [{ clientMsgId: `intrude-${randomUUID()}`, text: 'intruder' }];
      if (actor !== 'customerX') sends.push({ clientMsgId: `intrude-${randomUUID()}`, text: 'intruder note', visibility: 'internal' });
      for (const body of sends) {
        out.push({ ...common, name: `${actor} POST to ${label} ${JSON.stringify(body)}`, method: 'POST', route: MESSAGES, params: conv, body, expect: convNotFound });
      }
      for (const seq of [0, 1, 999]) {
        out.push({ ...common, name: `${actor} POST read ${label} seq ${seq}`, method: 'POST', route: READ, params: conv, body: { seq }, expect: convNotFound });
      }
      // Routing: staff get "not found" for another shop's conversation; customers may not route at all.
      const routingExpect = actor.startsWith('customer') ? forbidden : convNotFound;
      const lifecycle: Array<[string, unknown]> = [['claim', undefined], ['transfer', { toStaffId: null }], ['invite', { staffId: randomUUID() }], ['close', undefined]];
      for (const [action, body] of lifecycle) {
        out.push({ ...common, name: `${actor} POST ${action} ${label}`, method: 'POST', route: ROUTING(action), params: conv, ...(body !== undefined && { body }), expect: routingExpect });
      }
      out.push({ ...common, name: `${actor} GET queue position ${label}`, method: 'GET', route: ROUTING('queue'), params: conv, expect: convNotFound });
      out.push({ ...common, name: `${actor} GET team of ${label}`, method: 'GET', route: ROUTING('team'), params: conv, expect: convNotFound });
      for (const method of ['PUT', 'DELETE'] as const) {
        out.push({ ...common, name: `${actor} ${method} A's label on ${label}`, method, route: CONVERSATION_LABEL, params: { conversationId, labelId: aLabelId }, expect: routingExpect });
      }
      // Inbox work (docs/console.md): priority, snooze and transcripts are for staff of the conversation's shop.
      for (const body of [{ priority: 'urgent' }, { snoozedUntil: '2099-01-01T00:00:00.000Z' }, { snoozedUntil: null }]) {
        out.push({ ...common, name: `${actor} PATCH ${label} ${JSON.stringify(body)}`, method: 'PATCH', route: CONVERSATION, params: conv, body, expect: routingExpect });
      }
      for (const query of [undefined, 'format=html&notes=true']) {
        out.push({ ...common, name: `${actor} GET the transcript of ${label} ${query ?? ''}`, method: 'GET', route: TRANSCRIPT, params: conv, ...(query && { query }), expect: routingExpect });
      }
      out.push({ ...common, name: `${actor} upload a file into ${label}`, method: 'POST', route: UPLOAD_FILE, params: conv, expect: convNotFound });
      out.push({ ...common, name: `${actor} start an upload into ${label}`, method: 'POST', route: START_UPLOAD, params: conv, body: { name: 'x.txt', size: 10 }, expect: convNotFound });
      for (const messageId of messageIds) {
        out.push({
          ...common,
          name: `${actor} DELETE message ${messageId} of ${label}`,
          method: 'DELETE', route: MESSAGE, params: { conversationId, messageId }, foreign: ['conversationId', 'messageId'], expect: convNotFound,
        });
        // The foreign message through a conversation the caller may open.
        out.push({
          ...common,
          name: `${actor} DELETE message ${messageId} of ${label} via its own conversation`,
          method: 'DELETE', route: MESSAGE, params: { conversationId: ownConversationId, messageId }, foreign: ['messageId'],
          expect: notFound('MESSAGE_NOT_FOUND'),
        });
      }
      out.push({ ...common, name: `${actor} GET the channel of ${label}`, method: 'GET', route: CHANNEL, params: conv, expect: convNotFound });
      for (const messageId of messageIds) {
        out.push({ ...common, name: `${actor} retry message ${messageId} of ${label}`, method: 'POST', route: RETRY, params: { conversationId, messageId }, foreign: ['conversationId', 'messageId'], expect: convNotFound });
        out.push({
          ...common,
          name: `${actor} retry message ${messageId} of ${label} via its own conversation`,
          method: 'POST', route: RETRY, params: { conversationId: ownConversationId, messageId }, foreign: ['messageId'],
          expect: actor === 'customerX' ? forbidden : { status: 409, code: 'DELIVERY_NOT_FAILED' },
        });
      }
    }

    test('the table covers every route of the OpenAPI document that takes an id, for every actor', async () => {
      const table = rows();
      const operations = await fetchOperations(server);
      const withIds = operations.filter((op) => op.path.startsWith('/api/v1/') && op.pathParams.length > 0 && !PUBLIC_BY_ID.includes(op.key)).map((op) => op.key);
      assert.ok(withIds.length >= 6, `expected the id routes in the document, found ${withIds.join(', ')}`);
      for (const actor of ['ownerA', 'agentA', 'customerX'] as const) {
        const covered = new Set(table.filter((r) => r.actor === actor).map((r) => `${r.method} ${r.route}`));
        assert.deepEqual(withIds.filter((key) => !covered.has(key)), [], `routes without an isolation row for ${actor}`);
      }
      // Query parameters that take an id get a list check below.
      const idQueries = operations.flatMap((op) => op.queryParams.filter((p) => /Id$/.test(p.name)).map((p) => `${op.key} ?${p.name}`));
      assert.deepEqual(idQueries.sort(), [
        'GET /api/v1/contacts ?labelId', 'GET /api/v1/contacts/export ?labelId', 'GET /api/v1/conversations ?assigneeId', 'GET /api/v1/conversations ?labelId',
        'GET /api/v1/conversations/counts ?assigneeId', 'GET /api/v1/conversations/counts ?labelId',
      ]);
    });

    test("every route refuses B's ids (and another customer's conversation) exactly like a nonexistent id, leaking and changing nothing", async () => {
      const table = rows();
      assert.ok(table.length > 90, `table has ${table.length} rows`);
      const beforeB = await snapshotRows(server.storage.db, { shopId: b.shopId });
      const beforeAll = await snapshotRows(server.storage.db);
      const webhookRowsNow = async () => ({
        endpoints: await server.storage.db.selectFrom('webhook_endpoints').selectAll().orderBy('id').execute(),
        subscriptions: await server.storage.db.selectFrom('webhook_subscriptions').selectAll().orderBy('endpoint_id').orderBy('event').execute(),
        deliveries: await server.storage.db.selectFrom('webhook_deliveries').selectAll().orderBy('id').execute(),
      });
      const beforeWebhooks = await webhookRowsNow();
      assert.ok(beforeB.messages.length === 10 && beforeB.attachments.length === 1 && beforeB.uploads.length === 1 && beforeB.staff.length === 2 && beforeB.conversations.length === 4 && beforeB.members.length > 0);
      assert.equal(beforeB.canned_responses.length, 1);

      const problems: string[] = [];
      for (const row of table) {
        const reference = await call(server, row.method, url(row, nonexistent(row)), { token: row.token, ...(row.body !== undefined && { body: row.body }) });
        const reply = await call(server, row.method, url(row, row.params), { token: row.token, ...(row.body !== undefined && { body: row.body }) });
        const found: string[] = [];
        if (reference.status !== row.expect.status || reference.body?.error?.code !== row.expect.code) {
          found.push(`a nonexistent id got ${reference.status} ${JSON.stringify(reference.body).slice(0, 120)}, expected ${row.expect.status} ${row.expect.code}`);
        }
        if (reply.status !== reference.status) found.push(`status ${reply.status}, a nonexistent id gets ${reference.status}`);
        if (JSON.stringify(reply.body) !== JSON.stringify(reference.body)) {
          found.push(`body ${JSON.stringify(reply.body).slice(0, 200)} differs from ${JSON.stringify(reference.body).slice(0, 200)}`);
        }
        found.push(...refusalProblems(reply));
        const leaked = leaks(reply.body);
        if (leaked.length > 0) found.push(`leaks ${leaked.join(', ')}`);
        if (found.length > 0) problems.push(`${row.name}: ${found.join('; ')}`);
      }
      assert.deepEqual(problems, []);

      assert.deepEqual(await snapshotRows(server.storage.db, { shopId: b.shopId }), beforeB, "B's rows are unchanged");
      assert.deepEqual(await snapshotRows(server.storage.db), beforeAll, 'no row anywhere changed');
      assert.deepEqual(await webhookRowsNow(), beforeWebhooks, 'no webhook, subscription or delivery changed');
      // The tokens are still good and the refusals were not caused by a broken session.
      for (const token of [a.ownerToken, a.agentToken, x.token]) {
        assert.equal((await call(server, 'GET', '/api/v1/me', { token })).status, 200);
      }
    });

    /** Every page of a list, following nextCursor. */
    async function listAll(token: string, query: string): Promise<{ pages: Reply[]; ids: string[]; shopIds: Set<string> }> {
      const pages: Reply[] = [];
      let cursor: string | null = null;
      do {
        const page: Reply = await call(server, 'GET', `/api/v1/conversations?${query}${cursor ? `&cursor=${cursor}` : ''}`, { token });
        assert.equal(page.status, 200, `${query}: ${JSON.stringify(page.body)}`);
        pages.push(page);
        cursor = page.body.nextCursor;
        assert.ok(pages.length < 50, 'pagination terminates');
      } while (cursor);
      const all = pages.flatMap(items);
      return { pages, ids: all.map((c) => c.id), shopIds: new Set(all.map((c) => c.shopId)) };
    }

    test("B's public widget appearance holds its looks and nothing else of B, whoever asks", async () => {
      for (const token of [a.ownerToken, x.token, undefined]) {
        const reply = await call(server, 'GET', `/api/v1/widget/shops/${b.shopId}/appearance`, { ...(token && { token }) });
        assert.equal(reply.status, 200);
        assert.deepEqual(Object.keys(reply.body).sort(), ['color', 'greeting', 'launcherText', 'logoUrl', 'position', 'prechat', 'shopName', 'textColor']);
        assert.equal(reply.body.logoUrl, `/api/v1/widget/shops/${b.shopId}/logo/${bLogoId}`);
        // Its id and name are what any visitor of B's site sees in the widget; nothing else of B.
        assert.deepEqual(leaks(reply.body, bSecrets.filter((secret) => secret !== b.shopId && secret !== reply.body.shopName)), []);
      }
    });

    test("A's staff lists never hold B's conversations or staff, whatever the filter", async () => {
      const bConversations = new Set([yB.conversationId, bAnon.conversationId]);
      // Control: the assignee filter does find B's assigned conversation for B's own staff.
      assert.deepEqual((await listAll(b.agentToken, `assigneeId=${b.agentId}`)).ids, [yB.conversationId]);
      assert.deepEqual(new Set((await listAll(b.ownerToken, 'limit=100')).ids), bConversations);

      // A cursor pointing into B's list moves within A's list only.
      const bView = await call(server, 'GET', `/api/v1/conversations/${yB.conversationId}`, { token: b.ownerToken });
      const forged = encodeCursor({ lastActivityAt: Date.parse(bView.body.lastActivityAt) + 1, id: yB.conversationId });

      const filters = [
        '', 'limit=1', 'limit=100', 'status=queued', 'status=assigned', 'status=closed', 'scope=shop', 'scope=mine', 'scope=mine&limit=1',
        `assigneeId=${b.agentId}`, `assigneeId=${b.ownerId}`, `assigneeId=${b.agentId}&status=assigned`, `assigneeId=${a.agentId}`,
        `cursor=${forged}`, `cursor=${forged}&status=assigned`, `labelId=${bLabelId}`, `labelId=${bLabelId}&view=open`, 'channel=web',
        `view=open&assigneeId=${b.agentId}`, `view=mine&status=assigned`, `view=queue&status=queued`,
      ];
      for (const token of [a.ownerToken, a.agentToken]) {
        for (const filter of filters) {
          const { pages, ids, shopIds } = await listAll(token, filter);
          assert.ok(shopIds.size === 0 || (shopIds.size === 1 && shopIds.has(a.shopId)), `${filter}: shops ${[...shopIds]}`);
          assert.deepEqual(ids.filter((id) => bConversations.has(id)), [], filter);
          assert.deepEqual(pages.flatMap((p) => leaks(p.body, bSecrets)), [], `${filter} leaks`);
        }
        // Controls: A's own conversations are there, so the filters did run.
        assert.deepEqual(new Set((await listAll(token, 'limit=100')).ids), new Set([x.conversationId, yA.conversationId]));
        assert.deepEqual((await listAll(token, `assigneeId=${a.agentId}`)).ids, [yA.conversationId]);
        assert.deepEqual((await listAll(token, `assigneeId=${b.agentId}`)).ids, []);
        assert.deepEqual((await listAll(token, 'status=assigned')).ids, [yA.conversationId]);
      }

      const staffList = await call(server, 'GET', '/api/v1/staff', { token: a.ownerToken });
      assert.equal(staffList.status, 200);
      assert.deepEqual(new Set(items(staffList).map((s) => s.id)), new Set([a.ownerId, a.agentId]));
      assert.ok(items(staffList).every((s) => s.shopId === a.shopId));
      assert.deepEqual(leaks(staffList.body, bSecrets), []);
      const agentStaffList = await call(server, 'GET', '/api/v1/staff', { token: a.agentToken });
      assert.equal(agentStaffList.status, 403);
      assert.deepEqual(leaks(agentStaffList.body), []);

      const apiKeys = await call(server, 'GET', '/api/v1/api-keys', { token: a.ownerToken });
      assert.deepEqual(apiKeys.body.items, []);
      // B's key is B's: it reaches A's connections through no push route (more in goim-push.test.ts).
      const aSocket = await rawAuthed(server, a.ownerToken);
      for (const path of ['/goim/push/all?operation=9', '/goim/push/room?operation=9&type=shop&room=' + a.shopId, `/goim/push/mids?operation=9&mids=1`]) {
        await fetch(`${server.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${bApiKey.key}` }, body: 'from b' });
      }
      // openresty-im's POST /open/push into B's conversation, or as B's customer with A's... nothing: as a nonexistent one.
      const messagesBefore = await snapshotRows(server.storage.db);
      for (const roomId of [yB.conversationId, bAnon.conversationId, yA.conversationId]) {
        const open = (room: string) =>
          fetch(`${server.url}/open/push?room_id=${room}`, { method: 'POST', headers: { authorization: `Bearer ${x.token}`, 'content-type': 'application/x-www-form-urlencoded' }, body: 'type=text&msg=intruder' });
        const reply = await open(roomId);
        const reference = await open(randomUUID());
        assert.deepEqual([reply.status, await reply.text()], [reference.status, await reference.text()]);
      }
      assert.deepEqual(await snapshotRows(server.storage.db), messagesBefore);
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.deepEqual(aSocket.frames.filter((f) => f.type === 'push'), []);
      aSocket.close();

      // Campaigns: A's list, A's audiences (even naming B's customers' external ids) and A's customers' widget offers hold nothing of B.
      for (const token of [a.ownerToken, a.agentToken]) {
        const campaigns = await call(server, 'GET', '/api/v1/campaigns?limit=100', { token });
        assert.deepEqual([campaigns.status, campaigns.body.items], [200, []]);
      }
      const audience = await call(server, 'POST', '/api/v1/campaigns/audience', { token: a.ownerToken, body: { audience: { all: true } } });
      assert.equal(audience.body.count, 2, "A's two customers");
      const offers = await call(server, 'GET', `/api/v1/widget/campaigns?url=${encodeURIComponent('https://a.example/')}`, { token: x.token });
      assert.deepEqual([offers.status, offers.body.items], [200, []], "B's ongoing campaign is offered on every page of B's only");
      const bOffers = await call(server, 'GET', `/api/v1/widget/campaigns?url=${encodeURIComponent('https://b.example/')}`, { token: bAnon.token });
      assert.deepEqual(bOffers.body.items.map((c: { id: string }) => c.id), [bOngoingCampaignId], 'control: B’s visitors are offered it');

      const webhooks = await call(server, 'GET', '/api/v1/webhooks', { token: a.ownerToken });
      assert.deepEqual(items(webhooks).map((w) => w.id), [aWebhookId]);
      assert.deepEqual(leaks(webhooks.body, bSecrets), []);

      const shop = await call(server, 'GET', '/api/v1/shop', { token: a.ownerToken });
      assert.equal(shop.body.id, a.shopId);
      assert.deepEqual(leaks(shop.body, bSecrets), []);
      const me = await call(server, 'GET', '/api/v1/me', { token: a.ownerToken });
      assert.equal(me.body.staff.id, a.ownerId);
      assert.deepEqual(leaks(me.body, bSecrets), []);
    });

    test("A's console reads (search, canned responses, counts, statistics) hold nothing of B", async () => {
      const get = (token: string, path: string) => call(server, 'GET', `/api/v1${path}`, { token });
      const queries = [tag, 'b secret question', 'b internal note', 'b canned', `Yusuf B ${tag}`, `yusuf-${tag}`, 'Bianca', yB.customerId, bAnon.customerId, 'b-secret'];
      // Control: B's own staff do find their data with these queries.
      const bFinds = await get(b.agentToken, `/search?q=${encodeURIComponent('b secret question')}&limit=50`);
      assert.equal(bFinds.body.messages.length, 2);
      assert.deepEqual((await get(b.agentToken, `/search?q=${yB.customerId}`)).body.conversations.map((c: { id: string }) => c.id), [yB.conversationId]);
      assert.equal((await get(b.agentToken, '/canned-responses?q=b-secret')).body.items.length, 1);

      for (const token of [a.ownerToken, a.agentToken]) {
        for (const q of queries) {
          const found = await get(token, `/search?q=${encodeURIComponent(q)}&limit=50`);
          assert.equal(found.status, 200);
          assert.ok(found.body.conversations.every((c: { shopId: string }) => c.shopId === a.shopId), q);
          assert.ok(found.body.messages.every((hit: { conversation: { shopId: string } }) => hit.conversation.shopId === a.shopId), q);
          assert.deepEqual(leaks(found.body, bSecrets), [], `search ${q} leaks`);
          const canned = await get(token, `/canned-responses?q=${encodeURIComponent(q)}`);
          assert.deepEqual(canned.body.items, [], `canned ${q}`);
        }
        // Control: A's own messages are found, so the searches did run.
        assert.equal((await get(token, `/search?q=${encodeURIComponent(text('x asks'))}`)).body.messages.length, 1);
        const counts = await get(token, '/conversations/counts');
        assert.equal(counts.status, 200);
        for (const view of ['queue', 'mine', 'open', 'closed']) {
          assert.equal((await listAll(token, `view=${view}`)).ids.length, counts.body[view], `${view}: A's views count A's conversations only`);
        }
        // B's label counts nothing of B's for A (B's own staff count its conversation: the control below).
        for (const filter of [`labelId=${bLabelId}`, `assigneeId=${b.agentId}`, `assigneeId=${b.agentId}&status=assigned`]) {
          assert.deepEqual((await get(token, `/conversations/counts?${filter}`)).body, { queue: 0, mine: 0, open: 0, closed: 0, snoozed: 0 }, filter);
        }
      }
      for (const filter of [`labelId=${bLabelId}`, `assigneeId=${b.agentId}`]) {
        const own = (await get(b.agentToken, `/conversations/counts?${filter}`)).body as Record<string, number>;
        assert.ok(own.open! > 0, `B's own ${filter} counts its conversation: ${JSON.stringify(own)}`);
      }
      const stats = await get(a.ownerToken, '/stats/daily');
      const bStats = await get(b.ownerToken, '/stats/daily');
      const total = (reply: Reply) => reply.body.days.reduce((sum: number, d: { inquiries: number }) => sum + d.inquiries, 0);
      assert.equal(total(stats), 2, "A's two inquiries (X and Y)");
      assert.equal(total(bStats), 2, "B's two, counted for B only");
    });

    test("A's contacts, labels, saved views and bulk labelling hold and touch nothing of B", async () => {
      const bCustomers = [yB.customerId, bAnon.customerId];
      const get = (token: string, path: string) => call(server, 'GET', `/api/v1${path}`, { token });
      // Control: B's own list finds its labelled contact.
      assert.deepEqual((await get(b.agentToken, `/contacts?labelId=${bLabelId}`)).body.items.map((c: { customer: { id: string } }) => c.customer.id), [yB.customerId]);
      for (const token of [a.ownerToken, a.agentToken]) {
        for (const query of ['', 'limit=100', `labelId=${bLabelId}`, `q=${encodeURIComponent(`Yusuf B ${tag}`)}`, `q=${yB.customerId}`, 'sort=name', 'optedOut=false', `attribute=${encodeURIComponent(`plan:b plan ${tag}`)}`]) {
          const listed = await get(token, `/contacts?${query}`);
          assert.equal(listed.status, 200, JSON.stringify(listed.body));
          assert.deepEqual(leaks(listed.body, bSecrets), [], `contacts ${query} leaks`);
        }
        assert.deepEqual(new Set((await get(token, '/contacts?limit=100')).body.items.map((c: { customer: { id: string } }) => c.customer.id)), new Set([x.customerId, yA.customerId]));
        for (const path of ['/labels', '/views']) assert.deepEqual(leaks((await get(token, path)).body, bSecrets), [], path);
        // Bulk labelling with B's ids: skipped as nonexistent ones are; with B's label: refused as a nonexistent one.
        for (const route of ['/contacts/labels', '/conversations/labels']) {
          const ids = route === '/contacts/labels' ? bCustomers : [yB.conversationId, bAnon.conversationId];
          const theirs = await call(server, 'POST', `/api/v1${route}`, { token, body: { ids, add: [aLabelId] } });
          const none = await call(server, 'POST', `/api/v1${route}`, { token, body: { ids: [randomUUID()], add: [aLabelId] } });
          assert.deepEqual([theirs.status, theirs.body], [none.status, none.body]);
          assert.deepEqual(theirs.body, { changed: 0 });
          const bLabel = await call(server, 'POST', `/api/v1${route}`, { token, body: { ids: [x.customerId, x.conversationId], add: [bLabelId] } });
          const noLabel = await call(server, 'POST', `/api/v1${route}`, { token, body: { ids: [x.customerId, x.conversationId], add: [randomUUID()] } });
          assert.deepEqual([bLabel.status, bLabel.body], [noLabel.status, noLabel.body]);
          assert.equal(bLabel.body.error.code, 'LABEL_NOT_FOUND');
        }
      }
      const exported = await fetch(`${server.url}/api/v1/contacts/export`, { headers: { authorization: `Bearer ${a.ownerToken}` } });
      assert.deepEqual(leaks(await exported.text(), bSecrets), []);
      const bLabels = await server.storage.db.selectFrom('contact_labels').select('label_id').where('customer_id', 'in', bCustomers).execute();
      assert.deepEqual(bLabels.map((l) => l.label_id), [bLabelId], "B's contacts carry B's label alone");
    });

    test("A's operations figures count A's messages, queue and agents alone; agents and customers are refused", async () => {
      const messagesOf = async (shopId: string) =>
        Number((await server.storage.db.selectFrom('messages').select((eb) => eb.fn.countAll().as('n')).where('shop_id', '=', shopId).executeTakeFirstOrThrow()).n);
      const queuedOf = async (shopId: string) =>
        Number((await server.storage.db.selectFrom('inquiries').select((eb) => eb.fn.countAll().as('n')).where('shop_id', '=', shopId).where('status', '=', 'queued').executeTakeFirstOrThrow()).n);
      const figures = await call(server, 'GET', '/api/v1/operations', { token: a.ownerToken });
      const bFigures = await call(server, 'GET', '/api/v1/operations', { token: b.ownerToken });
      assert.equal(figures.status, 200);
      assert.equal(figures.body.messagesTotal, await messagesOf(a.shopId));
      assert.equal(bFigures.body.messagesTotal, await messagesOf(b.shopId));
      assert.notEqual(figures.body.messagesTotal, bFigures.body.messagesTotal, 'the two shops differ, so a mix-up shows');
      assert.equal(figures.body.queueLength, await queuedOf(a.shopId));
      assert.deepEqual(leaks(figures.body, bSecrets), []);
      for (const token of [a.agentToken, x.token]) assert.equal((await call(server, 'GET', '/api/v1/operations', { token })).status, 403);
    });

    test("a customer's list holds only their own conversation", async () => {
      const filters = ['', 'limit=1', 'limit=100', 'status=queued', 'status=assigned', 'scope=shop', 'scope=mine', `assigneeId=${b.agentId}`, `assigneeId=${a.agentId}`];
      for (const [customer, shopId] of [[x, a.shopId], [yA, a.shopId], [yB, b.shopId], [bAnon, b.shopId]] as const) {
        for (const filter of filters) {
          const { pages, ids } = await listAll(customer.token, filter);
          // Filters are staff-only: a customer gets their one conversation or, filtered, nothing else.
          assert.ok(ids.every((id) => id === customer.conversationId), `${filter}: ${ids}`);
          const own = new Set([customer.customerId, customer.conversationId]);
          const serialized = JSON.stringify(pages.map((p) => p.body));
          const foreignIds = [x, yA, yB, bAnon].filter((c) => c !== customer).flatMap((c) => [c.customerId, c.conversationId]);
          assert.deepEqual(foreignIds.filter((id) => serialized.includes(id) && !own.has(id)), [], `${filter} leaks`);
          // Internal notes never show, not even as a preview.
          assert.ok(!serialized.includes('internal note'), `${filter} shows an internal note`);
        }
        const { ids, shopIds } = await listAll(customer.token, 'limit=100');
        assert.deepEqual(ids, [customer.conversationId]);
        assert.deepEqual(shopIds, new Set([shopId]));
      }
    });

    test("CSAT and the statistics report: B's ratings stay B's; A's customers cannot rate B's inquiries", async () => {
      for (const shop of [a, b]) {
        assert.equal((await call(server, 'PATCH', '/api/v1/shop', { token: shop.ownerToken, body: { settings: { csat: { enabled: true } } } })).status, 200);
      }
      /** A customer of `shop` whose inquiry was closed by its agent. */
      const closedInquiry = async (shop: ShopFixture) => {
        const customer = await openWidget(server, shop.shopId);
        assert.equal((await send(server, customer.token, customer.conversationId, text('rate me'))).status, 201);
        assert.equal((await call(server, 'POST', `/api/v1/conversations/${customer.conversationId}/close`, { token: shop.agentToken })).status, 200);
        const asked = await call(server, 'GET', '/api/v1/widget/csat', { token: customer.token });
        assert.equal(asked.body.ask, true);
        return { customer, inquiryId: asked.body.inquiryId as string };
      };
      const inB = await closedInquiry(b);
      const inA = await closedInquiry(a);
      const bComment = `b csat comment ${tag}`;
      assert.equal((await call(server, 'POST', '/api/v1/widget/csat', { token: inB.customer.token, body: { inquiryId: inB.inquiryId, rating: 1, comment: bComment } })).status, 200);
      for (const token of [inA.customer.token, x.token]) {
        const theirs = await call(server, 'POST', '/api/v1/widget/csat', { token, body: { inquiryId: inB.inquiryId, rating: 5 } });
        assert.deepEqual([theirs.status, theirs.body.error?.code], [404, 'INQUIRY_NOT_FOUND']);
      }
      assert.equal((await call(server, 'POST', '/api/v1/widget/csat', { token: inA.customer.token, body: { inquiryId: inA.inquiryId, rating: 5 } })).status, 200);
      const day = new Date().toISOString().slice(0, 10);
      const range = `from=${day}&to=${day}&timezone=UTC`;
      const report = await call(server, 'GET', `/api/v1/stats/report?${range}`, { token: a.ownerToken });
      assert.equal(report.status, 200, JSON.stringify(report.body));
      assert.deepEqual([report.body.csat.count, report.body.csat.distribution], [1, [0, 0, 0, 0, 1]]);
      assert.deepEqual(leaks(report.body, [...bSecrets, bComment, b.agentId, inB.inquiryId]), []);
      const csv = await fetch(`${server.url}/api/v1/stats/report.csv?${range}`, { headers: { authorization: `Bearer ${a.ownerToken}` } });
      assert.deepEqual(leaks(await csv.text(), [...bSecrets, b.agentId]), []);
      const bReport = await call(server, 'GET', `/api/v1/stats/report?${range}`, { token: b.ownerToken });
      assert.deepEqual(bReport.body.csat.comments.map((c: { comment: string }) => c.comment), [bComment], 'control: B sees its own');
    });
  });
}
