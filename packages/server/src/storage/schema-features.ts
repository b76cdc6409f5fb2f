import type { Generated } from 'kysely';

/**
 * Table types of the features around the chat (channels, contacts and labels, alerts, API keys,
 * staff broadcasts, webhooks, campaigns), for Kysely's `Database` in schema.ts, which re-exports
 * them. Times are epoch milliseconds; booleans are 0/1; JSON is text.
 */

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
  /** The WeChat fan unfollowed the account at (migrations/0023-channel-unfollowed.ts). */
  unfollowed_at: number | null;
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
  /** The language its widget last spoke: 'en' or 'zh-CN' (migrations/0022-contact-locale.ts). */
  locale: string | null;
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
