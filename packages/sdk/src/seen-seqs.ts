/**
 * Which (conversation, seq) pairs were already delivered to the app, so that each message is shown
 * once whether it came by push, ack, sync or history (DESIGN.md §3: clients drop duplicates by
 * `(conversation_id, seq)`).
 *
 * Seqs are kept as sorted, disjoint ranges per conversation. Messages arrive mostly in order, so a
 * conversation usually holds one range however long the session. Gaps are real, though (a customer
 * never sees internal notes; concurrent senders arrive out of order), so the number of ranges is
 * capped: past the cap the two oldest ranges merge, treating the oldest gap as seen. That can only
 * hide a message older than hundreds of gaps that never arrived, which sync cannot produce.
 */
export class SeenSeqs {
  readonly #maxRanges: number;
  /** conversationId → flat [start0, end0, start1, end1, …], ascending, non-adjacent. */
  #ranges = new Map<string, number[]>();

  constructor(maxRangesPerConversation = 512) {
    this.#maxRanges = Math.max(1, maxRangesPerConversation);
  }

  has(conversationId: string, seq: number): boolean {
    const ranges = this.#ranges.get(conversationId);
    if (!ranges) return false;
    const i = this.#rangeAtOrBefore(ranges, seq);
    return i >= 0 && seq <= ranges[i + 1]!;
  }

  /** Records the pair; true when it was new (the message should be shown). */
  add(conversationId: string, seq: number): boolean {
    let ranges = this.#ranges.get(conversationId);
    if (!ranges) {
      this.#ranges.set(conversationId, [seq, seq]);
      return true;
    }
    const i = this.#rangeAtOrBefore(ranges, seq);
    if (i >= 0 && seq <= ranges[i + 1]!) return false;
    const joinsLeft = i >= 0 && ranges[i + 1]! === seq - 1;
    const next = i < 0 ? 0 : i + 2;
    const joinsRight = next < ranges.length && ranges[next]! === seq + 1;
    if (joinsLeft && joinsRight) ranges.splice(i + 1, 2);
    else if (joinsLeft) ranges[i + 1] = seq;
    else if (joinsRight) ranges[next] = seq;
    else ranges.splice(next, 0, seq, seq);
    if (ranges.length > 2 * this.#maxRanges) ranges.splice(1, 2);
    return true;
  }

  /** Number of ranges held for a conversation (for tests and diagnostics). */
  rangeCount(conversationId: string): number {
    return (this.#ranges.get(conversationId)?.length ?? 0) / 2;
  }

  clear(): void {
    this.#ranges.clear();
  }

  /** Index of the start of the last range whose start ≤ seq, or -1. */
  #rangeAtOrBefore(ranges: readonly number[], seq: number): number {
    // Fast path: most seqs land at or after the newest range.
    const last = ranges.length - 2;
    if (ranges[last]! <= seq) return last;
    let lo = 0;
    let hi = ranges.length / 2 - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (ranges[mid * 2]! <= seq) {
        found = mid * 2;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }
}
