import {
  limits,
  type AuthOkFrame,
  type ClientFrame,
  type HistoryResultFrame,
  type Message,
  type MessagePage,
  type Operations,
  type OperationsFrame,
  type PongFrame,
  type PresenceFrame,
  type ReadReceiptFrame,
  type ServerFrame,
  type SessionUser,
  type SyncResultFrame,
} from '@frontdesk/protocol';
import { Backoff } from './backoff.ts';
import { isValidClientMsgId, newClientMsgId } from './client-msg-id.ts';
import { Emitter } from './emitter.ts';
import { FrontdeskError } from './errors.ts';
import { apiUrlFor, FileClient } from './files.ts';
import type { ClientEvents, ClientState, ClosedInfo, DisconnectInfo } from './events.ts';
import { Link } from './link.ts';
import { checkOptions, type FrontdeskClientOptions, type HistoryQuery, type SendHandle, type SendInput } from './options.ts';
import { Outbox, type PendingMessage } from './outbox.ts';
import { fromErrorFrame, PendingRequests } from './requests.ts';
import { SeenSeqs } from './seen-seqs.ts';
import { SyncRunner, type SyncSummary } from './sync.ts';
import { defaultWebSocket } from './websocket.ts';

const TYPING_INTERVAL_MS = 2_000;
/** The send frame's bound (protocol sendFields.mentions). */
const MENTIONS_MAX = 50;

/** Mentions as the send frame takes them: without repeats, at most 50 staff ids or 'all'. */
function mentionsOf(input: readonly string[] | undefined): string[] {
  const mentions = Array.isArray(input) ? [...new Set(input)] : input === undefined ? [] : null;
  if (mentions === null || mentions.length > MENTIONS_MAX || mentions.some((m) => typeof m !== 'string' || m === '')) {
    throw new FrontdeskError('VALIDATION_FAILED', `mentions must be at most ${MENTIONS_MAX} staff ids or 'all'.`);
  }
  return mentions;
}

type WithoutId<F> = F extends unknown ? Omit<F, 'id'> : never;

/**
 * The one client of the /ws protocol (DESIGN.md §4) for the web apps, the tests and the benchmarks:
 * reconnects, keeps the link alive, resends unacknowledged messages, catches up after every
 * reconnect and shows each message once.
 */
export class FrontdeskClient {
  readonly #events = new Emitter<ClientEvents>();
  readonly #requests = new PendingRequests();
  #presence: 'online' | 'away' = 'online';
  #watchingOperations = false;
  readonly #seen = new SeenSeqs();
  readonly #link: Link;
  readonly #outbox: Outbox;
  readonly #sync: SyncRunner;
  readonly #now: () => number;
  readonly #requestTimeoutMs: number;
  #typingAt = new Map<string, number>();
  #user: SessionUser | null = null;
  #connecting: Promise<SessionUser> | null = null;
  /** Uploads and attachment links, over the HTTP API with the same token. */
  readonly files: FileClient;

