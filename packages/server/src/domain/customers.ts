import type { DomainDeps } from './domain.ts';
import { fail } from './errors.ts';
import type { CustomerProfile, CustomerRecord, InquiryRecord, Principal } from './records.ts';
import { requireRole } from './staff.ts';

/** The panel shows recent history; older inquiries stay in the conversation's timeline. */
const INQUIRIES_SHOWN = 100;

export interface CustomerDetails extends CustomerProfile {
  readonly inquiries: readonly InquiryRecord[];
}

/** The console's customer panel. */
export function createCustomers({ store, events, now }: DomainDeps) {
  return {
    /**
     * The customer gives an address to be answered at (the widget's offline form). A visitor may
     * change theirs; an identified customer's comes from their site, so it is only filled in when
     * the site gave none.
     */
    async setOwnEmail(principal: Principal, email: string, name?: string): Promise<CustomerRecord> {
      if (principal.kind !== 'customer' || principal.shopId === null) fail('FORBIDDEN');
      const customer = (await store.customers.find(principal.customer.id)) ?? principal.customer;
      if (customer.kind !== 'anonymous' && customer.email !== null) fail('FORBIDDEN', 'Your e-mail address comes from the shop’s site.');
      const changed = await store.customers.updateProfile(principal.shopId, customer.id, { email, ...(name !== undefined && customer.name === null && { name }) }, now());
      const updated = { ...customer, email, name: customer.name ?? name ?? null };
      if (changed) await events.emit({ type: 'customer.updated', shopId: principal.shopId, customer: updated });
      return updated;
    },

    /**
     * A customer as the caller's shop knows them. Platform customers exist across shops, so the
     * shop's scope is "has a service conversation here": anyone else is not found.
     */
    async details(principal: Principal, customerId: string): Promise<CustomerDetails> {
      const staff = requireRole(principal, 'agent');
      const profile = await store.customers.findInShop(staff.shopId, customerId);
      if (!profile) fail('CUSTOMER_NOT_FOUND');
      return { ...profile, inquiries: await store.customers.inquiries(staff.shopId, customerId, INQUIRIES_SHOWN) };
    },
  };
}
