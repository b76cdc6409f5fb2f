import { limits, type Attachment, type ContentType, type Visibility } from '@frontdesk/protocol';
import { authorize, openConversation } from '../access.ts';
import type { DomainDeps } from '../domain.ts';
import { fail } from '../errors.ts';
import { newId } from '../ids.ts';
import type { AppendResult } from '../ports.ts';
import { factsOf, type ConversationFacts, type MessageRecord, type Principal } from '../records.ts';
import { requirePrechat } from '../prechat.ts';

export interface SendRequest {
  readonly conversationId: string;
  readonly clientMsgId: string;
  /** Default: the attachment's kind when there is one, else text. */
  readonly contentType?: ContentType | undefined;
  /** The text; for image and file messages an optional caption. */
  readonly text?: string | undefined;
  readonly attachmentId?: string | undefined;
  readonly visibility?: Visibility | undefined;
  /** Staff chat: members to notify even if they muted it, or 'all' (group owner, admins). */
  readonly mentions?: readonly string[] | undefined;
}

export interface HistoryRequest {
  readonly beforeSeq?: number;
  readonly afterSeq?: number;
  readonly limit?: number;
}

export interface SendOptions {
  /** The realtime connection the send came from; it gets an ack instead of the event. */
  readonly originConnectionId?: string;
  /** Called after the commit and before the event is emitted: the ack goes out first. */
  readonly onCommitted?: (result: AppendResult) => void;
}

export type SendResult = AppendResult;

/** Binds an uploaded attachment to a send (attachments.ts `claim`). */
export type ClaimAttachment = (
  principal: Principal,
  facts: ConversationFacts,
  attachmentId: string,
  clientMsgId: string,
  contentType: ContentType | undefined,
) => Promise<Attachment>;

