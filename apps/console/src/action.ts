/** A view's calls to the server: while one runs it is busy, and what went wrong is said inline. */
import { useState } from 'preact/hooks';
import { ApiError } from './api.ts';

export interface Action {
  readonly error: string | null;
  readonly busy: boolean;
  /** Resolves true when the call succeeded; otherwise `error` holds the server's message (or `fallback`). */
  run(call: () => Promise<unknown>): Promise<boolean>;
  fail(message: string): void;
  clear(): void;
}

export function useAction(fallback: string): Action {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return {
    error,
    busy,
    async run(call) {
      setError(null);
      setBusy(true);
      try {
        await call();
        return true;
      } catch (e) {
        setError(e instanceof ApiError ? e.message : fallback);
        return false;
      } finally {
        setBusy(false);
      }
    },
    fail: setError,
    clear: () => setError(null),
  };
}
