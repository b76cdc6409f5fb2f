/** A view's calls to the server: while one runs it is busy, and what went wrong is said inline. */
import { useState } from 'preact/hooks';
import { errorText, type ErrorTexts } from './i18n-errors.ts';

export interface Action {
  readonly error: string | null;
  readonly busy: boolean;
  /** Resolves true when the call succeeded; otherwise `error` says what went wrong (i18n-errors.ts). */
  run(call: () => Promise<unknown>): Promise<boolean>;
  fail(message: string): void;
  clear(): void;
}

export function useAction(t: { readonly error: string; readonly errors: ErrorTexts }): Action {
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
        setError(errorText(e, t));
        return false;
      } finally {
        setBusy(false);
      }
    },
    fail: setError,
    clear: () => setError(null),
  };
}
