/**
 * Group commit: calls that arrive while a batch is being written wait and go together in a next
 * one, so under load one transaction carries many messages and each still gets its answer only
 * after the commit (DESIGN.md §6).
 *
 * Up to `concurrency` batches are in flight at once, and never two with the same key (the
 * conversation): a batch waiting on one conversation's lock (a frozen node holds it, say) holds up
 * that conversation's later calls, which wait their turn in order, and nothing else. Calls of one
 * key keep their order across batches.
 *
 * If a whole batch fails, its items are retried one by one, so one bad item fails alone.
 */
export interface GroupCommitOptions<I> {
  readonly maxBatch?: number;
  /** Batches in flight at once (1 where writers take turns anyway, as on SQLite). */
  readonly concurrency?: number;
  /** Calls with the same key are never in two batches in flight at once. */
  readonly keyOf?: (input: I) => string;
}

export function groupCommit<I, R>(
  run: (batch: readonly I[]) => Promise<ReadonlyArray<R | Error>>,
  { maxBatch = 500, concurrency = 1, keyOf = () => '' }: GroupCommitOptions<I> = {},
): (input: I) => Promise<R> {
  interface Waiting {
    readonly input: I;
    readonly key: string;
    resolve(result: R): void;
    reject(error: unknown): void;
  }
  let queue: Waiting[] = [];
  /** Keys of the batches in flight. */
  const busy = new Set<string>();
  let inFlight = 0;
  let scheduled = false;

  const settle = (item: Waiting, result: R | Error | undefined) => {
    if (result instanceof Error) item.reject(result);
    else if (result === undefined) item.reject(new Error('batch returned no result for an item'));
    else item.resolve(result);
  };

  /** The next batch: queued calls in order, skipping keys in flight (and all later calls of those keys). */
  function take(): Waiting[] {
    const batch: Waiting[] = [];
    const rest: Waiting[] = [];
    for (const item of queue) {
      if (batch.length < maxBatch && !busy.has(item.key)) batch.push(item);
      else rest.push(item);
    }
    queue = rest;
    return batch;
  }

  async function write(batch: Waiting[]): Promise<void> {
    try {
      const results = await run(batch.map((item) => item.input));
      batch.forEach((item, i) => settle(item, results[i]));
    } catch (error) {
      if (batch.length === 1) return batch[0]!.reject(error);
      for (const item of batch) {
        try {
          settle(item, (await run([item.input]))[0]);
        } catch (single) {
          item.reject(single);
        }
      }
    }
  }

  function pump(): void {
    while (inFlight < concurrency && queue.length > 0) {
      const batch = take();
      if (batch.length === 0) return;
      const keys = new Set(batch.map((item) => item.key));
      keys.forEach((key) => busy.add(key));
      inFlight += 1;
      void write(batch).finally(() => {
        keys.forEach((key) => busy.delete(key));
        inFlight -= 1;
        pump();
      });
    }
  }

  return (input) =>
    new Promise<R>((resolve, reject) => {
      queue.push({ input, key: keyOf(input), resolve, reject });
      if (scheduled) return;
      scheduled = true;
      // Let calls made in the same turn of the event loop join the first batch.
      setImmediate(() => {
        scheduled = false;
        pump();
      });
    });
}
