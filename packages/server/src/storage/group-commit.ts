/**
 * Group commit: calls that arrive while a batch is being written wait and go together in the next
 * one, so under load one transaction carries many messages and each still gets its answer only
 * after the commit (DESIGN.md §6). One batch is in flight at a time per process.
 *
 * If a whole batch fails, its items are retried one by one, so one bad item fails alone.
 */
export function groupCommit<I, R>(run: (batch: readonly I[]) => Promise<ReadonlyArray<R | Error>>, maxBatch = 500): (input: I) => Promise<R> {
  interface Waiting {
    readonly input: I;
    resolve(result: R): void;
    reject(error: unknown): void;
  }
  const queue: Waiting[] = [];
  let running = false;

  const settle = (item: Waiting, result: R | Error | undefined) => {
    if (result instanceof Error) item.reject(result);
    else if (result === undefined) item.reject(new Error('batch returned no result for an item'));
    else item.resolve(result);
  };

  async function drain(): Promise<void> {
    running = true;
    // Let calls made in the same turn of the event loop join the first batch.
    await new Promise((resolve) => setImmediate(resolve));
    while (queue.length > 0) {
      const batch = queue.splice(0, maxBatch);
      try {
        const results = await run(batch.map((item) => item.input));
        batch.forEach((item, i) => settle(item, results[i]));
      } catch (error) {
        if (batch.length === 1) {
          batch[0]!.reject(error);
          continue;
        }
        for (const item of batch) {
          try {
            settle(item, (await run([item.input]))[0]);
          } catch (single) {
            item.reject(single);
          }
        }
      }
    }
    running = false;
  }

  return (input) =>
    new Promise<R>((resolve, reject) => {
      queue.push({ input, resolve, reject });
      if (!running) void drain();
    });
}
