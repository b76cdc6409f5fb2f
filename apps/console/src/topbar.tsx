/** The console's top bar: its pages (each with an address, route.ts), presence, load, settings, sign-out. */
import type { Presence, Staff } from '@frontdesk/protocol';
import type { Strings } from './i18n.ts';
import type { Page } from './route.ts';
import { Avatar } from './ui.tsx';

/** The pages in the bar, in order: everyone's, then those of owners and admins. */
const EVERYONE = ['inbox', 'contacts', 'team'] as const satisfies readonly Page[];
const ADMINS = ['campaigns', 'stats', 'operations', 'admin'] as const satisfies readonly Page[];

interface Props {
  readonly page: Page | 'notFound';
  readonly isAdmin: boolean;
  readonly me: Staff;
  readonly t: Strings;
  readonly teamBadge: number;
  readonly connection: string;
  readonly presence: Presence | undefined;
  readonly load: { readonly open: number; readonly capacity: number } | undefined;
  readonly showSettings: boolean;
  readonly onPage: (page: Page) => void;
  readonly onPresence: (status: 'online' | 'away') => void;
  readonly onSettings: () => void;
  readonly onSignOut: () => void;
}

export function TopBar({ page, isAdmin, me, t, teamBadge, connection, presence, load, showSettings, onPage, onPresence, onSettings, onSignOut }: Props) {
  return (
    <header class="topbar">
      <strong class="brand">Frontdesk</strong>
      <nav aria-label="Pages">
        {(isAdmin ? [...EVERYONE, ...ADMINS] : EVERYONE).map((name) => (
          <button type="button" key={name} aria-current={page === name ? 'page' : undefined} onClick={() => onPage(name)}>
            {t[name]}
            {name === 'team' && teamBadge > 0 && (
              <span class="badge" aria-label={t.unreadCount(teamBadge)}>
                {teamBadge > 99 ? '99+' : teamBadge}
              </span>
            )}
          </button>
        ))}
      </nav>
      {connection !== 'open' && (
        <span class="connection" role="status">
          {t.reconnecting}
        </span>
      )}
      <div class="me">
        <select
          aria-label={t.online}
          class={`presence ${presence ?? 'offline'}`}
          value={presence === 'away' ? 'away' : 'online'}
          onChange={(event) => onPresence(event.currentTarget.value as 'online' | 'away')}
        >
          <option value="online">● {t.online}</option>
          <option value="away">◐ {t.away}</option>
        </select>
        {load && (
          <span class="load" title={t.capacity}>
            {t.load(load.open, load.capacity)}
          </span>
        )}
        <button type="button" class="ghost" aria-label={t.settings} aria-expanded={showSettings} onClick={onSettings}>
          ⚙
        </button>
        <span class="who">
          <Avatar id={me.id} name={me.name} />
          {me.name}
        </span>
        <button type="button" class="ghost" onClick={onSignOut}>
          {t.signOut}
        </button>
      </div>
    </header>
  );
}
