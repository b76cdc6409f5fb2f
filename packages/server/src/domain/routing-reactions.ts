import type { Subscriber } from './events.ts';
import type { Routing } from './routing.ts';

/**
 * What routing does when something happens elsewhere (registered in app.ts): a customer's message
 * that opened an inquiry is routed; a change of settings or capacity, or a merge that moved or
 * closed an inquiry, runs the shop's queue again. A failure is retried by the routing sweep.
 */
export function routingReactions(routing: Pick<Routing, 'inquiryOpened' | 'drain'>): Subscriber {
  return async (event) => {
    switch (event.type) {
      case 'message.created':
        if (event.openedInquiryId !== undefined) await routing.inquiryOpened(event.conversation.shopId, event.conversation.id);
        return;
      case 'shop.updated':
        return routing.drain(event.shop.id);
      case 'staff.updated':
        return routing.drain(event.staff.shopId);
      case 'conversation.merged':
        return routing.drain(event.conversation.shopId);
    }
  };
}
