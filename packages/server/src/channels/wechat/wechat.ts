import type { ConversationChannel } from '@frontdesk/protocol';
import { openConversation } from '../../domain/access.ts';
import type { createChannelCustomers } from '../../domain/channel-customers.ts';
import { fail } from '../../domain/errors.ts';
import type { DomainEvent } from '../../domain/events.ts';
import type { Store } from '../../domain/ports.ts';
import type { Principal } from '../../domain/records.ts';
import { serverKeyBox } from '../../integrations/webhooks/secret-box.ts';
import { accessTokens } from './access-token.ts';
import { wechatAccounts } from './accounts.ts';
import { wechatApi } from './api.ts';
import { wechatCallback } from './callback.ts';
import { wechatInbound } from './inbound-worker.ts';
import { wechatOutbound, type ReadAttachment } from './outbound.ts';
import type { WechatStore } from './ports.ts';

/** WeChat's rules for customer-service messages: 48 h after the fan last wrote, 5 replies at most (accounts since 2023). */
export const WECHAT_WINDOW_MS = 48 * 3_600_000;
export const WECHAT_WINDOW_QUOTA = 5;
const SECRETS_KEY = 'wechat-secrets';
const SWEEP_BATCH = 100;

interface Log {
  warn(object: object, message: string): void;
}

export interface WechatChannelDeps {
  readonly store: Store;
  readonly wechat: WechatStore;
  readonly customers: ReturnType<typeof createChannelCustomers>;
  readonly readAttachment: ReadAttachment;
  readonly apiBase: string;
  readonly publicUrl: string;
  readonly maxImageBytes: number;
  readonly now: () => number;
  readonly log: Log;
}

/**
 * The WeChat official-account channel (DESIGN.md §10, seed 004): the callback in, the
 * customer-service API out, and what the console shows about a WeChat conversation. Knows the
 * domain through its services and ports only; nothing in domain/ knows WeChat.
 */
export function wechatChannel(deps: WechatChannelDeps) {
  const { store, wechat, now, log } = deps;
  const secrets = serverKeyBox(store.attachments, SECRETS_KEY, now);
  const api = wechatApi(deps.apiBase);
  const tokens = accessTokens(wechat, api, secrets, now);
  const accounts = wechatAccounts(wechat, secrets, deps.publicUrl, now);
  const inbound = wechatInbound(wechat, deps.customers, api, tokens, { maxImageBytes: deps.maxImageBytes, now, log });
  const outbound = wechatOutbound(wechat, api, tokens, deps.readAttachment, now, log);
  const callback = wechatCallback(accounts, wechat, now, () => void inbound.run().catch((error: unknown) => log.warn({ err: error }, 'WeChat inbound failed')));

  async function openidOf(conversationId: string): Promise<string | undefined> {
    const facts = await store.conversations.facts(conversationId);
    const customer = facts?.customerId ? await store.customers.find(facts.customerId) : undefined;
    return customer?.externalId ?? undefined;
  }
  const deliver = (conversationId: string) =>
    outbound.deliver(conversationId, openidOf).catch((error: unknown) => log.warn({ err: error instanceof Error ? error.message : String(error), conversationId }, 'WeChat delivery failed'));

  return {
    accounts,
    callback,

    /** A subscriber (app.ts): a staff message in a conversation with a WeChat cursor goes out now. */
    async onEvent(event: DomainEvent): Promise<void> {
      if (event.type !== 'message.created' || event.conversation.kind !== 'service') return;
      const message = event.message;
      if (message.senderKind !== 'staff' || message.visibility !== 'public') return;
      if (await wechat.cursor(event.conversation.id)) void deliver(event.conversation.id);
    },

    /** The safety net (jobs): callbacks not yet stored and replies not yet handed over, whoever recorded them. */
    async sweep(): Promise<void> {
      await inbound.run();
      for (const conversationId of await wechat.dueConversations(now(), SWEEP_BATCH)) await deliver(conversationId);
    },

    async conversationChannel(principal: Principal, conversationId: string): Promise<ConversationChannel> {
      const { conversation } = await openConversation(store.conversations, principal, conversationId);
      if (principal.kind !== 'staff') fail('FORBIDDEN');
      const cursor = await wechat.cursor(conversation.id);
      const failures = (await wechat.failures(conversation.id)).map((f) => ({ ...f, at: new Date(f.updatedAt).toISOString() }));
      if (!cursor) return { channel: 'web', windowClosesAt: null, remaining: null, unfollowedAt: null, failures: [] };
      const closesAt = cursor.customerWroteAt === null ? null : cursor.customerWroteAt + WECHAT_WINDOW_MS;
      return {
        channel: 'wechat',
        windowClosesAt: closesAt === null ? null : new Date(closesAt).toISOString(),
        remaining: closesAt === null || closesAt <= now() ? 0 : Math.max(0, WECHAT_WINDOW_QUOTA - cursor.sentSince),
        unfollowedAt: cursor.unfollowedAt === null ? null : new Date(cursor.unfollowedAt).toISOString(),
        failures: failures.map(({ updatedAt: _, ...f }) => f),
      };
    },

    /** Puts a message WeChat refused back in line. */
    async retry(principal: Principal, conversationId: string, messageId: string): Promise<void> {
      const { conversation } = await openConversation(store.conversations, principal, conversationId);
      if (principal.kind !== 'staff') fail('FORBIDDEN');
      if (!(await wechat.markRetry(conversation.id, messageId, now()))) fail('DELIVERY_NOT_FAILED');
      void deliver(conversation.id);
    },
  };
}

export type WechatChannel = ReturnType<typeof wechatChannel>;
