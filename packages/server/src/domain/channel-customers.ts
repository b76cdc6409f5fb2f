import type { DomainDeps } from './domain.ts';
import { newId } from './ids.ts';
import type { Principal } from './records.ts';
import type { createAttachments } from './attachments.ts';
import type { createMessages, SendResult } from './messages/messages.ts';

/** Channels whose customers the shop knows by the channel's own id (DESIGN.md §10). */
export type ExternalChannel = 'wechat' | 'email';

/** What a customer wrote through a channel; `clientMsgId` is the channel's own id, so a redelivery is stored once. */
export type ChannelInput =
  | { readonly clientMsgId: string; readonly text: string }
  | { readonly clientMsgId: string; readonly file: { readonly bytes: Uint8Array; readonly name: string }; readonly caption?: string };

/**
 * Customers who write through a channel adapter rather than a socket: a WeChat fan (openid within
 * the shop's account), an e-mail sender. Each is a customer of that shop alone (identity key
 * `c:<shop>:<channel>:<id>`, never confused with a site's own external ids), with the shop's
 * service conversation marked with the channel, so replies go back the same way. What they write
 * takes the ordinary send path as that customer: stored, acknowledged, routed, fanned out.
 */
export function createChannelCustomers(
  { store, now }: DomainDeps,
  messages: ReturnType<typeof createMessages>,
  attachments: ReturnType<typeof createAttachments>,
) {
  async function arrive(shopId: string, channel: ExternalChannel, externalId: string, name: string | null = null) {
    const customer = await store.customers.upsert(
      {
        id: newId(),
        shopId,
        kind: 'shop',
        identityKey: `c:${shopId}:${channel}:${externalId}`,
        externalId,
        name,
        email: channel === 'email' ? externalId : null,
        visitorTokenHash: null,
      },
      now(),
    );
    const conversation = await store.conversations.ensureService(shopId, customer.id, newId(), now());
    const principal: Principal = { kind: 'customer', customer, shopId, tokenHash: '' };
    return { customer, conversationId: conversation.id, lastSeq: conversation.lastSeq, principal };
  }

  return {
    arrive,

    async receive(shopId: string, channel: ExternalChannel, externalId: string, input: ChannelInput): Promise<SendResult & { conversationId: string }> {
      const { principal, conversationId } = await arrive(shopId, channel, externalId);
      if ('text' in input) return { ...(await messages.send(principal, { conversationId, clientMsgId: input.clientMsgId, text: input.text })), conversationId };
      // A redelivery must not upload the file again: the first one's message answers it.
      const earlier = await store.messages.findByClientMsgId(conversationId, principal.customer.id, input.clientMsgId);
      if (earlier) return { message: earlier, duplicate: true, conversationId };
      const bytes = input.file.bytes;
      const attachment = await attachments.upload(principal, conversationId, input.file.name, (async function* () { yield bytes; })(), {
        truncated: () => false,
        ended: async () => {},
      });
      const sent = await messages.send(principal, { conversationId, clientMsgId: input.clientMsgId, attachmentId: attachment.id, ...(input.caption !== undefined && { text: input.caption }) });
      return { ...sent, conversationId };
    },
  };
}
