import { createAttachments } from './attachments.ts';
import { createAuth } from './auth.ts';
import { createCannedResponses } from './canned-responses.ts';
import { createConversations } from './conversations.ts';
import { createCustomers } from './customers.ts';
import type { DomainDeps } from './domain.ts';
import { createMessages } from './messages.ts';
import { createRouting } from './routing.ts';
import { createSearch } from './search.ts';
import { createShops } from './shops.ts';
import { createStaffService } from './staff.ts';
import { createStats } from './stats.ts';
import { createSync } from './sync.ts';
import { createWidgetSessions } from './widget-sessions.ts';

export function createServices(deps: DomainDeps) {
  const auth = createAuth(deps);
  const routing = createRouting(deps, deps.settings.routing);
  const attachments = createAttachments(deps, deps.files, deps.settings.attachments);
  // A visitor merged on any node: its conversation is gone, and so are its cached facts here.
  deps.bus.subscribe((event) => {
    if (event.type === 'conversation' && event.mergedFromId !== undefined) deps.store.conversations.forgetFacts(event.mergedFromId);
  });
  return {
    auth,
    routing,
    attachments,
    widget: createWidgetSessions(deps, auth, { drain: routing.drain }),
    conversations: createConversations(deps),
    messages: createMessages(deps, { inquiryOpened: routing.inquiryOpened, claimAttachment: attachments.claim }),
    shops: withDrain(createShops(deps), (shop) => shop.id, routing.drain),
    staff: withDrain(createStaffService(deps), (staff) => staff.shopId, routing.drain),
    sync: createSync(deps),
    cannedResponses: createCannedResponses(deps),
    customers: createCustomers(deps),
    search: createSearch(deps),
    stats: createStats(deps),
  };
}

/** Settings and capacities take effect at once: after an update the shop's queue runs again. */
function withDrain<T extends { update(...args: any[]): Promise<any> }>(
  service: T,
  shopOf: (updated: Awaited<ReturnType<T['update']>>) => string,
  drain: (shopId: string) => Promise<void>,
): T {
  return {
    ...service,
    async update(...args: Parameters<T['update']>) {
      const updated = await service.update(...args);
      // A failed drain is retried by the routing sweep; the update itself has succeeded.
      drain(shopOf(updated)).catch(() => {});
      return updated;
    },
  };
}

export type Services = ReturnType<typeof createServices>;
