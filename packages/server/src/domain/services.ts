import { createAuth } from './auth.ts';
import { createConversations } from './conversations.ts';
import type { DomainDeps } from './domain.ts';
import { createMessages } from './messages.ts';
import { createRouting } from './routing.ts';
import { createShops } from './shops.ts';
import { createStaffService } from './staff.ts';
import { createSync } from './sync.ts';
import { createWidgetSessions } from './widget-sessions.ts';

export function createServices(deps: DomainDeps) {
  const auth = createAuth(deps);
  const routing = createRouting(deps, deps.settings.routing);
  return {
    auth,
    routing,
    widget: createWidgetSessions(deps, auth),
    conversations: createConversations(deps),
    messages: createMessages(deps, { inquiryOpened: routing.inquiryOpened }),
    shops: createShops(deps),
    staff: createStaffService(deps),
    sync: createSync(deps),
  };
}

export type Services = ReturnType<typeof createServices>;
