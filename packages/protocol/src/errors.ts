/**
 * The one catalogue of errors a client can see. Every entry has an HTTP status and, where the
 * error ends a realtime connection, a WebSocket close code (4000–4999, the range RFC 6455 leaves
 * to applications). docs/errors.md lists every code; a test fails when one is missing there.
 */
export interface ErrorSpec {
  readonly status: number;
  /** Close code when this error ends a WebSocket connection; absent when it is only reported. */
  readonly close?: number;
  readonly message: string;
}

export const errorCatalogue = {
  VALIDATION_FAILED: { status: 400, message: 'The request does not match the expected shape.' },
  INVALID_JSON: { status: 400, message: 'The body is not valid JSON.' },
  INVALID_CURSOR: { status: 400, message: 'The pagination cursor is malformed or from another list.' },
  AUTH_REQUIRED: { status: 401, close: 4001, message: 'A bearer token is required.' },
  AUTH_TIMEOUT: { status: 401, close: 4000, message: 'No auth frame arrived in time.' },
  HEARTBEAT_TIMEOUT: { status: 408, close: 4002, message: 'The connection was silent for too long.' },
  TOKEN_INVALID: { status: 401, close: 4001, message: 'The token is unknown, revoked or expired.' },
  INVALID_CREDENTIALS: { status: 401, message: 'The e-mail or password is wrong.' },
  IDENTITY_INVALID: { status: 401, message: 'The customer identity could not be verified.' },
  VISITOR_TOKEN_INVALID: { status: 401, message: 'The visitor token is unknown for this shop.' },
  ACCOUNT_DISABLED: { status: 403, close: 4003, message: 'This account is disabled.' },
  FORBIDDEN: { status: 403, close: 4003, message: 'Your role does not allow this action.' },
  ORIGIN_NOT_ALLOWED: { status: 403, close: 4004, message: 'This origin may not open a connection.' },
  PLATFORM_IDENTITY_DISABLED: {
    status: 403,
    message: 'Platform identities are not enabled on this deployment.',
  },
  ROUTE_NOT_FOUND: { status: 404, message: 'No such route.' },
  SHOP_NOT_FOUND: { status: 404, message: 'Shop not found.' },
  STAFF_NOT_FOUND: { status: 404, message: 'Staff member not found.' },
  CONVERSATION_NOT_FOUND: { status: 404, message: 'Conversation not found.' },
  MESSAGE_NOT_FOUND: { status: 404, message: 'Message not found.' },
  CUSTOMER_NOT_FOUND: { status: 404, message: 'Customer not found.' },
  CANNED_RESPONSE_NOT_FOUND: { status: 404, message: 'Canned response not found.' },
  WEBHOOK_NOT_FOUND: { status: 404, message: 'Webhook endpoint not found.' },
  WEBHOOK_DELIVERY_NOT_FOUND: { status: 404, message: 'Webhook delivery not found.' },
  BROADCAST_NOT_FOUND: { status: 404, message: 'Broadcast not found.' },
  API_KEY_NOT_FOUND: { status: 404, message: 'API key not found.' },
  LABEL_NOT_FOUND: { status: 404, message: 'Label not found.' },
  NOTE_NOT_FOUND: { status: 404, message: 'Note not found.' },
  VIEW_NOT_FOUND: { status: 404, message: 'Saved view not found.' },
  LOGO_NOT_FOUND: { status: 404, message: 'This shop has no such logo.' },
  CAMPAIGN_NOT_FOUND: { status: 404, message: 'Campaign not found.' },
  INQUIRY_NOT_FOUND: { status: 404, message: 'Inquiry not found.' },
  ROOM_NOT_FOUND: { status: 404, message: 'No such room: a conversation of yours, shop://<your shop id>, or a room name like live://1000.' },
  GROUP_FULL: { status: 409, message: 'The group has as many members as allowed; remove someone first.' },
  MESSAGE_NOT_EDITABLE: { status: 409, message: 'Only the sender may edit a message, and only a text message that is not deleted.' },
  EMAIL_TAKEN: { status: 409, message: 'A staff account with this e-mail already exists.' },
  SHORTCUT_TAKEN: { status: 409, message: 'Another canned response of the shop has this shortcut.' },
  LABEL_NAME_TAKEN: { status: 409, message: 'Another label of the shop has this name.' },
  API_KEY_LIMIT: { status: 409, message: 'The shop has as many API keys as allowed (20); delete one first.' },
  WECHAT_NOT_CONNECTED: { status: 404, message: 'This shop has no WeChat official account connected.' },
  WECHAT_APP_TAKEN: { status: 409, message: 'This WeChat official account is connected to another shop.' },
  DELIVERY_NOT_FAILED: { status: 409, message: 'This message did not fail to reach its channel: nothing to retry.' },
  WEBHOOK_LIMIT: { status: 409, message: 'The shop has as many webhook endpoints as allowed (20); delete one first.' },
  WEBHOOK_DISABLED: { status: 409, message: 'The webhook endpoint is disabled; enable it first.' },
  WEBHOOK_URL_REFUSED: { status: 422, message: 'The webhook URL is not allowed: it must be https and reach a public address.' },
  LAST_OWNER: { status: 409, message: 'A shop must keep at least one active owner.' },
  INVALID_TRANSITION: { status: 409, message: 'The inquiry cannot move to that state from its current one.' },
  CSAT_DISABLED: { status: 409, message: 'This shop does not ask its customers for ratings.' },
  INQUIRY_NOT_CLOSED: { status: 409, message: 'Only a closed inquiry can be rated.' },
  CSAT_WINDOW_CLOSED: { status: 409, message: 'The inquiry was closed more than 7 days ago: it can no longer be rated.' },
  CAMPAIGN_INVALID_TRANSITION: { status: 409, message: 'The campaign cannot do that in its current state.' },
  PRECHAT_REQUIRED: { status: 409, message: 'The shop asks for your name or e-mail before the first message: fill in the pre-chat form.' },
  CONVERSATION_NOT_OPEN: { status: 409, message: 'Only an open conversation (queued or assigned) can be snoozed.' },
  CONVERSATION_READ_ONLY: { status: 409, message: 'Only members may write in this conversation.' },
  AGENT_UNAVAILABLE: { status: 409, message: 'The agent is offline, away or at capacity.' },
  ATTACHMENT_NOT_FOUND: { status: 404, message: 'Attachment not found.' },
  ATTACHMENT_IN_USE: { status: 409, message: 'This attachment already belongs to another message.' },
  ATTACHMENT_TOO_LARGE: { status: 413, message: "The file is larger than the shop's attachment limit." },
  ATTACHMENT_TYPE_NOT_ALLOWED: { status: 415, message: 'This kind of file may not be uploaded here.' },
  UPLOAD_NOT_FOUND: { status: 404, message: 'Upload not found, finished or expired.' },
  UPLOAD_OFFSET_MISMATCH: { status: 409, message: 'The chunk does not start where the upload stands; ask for its offset and resume from there.' },
  UPLOAD_INCOMPLETE: { status: 409, message: 'The upload has not received all of its bytes yet.' },
  UPLOAD_BUSY: { status: 409, message: 'Another chunk of this upload is being written.' },
  LINK_INVALID: { status: 403, message: 'The link is invalid or has expired; ask for a new one.' },
  PAYLOAD_TOO_LARGE: { status: 413, close: 1009, message: 'The request or frame is too large.' },
  LOGO_INVALID: { status: 415, message: 'A logo is a PNG, JPEG, WebP or GIF image of at most 128 KiB.' },
  CSV_INVALID: { status: 400, message: 'The CSV file cannot be read: check its header row and quoting.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Send JSON with Content-Type: application/json.' },
  RATE_LIMITED: { status: 429, close: 4008, message: 'Too many requests; slow down.' },
  TOO_MANY_CONNECTIONS: { status: 429, close: 4029, message: 'This user has too many open connections.' },
  INVALID_SYNC_TOKEN: { status: 400, message: 'The sync token is malformed or belongs to someone else.' },
  INTERNAL: { status: 500, close: 1011, message: 'Something went wrong on our side.' },
  SERVICE_UNAVAILABLE: { status: 503, close: 1012, message: 'The service is starting or shutting down.' },
  // 1013 Try Again Later (RFC 6455 registry): a client reconnects with its usual backoff and stays signed in.
  STORAGE_UNAVAILABLE: { status: 503, close: 1013, message: 'The database cannot be reached right now; try again shortly.' },
  SLOW_CONSUMER: { status: 503, close: 4010, message: 'The client reads too slowly; reconnect and sync.' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof errorCatalogue;

export const errorCodes = Object.keys(errorCatalogue) as ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorCatalogue, value);
}
