import type { DomainDeps } from './domain.ts';
import { fail } from './errors.ts';
import type { CustomerRecord } from './records.ts';
import { prechatOf } from './shop-settings.ts';

/**
 * The pre-chat form's required fields, enforced where a message is stored (the widget's form is
 * only a convenience). It binds anonymous visitors alone: an identified customer comes with what
 * their site knows, and channel customers (e-mail, WeChat) never see the widget (as Chatwoot does).
 * The customer is read again only when the caller's copy lacks a field: a realtime connection
 * keeps the customer as they were when it signed in.
 */
export async function requirePrechat(store: DomainDeps['store'], customer: CustomerRecord, shopId: string): Promise<void> {
  if (customer.kind !== 'anonymous') return;
  const shop = await store.shops.findCached(shopId);
  if (!shop) return;
  const prechat = prechatOf(shop.settings);
  const missing = (c: CustomerRecord) => (prechat.name === 'required' && c.name === null) || (prechat.email === 'required' && c.email === null);
  if (!missing(customer)) return;
  const fresh = await store.customers.find(customer.id);
  if (fresh === undefined || missing(fresh)) fail('PRECHAT_REQUIRED');
}
