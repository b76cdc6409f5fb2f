import type { Kysely } from 'kysely';
import type { Database } from '../../src/storage/schema.ts';

/**
 * Every row of every table, in a stable order, for "nothing changed" assertions: optionally only
 * one shop's rows, optionally with sessions (which logins and logouts change on purpose).
 */
export async function snapshotRows(db: Kysely<Database>, options: { shopId?: string; sessions?: boolean } = {}) {
  const { shopId } = options;
  const byShop = <T extends { where: (...args: any[]) => T }>(query: T, column: 'id' | 'shop_id'): T =>
    shopId === undefined ? query : query.where(column, '=', shopId);
  return {
    shops: await byShop(db.selectFrom('shops').selectAll(), 'id').orderBy('id').execute(),
    staff: await byShop(db.selectFrom('staff').selectAll(), 'shop_id').orderBy('id').execute(),
    customers: await byShop(db.selectFrom('customers').selectAll(), 'shop_id').orderBy('id').execute(),
    conversations: await byShop(db.selectFrom('conversations').selectAll(), 'shop_id').orderBy('id').execute(),
    members: await byShop(db.selectFrom('members').selectAll(), 'shop_id').orderBy('conversation_id').orderBy('user_id').execute(),
    inquiries: await byShop(db.selectFrom('inquiries').selectAll(), 'shop_id').orderBy('id').execute(),
    messages: await byShop(db.selectFrom('messages').selectAll(), 'shop_id').orderBy('id').execute(),
    attachments: await byShop(db.selectFrom('attachments').selectAll(), 'shop_id').orderBy('id').execute(),
    uploads: await byShop(db.selectFrom('uploads').selectAll(), 'shop_id').orderBy('id').execute(),
    canned_responses: await byShop(db.selectFrom('canned_responses').selectAll(), 'shop_id').orderBy('id').execute(),
    api_keys: await byShop(db.selectFrom('api_keys').selectAll(), 'shop_id').orderBy('id').execute(),
    broadcasts: await byShop(db.selectFrom('broadcasts').selectAll(), 'shop_id').orderBy('id').execute(),
    campaigns: await byShop(db.selectFrom('campaigns').selectAll(), 'shop_id').orderBy('id').execute(),
    campaign_recipients: await byShop(db.selectFrom('campaign_recipients').selectAll(), 'shop_id').orderBy('campaign_id').orderBy('customer_id').execute(),
    // Targets and reads of the shop's broadcasts (the broadcast holds the shop).
    broadcast_targets: await db.selectFrom('broadcast_targets').selectAll().where('broadcast_id', 'in', byShop(db.selectFrom('broadcasts').select('id'), 'shop_id')).orderBy('broadcast_id').orderBy('target_id').execute(),
    broadcast_reads: await db.selectFrom('broadcast_reads').selectAll().where('broadcast_id', 'in', byShop(db.selectFrom('broadcasts').select('id'), 'shop_id')).orderBy('broadcast_id').orderBy('staff_id').execute(),
    contacts: await byShop(db.selectFrom('contacts').selectAll(), 'shop_id').orderBy('customer_id').execute(),
    labels: await byShop(db.selectFrom('labels').selectAll(), 'shop_id').orderBy('id').execute(),
    contact_labels: await byShop(db.selectFrom('contact_labels').selectAll(), 'shop_id').orderBy('customer_id').orderBy('label_id').execute(),
    conversation_labels: await byShop(db.selectFrom('conversation_labels').selectAll(), 'shop_id').orderBy('conversation_id').orderBy('label_id').execute(),
    contact_notes: await byShop(db.selectFrom('contact_notes').selectAll(), 'shop_id').orderBy('id').execute(),
    saved_views: await byShop(db.selectFrom('saved_views').selectAll(), 'shop_id').orderBy('id').execute(),
    ...(options.sessions === true && { sessions: await db.selectFrom('sessions').selectAll().orderBy('token_hash').execute() }),
  };
}
