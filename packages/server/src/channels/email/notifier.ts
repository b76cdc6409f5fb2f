import type { Transporter } from 'nodemailer';
import type { Store } from '../../domain/ports.ts';
import type { MessageRecord, ShopRecord } from '../../domain/records.ts';
import type { SignInLinks } from '../../domain/sign-in-links.ts';
import type { EmailAddresses } from './addresses.ts';
import { composeEmail } from './compose.ts';
import type { EmailStore, EmailThread } from './ports.ts';

const LOCK_MS = 60_000;
const RETRY_MS = 60_000;
const MESSAGES_MAX = 50;
/** How long the link back to the conversation works. */
const LINK_TTL_MS = 7 * 24 * 3_600_000;

interface Log {
  warn(object: object, message: string): void;
}

export interface NotifierOptions {
  readonly from: string;
  readonly publicUrl: string;
  readonly now: () => number;
  readonly log: Log;
}

/**
 * Staff replies e-mailed to customers who did not read them (DESIGN.md §10): the replies of a
 * burst go out as one e-mail once the burst has been quiet and unread for the shop's delay; what
 * the customer read in the widget meanwhile is left out, and so is anything e-mailed before.
 * Threads are taken under a lock, so in a cluster one node sends a burst; a failed send is tried
 * again a minute later.
 */
export function emailNotifier(store: Store, emails: EmailStore, transport: Transporter, addresses: EmailAddresses, links: SignInLinks, options: NotifierOptions) {
  const { now, log } = options;

  async function send(thread: EmailThread, kind: 'replies' | 'transcript', messages: readonly MessageRecord[], shop: ShopRecord): Promise<void> {
    const staffIds = [...new Set(messages.map((m) => m.senderId).filter((id): id is string => id !== null))];
    const staff = await store.staff.findMany(thread.shopId, staffIds);
    const link = await links.issue(thread.shopId, thread.customerId, LINK_TTL_MS);
    const unsubscribe = `${options.publicUrl}/email/unsubscribe?token=${encodeURIComponent(await addresses.unsubscribeToken(thread.shopId, thread.customerId))}`;
    const mail = composeEmail(kind, messages, {
      shopName: shop.name,
      customerName: thread.customerName,
      names: new Map(staff.map((s) => [s.id, s.name])),
      link: `${options.publicUrl}/widget/?shop=${thread.shopId}#signin=${link}`,
      unsubscribeUrl: unsubscribe,
      locale: thread.locale ?? 'en',
      timeZone: shop.settings.businessHours?.timezone ?? 'UTC',
    });
    await transport.sendMail({
      from: { name: shop.settings.email.fromName ?? shop.name, address: options.from },
      to: thread.email!,
      replyTo: await addresses.address('reply', thread.conversationId),
      // VERP: a bounce comes back to an address that names the conversation.
      envelope: { from: await addresses.address('bounce', thread.conversationId), to: thread.email! },
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      headers: {
        'List-Unsubscribe': `<${unsubscribe}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        'Auto-Submitted': 'auto-generated',
      },
    });
  }

  async function process(conversationId: string): Promise<void> {
    const thread = await emails.thread(conversationId);
    if (!thread) return emails.finish(conversationId, 0, now());
    const shop = await store.shops.find(thread.shopId);
    const settings = shop?.settings.email;
    const from = Math.max(thread.emailedSeq, thread.readSeq);
    const replies = await emails.repliesAfter(conversationId, from, MESSAGES_MAX);
    const last = replies.at(-1)?.seq ?? from;
    if (!shop || !settings?.enabled || thread.email === null || thread.blocked || replies.length === 0) return emails.finish(conversationId, last, now());
    try {
      await send(thread, 'replies', replies, shop);
      await emails.finish(conversationId, last, now());
    } catch (error) {
      log.warn({ err: error instanceof Error ? error.message : String(error), conversationId }, 'reply e-mail not sent; trying again');
      await emails.postpone(conversationId, now() + RETRY_MS, now());
    }
  }

  return {
    /** A staff reply: the conversation's burst is due `delayMinutes` from now (a later reply pushes it back). */
    async replied(conversationId: string, shopId: string, customerId: string): Promise<void> {
      const [customer, shop] = await Promise.all([store.customers.find(customerId), store.shops.findCached(shopId)]);
      if (!customer?.email || !shop?.settings.email.enabled) return;
      await emails.schedule(conversationId, shopId, now() + shop.settings.email.delayMinutes * 60_000, now());
    },

    /** The conversation's transcript since the inquiry opened, if the shop sends them. */
    async closed(conversationId: string, inquiryOpenedAt: number): Promise<void> {
      const thread = await emails.thread(conversationId);
      const shop = thread && (await store.shops.find(thread.shopId));
      if (!thread || !shop?.settings.email.enabled || !shop.settings.email.transcriptOnClose || thread.email === null || thread.blocked) return;
      const messages = await emails.publicSince(conversationId, inquiryOpenedAt, 500);
      if (messages.length > 0) await send(thread, 'transcript', messages, shop);
    },

    /** Bursts due now, and (reconciliation) replies of the last day no burst was scheduled for. */
    async sweep(reconcileSince: number | null): Promise<void> {
      if (reconcileSince !== null) {
        for (const missed of await emails.unscheduled(reconcileSince, 500)) {
          const shop = await store.shops.find(missed.shopId);
          if (shop?.settings.email.enabled) await emails.schedule(missed.conversationId, missed.shopId, missed.lastMessageAt + shop.settings.email.delayMinutes * 60_000, now());
        }
      }
      for (;;) {
        const due = await emails.claimDue(now(), now() + LOCK_MS, 50);
        for (const id of due) await process(id);
        if (due.length < 50) return;
      }
    },
  };
}

export type EmailNotifier = ReturnType<typeof emailNotifier>;
