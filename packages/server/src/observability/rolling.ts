/**
 * Counts over a sliding window of whole seconds (the alerts' error rate and webhook failures):
 * one bucket per second, so adding is O(1) and the memory is fixed whatever the traffic.
 */
export class RollingCount {
  readonly #buckets: Float64Array;
  readonly #seconds: Float64Array;
  readonly windowSeconds: number;

  constructor(windowSeconds: number) {
    this.windowSeconds = windowSeconds;
    this.#buckets = new Float64Array(windowSeconds);
    this.#seconds = new Float64Array(windowSeconds).fill(-1);
  }

  add(now: number, count = 1): void {
    const second = Math.floor(now / 1000);
    const i = second % this.windowSeconds;
    if (this.#seconds[i] !== second) {
      this.#seconds[i] = second;
      this.#buckets[i] = 0;
    }
    this.#buckets[i]! += count;
  }

  /** The sum over the last `windowSeconds` seconds, this one included. */
  total(now: number): number {
    const second = Math.floor(now / 1000);
    let sum = 0;
    for (let i = 0; i < this.windowSeconds; i++) if (second - this.#seconds[i]! < this.windowSeconds) sum += this.#buckets[i]!;
    return sum;
  }
}

/**
 * The latest samples of a latency (at most `capacity`, none older than `maxAgeMs`) and their p99:
 * the operations dashboard's send p99 and its alert, whether or not Prometheus metrics are on.
 */
export class LatencyWindow {
  readonly #values: Float64Array;
  readonly #times: Float64Array;
  #next = 0;
  #size = 0;
  readonly capacity: number;
  readonly maxAgeMs: number;

  constructor(capacity = 4096, maxAgeMs = 300_000) {
    this.capacity = capacity;
    this.maxAgeMs = maxAgeMs;
    this.#values = new Float64Array(capacity);
    this.#times = new Float64Array(capacity);
  }

  add(now: number, value: number): void {
    this.#values[this.#next] = value;
    this.#times[this.#next] = now;
    this.#next = (this.#next + 1) % this.capacity;
    this.#size = Math.min(this.#size + 1, this.capacity);
  }

  /** The 99th percentile (nearest rank) of the samples still in the window; null without any. */
  p99(now: number): number | null {
    const recent: number[] = [];
    for (let i = 0; i < this.#size; i++) if (now - this.#times[i]! <= this.maxAgeMs) recent.push(this.#values[i]!);
    if (recent.length === 0) return null;
    recent.sort((a, b) => a - b);
    return recent[Math.min(recent.length - 1, Math.ceil(0.99 * recent.length) - 1)]!;
  }
}
