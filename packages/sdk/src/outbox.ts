import type { ContentType, ErrorFrame, Message, RequestId, SendFrame, Visibility } from '@frontdesk/protocol';
import type { Backoff } from './backoff.ts';
import { FrontdeskError } from './errors.ts';
import { unref, type Timer } from './timers.ts';

/** Shortest pause after a refusal: long enough for a token bucket of a few per second to refill. */
const MIN_PAUSE_MS = 200;

/** A message the app has sent and the server has not acknowledged yet (the optimistic bubble). */
export interface PendingMessage {
  readonly clientMsgId: string;
  readonly conversationId: string;
  readonly text: string;
  readonly visibility: Visibility;
  readonly attachmentId?: string;
  readonly contentType?: ContentType;
  /** Staff chat: staff ids or 'all'; absent when none. */
  readonly mentions?: readonly string[];
  /** When `send()` was called, ISO-8601. */
  readonly createdAt: string;
}

/** Keeps the outbox across page loads (localStorage, IndexedDB…); called on every change. */
export interface OutboxStore {
  load(): readonly PendingMessage[];
  save(items: readonly PendingMessage[]): void;
}

export interface OutboxPort {
  /** Authenticated and able to send. */
  isOpen(): boolean;
  nextId(): number;
  /** Writes the frame; throws a FrontdeskError when it cannot be sent (PAYLOAD_TOO_LARGE). */
  write(frame: SendFrame): void;
  pending(message: PendingMessage): void;
  failed(message: PendingMessage, error: FrontdeskError): void;
}

export interface OutboxOptions {
  readonly store?: OutboxStore | undefined;
  /** Sends awaiting their ack at once. Bounded so a long outbox is not refused as a flood. */
  readonly maxInFlight: number;
  /** Delays after a retryable refusal (RATE_LIMITED, INTERNAL, SERVICE_UNAVAILABLE). */
  readonly backoff: Backoff;
}

interface Deferred {
  readonly promise: Promise<Message>;
  readonly resolve: (message: Message) => void;
  readonly reject: (error: FrontdeskError) => void;
}

interface Entry {
  readonly message: PendingMessage;
  /** The id of the `send` frame awaiting its ack; null while queued. */
  requestId: RequestId | null;
  deferred: Deferred | null;
}

/**
 * Sends, keyed by clientMsgId, until the server acknowledges them. Entries go out in the order they
 * were added; after a reconnect every unacknowledged one is sent again. The server answers a resend
 * with the original message (idempotent on clientMsgId), so nothing is stored twice.
 */
export class Outbox {
  readonly #port: OutboxPort;
  readonly #options: OutboxOptions;
  #entries = new Map<string, Entry>();
  #failed = new Map<string, PendingMessage>();
  #byRequest = new Map<RequestId, string>();
  #inFlight = 0;
  /** Sends allowed in flight now: maxInFlight, down to 1 after a refusal, doubling back on acks. */
  #window: number;
  /** maxInFlight, or less when the server's announced burst is smaller. */
  #cap: number;
  #pause: Timer | null = null;
  /**
   * The server's rate limit mirrored (auth.ok): sends go out no faster than it refills, so the
   * outbox is not refused on the way (a refused send that is resent lands after the ones behind it).
   */
  #pace: { tokens: number; last: number; readonly capacity: number; readonly perSecond: number } | null = null;
  #paceTimer: Timer | null = null;

