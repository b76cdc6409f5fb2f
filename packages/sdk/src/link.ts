import { realtimeDefaults, type AuthOkFrame, type ClientFrame, type ServerFrame } from '@frontdesk/protocol';
import type { Backoff } from './backoff.ts';
import { closeError, FrontdeskError, isPromptClose, isTerminalClose } from './errors.ts';
import type { ClientState, ClosedInfo, DisconnectInfo, StateChange } from './events.ts';
import { Heartbeat } from './heartbeat.ts';
import { unref, type Timer } from './timers.ts';
import { frameText, OPEN, type WebSocketConstructor, type WebSocketLike } from './websocket.ts';

export interface LinkOptions {
  readonly url: string;
  readonly token: string;
  readonly WebSocket: WebSocketConstructor;
  /** Ping at least this often even if the server announces a longer interval. */
  readonly heartbeatMs: number | undefined;
  readonly backoff: Backoff;
  /** From creating the socket to auth.ok. */
  readonly connectTimeoutMs: number;
  readonly now: () => number;
}

export interface LinkHooks {
  state(change: StateChange): void;
  ready(frame: AuthOkFrame): void;
  frame(frame: ServerFrame): void;
  /** A connection ended and another attempt is scheduled. */
  lost(info: DisconnectInfo): void;
  /** No more attempts: `stop()` or a terminal auth failure. */
  closed(info: ClosedInfo): void;
}

const ignore = (): void => {};

/** Local close codes for links the client gives up on itself (the socket never reported a close). */
const ABNORMAL = 1006;

/**
 * One logical connection to /ws made of successive sockets: open, authenticate with the first frame
 * (the token never travels in the URL), keep alive, and reconnect with backoff until stopped or
 * refused for good. Only this file touches the socket.
 */
export class Link {
  readonly #options: LinkOptions;
  readonly #hooks: LinkHooks;
  #state: ClientState = 'idle';
  #socket: WebSocketLike | null = null;
  /** Bumped for every socket; events from an older socket are ignored. */
  #epoch = 0;
  #reconnect: Timer | null = null;
  #connectTimeout: Timer | null = null;
  #heartbeat: Heartbeat | null = null;
  #maxFrameBytes: number = realtimeDefaults.maxFrameBytes;

  constructor(options: LinkOptions, hooks: LinkHooks) {
    this.#options = options;
    this.#hooks = hooks;
  }

  get state(): ClientState {
    return this.#state;
  }

  /** Authenticated: requests and sends may go out. */
  get open(): boolean {
    return this.#state === 'open';
  }

  get epoch(): number {
    return this.#epoch;
  }

