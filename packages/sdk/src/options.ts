import { realtimeDefaults, type ContentType, type Message, type Visibility } from '@frontdesk/protocol';
import type { BackoffOptions } from './backoff.ts';
import type { OutboxStore, PendingMessage } from './outbox.ts';
import type { WebSocketConstructor } from './websocket.ts';

export interface FrontdeskClientOptions {
  /** The gateway, `wss://host/ws`. */
  readonly url: string;
  /** The HTTP API, for uploads and attachment links; default: next to the gateway (`https://host/api/v1`). */
  readonly apiUrl?: string;
  /** For the HTTP API; default: the global fetch. */
  readonly fetch?: typeof fetch;
  /** A staff or widget session token; sent only in the first frame, never in the URL. */
  readonly token: string;
  /** Defaults to the global WebSocket (browsers, Node 22+); the `ws` package's fits too. */
  readonly WebSocket?: WebSocketConstructor;
  /** Ping at least this often; the server's announced interval applies when it is shorter. */
  readonly heartbeatMs?: number;
  /** Reconnect delays: full jitter over initialMs·2ⁿ (default 500 ms), capped at maxMs (default 30 s). */
  readonly backoff?: BackoffOptions;
  /** Give up on a request without reply after this long; default 30 s. */
  readonly requestTimeoutMs?: number;
  /** Give up on a socket that is not authenticated after this long; default 15 s. */
  readonly connectTimeoutMs?: number;
  /** Where the last session's sync stopped (as handed to `onSyncToken`). */
  readonly syncToken?: string | null;
  /** Called with every new sync token, for the app to persist. */
  readonly onSyncToken?: (token: string) => void;
  /** Messages per `sync` page; the server's maximum (500) when absent. */
  readonly syncPageSize?: number;
  /** Keeps unacknowledged messages across page loads; in memory when absent. */
  readonly outboxStore?: OutboxStore;
  /** Sends awaiting their ack at once; default 10. */
  readonly maxInFlight?: number;
  readonly now?: () => number;
  readonly random?: () => number;
}

export interface SendInput {
  readonly conversationId: string;
  /** The text; for an attachment, an optional caption. */
  readonly text?: string;
  /** An uploaded attachment (`client.files.upload`): the message becomes an image or file message. */
  readonly attachmentId?: string;
  /** Default: text, or the attachment's kind. */
  readonly contentType?: ContentType;
  /** Reuse to make a send idempotent across app restarts; generated when absent. */
  readonly clientMsgId?: string;
  /** `internal` notes are for staff only. */
  readonly visibility?: Visibility;
  /**
   * Staff chat: the members to notify even if they muted the chat (staff ids), or `'all'` (a group's
   * owner and admins). Repeats are dropped.
   */
  readonly mentions?: readonly string[];
}

export interface SendHandle {
  readonly clientMsgId: string;
  readonly pending: PendingMessage;
  /** The stored message; rejects with the FrontdeskError of a refusal (also emitted as 'failed'). */
  readonly promise: Promise<Message>;
}

export interface HistoryQuery {
  readonly beforeSeq?: number;
  readonly afterSeq?: number;
  readonly limit?: number;
}

/** Refuses options that would only fail later, on the wire (the server caps a sync page at 500). */
export function checkOptions(options: FrontdeskClientOptions): void {
  if (typeof options.url !== 'string' || !/^wss?:\/\//.test(options.url)) throw new TypeError('url must be a ws:// or wss:// URL.');
  if (typeof options.token !== 'string' || options.token === '') throw new TypeError('token is required.');
  const counts: [string, number | undefined, number][] = [
    ['heartbeatMs', options.heartbeatMs, Number.MAX_SAFE_INTEGER],
    ['requestTimeoutMs', options.requestTimeoutMs, Number.MAX_SAFE_INTEGER],
    ['connectTimeoutMs', options.connectTimeoutMs, Number.MAX_SAFE_INTEGER],
    ['maxInFlight', options.maxInFlight, Number.MAX_SAFE_INTEGER],
    ['syncPageSize', options.syncPageSize, realtimeDefaults.syncPageMax],
  ];
  for (const [name, value, max] of counts) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 1 && value <= max)) {
      throw new RangeError(`${name} must be an integer from 1 to ${max}, got ${value}.`);
    }
  }
}
