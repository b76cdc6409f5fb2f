export interface BackoffOptions {
  /** Upper bound of the first delay; default 500 ms. */
  readonly initialMs?: number;
  /** Upper bound of any delay; default 30 s. */
  readonly maxMs?: number;
  /** Growth per attempt; default 2. */
  readonly factor?: number;
}

/**
 * Exponential backoff with full jitter: the n-th delay is uniform in [0, min(max, initial·factorⁿ)].
 * Spreading clients over the whole window keeps a restarted server from being hit by all of them at
 * once (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/).
 */
export class Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
  #attempt = 0;
  #random: () => number;

  constructor(options: BackoffOptions = {}, random: () => number = Math.random) {
    this.initialMs = positive(options.initialMs, 500, 'initialMs');
    this.maxMs = Math.max(this.initialMs, positive(options.maxMs, 30_000, 'maxMs'));
    this.factor = Math.max(1, positive(options.factor, 2, 'factor'));
    this.#random = random;
  }

  get attempt(): number {
    return this.#attempt;
  }

  /** The next delay; each call widens the window until it reaches `maxMs`. */
  next(): number {
    const ceiling = Math.min(this.maxMs, this.initialMs * this.factor ** Math.min(this.#attempt, 64));
    this.#attempt += 1;
    return Math.floor(this.#random() * ceiling);
  }

  /** A short jittered delay for a server that asked to be reconnected to at once; does not widen. */
  prompt(): number {
    return Math.floor(this.#random() * this.initialMs);
  }

  reset(): void {
    this.#attempt = 0;
  }
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`backoff.${name} must be a positive number, got ${value}`);
  return value;
}
