import type { DomainDeps } from '../domain.ts';
import { isOpenAt } from '../business-hours.ts';
import { fail } from '../errors.ts';
import { isId, newId } from '../ids.ts';
import type { MessageRecord, Principal } from '../records.ts';
import { campaignMessage } from './batch.ts';
import type { CampaignStore } from './ports.ts';
import { deliveredEvent } from './sender.ts';

/** `*` matches any run of characters, everything else itself; the pattern must cover the whole URL. */
export function urlMatches(pattern: string, url: string): boolean {
  const source = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${source}$`, 's').test(url);
}

export interface WidgetCampaignView {
  readonly id: string;
  readonly text: string;
  readonly delaySeconds: number;
  readonly senderName: string;
}

/**
 * Ongoing (widget) campaigns: the widget asks which of the shop's running ones fit the page its
 * visitor is on, waits their delay, and asks for one to be shown; showing stores the message in the
 * visitor's service conversation once per visitor (their recipient row is the idempotency key).
 */
export function createOngoingCampaigns({ store, events, now }: DomainDeps, campaigns: CampaignStore) {
  function visitor(principal: Principal): { customerId: string; shopId: string } {
    if (principal.kind !== 'customer' || principal.shopId === null) fail('FORBIDDEN', 'Widget campaigns are for a customer session of a shop.');
    return { customerId: principal.customer.id, shopId: principal.shopId };
  }

  return {
    async forPage(principal: Principal, url: string): Promise<WidgetCampaignView[]> {
      const { customerId, shopId } = visitor(principal);
      const shop = await store.shops.find(shopId);
      const open = isOpenAt(shop?.settings.businessHours ?? null, now());
      const fitting = (await campaigns.runningOngoing(shopId)).filter((c) => c.trigger !== null && urlMatches(c.trigger.urlPattern, url) && (open || !c.trigger.businessHoursOnly));
      if (fitting.length === 0) return [];
      const shown = await campaigns.shownTo(customerId, fitting.map((c) => c.id));
      const fresh = fitting.filter((c) => !shown.has(c.id));
      const senders = new Map((await store.staff.findMany(shopId, [...new Set(fresh.map((c) => c.senderId))])).map((s) => [s.id, s.name]));
      return fresh.map((c) => ({ id: c.id, text: c.text, delaySeconds: c.trigger!.delaySeconds, senderName: senders.get(c.senderId) ?? shop?.name ?? '' }));
    },

    /** Stores the campaign's message for this visitor (once; a repeat returns the same message). */
    async shown(principal: Principal, campaignId: string): Promise<MessageRecord> {
      const { customerId, shopId } = visitor(principal);
      const campaign = isId(campaignId) ? (await campaigns.runningOngoing(shopId)).find((c) => c.id === campaignId) : undefined;
      if (!campaign) fail('CAMPAIGN_NOT_FOUND');
      const at = now();
      const delivery = await campaigns.deliverOngoing(campaign, customerId, (conversationId) => campaignMessage(campaign, conversationId, newId(), at), at);
      await events.emit(deliveredEvent(campaign.id, delivery));
      return delivery.message;
    },
  };
}
