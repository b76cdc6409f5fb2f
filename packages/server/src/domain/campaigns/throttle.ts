/**
 * Paces a throttled campaign (messages per second) so that live chat is not starved: a token
 * bucket refilled at `perSecond`, holding at most a fiftieth of a second's worth (at least one), so a
 * campaign sends small batches often (each holds the writer briefly: on SQLite a batch is
 * synchronous) rather than a second's worth at once.
 */
export function tokenBucket(perSecond: number, start: number) {
  const capacity = Math.max(1, Math.floor(perSecond / 50));
  let tokens = capacity;
  let at = start;
  const refill = (now: number) => {
    tokens = Math.min(capacity, tokens + ((now - at) * perSecond) / 1000);
    at = now;
  };
  return {
    /** How long until one whole token is there. */
    waitMs(now: number): number {
      refill(now);
      return tokens >= 1 ? 0 : Math.ceil(((1 - tokens) * 1000) / perSecond);
    },
    /** Takes every whole token there is (at least one: call after waitMs). */
    take(now: number): number {
      refill(now);
      const whole = Math.max(1, Math.floor(tokens));
      tokens -= whole;
      return whole;
    },
  };
}
