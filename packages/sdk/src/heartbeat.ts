import { unref } from './timers.ts';

export interface HeartbeatOptions {
  /** Ping this often; the server closes a connection silent for twice as long. */
  readonly intervalMs: number;
  readonly now: () => number;
  readonly ping: () => void;
  /** Nothing at all arrived for twice the interval: the link is dead even if TCP has not noticed. */
  readonly dead: () => void;
}

/**
 * Keeps one authenticated connection alive and notices when it is not. Checks four times per
 * interval, so a dead link is found between 2 and 2.25 intervals after the last frame.
 */
export class Heartbeat {
  readonly #options: HeartbeatOptions;
  #lastReceived: number;
  #lastPing: number;
  #timer: ReturnType<typeof setInterval> | null = null;

  constructor(options: HeartbeatOptions) {
    this.#options = options;
    this.#lastReceived = this.#lastPing = options.now();
  }

  start(): void {
    this.stop();
    this.#lastReceived = this.#lastPing = this.#options.now();
    this.#timer = unref(setInterval(() => this.#tick(), Math.max(10, Math.floor(this.#options.intervalMs / 4))));
  }

  /** A frame arrived. */
  touch(): void {
    this.#lastReceived = this.#options.now();
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  #tick(): void {
    const now = this.#options.now();
    const { intervalMs } = this.#options;
    if (now - this.#lastReceived > 2 * intervalMs) {
      this.stop();
      this.#options.dead();
      return;
    }
    if (now - this.#lastPing >= intervalMs) {
      this.#lastPing = now;
      this.#options.ping();
    }
  }
}
