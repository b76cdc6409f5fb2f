import { createTransport } from 'nodemailer';
import type { createMessages } from '../../domain/messages/messages.ts';
import type { DomainEvent } from '../../domain/events.ts';
import type { Store } from '../../domain/ports.ts';
import { lazyServerKey } from '../../domain/server-keys.ts';
import type { SignInLinks } from '../../domain/sign-in-links.ts';
import { emailAddresses } from './addresses.ts';
import { emailInbound, type InboundTls } from './inbound.ts';
import { emailNotifier } from './notifier.ts';
import type { EmailStore } from './ports.ts';

/** Replies older than this are not looked for by the reconciliation (they were e-mailed or read long ago). */
const RECONCILE_WINDOW_MS = 24 * 3_600_000;
const RECONCILE_EVERY_MS = 10 * 60_000;
const KEY_NAME = 'email-signing';

interface Log {
  warn(object: object, message: string): void;
}

export interface EmailChannelDeps {
  readonly store: Store;
  readonly emails: EmailStore;
  readonly messages: ReturnType<typeof createMessages>;
  readonly links: SignInLinks;
  readonly settings: { smtpUrl: string; from: string; replyDomain: string; inboundPort: number | null; inboundHost: string; inboundTls: InboundTls | null };
  readonly publicUrl: string;
  readonly maxInboundBytes: number;
  readonly now: () => number;
  readonly log: Log;
}

/**
 * The e-mail channel (DESIGN.md §10): staff replies a customer has not read are e-mailed to them
 * (one e-mail per burst, with a link back and a signed Reply-To), their answers by e-mail come
 * back into the conversation through an SMTP listener, bounces and unsubscribes stop the e-mails.
 * Made only when SMTP_URL is set.
 */
export function emailChannel(deps: EmailChannelDeps) {
  const { store, emails, now, log } = deps;
  const addresses = emailAddresses(lazyServerKey(store.attachments, KEY_NAME, now), deps.settings.replyDomain);
  const transport = createTransport(deps.settings.smtpUrl);
  const notifier = emailNotifier(store, emails, transport, addresses, deps.links, { from: deps.settings.from, publicUrl: deps.publicUrl, now, log });
  const inbound = emailInbound(store, emails, deps.messages, addresses, { maxBytes: deps.maxInboundBytes, tls: deps.settings.inboundTls, now, log });
  let reconciledAt = 0;
  let inboundPort: number | null = null;

  return {
    addresses,
    /** The inbound listener's port once listening (tests bind port 0). */
    inboundPort: () => inboundPort,

    async start(): Promise<void> {
      if (deps.settings.inboundPort !== null) inboundPort = await inbound.listen(deps.settings.inboundPort, deps.settings.inboundHost);
    },

    async close(): Promise<void> {
      if (inboundPort !== null) await inbound.close();
      transport.close();
    },

    /** A subscriber (app.ts): a staff reply starts (or extends) its conversation's burst; a close may send a transcript. */
    async onEvent(event: DomainEvent): Promise<void> {
      if (event.type === 'message.created') {
        const { conversation, message } = event;
        if (conversation.kind !== 'service' || conversation.customerId === null || event.resent) return;
        if (message.senderKind !== 'staff' || message.visibility !== 'public' || message.kind !== 'user') return;
        await notifier.replied(conversation.id, conversation.shopId, conversation.customerId);
      } else if (event.type === 'inquiry.closed' && event.conversation.customer) {
        const [inquiry] = await store.customers.inquiries(event.conversation.shopId, event.conversation.customer.id, 1);
        if (inquiry) await notifier.closed(event.conversation.id, inquiry.createdAt);
      }
    },

    /**
     * Bursts due (jobs); every ten minutes also the replies of the last day no burst was scheduled
     * for (a crash between commit and event). And a renewed certificate of the listener is taken up.
     */
    async sweep(): Promise<void> {
      if (inboundPort !== null) inbound.refreshTls();
      const reconcile = now() - reconciledAt >= RECONCILE_EVERY_MS;
      if (reconcile) reconciledAt = now();
      await notifier.sweep(reconcile ? now() - RECONCILE_WINDOW_MS : null);
    },

    /** The unsubscribe link of an e-mail (RFC 8058 one-click too): no more e-mail to this customer from this shop. */
    async unsubscribe(token: string): Promise<{ shopName: string } | undefined> {
      const target = await addresses.readUnsubscribeToken(token);
      if (!target) return undefined;
      const shop = await store.shops.find(target.shopId);
      if (!shop) return undefined;
      await emails.markUnsubscribed(target.shopId, target.customerId, now());
      return { shopName: shop.name };
    },

    async checkUnsubscribe(token: string): Promise<{ shopName: string } | undefined> {
      const target = await addresses.readUnsubscribeToken(token);
      const shop = target && (await store.shops.find(target.shopId));
      return shop ? { shopName: shop.name } : undefined;
    },
  };
}

export type EmailChannel = ReturnType<typeof emailChannel>;
