import type {
  Attachment,
  Broadcast,
  CannedResponse,
  Conversation,
  ConversationSummary,
  Customer,
  CustomerInquiry,
  Message,
  Shop,
  Staff,
} from '@frontdesk/protocol';
import { unreadFor } from './conversations.ts';
import type { BroadcastView } from './staff-chat/ports.ts';
import type {
  AttachmentRecord,
  CannedResponseRecord,
  ConversationRecord,
  ConversationView,
  CustomerRecord,
  InquiryRecord,
  MessageRecord,
  Principal,
  ShopRecord,
  StaffRecord,
} from './records.ts';

/** Records → the wire shapes of @frontdesk/protocol. Nothing secret leaves except where asked. */
const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

export function presentShop(shop: ShopRecord, withSecret = false): Shop & { identitySecret?: string } {
  return {
    id: shop.id,
    name: shop.name,
    settings: shop.settings,
    ...(withSecret && { identitySecret: shop.identitySecret }),
    createdAt: iso(shop.createdAt),
  };
}

export function presentStaff(staff: StaffRecord): Staff {
  return {
    id: staff.id,
    shopId: staff.shopId,
    email: staff.email,
    name: staff.name,
    role: staff.role,
    capacity: staff.capacity,
    disabled: staff.disabledAt !== null,
    createdAt: iso(staff.createdAt),
  };
}

export function presentCustomer(customer: CustomerRecord): Customer {
  return {
    id: customer.id,
    kind: customer.kind,
    externalId: customer.externalId,
    name: customer.name,
    email: customer.email,
    createdAt: iso(customer.createdAt),
  };
}

export function presentConversation(view: ConversationView, principal: Principal): Conversation {
  const last = view.lastMessage;
  return {
    id: view.id,
    shopId: view.shopId,
    shopName: view.shopName,
    kind: view.kind,
    title: view.title,
    customer: view.customer && presentCustomer(view.customer),
    status: view.status,
    assigneeId: view.assigneeId,
    // Customers see the public sequence only: internal notes must not even be counted.
    lastSeq: principal.kind === 'customer' ? view.lastPublicMessageSeq : view.lastSeq,
    lastMessage: last && { ...last, at: iso(last.at) },
    lastActivityAt: iso(view.lastActivityAt),
    readSeq: view.readSeq,
    unread: unreadFor(view, principal),
    createdAt: iso(view.createdAt),
    channel: view.channel,
    // Labels are the shop's own notes on a customer: the customer's own reads never show them.
    labelIds: principal.kind === 'customer' ? [] : [...view.labelIds],
    // Like labels, the shop's own triage: a customer never learns they were snoozed or ranked.
    priority: principal.kind === 'customer' ? 'none' : view.priority,
    snoozedUntil: principal.kind === 'customer' ? null : isoOrNull(view.snoozedUntil),
  };
}

/** The shared part of a conversation (events go to many viewers at once). */
export function presentConversationSummary(conversation: ConversationRecord): ConversationSummary {
  const last = conversation.lastMessage;
  return {
    id: conversation.id,
    shopId: conversation.shopId,
    shopName: conversation.shopName,
    kind: conversation.kind,
    title: conversation.title,
    customer: conversation.customer && presentCustomer(conversation.customer),
    status: conversation.status,
    assigneeId: conversation.assigneeId,
    lastSeq: conversation.lastPublicMessageSeq,
    lastMessage: last && { ...last, at: iso(last.at) },
    lastActivityAt: iso(conversation.lastActivityAt),
    createdAt: iso(conversation.createdAt),
    channel: conversation.channel,
    labelIds: [...conversation.labelIds],
    priority: conversation.priority,
    snoozedUntil: isoOrNull(conversation.snoozedUntil),
  };
}

export function presentMessage(message: MessageRecord): Message {
  return {
    id: message.id,
    conversationId: message.conversationId,
    seq: message.seq,
    senderId: message.senderId,
    senderKind: message.senderKind,
    kind: message.kind,
    contentType: message.contentType,
    text: message.text,
    visibility: message.visibility,
    clientMsgId: message.clientMsgId,
    attachment: message.attachment,
    mentions: message.mentions,
    notice: message.notice,
    createdAt: iso(message.createdAt),
    editedAt: isoOrNull(message.editedAt),
    deletedAt: message.deletedAt === null ? null : iso(message.deletedAt),
  };
}

export function presentBroadcast(broadcast: BroadcastView): Broadcast {
  return {
    id: broadcast.id,
    senderId: broadcast.senderId,
    senderName: broadcast.senderName,
    title: broadcast.title,
    text: broadcast.text,
    toAll: broadcast.toAll,
    createdAt: iso(broadcast.createdAt),
    readAt: isoOrNull(broadcast.readAt),
  };
}

export function presentAttachment(a: AttachmentRecord): Attachment {
  return {
    id: a.id,
    conversationId: a.conversationId,
    kind: a.kind,
    name: a.name,
    mime: a.mime,
    size: a.size,
    width: a.width,
    height: a.height,
    thumbnail: a.thumbWidth !== null && a.thumbHeight !== null ? { width: a.thumbWidth, height: a.thumbHeight } : null,
    createdAt: iso(a.createdAt),
  };
}

export function presentInquiry(inquiry: InquiryRecord): CustomerInquiry {
  return {
    id: inquiry.id,
    conversationId: inquiry.conversationId,
    status: inquiry.status,
    assigneeId: inquiry.assigneeId,
    createdAt: iso(inquiry.createdAt),
    assignedAt: isoOrNull(inquiry.assignedAt),
    firstResponseAt: isoOrNull(inquiry.firstResponseAt),
    closedAt: isoOrNull(inquiry.closedAt),
  };
}

export function presentCannedResponse(response: CannedResponseRecord): CannedResponse {
  return {
    id: response.id,
    shortcut: response.shortcut,
    title: response.title,
    text: response.text,
    createdBy: response.createdBy,
    createdAt: iso(response.createdAt),
    updatedAt: iso(response.updatedAt),
  };
}
