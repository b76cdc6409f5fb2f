import type { Generated } from 'kysely';

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
  webhook_subscriptions: WebhookSubscriptionTable;
  outbox: OutboxTable;
  webhook_endpoints: WebhookEndpointTable;
  webhook_deliveries: WebhookDeliveryTable;
  broadcasts: BroadcastTable;
  broadcast_targets: BroadcastTargetTable;
  broadcast_reads: BroadcastReadTable;
  api_keys: ApiKeyTable;
  alert_events: AlertEventTable;
  contacts: ContactTable;
  labels: LabelTable;
  contact_labels: ContactLabelTable;
  conversation_labels: ConversationLabelTable;
  contact_notes: ContactNoteTable;
  saved_views: SavedViewTable;
  campaigns: CampaignTable;
  campaign_recipients: CampaignRecipientTable;
  wechat_accounts: WechatAccountTable;
  wechat_inbound: WechatInboundTable;
  channel_cursors: ChannelCursorTable;
  channel_deliveries: ChannelDeliveryTable;
  email_threads: EmailThreadTable;
}

/** Per conversation: what was e-mailed to its customer (migrations/0015-channels.ts). */
export interface EmailThreadTable {
  conversation_id: string;
  shop_id: string;
  emailed_seq: Generated<number>;
  due_at: number | null;
  locked_until: number | null;
  updated_at: number;
}

/** A shop's WeChat official account (migrations/0015-channels.ts); secrets sealed. */
export interface WechatAccountTable {
  shop_id: string;
  app_id: string;
  original_id: string;
  callback_key: string;
  app_secret: string;
  callback_token: string;
  encoding_aes_key: string;
  access_token: string | null;
  access_token_expires_at: number | null;
  refresh_until: number | null;
  created_at: number;
  updated_at: number;
}

export interface WechatInboundTable {
  shop_id: string;
  dedup_key: string;
  payload: string;
  received_at: number;
  processed_at: number | null;
  attempts: Generated<number>;
  next_attempt_at: number | null;
  error: string | null;
}

/** Per conversation of an outbound channel: what was handed to it (migrations/0015-channels.ts). */
export interface ChannelCursorTable {
  conversation_id: string;
  shop_id: string;
  channel: string;
  delivered_seq: number;
  customer_wrote_at: number | null;
  sent_since: Generated<number>;
  locked_until: number | null;
  next_attempt_at: number | null;
  updated_at: number;
}

export interface ChannelDeliveryTable {
  message_id: string;
  shop_id: string;
  conversation_id: string;
  channel: string;
  status: string;
  error_code: string | null;
  error: string | null;
  attempts: number;
  updated_at: number;
}

/** A shop's relation to a customer (migrations/0012-contacts.ts): one per shop they dealt with. */
export interface ContactTable {
  shop_id: string;
  customer_id: string;
  channel: Generated<string>;
  last_seen_at: number | null;
  /** Opted out of campaigns at; null = may be addressed. */
  opted_out_at: number | null;
  /** The customer's address bounced / they unsubscribed from e-mails (migrations/0015-channels.ts). */
  email_bounced_at: number | null;
  email_unsubscribed_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface LabelTable {
  id: string;
  shop_id: string;
  name: string;
  /** #rrggbb */
  color: string;
  created_at: number;
  updated_at: number;
}

export interface ContactLabelTable {
  shop_id: string;
  label_id: string;
  customer_id: string;
  created_at: number;
}

export interface ConversationLabelTable {
  shop_id: string;
  label_id: string;
  conversation_id: string;
  created_at: number;
}

export interface ContactNoteTable {
  id: string;
  shop_id: string;
  customer_id: string;
  author_id: string;
  text: string;
  created_at: number;
  updated_at: number;
}

export interface SavedViewTable {
  id: string;
  shop_id: string;
  staff_id: string;
  name: string;
  /** JSON of the inbox filters. */
  filters: string;
  created_at: number;
  updated_at: number;
}

/** A change of an alert rule's state (migrations/0011-operations.ts). */
export interface AlertEventTable {
  id: string;
  rule: string;
  metric: string;
  state: string;
  value: number;
  threshold: number;
  node: string | null;
  at: number;
}

/** A shop's API key, kept as its SHA-256 (migrations/0010-api-keys.ts). */
export interface ApiKeyTable {
  id: string;
  shop_id: string;
  name: string;
  prefix: string;
  key_hash: string;
  created_by: string;
  created_at: number;
}

/** A broadcast, stored once whatever the number of recipients (migrations/0009-staff-chat.ts). */
export interface BroadcastTable {
  id: string;
  shop_id: string;
  sender_id: string;
  title: string;
  text: string;
  to_all: number;
  created_at: number;
}

/** Whom a broadcast not to all was addressed to: staff and groups as listed. */
export interface BroadcastTargetTable {
  broadcast_id: string;
  target_kind: 'staff' | 'group';
  target_id: string;
}

export interface BroadcastReadTable {
  broadcast_id: string;
  staff_id: string;
  read_at: number;
}

/** One row per event type per active webhook endpoint: what the outbox records (migrations/0006-outbox.ts). */
export interface WebhookSubscriptionTable {
  endpoint_id: string;
  shop_id: string;
  event: string;
}

/** Facts recorded in the transaction that made them, for subscribers that must not lose any. */
export interface OutboxTable {
  id: string;
  shop_id: string;
  type: string;
  subject_id: string;
  /** JSON; null when the subject says it all. */
  data: string | null;
  created_at: number;
}

/** A shop's webhook endpoint (migrations/0007-webhooks.ts). */
export interface WebhookEndpointTable {
  id: string;
  shop_id: string;
  url: string;
  /** JSON array of event types. */
  events: string;
  include_internal: number;
  /** Sealed (AES-256-GCM), never the secret itself. */
  secret: string;
  disabled_at: number | null;
  disabled_reason: string | null;
  failing_since: number | null;
  succeeded_at: number | null;
  created_at: number;
  updated_at: number;
}

/** One event for one endpoint, with the outcome of its last attempt. */
export interface WebhookDeliveryTable {
  id: string;
  endpoint_id: string;
  shop_id: string;
  event_id: string;
  event: string;
  payload: string;
  status: string;
  attempts: number;
  next_attempt_at: number | null;
  retry_until: number;
  locked_until: number | null;
  last_attempt_at: number | null;
  response_status: number | null;
  error: string | null;
  created_at: number;
  delivered_at: number | null;
}

/** A campaign (migrations/0014-campaigns.ts). */
export interface CampaignTable {
  id: string;
  shop_id: string;
  kind: string;
  name: string;
  status: string;
  sender_id: string;
  text: string;
  audience: string | null;
  trigger: string | null;
  throttle_per_second: number | null;
  scheduled_at: number | null;
  started_at: number | null;
  finished_at: number | null;
  total: Generated<number>;
  sent: Generated<number>;
  failed: Generated<number>;
  skipped: Generated<number>;
  lease_owner: string | null;
  lease_until: number | null;
  progressed_at: number | null;
  created_by: string;
  created_at: number;
  updated_at: number;
}

/** One recipient of a campaign; (campaign_id, customer_id) is the idempotency key of its delivery. */
export interface CampaignRecipientTable {
  campaign_id: string;
  customer_id: string;
  shop_id: string;
  status: string;
  conversation_id: string | null;
  message_id: string | null;
  error: string | null;
  sent_at: number | null;
}
