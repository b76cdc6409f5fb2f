import { sql, type Kysely } from 'kysely';

// Attachments (docs/api.md, "Attachments"): stored files, uploads in progress, and the link key.
export async function up(db: Kysely<any>): Promise<void> {
  // One row per stored blob (content-addressed: key = sha256 of the bytes). Uploads and the
  // cleanup lock this row, so a blob is never deleted while an upload is about to reuse it.
  await db.schema
    .createTable('blobs')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('attachments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('shop_id', 'text', (c) => c.notNull().references('shops.id'))
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id'))
    .addColumn('uploader_id', 'text', (c) => c.notNull())
    .addColumn('uploader_kind', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('mime', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('blob_key', 'text', (c) => c.notNull().references('blobs.key'))
    .addColumn('width', 'integer')
    .addColumn('height', 'integer')
    .addColumn('thumb_key', 'text', (c) => c.references('blobs.key'))
    .addColumn('thumb_width', 'integer')
    .addColumn('thumb_height', 'integer')
    // The send that claimed it (the sender's clientMsgId): a resend of that send may claim it
    // again, any other send may not. Null until sent.
    .addColumn('claimed_by', 'text')
    .addColumn('claimed_at', 'bigint')
    // Set in the transaction that stores its message; removed_at when that message is deleted.
    .addColumn('sent_at', 'bigint')
    .addColumn('removed_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  // The cleanup's two lists: never sent (oldest first), and removed with their message.
  await db.schema
    .createIndex('attachments_unsent')
    .on('attachments')
    .column('created_at')
    .where(sql.ref('sent_at'), 'is', null)
    .execute();
  await db.schema
    .createIndex('attachments_removed')
    .on('attachments')
    .column('removed_at')
    .where(sql.ref('removed_at'), 'is not', null)
    .execute();
  await db.schema.createIndex('attachments_blob').on('attachments').columns(['blob_key']).execute();
  await db.schema.createIndex('attachments_thumb').on('attachments').columns(['thumb_key']).execute();

  // Resumable uploads in progress; their bytes are in a staging file of the node that took them.
  await db.schema
    .createTable('uploads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('shop_id', 'text', (c) => c.notNull().references('shops.id'))
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id'))
    .addColumn('uploader_id', 'text', (c) => c.notNull())
    .addColumn('uploader_kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('received', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('uploads_expiry').on('uploads').columns(['expires_at']).execute();

  // Keys the deployment generates for itself (the attachment link key), shared by every node.
  await db.schema
    .createTable('server_keys')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  // The message's attachment: its id, and the metadata as sent (immutable, so lists and sync
  // need no join).
  await db.schema.alterTable('messages').addColumn('attachment_id', 'text').execute();
  await db.schema.alterTable('messages').addColumn('attachment', 'text').execute();
  await db.schema
    .createIndex('messages_attachment')
    .on('messages')
    .column('attachment_id')
    .where(sql.ref('attachment_id'), 'is not', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('messages_attachment').execute();
  await db.schema.dropIndex('attachments_removed').execute();
  await db.schema.dropIndex('attachments_unsent').execute();
  await db.schema.alterTable('messages').dropColumn('attachment').execute();
  await db.schema.alterTable('messages').dropColumn('attachment_id').execute();
  await db.schema.dropTable('server_keys').execute();
  await db.schema.dropTable('uploads').execute();
  await db.schema.dropTable('attachments').execute();
  await db.schema.dropTable('blobs').execute();
}