  constructor(port: OutboxPort, options: OutboxOptions) {
    this.#port = port;
    this.#options = options;
    this.#window = options.maxInFlight;
    this.#cap = options.maxInFlight;
    for (const message of options.store?.load() ?? []) {
      if (isPendingMessage(message)) this.#entries.set(message.clientMsgId, { message, requestId: null, deferred: null });
    }
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Unacknowledged messages, oldest first. */
  list(): PendingMessage[] {
    return [...this.#entries.values()].map((e) => e.message);
  }

  /** Messages the server refused for good, until `retry` or `discard`. */
  failedList(): PendingMessage[] {
    return [...this.#failed.values()];
  }

  /** Queues a message; the promise settles with the stored message or the refusal. */
  add(message: PendingMessage): Promise<Message> {
    const existing = this.#entries.get(message.clientMsgId);
    if (existing) return (existing.deferred ??= deferred()).promise;
    this.#failed.delete(message.clientMsgId);
    const entry: Entry = { message, requestId: null, deferred: deferred() };
    this.#entries.set(message.clientMsgId, entry);
    this.#save();
    this.#port.pending(message);
    this.flush();
    return entry.deferred!.promise;
  }

  /** Puts a failed message back in the queue (the UI's "retry" on a failed bubble). */
  retry(clientMsgId: string): Promise<Message> | null {
    const message = this.#failed.get(clientMsgId);
    return message === undefined ? null : this.add(message);
  }

  /** Forgets a failed message. */
  discard(clientMsgId: string): boolean {
    return this.#failed.delete(clientMsgId);
  }

  /** Sends queued entries, oldest first, while there is room in the window. */
  flush(): void {
    if (!this.#port.isOpen() || this.#pause !== null || this.#paceTimer !== null) return;
    for (const entry of this.#entries.values()) {
      if (this.#inFlight >= this.#window) return;
      if (entry.requestId !== null) continue;
      if (!this.#takeToken()) return;
      const id = this.#port.nextId();
      const { conversationId, clientMsgId, text, visibility, attachmentId, contentType, mentions } = entry.message;
      try {
        this.#port.write({
          type: 'send',
          id,
          conversationId,
          clientMsgId,
          text,
          visibility,
          ...(contentType !== undefined && { contentType }),
          ...(attachmentId !== undefined && { attachmentId }),
          ...(mentions !== undefined && { mentions: [...mentions] }),
        });
      } catch (error) {
        const failure = error instanceof FrontdeskError ? error : new FrontdeskError('VALIDATION_FAILED', String(error));
        if (failure.retryable) return;
        this.#fail(entry, failure);
        continue;
      }
      entry.requestId = id;
      this.#byRequest.set(id, clientMsgId);
      this.#inFlight += 1;
    }
  }

  /** The server stored the message (now or, for a resend, earlier). False when it is not ours. */
  acknowledge(clientMsgId: string, message: Message): boolean {
    const entry = this.#entries.get(clientMsgId);
    if (!entry || entry.message.conversationId !== message.conversationId) return false;
    this.#settleRequest(entry);
    this.#entries.delete(clientMsgId);
    this.#save();
    this.#options.backoff.reset();
    this.#window = Math.min(this.#cap, this.#window * 2);
    entry.deferred?.resolve(message);
    this.flush();
    return true;
  }

  /** An `error` frame about one of our sends; false when it concerns something else. */
  refuse(frame: ErrorFrame): boolean {
    // RATE_LIMITED and frame-validation errors carry only the request id, not the clientMsgId.
    const clientMsgId = frame.clientMsgId ?? (frame.id !== undefined ? this.#byRequest.get(frame.id) : undefined);
    if (clientMsgId === undefined) return false;
    const entry = this.#entries.get(clientMsgId);
    // An answer to an attempt that was already superseded by a resend.
    if (!entry || (frame.id !== undefined && entry.requestId !== frame.id)) return true;
    this.#settleRequest(entry);
    const error = new FrontdeskError(frame.code, frame.message);
    if (error.retryable) this.#slowDown();
    else this.#fail(entry, error);
    this.flush();
    return true;
  }

  /**
   * The server's announced burst (auth.ok): a whole window of resends must fit in it, with room to
   * spare for the sync that follows, or the server would take the outbox for a flood.
   */
  limit(burst: number | undefined, perSecond?: number): void {
    this.#cap = burst === undefined ? this.#options.maxInFlight : Math.max(1, Math.min(this.#options.maxInFlight, burst - 2));
    this.#window = Math.min(this.#window, this.#cap);
    // A fresh connection has a full allowance on the server. The outbox keeps two frames of the
    // burst and a tenth of the rate for everything else the client says (sync, read, typing).
    this.#pace = burst === undefined || perSecond === undefined ? null : { tokens: this.#cap, last: Date.now(), capacity: this.#cap, perSecond: perSecond * 0.9 };
  }

  /** A token of the mirrored allowance; without one, a flush is scheduled for when the next comes. */
  #takeToken(): boolean {
    const pace = this.#pace;
    if (pace === null) return true;
    const now = Date.now();
    pace.tokens = Math.min(pace.capacity, pace.tokens + ((now - pace.last) / 1000) * pace.perSecond);
    pace.last = now;
    if (pace.tokens >= 1) {
      pace.tokens -= 1;
      return true;
    }
    const waitMs = Math.ceil(((1 - pace.tokens) / pace.perSecond) * 1000);
    this.#paceTimer = unref(
      setTimeout(() => {
        this.#paceTimer = null;
        this.flush();
      }, waitMs),
    );
    return false;
  }

  /** The connection is gone: whatever was in flight goes out again after the next auth. */
  disconnected(): void {
    for (const entry of this.#entries.values()) entry.requestId = null;
    this.#byRequest.clear();
    this.#inFlight = 0;
    // A new connection has a fresh allowance on the server.
    this.#window = this.#cap;
    this.#clearPause();
  }

  /** The client is closed for good: promises settle, entries stay (and stay stored) for next time. */
  close(): void {
    this.disconnected();
    const error = new FrontdeskError('CLIENT_CLOSED');
    for (const entry of this.#entries.values()) {
      entry.deferred?.reject(error);
      entry.deferred = null;
    }
  }

  #settleRequest(entry: Entry): void {
    if (entry.requestId === null) return;
    this.#byRequest.delete(entry.requestId);
    entry.requestId = null;
    this.#inFlight -= 1;
  }

  #fail(entry: Entry, error: FrontdeskError): void {
    this.#entries.delete(entry.message.clientMsgId);
    this.#failed.set(entry.message.clientMsgId, entry.message);
    this.#save();
    entry.deferred?.reject(error);
    this.#port.failed(entry.message, error);
  }

  /**
   * The server is busy or limiting us: pause, then probe with one send at a time. One burst of
   * refusals counts once, and the window keeps further refusals few: the server disconnects a client
   * whose frames it keeps refusing (a flood).
   */
  #slowDown(): void {
    this.#window = 1;
    if (this.#pause !== null) return;
    const delayMs = Math.max(MIN_PAUSE_MS, this.#options.backoff.next());
    this.#pause = unref(
      setTimeout(() => {
        this.#pause = null;
        this.flush();
      }, delayMs),
    );
  }

  #clearPause(): void {
    if (this.#pause !== null) clearTimeout(this.#pause);
    this.#pause = null;
    if (this.#paceTimer !== null) clearTimeout(this.#paceTimer);
    this.#paceTimer = null;
  }

  #save(): void {
    this.#options.store?.save(this.list());
  }
}

function deferred(): Deferred {
  let resolve!: (message: Message) => void;
  let reject!: (error: FrontdeskError) => void;
  const promise = new Promise<Message>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Failures are also reported by the 'failed' event; an app that ignores the promise must not
  // crash Node with an unhandled rejection.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

function isPendingMessage(value: unknown): value is PendingMessage {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  return (
    typeof m.clientMsgId === 'string' &&
    typeof m.conversationId === 'string' &&
    typeof m.text === 'string' &&
    (m.visibility === 'public' || m.visibility === 'internal') &&
    (m.mentions === undefined || (Array.isArray(m.mentions) && m.mentions.every((id) => typeof id === 'string'))) &&
    typeof m.createdAt === 'string'
  );
}
