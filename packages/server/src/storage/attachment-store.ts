import type { ExpressionBuilder, Kysely, Selectable } from 'kysely';
import type { AttachmentKind, UserKind, Visibility } from '@frontdesk/protocol';
import type { AttachmentStore } from '../domain/ports.ts';
import type { AttachmentRecord, UploadRecord } from '../domain/records.ts';
import type { Engine } from './connect.ts';
import type { AttachmentTable, Database, UploadTable } from './schema.ts';

export function attachmentStore(db: Kysely<Database>, engine: Engine): AttachmentStore {
  const pg = engine === 'postgres';
  return {
    async create(a, blobs) {
      await db.transaction().execute(async (tx) => {
        // DO UPDATE (not DO NOTHING) takes the row lock: it waits for a cleanup holding the row,
        // and inserts again if that cleanup deleted it.
        for (const blob of blobs) {
          await tx
            .insertInto('blobs')
            .values({ key: blob.key, size: blob.size, created_at: a.createdAt })
            .onConflict((oc) => oc.column('key').doUpdateSet({ size: blob.size }))
            .execute();
        }
        await tx.insertInto('attachments').values(toRow(a)).execute();
      });
    },

    async find(id) {
      const row = await db.selectFrom('attachments').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toAttachment(row);
    },

    async claim(id, conversationId, uploaderId, claim, now) {
      const result = await db
        .updateTable('attachments')
        .set({ claimed_by: claim, claimed_at: now })
        .where('id', '=', id)
        .where('conversation_id', '=', conversationId)
        .where('uploader_id', '=', uploaderId)
        .where('removed_at', 'is', null)
        .where((eb) => eb.or([eb('claimed_by', 'is', null), eb('claimed_by', '=', claim)]))
        .executeTakeFirst();
      if (result.numUpdatedRows > 0n) return 'claimed';
      const row = await db
        .selectFrom('attachments')
        .select('id')
        .where('id', '=', id)
        .where('conversation_id', '=', conversationId)
        .where('uploader_id', '=', uploaderId)
        .where('removed_at', 'is', null)
        .executeTakeFirst();
      return row ? 'in-use' : 'missing';
    },

    async messageOf(attachmentId, conversationId) {
      const row = await db
        .selectFrom('messages')
        .select(['visibility', 'deleted_at'])
        .where('attachment_id', '=', attachmentId)
        .where('conversation_id', '=', conversationId)
        .executeTakeFirst();
      return row && { visibility: row.visibility as Visibility, deletedAt: row.deleted_at };
    },

    async orphans(cutoff, limit) {
      const unsent = await db
        .selectFrom('attachments')
        .selectAll()
        .where((eb) => unsentBefore(eb, cutoff))
        .orderBy('created_at')
        .limit(limit)
        .execute();
      const removed = await db
        .selectFrom('attachments')
        .selectAll()
        .where('removed_at', 'is not', null)
        .orderBy('removed_at')
        .limit(limit)
        .execute();
      return [...unsent, ...removed].map(toAttachment);
    },

    async deleteOrphans(ids, cutoff) {
      if (ids.length === 0) return [];
      const rows = await db
        .deleteFrom('attachments')
        .where('id', 'in', ids)
        // The same conditions as `orphans`, again: a send may have claimed one in between.
        .where((eb) => eb.or([eb('removed_at', 'is not', null), unsentBefore(eb, cutoff)]))
        .returningAll()
        .execute();
      return rows.map(toAttachment);
    },

    async releaseBlob(key, remove) {
      return db.transaction().execute(async (tx) => {
        // SQLite: this process's one connection is held by the transaction, and only one node
        // may use the file. PostgreSQL: the row lock keeps uploads of the same bytes waiting.
        let lock = tx.selectFrom('blobs').select('key').where('key', '=', key);
        if (pg) lock = lock.forUpdate();
        if (!(await lock.executeTakeFirst())) return false;
        const used = await tx
          .selectFrom('attachments')
          .select('id')
          .where((eb) => eb.or([eb('blob_key', '=', key), eb('thumb_key', '=', key)]))
          .limit(1)
          .executeTakeFirst();
        if (used) return false;
        await tx.deleteFrom('blobs').where('key', '=', key).execute();
        await remove();
        return true;
      });
    },

    async createUpload(u) {
      await db
        .insertInto('uploads')
        .values({
          id: u.id,
          shop_id: u.shopId,
          conversation_id: u.conversationId,
          uploader_id: u.uploaderId,
          uploader_kind: u.uploaderKind,
          name: u.name,
          size: u.size,
          received: u.received,
          created_at: u.createdAt,
          expires_at: u.expiresAt,
        })
        .execute();
    },

    async findUpload(id) {
      const row = await db.selectFrom('uploads').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toUpload(row);
    },

    async advanceUpload(id, from, to) {
      const result = await db
        .updateTable('uploads')
        .set({ received: to })
        .where('id', '=', id)
        .where('received', '=', from)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async deleteUpload(id) {
      await db.deleteFrom('uploads').where('id', '=', id).execute();
    },

    async expiredUploads(now, limit) {
      const rows = await db.selectFrom('uploads').selectAll().where('expires_at', '<', now).orderBy('expires_at').limit(limit).execute();
      return rows.map(toUpload);
    },

    async serverKey(name, generate, now) {
      await db
        .insertInto('server_keys')
        .values({ name, secret: generate(), created_at: now })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
      const row = await db.selectFrom('server_keys').select('secret').where('name', '=', name).executeTakeFirstOrThrow();
      return row.secret;
    },
  };
}

/** Never sent, uploaded before `cutoff`, and not claimed since (a send in flight is about to store its message). */
function unsentBefore(eb: ExpressionBuilder<Database, 'attachments'>, cutoff: number) {
  return eb.and([eb('sent_at', 'is', null), eb('created_at', '<', cutoff), eb.or([eb('claimed_at', 'is', null), eb('claimed_at', '<', cutoff)])]);
}

function toRow(a: AttachmentRecord): AttachmentTable {
  return {
    id: a.id,
    shop_id: a.shopId,
    conversation_id: a.conversationId,
    uploader_id: a.uploaderId,
    uploader_kind: a.uploaderKind,
    kind: a.kind,
    name: a.name,
    mime: a.mime,
    size: a.size,
    blob_key: a.blobKey,
    width: a.width,
    height: a.height,
    thumb_key: a.thumbKey,
    thumb_width: a.thumbWidth,
    thumb_height: a.thumbHeight,
    claimed_by: a.claimedBy,
    claimed_at: a.claimedAt,
    sent_at: null,
    removed_at: null,
    created_at: a.createdAt,
  };
}

function toAttachment(row: Selectable<AttachmentTable>): AttachmentRecord {
  return {
    id: row.id,
    shopId: row.shop_id,
    conversationId: row.conversation_id,
    uploaderId: row.uploader_id,
    uploaderKind: row.uploader_kind as UserKind,
    kind: row.kind as AttachmentKind,
    name: row.name,
    mime: row.mime,
    size: row.size,
    blobKey: row.blob_key,
    width: row.width,
    height: row.height,
    thumbKey: row.thumb_key,
    thumbWidth: row.thumb_width,
    thumbHeight: row.thumb_height,
    claimedBy: row.claimed_by,
    claimedAt: row.claimed_at,
    createdAt: row.created_at,
  };
}

function toUpload(row: Selectable<UploadTable>): UploadRecord {
  return {
    id: row.id,
    shopId: row.shop_id,
    conversationId: row.conversation_id,
    uploaderId: row.uploader_id,
    uploaderKind: row.uploader_kind as UserKind,
    name: row.name,
    size: row.size,
    received: row.received,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}