export function createMessages({ store, events, now }: DomainDeps, claimAttachment: ClaimAttachment) {
  /** Mentions name members of a staff chat; `all`, in a group, is for its owner and admins and the shop's. */
  async function checkMentions(principal: Principal, conversation: ConversationFacts, role: string | null, mentions: readonly string[]): Promise<void> {
    if (conversation.kind === 'service') fail('VALIDATION_FAILED', 'Mentions are for staff chats.');
    if (mentions.includes('all')) {
      const shopAdmin = principal.kind === 'staff' && principal.staff.role !== 'agent';
      if (conversation.kind !== 'group' || !(shopAdmin || role === 'owner' || role === 'admin')) fail('FORBIDDEN', 'Only a group’s owner or admins can mention everyone.');
    }
    const members = new Set(await store.conversations.memberIds(conversation.id));
    const stranger = mentions.find((id) => id !== 'all' && !members.has(id));
    if (stranger !== undefined) fail('VALIDATION_FAILED', `${stranger} is not a member of this conversation.`);
  }

  return {
    /** DESIGN.md §2 send path: authorise → validate → one transaction → ack → `message.created`. */
    async send(principal: Principal, request: SendRequest, options: SendOptions = {}): Promise<SendResult> {
      const conversation = await store.conversations.facts(request.conversationId);
      if (!conversation) fail('CONVERSATION_NOT_FOUND');
      const { member } = await authorize(store.conversations, principal, conversation, false);
      const visibility = request.visibility ?? 'public';
      if (visibility === 'internal' && principal.kind !== 'staff') fail('FORBIDDEN', 'Only staff can write internal notes.');
      if (conversation.kind !== 'service' && !member) fail('CONVERSATION_READ_ONLY');
      // A lone surrogate cannot be stored as UTF-8 (it would come back as U+FFFD): the ack says
      // what is stored, so the text is made well-formed before anything else (issue 22).
      const text = (request.text ?? '').trim().toWellFormed();
      if (text.length > limits.textMaxChars) fail('VALIDATION_FAILED', `Text is longer than ${limits.textMaxChars} characters.`);
      let attachment: Attachment | null = null;
      if (request.attachmentId !== undefined) {
        attachment = await claimAttachment(principal, conversation, request.attachmentId, request.clientMsgId, request.contentType);
      } else {
        if (request.contentType !== undefined && request.contentType !== 'text') {
          fail('VALIDATION_FAILED', `A ${request.contentType} message needs an attachmentId (upload the file first).`);
        }
        if (text.length === 0) fail('VALIDATION_FAILED', 'The message text is empty.');
      }
      const contentType: ContentType = request.contentType ?? attachment?.kind ?? 'text';
      const mentions = request.mentions ?? [];
      if (mentions.length > 0) await checkMentions(principal, conversation, member?.role ?? null, mentions);

      const isCustomer = principal.kind === 'customer';
      if (isCustomer && conversation.kind === 'service') await requirePrechat(store, principal.customer, conversation.shopId);
      const senderId = isCustomer ? principal.customer.id : principal.staff.id;
      const result = await store.messages.append({
        id: newId(),
        shopId: conversation.shopId,
        conversationId: conversation.id,
        senderId,
        senderKind: principal.kind,
        senderRole: member?.role ?? (isCustomer ? 'customer' : 'agent'),
        kind: 'user',
        contentType,
        text,
        visibility,
        clientMsgId: request.clientMsgId,
        attachment,
        mentions,
        createdAt: now(),
        openInquiry: isCustomer && conversation.kind === 'service' ? { id: newId(), customerId: senderId } : null,
      });
      options.onCommitted?.(result);
      // A resend stores nothing new but is published again: its sender never saw the ack, so the
      // first publish may have been lost with its node (a crash between commit and publish), and
      // recipients connected elsewhere would only learn of the message at their next sync. Clients
      // drop the repeat by (conversationId, seq) (docs/protocol.md).
      await events.emit({
        type: 'message.created',
        conversation,
        message: result.message,
        resent: result.duplicate,
        openedInquiryId: result.openedInquiryId,
        snoozedUntil: result.snoozedUntil,
        originConnectionId: options.originConnectionId,
      });
      return result;
    },

    /** A page of history in ascending seq order; customers never see internal notes. */
    async history(principal: Principal, conversationId: string, request: HistoryRequest) {
      const { seesInternal } = await openConversation(store.conversations, principal, conversationId);
      if (request.beforeSeq !== undefined && request.afterSeq !== undefined) {
        fail('VALIDATION_FAILED', 'Give beforeSeq or afterSeq, not both.');
      }
      return store.messages.history(conversationId, {
        ...(request.beforeSeq !== undefined && { beforeSeq: request.beforeSeq }),
        ...(request.afterSeq !== undefined && { afterSeq: request.afterSeq }),
        limit: Math.min(request.limit ?? limits.pageDefault, limits.pageMax),
        includeInternal: seesInternal,
      });
    },

    /** The sender changes the text of their text message; everyone in the conversation sees it edited. */
    async edit(principal: Principal, conversationId: string, messageId: string, text: string): Promise<MessageRecord> {
      const { conversation, seesInternal } = await openConversation(store.conversations, principal, conversationId);
      const message = await store.messages.find(conversationId, messageId);
      if (!message || (message.visibility === 'internal' && !seesInternal)) fail('MESSAGE_NOT_FOUND');
      const own = message.senderId === (principal.kind === 'staff' ? principal.staff.id : principal.customer.id);
      if (!own || message.kind !== 'user' || message.contentType !== 'text' || message.deletedAt !== null) fail('MESSAGE_NOT_EDITABLE');
      const clean = text.trim().toWellFormed();
      if (clean === '') fail('VALIDATION_FAILED', 'The message text is empty.');
      if (clean === message.text) return message;
      if (!(await store.staffChat.editMessage(conversationId, messageId, clean, now()))) fail('MESSAGE_NOT_EDITABLE');
      const edited = (await store.messages.find(conversationId, messageId)) ?? message;
      await events.emit({ type: 'message.updated', conversation: factsOf(conversation), message: edited });
      return edited;
    },

    /** Soft delete: the seq stays (clients keep a gapless view), the text goes. */
    async remove(principal: Principal, conversationId: string, messageId: string): Promise<MessageRecord> {
      const { conversation, seesInternal } = await openConversation(store.conversations, principal, conversationId);
      const message = await store.messages.find(conversationId, messageId);
      if (!message || (message.visibility === 'internal' && !seesInternal)) fail('MESSAGE_NOT_FOUND');
      const own = message.senderId === (principal.kind === 'staff' ? principal.staff.id : principal.customer.id);
      const moderator = principal.kind === 'staff' && principal.staff.role !== 'agent';
      if (!own && !moderator) fail('FORBIDDEN', 'Only the sender or a shop admin can delete a message.');
      if (message.deletedAt !== null) return message;
      await store.messages.softDelete(conversationId, messageId, now());
      const deleted = (await store.messages.find(conversationId, messageId)) ?? message;
      await events.emit({ type: 'message.deleted', conversation: factsOf(conversation), message: deleted });
      return deleted;
    },
  };
}