  constructor(options: FrontdeskClientOptions) {
    checkOptions(options);
    this.files = new FileClient({
      apiUrl: options.apiUrl ?? apiUrlFor(options.url),
      token: options.token,
      ...(options.fetch !== undefined && { fetch: options.fetch }),
    });
    const random = options.random ?? Math.random;
    this.#now = options.now ?? Date.now;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.#link = new Link(
      {
        url: options.url,
        token: options.token,
        WebSocket: options.WebSocket ?? defaultWebSocket(),
        heartbeatMs: options.heartbeatMs,
        backoff: new Backoff(options.backoff, random),
        connectTimeoutMs: options.connectTimeoutMs ?? 15_000,
        now: this.#now,
      },
      {
        state: (change) => this.#events.emit('state', change),
        ready: (frame) => this.#ready(frame),
        frame: (frame) => this.#receive(frame),
        lost: (info) => this.#lost(info),
        closed: (info) => this.#closed(info),
      },
    );
    this.#outbox = new Outbox(
      {
        isOpen: () => this.#link.open,
        nextId: () => this.#requests.nextId(),
        write: (frame) => this.#link.write(frame),
        pending: (message) => this.#events.emit('pending', message),
        failed: (message, error) => this.#events.emit('failed', { message, error }),
      },
      { store: options.outboxStore, maxInFlight: options.maxInFlight ?? 10, backoff: new Backoff(options.backoff, random) },
    );
    this.#sync = new SyncRunner(
      {
        request: (frame) => this.#request<SyncResultFrame>(frame, 'sync.result'),
        deliver: (message) => this.#deliver(message),
        connection: () => this.#link.epoch,
        isOpen: () => this.#link.open,
        synced: (summary) => this.#events.emit('synced', summary),
        error: (error) => this.#events.emit('error', error),
      },
      { token: options.syncToken ?? null, onToken: options.onSyncToken, pageSize: options.syncPageSize, backoff: new Backoff(options.backoff, random) },
    );
  }

  get state(): ClientState {
    return this.#link.state;
  }

  /** Who the server says we are; null before the first auth.ok. */
  get user(): SessionUser | null {
    return this.#user;
  }

  /** Where the last completed sync page stopped. */
  get syncToken(): string | null {
    return this.#sync.token;
  }

  /** Unacknowledged messages, oldest first. */
  get outbox(): readonly PendingMessage[] {
    return this.#outbox.list();
  }

  /** Messages the server refused for good; `retry` or `discard` them. */
  get failed(): readonly PendingMessage[] {
    return this.#outbox.failedList();
  }

  on<E extends keyof ClientEvents>(event: E, listener: (payload: ClientEvents[E]) => void): () => void {
    return this.#events.on(event, listener);
  }

  once<E extends keyof ClientEvents>(event: E, listener: (payload: ClientEvents[E]) => void): () => void {
    return this.#events.once(event, listener);
  }

  off<E extends keyof ClientEvents>(event: E, listener: (payload: ClientEvents[E]) => void): void {
    this.#events.off(event, listener);
  }

  /**
   * Opens the connection. Resolves on the first auth.ok, however many attempts it takes; rejects
   * when the server refuses the token (or the client is closed first).
   */
  connect(): Promise<SessionUser> {
    if (this.#link.state === 'open' && this.#user !== null) return Promise.resolve(this.#user);
    if (this.#link.state === 'closed') return Promise.reject(new FrontdeskError('CLIENT_CLOSED'));
    this.#connecting ??= new Promise<SessionUser>((resolve, reject) => {
      const done = () => {
        offReady();
        offClosed();
        this.#connecting = null;
      };
      const offReady = this.#events.on('ready', (user) => (done(), resolve(user)));
      const offClosed = this.#events.on('closed', (info) => (done(), reject(info.error ?? new FrontdeskError('CLIENT_CLOSED'))));
    });
    this.#link.start();
    return this.#connecting;
  }

  /** Stops for good: no reconnect, pending requests reject, the outbox stays in its store. */
  close(): void {
    this.#link.stop();
  }

  /** Queues a message (text, or an uploaded attachment); sent now if connected, otherwise after the next auth. */
  send(input: SendInput): SendHandle {
    if (this.#link.state === 'closed') throw new FrontdeskError('CLIENT_CLOSED');
    const clientMsgId = input.clientMsgId ?? newClientMsgId();
    if (!isValidClientMsgId(clientMsgId)) throw new FrontdeskError('VALIDATION_FAILED', 'clientMsgId must be 1–64 of [A-Za-z0-9._:-].');
    if (typeof input.conversationId !== 'string' || input.conversationId === '') {
      throw new FrontdeskError('VALIDATION_FAILED', 'conversationId is required.');
    }
    const text = typeof input.text === 'string' ? input.text.trim() : '';
    const withAttachment = input.attachmentId !== undefined;
    if ((text === '' && !withAttachment) || text.length > limits.textMaxChars) {
      throw new FrontdeskError('VALIDATION_FAILED', `text must have 1–${limits.textMaxChars} characters.`);
    }
    if (withAttachment && (typeof input.attachmentId !== 'string' || input.attachmentId === '')) {
      throw new FrontdeskError('VALIDATION_FAILED', 'attachmentId must be the id of an uploaded attachment.');
    }
    const mentions = mentionsOf(input.mentions);
    const pending: PendingMessage = {
      clientMsgId,
      conversationId: input.conversationId,
      text,
      visibility: input.visibility ?? 'public',
      ...(input.attachmentId !== undefined && { attachmentId: input.attachmentId }),
      ...(input.contentType !== undefined && { contentType: input.contentType }),
      ...(mentions.length > 0 && { mentions }),
      createdAt: new Date(this.#now()).toISOString(),
    };
    return { clientMsgId, pending, promise: this.#outbox.add(pending) };
  }

  /** Queues a failed message again; null when there is no failed message with that id. */
  retry(clientMsgId: string): Promise<Message> | null {
    return this.#outbox.retry(clientMsgId);
  }

  /** Forgets a failed message. */
  discard(clientMsgId: string): boolean {
    return this.#outbox.discard(clientMsgId);
  }

  /** Moves the read cursor (it only moves forward); resolves with the server's cursor. */
  markRead(conversationId: string, seq: number): Promise<ReadReceiptFrame> {
    return this.#request<ReadReceiptFrame>({ type: 'read', conversationId, seq }, 'read');
  }

  /**
   * Staff: 'away' stops new inquiries coming to this device's user (while no other device of theirs
   * is online); 'online' takes them again. Kept across reconnects.
   */
  async setPresence(status: 'online' | 'away'): Promise<void> {
    this.#presence = status;
    if (this.#link.open) await this.#request<PresenceFrame>({ type: 'presence', status }, 'presence');
  }

  /** Says "typing…" at most once per conversation every 2 s; false when throttled or offline. */
  typing(conversationId: string): boolean {
    const now = this.#now();
    if (!this.#link.open || now - (this.#typingAt.get(conversationId) ?? -Infinity) < TYPING_INTERVAL_MS) return false;
    try {
      this.#link.write({ type: 'typing', conversationId });
    } catch {
      return false;
    }
    this.#typingAt.set(conversationId, now);
    return true;
  }

  /**
   * A page of history in ascending seq order: the latest page, or the one before `beforeSeq`
   * (older) or after `afterSeq` (newer). The items are returned whole and also count as shown, so
   * a later push or sync of the same seq is not emitted again.
   */
  async history(conversationId: string, query: HistoryQuery = {}): Promise<MessagePage> {
    const reply = await this.#request<HistoryResultFrame>({ type: 'history', conversationId, ...query }, 'history.result');
    for (const message of reply.items) this.#seen.add(message.conversationId, message.seq);
    return { items: reply.items, hasMore: reply.hasMore };
  }

  /** Catches up from the stored sync token (done automatically after every auth). */
  sync(): Promise<SyncSummary> {
    return this.#sync.run();
  }

  /**
   * Owners and admins: the operations dashboard's figures, now (the promise) and every few seconds
   * as `operations` events, again after every reconnect until `unwatchOperations`.
   */
  async watchOperations(): Promise<Operations> {
    this.#watchingOperations = true;
    return (await this.#request<OperationsFrame>({ type: 'operations.subscribe' }, 'operations')).operations;
  }

  unwatchOperations(): void {
    this.#watchingOperations = false;
    if (this.#link.open) this.#request<PongFrame>({ type: 'operations.unsubscribe' }, 'pong').catch(() => {});
  }

  /** Round-trip time in milliseconds. */
  async ping(): Promise<number> {
    const started = this.#now();
    await this.#request<PongFrame>({ type: 'ping' }, 'pong');
    return this.#now() - started;
  }

  #request<F extends ServerFrame>(frame: WithoutId<Exclude<ClientFrame, { type: 'auth' | 'send' }>>, expect: F['type']): Promise<F> {
    if (!this.#link.open) return Promise.reject(new FrontdeskError(this.#link.state === 'closed' ? 'CLIENT_CLOSED' : 'DISCONNECTED'));
    const id = this.#requests.nextId();
    const reply = this.#requests.wait<F>(id, expect, this.#requestTimeoutMs);
    try {
      this.#link.write({ ...frame, id } as ClientFrame);
    } catch (error) {
      this.#requests.cancel(id, error instanceof FrontdeskError ? error : new FrontdeskError('DISCONNECTED'));
    }
    return reply;
  }

  #ready(frame: AuthOkFrame): void {
    this.#user = frame.user;
    this.#sync.baseline(frame.syncToken);
    this.#events.emit('ready', frame.user);
    if (!this.#link.open) return;
    // A fresh connection starts online: say again that this device is away.
    if (this.#presence === 'away' && frame.user.kind === 'staff') this.#request<PresenceFrame>({ type: 'presence', status: 'away' }, 'presence').catch(() => {});
    // Unacknowledged sends first, in order; then catch up. Both are pipelined on the socket.
    this.#outbox.limit(frame.rateLimit?.burst, frame.rateLimit?.perSecond);
    this.#outbox.flush();
    this.#sync.auto();
    if (this.#watchingOperations) this.#request<OperationsFrame>({ type: 'operations.subscribe' }, 'operations').catch(() => {});
  }

  #receive(frame: ServerFrame): void {
    if (frame.type === 'error') {
      if (this.#outbox.refuse(frame) || this.#requests.settle(frame)) return;
      this.#events.emit('error', fromErrorFrame(frame));
      return;
    }
    this.#requests.settle(frame);
    switch (frame.type) {
      case 'ack':
        this.#outbox.acknowledge(frame.clientMsgId, frame.message);
        this.#deliver(frame.message);
        return;
      case 'message':
        this.#deliver(frame.message);
        return;
      case 'message.updated':
        this.#events.emit('messageUpdated', frame.message);
        return;
      case 'read':
        this.#events.emit('read', frame);
        return;
      case 'typing':
        this.#events.emit('typing', frame);
        return;
      case 'conversation':
        this.#events.emit('conversation', frame);
        return;
      case 'queue':
        this.#events.emit('queue', frame);
        return;
      case 'presence':
        this.#events.emit('presence', frame);
        return;
      case 'broadcast':
        this.#events.emit('broadcast', frame);
        return;
      case 'operations':
        this.#events.emit('operations', frame.operations);
        return;
      case 'campaign':
        this.#events.emit('campaign', frame.campaign);
        return;
      case 'resync':
        // A node of the cluster died: what it stored last may never have been pushed to us.
        this.#sync.auto();
        return;
      case 'csat':
        this.#events.emit('csat', frame.rating);
        return;
      default:
        // pong, sync.result, history.result: replies, handled by whoever awaits them.
        return;
    }
  }

  /** The one way a message reaches the app: once per (conversationId, seq). */
  #deliver(message: Message): boolean {
    if (!this.#seen.add(message.conversationId, message.seq)) return false;
    this.#events.emit('message', message);
    return true;
  }

  #lost(info: DisconnectInfo): void {
    this.#stopSession(new FrontdeskError('DISCONNECTED'));
    this.#events.emit('disconnected', info);
  }

  #closed(info: ClosedInfo): void {
    this.#stopSession(new FrontdeskError('CLIENT_CLOSED'));
    this.#outbox.close();
    if (info.error !== null) this.#events.emit('error', info.error);
    this.#events.emit('closed', info);
  }

  #stopSession(error: FrontdeskError): void {
    this.#sync.stop();
    this.#outbox.disconnected();
    this.#requests.rejectAll(error);
  }
}
