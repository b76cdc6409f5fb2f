import { newId } from '../domain/ids.ts';
import { AppError } from '../domain/errors.ts';
import type { CampaignDelivery, CampaignRecord } from '../domain/campaigns/ports.ts';
import type { NewMessage } from '../domain/ports.ts';
import { appendBatch } from './append-batch.ts';
import { inSqliteTransaction, pgConversations, type Db } from './campaign-batch.ts';
import { toMessage } from './rows.ts';
import type { MessageTable } from './schema.ts';
import { sqliteAppendWithin } from './sqlite-append.ts';

/**
 * Ongoing (widget) campaigns, one visitor at a time (docs/campaigns.md, "Widget campaigns"): the
 * recipient row and the message in one transaction, so a visitor is shown a campaign once. The
 * row's key (campaign, customer) decides: a repeat finds it and returns the message it holds.
 */
export async function deliverOngoing(d: Db, campaign: CampaignRecord, customerId: string, message: (conversationId: string) => NewMessage, now: number): Promise<CampaignDelivery> {
  const key = `service:${campaign.shopId}:${customerId}`;
  const delivery = (conversationId: string, assigneeId: string | null, stored: ReturnType<typeof toMessage>, duplicate: boolean): CampaignDelivery => ({
    conversation: { id: conversationId, shopId: campaign.shopId, kind: 'service', customerId },
    message: stored,
    duplicate,
    staffIds: assigneeId === null ? [] : [assigneeId],
  });
  if (d.sqlite) {
    return d.sqlite.exclusive((raw) => {
      const append = sqliteAppendWithin(raw);
      return inSqliteTransaction(raw, (s) => {
        const conversationId = newId();
        if (Number(s.recipient.run(campaign.id, customerId, campaign.shopId).changes) === 0) {
          const earlier = s.recipientRow.get(campaign.id, customerId) as { conversation_id: string; message_id: string };
          const service = s.serviceOf.get(key) as { id: string; assignee_id: string | null };
          return delivery(earlier.conversation_id, service.assignee_id, toMessage(s.message.get(earlier.message_id) as unknown as MessageTable), true);
        }
        if (Number(s.conversation.run(conversationId, campaign.shopId, key, customerId, now, now, now).changes) === 1) {
          s.member.run(conversationId, customerId, campaign.shopId, now);
          s.contact.run(campaign.shopId, customerId, now, now, now);
        }
        const service = s.serviceOf.get(key) as { id: string; assignee_id: string | null };
        const [result] = append([message(service.id)]);
        if (result === undefined || result instanceof Error) throw result ?? new AppError('INTERNAL');
        s.mark.run('sent', service.id, result.message.id, null, now, campaign.id, customerId);
        s.shown.run(now, campaign.id);
        return delivery(service.id, service.assignee_id, result.message, result.duplicate);
      });
    });
  }
  return d.db.transaction().execute(async (tx) => {
    const inserted = await tx
      .insertInto('campaign_recipients')
      .values({ campaign_id: campaign.id, customer_id: customerId, shop_id: campaign.shopId, status: 'pending' })
      .onConflict((oc) => oc.columns(['campaign_id', 'customer_id']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) {
      // A twin request holds the row until it commits; then its message is there.
      const earlier = await tx.selectFrom('campaign_recipients').select(['conversation_id', 'message_id']).where('campaign_id', '=', campaign.id).where('customer_id', '=', customerId).executeTakeFirstOrThrow();
      const stored = await tx.selectFrom('messages').selectAll().where('id', '=', earlier.message_id!).executeTakeFirstOrThrow();
      const service = await tx.selectFrom('conversations').select(['id', 'assignee_id']).where('unique_key', '=', key).executeTakeFirstOrThrow();
      return delivery(earlier.conversation_id!, service.assignee_id, toMessage(stored), true);
    }
    await pgConversations(tx, campaign.shopId, { skipped: [], newConversations: [{ customerId, conversationId: newId() }], messages: [], addressed: [] }, now);
    const service = await tx.selectFrom('conversations').select(['id', 'assignee_id']).where('unique_key', '=', key).executeTakeFirstOrThrow();
    const [result] = await appendBatch(tx, [message(service.id)]);
    if (result === undefined || result instanceof Error) throw result ?? new AppError('INTERNAL');
    await tx.updateTable('campaign_recipients').set({ status: 'sent', conversation_id: service.id, message_id: result.message.id, sent_at: now }).where('campaign_id', '=', campaign.id).where('customer_id', '=', customerId).execute();
    await tx.updateTable('campaigns').set((eb) => ({ total: eb('total', '+', 1), sent: eb('sent', '+', 1), updated_at: now })).where('id', '=', campaign.id).execute();
    return delivery(service.id, service.assignee_id, result.message, result.duplicate);
  });
}
