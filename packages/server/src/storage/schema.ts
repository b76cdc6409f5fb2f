import type { Generated } from 'kysely';
import type * as features from './schema-features.ts';

export type * from './schema-features.ts';

/** Table types for Kysely. Times are epoch milliseconds; booleans are 0/1; JSON is text. */
export interface ShopTable {
  id: string;
  name: string;
  identity_secret: string;
  settings: string;
  created_at: number;
  updated_at: number;
}

export interface StaffTable {
  id: string;
  shop_id: string;
  email: string;
  name: string;
  role: string;
  password_hash: string;
  capacity: number | null;
  disabled_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface CustomerTable {
  id: string;
  /** null for platform customers, who are one person across shops. */
  shop_id: string | null;
  kind: string;
  /** `p:<externalId>`, `s:<shopId>:<externalId>` or `a:<id>`: unique. */
  identity_key: string;
  external_id: string | null;
  name: string | null;
  email: string | null;
  visitor_token_hash: string | null;
  /** JSON object of what the shop's site told (CustomerAttributes); null = nothing. */
  attributes: string | null;
  created_at: number;
  updated_at: number;
}

export interface ConversationTable {
  id: string;
  shop_id: string;
  kind: string;
  /** `service:<shopId>:<customerId>`, `direct:<a>:<b>` (sorted); null for groups. Unique. */
  unique_key: string | null;
  customer_id: string | null;
  title: string | null;
  owner_id: string | null;
  status: string | null;
  assignee_id: string | null;
  current_inquiry_id: string | null;
  last_seq: Generated<number>;
  last_public_seq: Generated<number>;
  /** The seq of the last public message, system lines included: a customer's `lastSeq`. */
  last_public_message_seq: Generated<number>;
  last_message_seq: number | null;
  last_message_preview: string | null;
  last_message_content_type: string | null;
  last_message_sender_id: string | null;
  last_message_sender_kind: string | null;
  last_message_at: number | null;
  last_activity_at: number;
  /** The channel its customer uses: 'web', 'api', 'goim', 'wechat', 'email' (migrations/0012-contacts.ts). */
  channel: Generated<string>;
  created_at: number;
  updated_at: number;
  /** 0 none … 4 urgent; until when it is snoozed (migrations/0019-inbox.ts). */
  priority: Generated<number>;
  snoozed_until: number | null;
}

export interface MemberTable {
  conversation_id: string;
  user_id: string;
  user_kind: string;
  shop_id: string;
  role: string;
  read_seq: Generated<number>;
  /** The public_seq of the last public message at or before read_seq (customers' unread count). */
  read_public_seq: Generated<number>;
  muted: Generated<number>;
  /** Muted until this time (epoch ms); null when not muted (migrations/0009-staff-chat.ts). */
  muted_until: number | null;
  joined_at: number;
  /** The conversation's last_activity_at, kept equal by triggers (migrations/0020-member-activity.ts). */
  activity_at: Generated<number>;
}

export interface InquiryTable {
  id: string;
  shop_id: string;
  conversation_id: string;
  customer_id: string;
  status: string;
  assignee_id: string | null;
  created_at: number;
  assigned_at: number | null;
  first_response_at: number | null;
  closed_at: number | null;
  /** Routing: the agent this inquiry must not go back to; set, the reassignment policy leaves it alone. */
  skip_agent_id: string | null;
  /** When it (last) entered the queue: the queue's order (migrations/0016-queue-order.ts). */
  queued_at: number;
}

/** A customer's rating of a closed inquiry (migrations/0017-csat.ts). */
export interface CsatRatingTable {
  inquiry_id: string;
  shop_id: string;
  conversation_id: string;
  customer_id: string;
  /** The inquiry's assignee at its close. */
  agent_id: string | null;
  rating: number;
  comment: string | null;
  submitted_at: number;
  updated_at: number;
}

export interface AgentTable {
  staff_id: string;
  shop_id: string;
  presence: string;
  open_inquiries: Generated<number>;
  last_assigned_at: number | null;
  offline_at: number | null;
  updated_at: number;
}

export interface AgentDeviceTable {
  id: string;
  staff_id: string;
  shop_id: string;
  node_id: string;
  away: number;
  seen_at: number;
}

export interface MessageTable {
  id: string;
  shop_id: string;
  conversation_id: string;
  seq: number;
  /** Ordinal among public messages; null for internal notes. */
  public_seq: number | null;
  /**
   * The message's place in its shop's stream, (stream_tx, stream_pos): the writing transaction
   * (PostgreSQL: its id; SQLite: the shop's last one plus one) and its rank inside that transaction.
   * See migrations/0005-stream.ts and domain/sync.ts.
   */
  stream_tx: number;
  stream_pos: number;
  sender_id: string | null;
  sender_kind: string;
  kind: string;
  content_type: string;
  text: string | null;
  visibility: string;
  client_msg_id: string | null;
  created_at: number;
  deleted_at: number | null;
  /** JSON array of mentioned staff ids or "all"; null when none. */
  mentions: string | null;
  /** JSON of a staff-chat notice; null for other messages. */
  notice: string | null;
  edited_at: number | null;
  attachment_id: string | null;
  /** The attachment's wire metadata (JSON) as it was sent. */
  attachment: string | null;
}

export interface BlobTable {
  /** sha256 of the bytes, hex. */
  key: string;
  size: number;
  created_at: number;
}

export interface AttachmentTable {
  id: string;
  shop_id: string;
  conversation_id: string;
  uploader_id: string;
  uploader_kind: string;
  kind: string;
  name: string;
  mime: string;
  size: number;
  blob_key: string;
  width: number | null;
  height: number | null;
  thumb_key: string | null;
  thumb_width: number | null;
  thumb_height: number | null;
  claimed_by: string | null;
  claimed_at: number | null;
  sent_at: number | null;
  removed_at: number | null;
  created_at: number;
}

export interface UploadTable {
  id: string;
  shop_id: string;
  conversation_id: string;
  uploader_id: string;
  uploader_kind: string;
  name: string;
  size: number;
  received: number;
  created_at: number;
  expires_at: number;
}

export interface ServerKeyTable {
  name: string;
  secret: string;
  created_at: number;
}

export interface CannedResponseTable {
  id: string;
  shop_id: string;
  /** Unique per shop. */
  shortcut: string;
  title: string;
  text: string;
  created_by: string;
  created_at: number;
  updated_at: number;
}

export interface SessionTable {
  token_hash: string;
  user_kind: string;
  user_id: string;
  shop_id: string | null;
  created_at: number;
  expires_at: number;
}

export interface Database {
  shops: ShopTable;
  staff: StaffTable;
  customers: CustomerTable;
  conversations: ConversationTable;
  members: MemberTable;
  inquiries: InquiryTable;
  csat_ratings: CsatRatingTable;
  messages: MessageTable;
  sessions: SessionTable;
  agents: AgentTable;
  agent_devices: AgentDeviceTable;
  blobs: BlobTable;
  attachments: AttachmentTable;
  uploads: UploadTable;
  server_keys: ServerKeyTable;
  canned_responses: CannedResponseTable;
  webhook_subscriptions: features.WebhookSubscriptionTable;
  outbox: features.OutboxTable;
  webhook_endpoints: features.WebhookEndpointTable;
  webhook_deliveries: features.WebhookDeliveryTable;
  broadcasts: features.BroadcastTable;
  broadcast_targets: features.BroadcastTargetTable;
  broadcast_reads: features.BroadcastReadTable;
  api_keys: features.ApiKeyTable;
  alert_events: features.AlertEventTable;
  contacts: features.ContactTable;
  labels: features.LabelTable;
  contact_labels: features.ContactLabelTable;
  conversation_labels: features.ConversationLabelTable;
  contact_notes: features.ContactNoteTable;
  saved_views: features.SavedViewTable;
  campaigns: features.CampaignTable;
  campaign_recipients: features.CampaignRecipientTable;
  wechat_accounts: features.WechatAccountTable;
  wechat_inbound: features.WechatInboundTable;
  channel_cursors: features.ChannelCursorTable;
  channel_deliveries: features.ChannelDeliveryTable;
  email_threads: features.EmailThreadTable;
}
