import { sql, type Kysely } from 'kysely';

/**
 * Contacts and labels (docs/contacts.md). A contact is a shop's relation to a customer: platform
 * customers are one row in `customers` and one contact per shop they dealt with, so what a shop
 * learns or decides about a person (labels, notes, opt-out, last seen) stays in that shop. Every
 * customer with a service conversation has one (backfilled here); an import makes contacts with no
 * conversation yet. Conversations remember the channel their customer uses (DESIGN.md §10).
 */
export async function up(db: Kysely<any>): Promise<void> {
  /** 'web' (widget, hosted page), 'api', 'goim', 'wechat', 'email'. */
  await db.schema.alterTable('conversations').addColumn('channel', 'text', (c) => c.notNull().defaultTo('web')).execute();

  await db.schema
    .createTable('contacts')
    .addColumn('shop_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    /** The channel the customer last wrote from. */
    .addColumn('channel', 'text', (c) => c.notNull().defaultTo('web'))
    .addColumn('last_seen_at', 'bigint')
    /** Set when the customer (or staff for them) opted out of campaigns; null = may be addressed. */
    .addColumn('opted_out_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('contacts_pk', ['shop_id', 'customer_id'])
    .execute();
  await db.schema.createIndex('contacts_shop_created').on('contacts').columns(['shop_id', 'created_at', 'customer_id']).execute();
  await db.schema.createIndex('contacts_shop_seen').on('contacts').columns(['shop_id', 'last_seen_at', 'customer_id']).execute();
  await db.schema.createIndex('contacts_customer').on('contacts').column('customer_id').execute();
  await sql`insert into contacts (shop_id, customer_id, channel, last_seen_at, created_at, updated_at)
    select shop_id, customer_id, 'web', last_activity_at, created_at, updated_at from conversations
    where kind = 'service' and customer_id is not null`.execute(db);

  await db.schema
    .createTable('labels')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('shop_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    /** #rrggbb. */
    .addColumn('color', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('labels_shop_name', ['shop_id', 'name'])
    .execute();
  await db.schema
    .createTable('contact_labels')
    .addColumn('shop_id', 'text', (c) => c.notNull())
    .addColumn('label_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('contact_labels_pk', ['shop_id', 'label_id', 'customer_id'])
    .execute();
  await db.schema.createIndex('contact_labels_contact').on('contact_labels').columns(['shop_id', 'customer_id']).execute();
  await db.schema
    .createTable('conversation_labels')
    .addColumn('shop_id', 'text', (c) => c.notNull())
    .addColumn('label_id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('conversation_labels_pk', ['conversation_id', 'label_id'])
    .execute();
  await db.schema.createIndex('conversation_labels_label').on('conversation_labels').columns(['shop_id', 'label_id', 'conversation_id']).execute();

  await db.schema
    .createTable('contact_notes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('shop_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('author_id', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('contact_notes_contact').on('contact_notes').columns(['shop_id', 'customer_id', 'created_at']).execute();

  /** An agent's saved inbox filters. */
  await db.schema
    .createTable('saved_views')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('shop_id', 'text', (c) => c.notNull())
    .addColumn('staff_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    /** JSON of the inbox filters (protocol InboxFilterSchema). */
    .addColumn('filters', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('saved_views_staff').on('saved_views').columns(['staff_id', 'created_at']).execute();
}
