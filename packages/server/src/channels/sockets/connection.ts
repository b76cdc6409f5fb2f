import { randomUUID } from 'node:crypto';
import { errorCatalogue, type ErrorCode, type RequestId, type ServerFrame } from '@frontdesk/protocol';
import type { Principal } from '../../domain/records.ts';
import { Outgoing } from './outgoing.ts';
import { TokenBucket } from './token-bucket.ts';

export interface ConnectionLimits {
  readonly ratePerSecond: number;
  readonly rateBurst: number;
  readonly maxBufferedBytes: number;
  readonly typingIntervalMs: number;
}

/**
 * Where a connection's frames go: a WebSocket of /ws (JSON text, channels/ws), or goim's binary
 * packets (channels/goim). Each takes the serialisation it needs from the Outgoing frame.
 */
export interface Transport {
  /** What it is, for the metrics: 'ws' (the default), 'goim-ws', 'goim-tcp'. */
  readonly kind?: string;
  readonly bufferedAmount: number;
  send(out: Outgoing): void;
  close(code: number, reason: string): void;
  terminate(): void;
}

/** One client socket: who it is, its limits, and the only place that writes to it. */
export class Connection {
  readonly id = randomUUID();
  readonly origin: string | null;
  principal: Principal | null = null;
  /** Kept to re-check the session now and then: a revoked token must not live on in a socket. */
  token: string | null = null;
  lastSeen = Date.now();
  lastVerified = Date.now();
  /** Counted against the user's connection limit (released when it closes). */
  counted = false;
  /** Staff: this device said it is away. */
  away = false;
  /** The goim room it is in (domain/rooms.ts), indexed by the hub; changed through Hub.setRoom. */
  room: string | null = null;
  /** goim's accepted operations: raw pushes of other operations are not delivered; null = all. */
  accepts: Set<number> | null = null;
  /** Silence allowed before HEARTBEAT_TIMEOUT, when its dialect has its own (goim: 4 min × 2). */
  heartbeatLimitMs: number | null = null;
  /** Receives the operations dashboard's figures (`operations.subscribe`). */
  watchesOperations = false;
  #socket: Transport;
  #limits: ConnectionLimits;
  #rate: TokenBucket;
  #floods = 0;
  #typing = new Map<string, number>();
  #closed = false;
  /** Frames of one connection are handled in order: a client's sends commit in the order sent. */
  #queue: Promise<void> = Promise.resolve();

  constructor(socket: Transport, origin: string | null, limits: ConnectionLimits) {
    this.#socket = socket;
    this.origin = origin;
    this.#limits = limits;
    this.#rate = new TokenBucket(limits.ratePerSecond, limits.rateBurst);
  }

  /** The transport's kind (metrics). */
  get transport(): string {
    return this.#socket.kind ?? 'ws';
  }

  get userId(): string | null {
    const p = this.principal;
    return p === null ? null : p.kind === 'staff' ? p.staff.id : p.customer.id;
  }

  get closed(): boolean {
    return this.#closed;
  }

  enqueue(task: () => Promise<void>): void {
    this.#queue = this.#queue.then(task, task);
  }

  /** Resolves when the frames received so far are handled (a send committed and published). */
  idle(): Promise<void> {
    return this.#queue;
  }

  /** A frame, or one serialised once for many connections. Slow readers are cut off, not buffered. */
  send(frame: ServerFrame | Outgoing): void {
    if (this.#closed) return;
    if (this.#socket.bufferedAmount > this.#limits.maxBufferedBytes) {
      this.close('SLOW_CONSUMER');
      return;
    }
    this.#socket.send(frame instanceof Outgoing ? frame : new Outgoing(frame));
  }

  error(code: ErrorCode, message?: string, id?: RequestId, clientMsgId?: string): void {
    this.send({
      type: 'error',
      code,
      message: message ?? errorCatalogue[code].message,
      ...(id !== undefined && { id }),
      ...(clientMsgId !== undefined && { clientMsgId }),
    });
  }

  /** True when the frame may proceed; a client that keeps flooding is disconnected. */
  admit(): boolean {
    if (this.#rate.take()) {
      this.#floods = 0;
      return true;
    }
    this.#floods += 1;
    if (this.#floods > this.#limits.rateBurst) this.close('RATE_LIMITED');
    return false;
  }

  /** Typing indicators: at most one per conversation per interval; the rest are dropped quietly. */
  admitTyping(conversationId: string): boolean {
    const now = Date.now();
    const last = this.#typing.get(conversationId) ?? 0;
    if (now - last < this.#limits.typingIntervalMs) return false;
    if (this.#typing.size > 1000) this.#typing.clear();
    this.#typing.set(conversationId, now);
    return true;
  }

  /** Closes with the catalogue's close code; the reason is the error code. */
  close(code: ErrorCode): void {
    if (this.#closed) return;
    this.#closed = true;
    const closeCode = (errorCatalogue[code] as { close?: number }).close ?? 1008;
    this.#socket.close(closeCode, code);
    // A reader too slow to take the close frame is dropped after a grace period.
    setTimeout(() => this.#socket.terminate(), 2_000).unref();
  }

  markClosed(): void {
    this.#closed = true;
  }
}
