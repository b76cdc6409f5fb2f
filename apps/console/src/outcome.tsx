import { useState } from 'preact/hooks';
import { errorText } from './i18n-errors.ts';
import type { Strings } from './i18n.ts';

/** Runs an admin action; its error (or "Saved.") shows under the form. */
export function useOutcome(t: Strings) {
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const run = async (action: () => Promise<unknown>, done = t.saved) => {
    setOutcome(null);
    try {
      await action();
      setOutcome({ ok: true, text: done });
    } catch (e) {
      setOutcome({ ok: false, text: errorText(e, t) });
    }
  };
  const view = outcome && (
    <p class={outcome.ok ? 'ok' : 'error'} role={outcome.ok ? 'status' : 'alert'}>
      {outcome.text}
    </p>
  );
  return { run, view };
}
