/** A periodic task that never overlaps itself: a run still going when the next is due skips that turn. */
export interface Job {
  stop(): void;
}

export function every(ms: number, task: () => Promise<void>, failed: (error: unknown) => void): Job {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    task()
      .catch(failed)
      .finally(() => (running = false));
  }, ms);
  // Jobs never keep the process alive on their own.
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
