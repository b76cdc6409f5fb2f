import type { Strings } from './i18n.ts';

/** An address under /console/ that names no page (route.ts). */
export function NotFound({ t, onHome }: { t: Strings; onHome: () => void }) {
  return (
    <main class="not-found">
      <h1>{t.pageNotFound}</h1>
      <a
        href="/console/inbox"
        onClick={(e) => {
          e.preventDefault();
          onHome();
        }}
      >
        {t.toInbox}
      </a>
    </main>
  );
}
