import type { Kysely } from 'kysely';

/**
 * Channels beyond sockets (docs/channels.md): WeChat official accounts, e-mail, and what every
 * outbound channel needs:
 * - wechat_accounts: one per shop; secrets sealed (AES-256-GCM under a server key); the access
 *   token cached here for the whole cluster, refreshed by whoever holds `refresh_until`;
 * - wechat_inbound: callbacks as received, keyed by WeChat's MsgId (events: sender + time), so a
 *   retry is stored once and a crash after the 200 loses nothing (processed asynchronously);
 * - channel_cursors: per conversation, the last seq handed to the customer's channel: staff
 *   messages after it are still to deliver, in order (the messages table is the outbox);
 * - channel_deliveries: a message the channel refused or could not take, shown as failed, with retry;
 * - email_threads: per conversation, the last seq e-mailed to its customer and when the pending
 *   burst is due (channels/email); contacts learn whether their address bounced or unsubscribed.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('wechat_accounts')
    .addColumn('shop_id', 'text', (c) => c.primaryKey())
    .addColumn('app_id', 'text', (c) => c.notNull().unique())
    /** The account's original id (gh_…): ToUserName of its callbacks. */
    .addColumn('original_id', 'text', (c) => c.notNull())
    /** The unguessable path segment of the callback URL. */
    .addColumn('callback_key', 'text', (c) => c.notNull().unique())
    .addColumn('app_secret', 'text', (c) => c.notNull())
    .addColumn('callback_token', 'text', (c) => c.notNull())
    .addColumn('encoding_aes_key', 'text', (c) => c.notNull())
    .addColumn('access_token', 'text')
    .addColumn('access_token_expires_at', 'bigint')
    .addColumn('refresh_until', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('wechat_inbound')
    .addColumn('shop_id', 'text', (c) => c.notNull())
    .addColumn('dedup_key', 'text', (c) => c.notNull())
    /** The parsed callback (channels/wechat/inbound.ts WechatInbound), JSON. */
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('processed_at', 'bigint')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint')
    .addColumn('error', 'text')
    .addPrimaryKeyConstraint('wechat_inbound_pk', ['shop_id', 'dedup_key'])
    .execute();
  await db.schema.createIndex('wechat_inbound_pending').on('wechat_inbound').columns(['processed_at', 'next_attempt_at']).execute();
  await db.schema
    .createTable('channel_cursors')
    .addColumn('conversation_id', 'text', (c) => c.primaryKey())
    .addColumn('shop_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('delivered_seq', 'integer', (c) => c.notNull())
    /** When the customer last wrote (WeChat: the 48 h window opens) and how many replies went out since. */
    .addColumn('customer_wrote_at', 'bigint')
    .addColumn('sent_since', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked_until', 'bigint')
    .addColumn('next_attempt_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('channel_deliveries')
    .addColumn('message_id', 'text', (c) => c.primaryKey())
    .addColumn('shop_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    /** 'failed' (refused or unreachable; retry puts it back) or 'retrying'. */
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('error_code', 'text')
    .addColumn('error', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('channel_deliveries_conversation').on('channel_deliveries').columns(['conversation_id', 'status']).execute();

  await db.schema
    .createTable('email_threads')
    .addColumn('conversation_id', 'text', (c) => c.primaryKey())
    .addColumn('shop_id', 'text', (c) => c.notNull())
    .addColumn('emailed_seq', 'integer', (c) => c.notNull().defaultTo(0))
    /** When the pending burst goes out (pushed back by each new reply: one e-mail per burst); null = nothing pending. */
    .addColumn('due_at', 'bigint')
    .addColumn('locked_until', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('email_threads_due').on('email_threads').column('due_at').execute();
  await db.schema.alterTable('contacts').addColumn('email_bounced_at', 'bigint').execute();
  await db.schema.alterTable('contacts').addColumn('email_unsubscribed_at', 'bigint').execute();
}
