import { sql, type Kysely } from 'kysely';

// Migrations see an untyped database: the schema they build is the one of their own time.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('shops')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('identity_secret', 'text', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull())
    // Position of the shop's last message in its commit-ordered stream (see message-store.ts).
    .addColumn('stream_pos', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('staff')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('shop_id', 'text', (c) => c.notNull().references('shops.id'))
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('capacity', 'integer')
    .addColumn('disabled_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('staff_shop').on('staff').columns(['shop_id', 'created_at']).execute();

  await db.schema
    .createTable('customers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('shop_id', 'text', (c) => c.references('shops.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('identity_key', 'text', (c) => c.notNull().unique())
    .addColumn('external_id', 'text')
    .addColumn('name', 'text')
    .addColumn('email', 'text')
    .addColumn('visitor_token_hash', 'text', (c) => c.unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('conversations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('shop_id', 'text', (c) => c.notNull().references('shops.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('unique_key', 'text', (c) => c.unique())
    .addColumn('customer_id', 'text', (c) => c.references('customers.id'))
    .addColumn('title', 'text')
    .addColumn('owner_id', 'text')
    .addColumn('status', 'text')
    .addColumn('assignee_id', 'text')
    .addColumn('current_inquiry_id', 'text')
    .addColumn('last_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_public_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_message_seq', 'integer')
    .addColumn('last_message_preview', 'text')
    .addColumn('last_message_content_type', 'text')
    .addColumn('last_message_sender_id', 'text')
    .addColumn('last_message_sender_kind', 'text')
    .addColumn('last_message_at', 'bigint')
    .addColumn('last_activity_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // The staff lists: by kind, by status, by assignee; each newest first with id as tie-breaker.
  for (const [name, column] of [
    ['conversations_shop_kind', 'kind'],
    ['conversations_shop_status', 'status'],
    ['conversations_shop_assignee', 'assignee_id'],
  ] as const) {
    await db.schema
      .createIndex(name)
      .on('conversations')
      .columns(['shop_id', column, 'last_activity_at', 'id'])
      .execute();
  }

  await db.schema
    .createTable('members')
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('user_kind', 'text', (c) => c.notNull())
    .addColumn('shop_id', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('read_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('read_public_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('muted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('joined_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('members_pk', ['conversation_id', 'user_id'])
    .execute();
  await db.schema.createIndex('members_user').on('members').columns(['user_id', 'conversation_id']).execute();

  await db.schema
    .createTable('inquiries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('shop_id', 'text', (c) => c.notNull().references('shops.id'))
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id'))
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('assignee_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('assigned_at', 'bigint')
    .addColumn('first_response_at', 'bigint')
    .addColumn('closed_at', 'bigint')
    .execute();
  // At most one open inquiry per conversation, enforced by the database on every node.
  await db.schema
    .createIndex('inquiries_one_open')
    .on('inquiries')
    .column('conversation_id')
    .unique()
    .where(sql.ref('status'), '<>', 'closed')
    .execute();
  await db.schema.createIndex('inquiries_conversation').on('inquiries').columns(['conversation_id', 'created_at']).execute();
  await db.schema.createIndex('inquiries_shop').on('inquiries').columns(['shop_id', 'created_at']).execute();

  await db.schema
    .createTable('messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('shop_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('public_seq', 'integer')
    .addColumn('stream_pos', 'bigint', (c) => c.notNull())
    .addColumn('sender_id', 'text')
    .addColumn('sender_kind', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('text', 'text')
    .addColumn('visibility', 'text', (c) => c.notNull())
    .addColumn('client_msg_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('deleted_at', 'bigint')
    .addUniqueConstraint('messages_conversation_seq', ['conversation_id', 'seq'])
    .addUniqueConstraint('messages_idempotency', ['conversation_id', 'sender_id', 'client_msg_id'])
    .execute();

  // Staff sync: "every message of my shop after position P", one range scan.
  await db.schema.createIndex('messages_shop_stream').on('messages').columns(['shop_id', 'stream_pos']).execute();

  await db.schema
    .createTable('sessions')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_kind', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('shop_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();
  await db.schema.createIndex('sessions_expiry').on('sessions').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['sessions', 'messages', 'inquiries', 'members', 'conversations', 'customers', 'staff', 'shops']) {
    await db.schema.dropTable(table).execute();
  }
}
