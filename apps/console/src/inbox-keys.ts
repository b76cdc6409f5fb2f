/**
 * The console's keyboard shortcuts for the busiest actions (never while typing, except Escape and
 * Alt combinations): Alt+1…5 the inbox's views, "/" search, "?" the list of shortcuts, j / k the
 * next and previous conversation (only on the inbox).
 */
import { useEffect } from 'preact/hooks';

export interface InboxKeys {
  /** On the inbox page: the single-key shortcuts apply. */
  readonly active: boolean;
  readonly onEscape: () => void;
  /** Alt+1…5: the view at this index (0-based). */
  readonly onView: (index: number) => void;
  readonly onSearch: () => void;
  readonly onHelp: () => void;
  readonly onStep: (delta: 1 | -1) => void;
}

export function useInboxKeys(keys: InboxKeys, watch: readonly unknown[]): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const typing = event.target instanceof HTMLElement && (event.target.matches('input, textarea, select') || event.target.isContentEditable);
      if (event.key === 'Escape') {
        keys.onEscape();
        if (typing) (event.target as HTMLElement).blur();
        return;
      }
      if (!typing && event.altKey && /^Digit[1-5]$/.test(event.code)) {
        event.preventDefault();
        keys.onView(Number(event.code.slice(5)) - 1);
        return;
      }
      if (typing || event.ctrlKey || event.metaKey || event.altKey || !keys.active) return;
      if (event.key === '/') {
        event.preventDefault();
        keys.onSearch();
      } else if (event.key === '?') keys.onHelp();
      else if (event.key === 'j' || event.key === 'k') keys.onStep(event.key === 'j' ? 1 : -1);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, watch);
}
