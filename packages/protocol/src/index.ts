/**
 * Runtime values here stay few and small (the widget bundles this entry): the error catalogue,
 * limits, the goim codec. Every wire type is derived from a schema of `./schemas` and exported as a
 * type only, so no schema object reaches a browser bundle.
 */
export * from './errors.ts';
export * from './limits.ts';
export * from './contrast.ts';
export * from './webhook-events.ts';
export * from './priorities.ts';
export * as goim from './goim.ts';
export type { Wire } from './wire.ts';
export type {
  AttachmentKind,
  ContentType,
  ConversationChange,
  ConversationKind,
  CustomerKind,
  GroupRole,
  InquiryStatus,
  Locale,
  MessageKind,
  Presence,
  RoutingStrategy,
  SenderKind,
  StaffRole,
  UserKind,
  Visibility,
} from './schemas/atoms.ts';
export type {
  CannedResponseBody,
  CannedResponsePatchBody,
  InviteBody,
  LoginBody,
  ShopPatch,
  StaffCreateBody,
  StaffPatchBody,
  StartUploadBody,
  TransferBody,
  WidgetProfileBody,
  WidgetSessionBody,
} from './schemas/bodies.ts';
export type { CannedResponse } from './schemas/canned-responses.ts';
export type { CreatedWebhook, Webhook, WebhookBody, WebhookDelivery, WebhookEvent, WebhookPatchBody } from './schemas/webhooks.ts';
export type { ApiKey, CreatedApiKey } from './schemas/api-keys.ts';
export type { AlertEvent, AlertState, Operations, OperationsNode } from './schemas/operations.ts';
export type {
  AuthFrame,
  ClientFrame,
  ClientFrameType,
  HistoryFrame,
  PingFrame,
  ReadFrame,
  RequestId,
  SendFrame,
  SetPresenceFrame,
  SyncFrame,
  TypingFrame,
} from './schemas/client-frames.ts';
export type {
  Conversation,
  ConversationSummary,
  InboxCounts,
  LastMessage,
  QueuePosition,
  SearchResults,
  Team,
  TeamMember,
} from './schemas/conversations.ts';
export type { ConversationPatchBody, TranscriptQuery } from './schemas/inbox.ts';
export type { Customer, CustomerAttributes, CustomerDetails, CustomerInquiry } from './schemas/customers.ts';
export type { ErrorBody } from './schemas/errors.ts';
export type { EditBody, HistoryQuery, ReadBody, SendBody } from './schemas/message-requests.ts';
export type { Attachment, AttachmentLink, Message, MessagePage, Notice, Page, Upload } from './schemas/messages.ts';
export type { Agent, AgentStatistics, DayStatistics } from './schemas/routing.ts';
export type { CsatBody, CsatPrompt, CsatRating } from './schemas/csat.ts';
export type { CsatComment, Percentiles, ReportAgent, ReportChannel, ReportDay, ReportFigures, StatsReport, StatsReportQuery } from './schemas/statistics.ts';
export type {
  AckFrame,
  AuthOkFrame,
  BroadcastFrame,
  CsatFrame,
  ConversationFrame,
  ErrorFrame,
  HistoryResultFrame,
  OperationsFrame,
  MessageFrame,
  MessageUpdatedFrame,
  PongFrame,
  PresenceFrame,
  PushFrame,
  QueueFrame,
  ReadReceiptFrame,
  ServerFrame,
  ServerFrameType,
  SessionUser,
  SyncResultFrame,
  TypingEventFrame,
} from './schemas/server-frames.ts';
export type { LogoBody, Prechat, PrechatMode, PublicAppearance, WidgetAppearance } from './schemas/widget-appearance.ts';
export type { BusinessHours, CsatSettings, EmailSettings, Shop, ShopSettings, Staff, Weekday } from './schemas/shops.ts';
export type {
  Broadcast,
  BroadcastBody,
  BroadcastList,
  BroadcastTo,
  Colleague,
  DirectBody,
  Group,
  GroupCreateBody,
  GroupMember,
  GroupMemberPatchBody,
  GroupMembersBody,
  GroupPatchBody,
  Membership,
  MembershipPatchBody,
  Readers,
  RecentChat,
  TeamDirectory,
} from './schemas/staff-chat.ts';
export type {
  BulkLabelBody,
  Channel,
  Contact,
  ContactDetails,
  ContactImportResult,
  ContactListQuery,
  ContactNote,
  ContactNoteBody,
  ContactPage,
  ContactPatchBody,
  ContactSort,
  InboxFilter,
  Label,
  LabelCreateBody,
  LabelList,
  LabelPatchBody,
  SavedView,
  SavedViewBody,
} from './schemas/contacts.ts';
export type {
  AttributeCondition,
  Campaign,
  CampaignAudience,
  CampaignCounts,
  CampaignCreateBody,
  CampaignKind,
  CampaignPage,
  CampaignPatchBody,
  CampaignRecipient,
  CampaignStatus,
  OngoingTrigger,
  WidgetCampaign,
  WidgetCampaignList,
} from './schemas/campaigns.ts';
export type { ChannelFailure, ConversationChannel, WechatAccount, WechatAccountBody } from './schemas/channels.ts';
