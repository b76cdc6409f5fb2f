import type { ErrorFrame, RequestId, ServerFrame } from '@frontdesk/protocol';
import { FrontdeskError } from './errors.ts';
import { unref, type Timer } from './timers.ts';

interface Waiting {
  readonly expect: ServerFrame['type'];
  readonly resolve: (frame: ServerFrame) => void;
  readonly reject: (error: FrontdeskError) => void;
  readonly timer: Timer;
}

/**
 * Requests awaiting the frame that echoes their `id` (DESIGN.md §4). An `error` frame with the id
 * rejects with its catalogue code; a lost connection rejects everything still waiting.
 */
export class PendingRequests {
  #next = 1;
  #waiting = new Map<RequestId, Waiting>();

  get size(): number {
    return this.#waiting.size;
  }

  nextId(): number {
    return this.#next++;
  }

  /** Waits for the reply of type `expect` to request `id`. */
  wait<F extends ServerFrame>(id: RequestId, expect: F['type'], timeoutMs: number): Promise<F> {
    return new Promise<F>((resolve, reject) => {
      const timer = unref(
        setTimeout(() => {
          this.#waiting.delete(id);
          reject(new FrontdeskError('TIMEOUT'));
        }, timeoutMs),
      );
      this.#waiting.set(id, { expect, resolve: resolve as (frame: ServerFrame) => void, reject, timer });
    });
  }

  /** Settles the request a frame answers; false when the frame answers none. */
  settle(frame: ServerFrame): boolean {
    const id = 'id' in frame ? frame.id : undefined;
    if (id === undefined) return false;
    const waiting = this.#waiting.get(id);
    if (!waiting) return false;
    this.#waiting.delete(id);
    clearTimeout(waiting.timer);
    if (frame.type === 'error') waiting.reject(fromErrorFrame(frame));
    else if (frame.type === waiting.expect) waiting.resolve(frame);
    else waiting.reject(new FrontdeskError('INTERNAL', `Expected "${waiting.expect}" in reply, got "${frame.type}".`));
    return true;
  }

  /** Gives up on one request (it could not be sent). */
  cancel(id: RequestId, error: FrontdeskError): void {
    const waiting = this.#waiting.get(id);
    if (!waiting) return;
    this.#waiting.delete(id);
    clearTimeout(waiting.timer);
    waiting.reject(error);
  }

  rejectAll(error: FrontdeskError): void {
    const all = [...this.#waiting.values()];
    this.#waiting.clear();
    for (const waiting of all) {
      clearTimeout(waiting.timer);
      waiting.reject(error);
    }
  }
}

export function fromErrorFrame(frame: ErrorFrame): FrontdeskError {
  return new FrontdeskError(frame.code, frame.message);
}
