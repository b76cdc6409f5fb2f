type Timer = ReturnType<typeof setTimeout>;

/**
 * Node keeps a process alive while a timer is pending; browsers have no such notion. Timers that
 * only matter while a socket is open (which keeps the process alive by itself) are unref'd.
 */
export function unref<T extends Timer | ReturnType<typeof setInterval>>(timer: T): T {
  (timer as { unref?: () => void }).unref?.();
  return timer;
}

export type { Timer };
