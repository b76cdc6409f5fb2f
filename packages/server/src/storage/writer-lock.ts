/**
 * The turn at the SQLite file between the threads of a node that write to it: the main thread, the
 * webhook thread (integrations/webhooks/thread.ts), the send path's writer thread
 * (storage/sqlite-writer-thread.ts) and, briefly, the checkpointer (sqlite-checkpointer-thread.ts). SQLite lets one writer in at a time and
 * makes the other sleep in its busy handler, which on the main thread would stop everything; here
 * a thread waits for its turn without blocking (Atomics.waitAsync) and takes it as soon as it is
 * free. The webhook thread's turns are short (statements prepared once, nothing else inside), and
 * between two writes of the main thread there is always room for one.
 *
 * The state is one cell of shared memory, so all threads hold the same lock: 0, or who holds it.
 */
export const MAIN = 1;
export const WEBHOOKS = 2;
export const SENDS = 3;
/** The checkpointer thread (sqlite-checkpointer-thread.ts), for the short checkpoint that restarts the WAL. */
export const CHECKPOINTS = 4;
type Holder = typeof MAIN | typeof WEBHOOKS | typeof SENDS | typeof CHECKPOINTS;

export class WriterLock {
  readonly buffer: SharedArrayBuffer;
  readonly #cell: Int32Array;
  readonly #self: Holder;

  constructor(self: Holder, buffer = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT)) {
    this.buffer = buffer;
    this.#cell = new Int32Array(buffer);
    this.#self = self;
  }

  async acquire(): Promise<void> {
    for (;;) {
      const holder = Atomics.compareExchange(this.#cell, 0, 0, this.#self);
      if (holder === 0) return;
      const waited = Atomics.waitAsync(this.#cell, 0, holder);
      if (waited.async) await waited.value;
    }
  }

  release(): void {
    Atomics.store(this.#cell, 0, 0);
    Atomics.notify(this.#cell, 0);
  }

  /** `holder` ended (a thread that died may have held its turn): the turn is its no more. */
  forget(holder: Holder): void {
    if (Atomics.compareExchange(this.#cell, 0, holder, 0) === holder) Atomics.notify(this.#cell, 0);
  }
}
