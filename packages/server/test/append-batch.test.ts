import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { newId } from '../src/domain/ids.ts';
import type { NewMessage } from '../src/domain/ports.ts';
import { appendBatch } from '../src/storage/append-batch.ts';
import { createShop, openWidget, type CustomerFixture, type ShopFixture } from './support/client.ts';
import { eventually } from './support/eventually.ts';
import { startServer, type TestServer } from './support/server.ts';
import { engines } from './support/storage.ts';

/**
 * One batch's transaction does every kind of write at once: on PostgreSQL they are one statement
 * whose parts do not see each other's rows (storage/append-batch.ts), so each is checked in the rows.
 */
for (const engine of engines) {
  describe(`one batch with every kind of write on ${engine}`, () => {
    let server: TestServer;
    let shop: ShopFixture;
    before(async () => {
      server = await startServer(engine);
      shop = await createShop(server, 'Mixed batch');
    });
    after(() => server.close());

    const customerSays = (c: CustomerFixture, clientMsgId: string, extra: Partial<NewMessage> = {}): NewMessage => ({
      id: newId(), shopId: shop.shopId, conversationId: c.conversationId, senderId: c.customerId, senderKind: 'customer', senderRole: 'customer',
      kind: 'user', contentType: 'text', text: `from the customer ${clientMsgId}`, visibility: 'public', clientMsgId, createdAt: Date.now(),
      openInquiry: { id: newId(), customerId: c.customerId }, ...extra,
    });
    const agentSays = (c: CustomerFixture, clientMsgId: string): NewMessage => ({
      id: newId(), shopId: shop.shopId, conversationId: c.conversationId, senderId: shop.agentId, senderKind: 'staff', senderRole: 'agent',
      kind: 'user', contentType: 'text', text: `from the agent ${clientMsgId}`, visibility: 'public', clientMsgId, createdAt: Date.now() + 5, openInquiry: null,
    });
    const db = () => server.storage.db;

    test('a resend, a new inquiry answered in the same batch, an earlier inquiry answered, an attachment, new members, the outbox', async () => {
      const a = await openWidget(server, shop.shopId);
      const b = await openWidget(server, shop.shopId);
      const earlier = await server.app.store.messages.append(customerSays(b, 'b0'));
      const bInquiry = earlier.openedInquiryId!;
      const createdAt = Date.now();
      const attachmentId = newId();
      const blobKey = newId();
      await db().insertInto('blobs').values({ key: blobKey, size: 5, created_at: createdAt }).execute();
      await db().insertInto('attachments').values({
        id: attachmentId, shop_id: shop.shopId, conversation_id: b.conversationId, uploader_id: b.customerId, uploader_kind: 'customer',
        kind: 'file', name: 'notes.txt', mime: 'text/plain', size: 5, blob_key: blobKey, created_at: createdAt,
      }).execute();
      const endpointId = newId();
      await db().insertInto('webhook_subscriptions').values({ endpoint_id: endpointId, shop_id: shop.shopId, event: 'message.created' }).execute();
      const attachment = { id: attachmentId, conversationId: b.conversationId, kind: 'file' as const, name: 'notes.txt', mime: 'text/plain', size: 5, width: null, height: null, thumbnail: null, createdAt: new Date(createdAt).toISOString() };

      // Sent in one turn of the event loop: one batch.
      const [opened, answerA, resend, withFile, answerB] = await Promise.all([
        customerSays(a, 'a1'),
        agentSays(a, 'r-a'),
        customerSays(b, 'b0'),
        customerSays(b, 'b1', { contentType: 'file', text: '', attachment }),
        agentSays(b, 'r-b'),
      ].map((m) => server.app.store.messages.append(m)));

      assert.equal(resend!.duplicate, true);
      assert.equal(resend!.message.id, earlier.message.id);
      assert.deepEqual([opened, answerA, withFile, answerB].map((r) => [r!.duplicate, r!.message.seq]), [[false, 1], [false, 2], [false, 2], [false, 3]]);
      assert.ok(opened!.openedInquiryId);

      const inquiries = await db().selectFrom('inquiries').select(['id', 'conversation_id', 'first_response_at']).where('shop_id', '=', shop.shopId).execute();
      assert.equal(inquiries.length, 2);
      assert.equal(inquiries.find((i) => i.id === opened!.openedInquiryId)?.first_response_at, answerA!.message.createdAt, 'opened and answered in one batch');
      assert.equal(inquiries.find((i) => i.id === bInquiry)?.first_response_at, answerB!.message.createdAt, 'opened earlier, answered now');

      const file = await db().selectFrom('attachments').select('sent_at').where('id', '=', attachmentId).executeTakeFirstOrThrow();
      assert.equal(file.sent_at, withFile!.message.createdAt);

      for (const c of [a, b]) {
        const conversation = await db().selectFrom('conversations').select(['last_seq', 'last_activity_at']).where('id', '=', c.conversationId).executeTakeFirstOrThrow();
        const members = await db().selectFrom('members').select(['user_id', 'read_seq', 'activity_at']).where('conversation_id', '=', c.conversationId).orderBy('user_id').execute();
        assert.deepEqual(
          members.map((m) => [m.user_id, m.read_seq, m.activity_at]).sort(),
          [[c.customerId, c === a ? 1 : 2, conversation.last_activity_at], [shop.agentId, conversation.last_seq, conversation.last_activity_at]].sort(),
          'read cursors moved, and the agent, a member since this batch, is in its list at the latest activity',
        );
      }

      const outbox = await db().selectFrom('outbox').select(['type', 'subject_id']).where('shop_id', '=', shop.shopId).execute();
      assert.deepEqual(
        outbox.map((o) => o.subject_id).sort(),
        [opened, answerA, withFile, answerB].map((r) => r!.message.id).sort(),
        'one message.created per new message (subscribed), no inquiry.queued (not subscribed), nothing for the resend',
      );
      assert.ok(outbox.every((o) => o.type === 'message.created'));
    });

    if (engine === 'postgres') {
      test('a resend whose twin commits while the batch waits for the conversation is answered with the twin', async () => {
        const c = await openWidget(server, shop.shopId);
        const twin = customerSays(c, 'twin');
        let commit = () => {};
        let holding = () => {};
        const committing = new Promise<void>((resolve) => (commit = resolve));
        const held = new Promise<void>((resolve) => (holding = resolve));
        // The twin's transaction (another node, say) holds the conversation until told to commit.
        const twinDone = db().transaction().execute(async (tx) => {
          await appendBatch(tx, [twin]);
          holding();
          await committing;
        });
        await held;
        // appendBatch itself, not the message store: group commit would retry a failed batch alone and hide the difference.
        const resend = db().transaction().execute((tx) => appendBatch(tx, [{ ...twin, id: newId() }]));
        await eventually('the resend to wait for the lock', async () => {
          const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query like '%seen_seq%'`.execute(db());
          return rows[0]!.n > 0;
        });
        commit();
        await twinDone;
        const [result] = await resend;
        assert.ok(!(result instanceof Error), String(result));
        assert.equal(result!.duplicate, true);
        assert.equal(result!.message.id, twin.id);
        const rows = await db().selectFrom('messages').select('id').where('conversation_id', '=', c.conversationId).execute();
        assert.deepEqual(rows.map((r) => r.id), [twin.id]);
      });
    }
  });
}
