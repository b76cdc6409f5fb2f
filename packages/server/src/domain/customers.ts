import type { DomainDeps } from './domain.ts';
import { fail } from './errors.ts';
import type { CustomerProfile, InquiryRecord, Principal } from './records.ts';
import { requireRole } from './staff.ts';

/** The panel shows recent history; older inquiries stay in the conversation's timeline. */
const INQUIRIES_SHOWN = 100;

export interface CustomerDetails extends CustomerProfile {
  readonly inquiries: readonly InquiryRecord[];
}

/** The console's customer panel. */
export function createCustomers({ store }: DomainDeps) {
  return {
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
