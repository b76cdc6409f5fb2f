import type { Bus, BusEvent } from './bus.ts';

/** Single-node fan-out: delivers to this process's listeners. */
export function memoryBus(): Bus {
  const listeners = new Set<(event: BusEvent) => void>();
  return {
    async publish(event) {
      for (const listener of listeners) listener(event);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