  start(): void {
    if (this.#state === 'closed') throw new FrontdeskError('CLIENT_CLOSED');
    if (this.#state !== 'idle') return;
    this.#connect();
  }

  stop(): void {
    if (this.#state === 'closed') return;
    this.#epoch += 1;
    this.#teardown();
    this.#setState('closed');
    this.#hooks.closed({ code: 1000, reason: '', error: null });
  }

  /** Sends a frame on the authenticated socket. */
  write(frame: ClientFrame): void {
    const socket = this.#socket;
    if (this.#state !== 'open' || socket === null || socket.readyState !== OPEN) throw new FrontdeskError('DISCONNECTED');
    this.#send(socket, frame);
  }

  #connect(): void {
    const epoch = ++this.#epoch;
    this.#setState('connecting');
    let socket: WebSocketLike;
    try {
      socket = new this.#options.WebSocket(this.#options.url);
    } catch (error) {
      // A malformed URL fails at once in every implementation; retrying cannot help.
      this.#setState('closed');
      this.#hooks.closed({ code: ABNORMAL, reason: 'VALIDATION_FAILED', error: new FrontdeskError('VALIDATION_FAILED', String(error)) });
      return;
    }
    this.#socket = socket;
    this.#connectTimeout = unref(setTimeout(() => this.#ended(epoch, ABNORMAL, 'TIMEOUT'), this.#options.connectTimeoutMs));
    socket.onopen = () => {
      if (epoch !== this.#epoch) return;
      this.#setState('authenticating');
      this.#send(socket, { type: 'auth', token: this.#options.token });
    };
    socket.onmessage = (event) => this.#receive(epoch, event.data);
    socket.onclose = (event) => this.#ended(epoch, event.code, event.reason);
    // Every error is followed by a close event, which carries what there is to know.
    socket.onerror = ignore;
  }

  #receive(epoch: number, data: unknown): void {
    if (epoch !== this.#epoch) return;
    this.#heartbeat?.touch();
    const text = frameText(data);
    let frame: ServerFrame;
    try {
      frame = JSON.parse(text ?? '') as ServerFrame;
    } catch {
      return;
    }
    if (typeof frame !== 'object' || frame === null || typeof frame.type !== 'string') return;
    if (frame.type === 'auth.ok') {
      if (this.#state === 'authenticating') this.#authenticated(epoch, frame);
      return;
    }
    if (this.#state === 'open') this.#hooks.frame(frame);
  }

  #authenticated(epoch: number, frame: AuthOkFrame): void {
    this.#clearConnectTimeout();
    this.#options.backoff.reset();
    this.#maxFrameBytes = frame.maxFrameBytes;
    const intervalMs = Math.min(frame.heartbeatMs, this.#options.heartbeatMs ?? Infinity);
    this.#heartbeat = new Heartbeat({
      intervalMs,
      now: this.#options.now,
      ping: () => {
        if (this.#socket !== null && this.#socket.readyState === OPEN) this.#send(this.#socket, { type: 'ping' });
      },
      dead: () => this.#ended(epoch, ABNORMAL, 'HEARTBEAT_TIMEOUT'),
    });
    this.#heartbeat.start();
    this.#setState('open');
    this.#hooks.ready(frame);
  }

  #ended(epoch: number, code: number, reason: string): void {
    if (epoch !== this.#epoch || this.#state === 'closed') return;
    this.#epoch += 1;
    // A link given up on locally (silent, or never authenticated) gets no closing handshake.
    this.#teardown(code === ABNORMAL);
    if (isTerminalClose(code)) {
      this.#setState('closed');
      this.#hooks.closed({ code, reason, error: closeError(code, reason) });
      return;
    }
    const backoff = this.#options.backoff;
    const retryInMs = isPromptClose(code) ? backoff.prompt() : backoff.next();
    this.#setState('reconnecting');
    this.#hooks.lost({ code, reason, retryInMs });
    // A listener may have closed the client.
    if (this.#state !== 'reconnecting') return;
    // Not unref'd: while reconnecting this timer is all that keeps a Node app's client alive.
    this.#reconnect = setTimeout(() => {
      this.#reconnect = null;
      if (this.#state === 'reconnecting') this.#connect();
    }, retryInMs);
  }

  /** Forgets the current socket: timers off, handlers detached, closed if still open. */
  #teardown(abandon = false): void {
    if (this.#reconnect !== null) clearTimeout(this.#reconnect);
    this.#reconnect = null;
    this.#clearConnectTimeout();
    this.#heartbeat?.stop();
    this.#heartbeat = null;
    const socket = this.#socket;
    this.#socket = null;
    if (socket === null) return;
    // No-ops rather than null: the `ws` package throws on an 'error' event nobody listens to, and
    // closing a socket that is still connecting emits one.
    socket.onopen = socket.onmessage = socket.onclose = socket.onerror = ignore;
    try {
      // `terminate` is the `ws` package's; a standard socket would wait for a dead peer's close frame.
      const terminate = (socket as { terminate?: () => void }).terminate;
      if (abandon && typeof terminate === 'function') terminate.call(socket);
      else socket.close(1000);
    } catch {
      // Already closed, or still connecting in an implementation that refuses close() then.
    }
  }

  #send(socket: WebSocketLike, frame: ClientFrame): void {
    const text = JSON.stringify(frame);
    // A frame over the limit would make the server close the connection (1009) and a resend would
    // do it again: refuse it here. Only long frames pay for the exact UTF-8 count.
    if (text.length * 3 > this.#maxFrameBytes && new TextEncoder().encode(text).length > this.#maxFrameBytes) {
      throw new FrontdeskError('PAYLOAD_TOO_LARGE');
    }
    socket.send(text);
  }

  #clearConnectTimeout(): void {
    if (this.#connectTimeout !== null) clearTimeout(this.#connectTimeout);
    this.#connectTimeout = null;
  }

  #setState(state: ClientState): void {
    const previous = this.#state;
    if (previous === state) return;
    this.#state = state;
    this.#hooks.state({ state, previous });
  }
}
