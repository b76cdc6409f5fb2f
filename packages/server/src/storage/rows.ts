import type { Selectable } from 'kysely';
import type {
  Attachment,
  Channel,
  ContentType,
  ConversationKind,
  CustomerKind,
  InquiryStatus,
  Locale,
  MessageKind,
  Notice,
  SenderKind,
  ShopSettings,
  StaffRole,
  UserKind,
  Visibility,
} from '@frontdesk/protocol';
import type {
  CannedResponseRecord,
  ConversationRecord,
  CustomerRecord,
  InquiryRecord,
  MemberRecord,
  MessageRecord,
  ShopRecord,
  StaffRecord,
} from '../domain/records.ts';
import { priorities } from '@frontdesk/protocol';
import { withDefaults } from '../domain/shop-settings.ts';
import type { CannedResponseTable, CustomerTable, InquiryTable, MemberTable, MessageTable, ShopTable, StaffTable } from './schema.ts';

/** A contact's stored language: one Frontdesk writes, else none (migrations/0022-contact-locale.ts). */
export const toLocale = (value: string | null): Locale | null => (value === 'en' || value === 'zh-CN' ? value : null);

export function toShopSettings(json: string): ShopSettings {
  return withDefaults(JSON.parse(json));
}

export function toShop(row: Selectable<ShopTable>): ShopRecord {
  return {
    id: row.id,
    name: row.name,
    identitySecret: row.identity_secret,
    settings: toShopSettings(row.settings),
    createdAt: Number(row.created_at),
  };
}

export function toStaff(row: Selectable<StaffTable>): StaffRecord {
  return {
    id: row.id,
    shopId: row.shop_id,
    email: row.email,
    name: row.name,
    role: row.role as StaffRole,
    passwordHash: row.password_hash,
    capacity: row.capacity,
    disabledAt: row.disabled_at,
    createdAt: row.created_at,
  };
}

export function toCustomer(row: Selectable<CustomerTable>): CustomerRecord {
  return {
    id: row.id,
    shopId: row.shop_id,
    kind: row.kind as CustomerKind,
    externalId: row.external_id,
    name: row.name,
    email: row.email,
    createdAt: row.created_at,
  };
}

export function toInquiry(row: Selectable<InquiryTable>): InquiryRecord {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    status: row.status as InquiryStatus,
    assigneeId: row.assignee_id,
    createdAt: row.created_at,
    assignedAt: row.assigned_at,
    firstResponseAt: row.first_response_at,
    closedAt: row.closed_at,
  };
}

export function toCannedResponse(row: Selectable<CannedResponseTable>): CannedResponseRecord {
  return {
    id: row.id,
    shopId: row.shop_id,
    shortcut: row.shortcut,
    title: row.title,
    text: row.text,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toMessage(row: Selectable<MessageTable>): MessageRecord {
  return {
    id: row.id,
    shopId: row.shop_id,
    conversationId: row.conversation_id,
    seq: row.seq,
    stream: { tx: row.stream_tx, pos: row.stream_pos },
    senderId: row.sender_id,
    senderKind: row.sender_kind as SenderKind,
    kind: row.kind as MessageKind,
    contentType: row.content_type as ContentType,
    text: row.deleted_at === null ? row.text : null,
    visibility: row.visibility as Visibility,
    clientMsgId: row.client_msg_id,
    attachment: row.deleted_at === null && row.attachment !== null ? (JSON.parse(row.attachment) as Attachment) : null,
    mentions: row.mentions === null ? [] : (JSON.parse(row.mentions) as string[]),
    notice: row.notice === null ? null : (JSON.parse(row.notice) as Notice),
    createdAt: row.created_at,
    editedAt: row.edited_at,
    deletedAt: row.deleted_at,
  };
}

export function toMember(row: Selectable<MemberTable>): MemberRecord {
  return {
    conversationId: row.conversation_id,
    userId: row.user_id,
    userKind: row.user_kind as UserKind,
    role: row.role,
    readSeq: row.read_seq,
    readPublicSeq: row.read_public_seq,
    mutedUntil: row.muted_until,
    joinedAt: row.joined_at,
  };
}

/** The columns a conversation query selects (conversation + shop name + customer, prefixed). */
export interface ConversationRow {
  id: string;
  shop_id: string;
  shop_name: string;
  kind: string;
  title: string | null;
  status: string | null;
  assignee_id: string | null;
  current_inquiry_id: string | null;
  last_seq: number;
  last_public_seq: number;
  last_public_message_seq: number;
  last_message_seq: number | null;
  last_message_preview: string | null;
  last_message_content_type: string | null;
  last_message_sender_id: string | null;
  last_message_sender_kind: string | null;
  last_message_at: number | null;
  last_activity_at: number;
  created_at: number;
  channel: string;
  customer_id: string | null;
  cu_shop_id: string | null;
  cu_kind: string | null;
  cu_external_id: string | null;
  cu_name: string | null;
  cu_email: string | null;
  cu_created_at: number | null;
  priority: number;
  snoozed_until: number | string | null;
}

/** `labelIds` come from a query of their own, one per page (storage/conversation-labels.ts). */
export function toConversation(row: ConversationRow, labelIds: readonly string[] = []): ConversationRecord {
  return {
    id: row.id,
    shopId: row.shop_id,
    shopName: row.shop_name,
    kind: row.kind as ConversationKind,
    title: row.title,
    customer:
      row.customer_id === null
        ? null
        : {
            id: row.customer_id,
            shopId: row.cu_shop_id,
            kind: row.cu_kind as CustomerKind,
            externalId: row.cu_external_id,
            name: row.cu_name,
            email: row.cu_email,
            createdAt: Number(row.cu_created_at),
          },
    status: row.status as InquiryStatus | null,
    assigneeId: row.assignee_id,
    currentInquiryId: row.current_inquiry_id,
    lastSeq: row.last_seq,
    lastPublicSeq: row.last_public_seq,
    lastPublicMessageSeq: row.last_public_message_seq,
    lastMessage:
      row.last_message_seq === null || row.last_message_at === null
        ? null
        : {
            seq: row.last_message_seq,
            preview: row.last_message_preview ?? '',
            contentType: row.last_message_content_type as ContentType,
            senderId: row.last_message_sender_id,
            senderKind: row.last_message_sender_kind as SenderKind,
            at: row.last_message_at,
          },
    lastActivityAt: row.last_activity_at,
    createdAt: row.created_at,
    channel: row.channel as Channel,
    labelIds,
    priority: priorities[row.priority] ?? 'none',
    snoozedUntil: row.snoozed_until === null ? null : Number(row.snoozed_until),
  };
}
