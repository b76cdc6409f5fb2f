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
     * The customer fills in the pre-chat or offline form: an address to be answered at, a name.
     * A visitor may change both; an identified customer's come from their site, so each is only
     * filled in when the site gave none.
     */
    async setOwnProfile(principal: Principal, profile: { email?: string | undefined; name?: string | undefined }): Promise<CustomerRecord> {
      if (principal.kind !== 'customer' || principal.shopId === null) fail('FORBIDDEN');
      const customer = (await store.customers.find(principal.customer.id)) ?? principal.customer;
      const anonymous = customer.kind === 'anonymous';
      if (profile.email !== undefined && !anonymous && customer.email !== null) fail('FORBIDDEN', 'Your e-mail address comes from the shop’s site.');
      const name = profile.name?.trim();
      const patch = {
        ...(profile.email !== undefined && { email: profile.email }),
        ...(name !== undefined && name !== '' && (anonymous || customer.name === null) && { name }),
      };
      if (patch.email === undefined && patch.name === undefined) return customer;
      const changed = await store.customers.updateProfile(principal.shopId, customer.id, patch, now());
      const updated = { ...customer, ...patch };
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
