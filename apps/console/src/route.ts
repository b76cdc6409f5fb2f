/**
 * Every page of the console has an address (issue 22): /console/inbox, /console/inbox/<conversationId>,
 * /console/contacts[/<customerId>], /console/campaigns, /console/stats, /console/team,
 * /console/operations, /console/admin[/<section>]. The History API keeps it: back and forward move
 * between pages, a reload stays, a link can be shared (the server serves the shell for every path
 * under /console/). An address that names no page is the "not found" page.
 */
import { useEffect, useRef, useState } from 'preact/hooks';

export type Page = 'inbox' | 'contacts' | 'campaigns' | 'team' | 'admin' | 'stats' | 'operations';

export interface Route {
  readonly page: Page | 'notFound';
  /** inbox: the conversation open; contacts: the contact; admin: the section. */
  readonly id?: string;
}

const BASE = '/console/';
const PAGES: readonly Page[] = ['inbox', 'contacts', 'campaigns', 'team', 'admin', 'stats', 'operations'];
/** Pages that take a second segment. */
const WITH_ID: ReadonlySet<Page> = new Set(['inbox', 'contacts', 'admin']);
const SEGMENT = /^[A-Za-z0-9_-]{1,64}$/;

export function parseRoute(pathname: string): Route {
  if (!pathname.startsWith(BASE)) return { page: 'inbox' };
  const parts = pathname.slice(BASE.length).split('/').filter((p) => p !== '');
  if (parts.length === 0) return { page: 'inbox' };
  const page = PAGES.find((p) => p === parts[0]);
  if (page === undefined || parts.length > 2) return { page: 'notFound' };
  if (parts.length === 1) return { page };
  const id = decodeURIComponent(parts[1]!);
  return WITH_ID.has(page) && SEGMENT.test(id) ? { page, id } : { page: 'notFound' };
}

export function pathOf(route: Route): string {
  if (route.page === 'notFound') return location.pathname;
  return `${BASE}${route.page}${route.id === undefined ? '' : `/${encodeURIComponent(route.id)}`}`;
}

/** The address as state: `go` pushes a new entry (or replaces the current one), back and forward come back through popstate. */
export function useRoute(): [Route, (route: Route, replace?: boolean) => void] {
  const [route, setRoute] = useState<Route>(() => parseRoute(location.pathname));
  useEffect(() => {
    const onPop = () => setRoute(parseRoute(location.pathname));
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  const go = (next: Route, replace = false) => {
    const path = pathOf(next);
    if (path !== location.pathname) {
      if (replace) history.replaceState(null, '', path);
      else history.pushState(null, '', path);
    }
    setRoute(next);
  };
  return [route, go];
}

/**
 * Inside administration: its tab follows /console/admin/<section> (a link, back and forward), and
 * picking a tab changes the address. Renders nothing.
 */
export function AdminAddress<T extends string>({ tab, onTab }: { tab: T; onTab: (tab: T) => void }): null {
  const [route, go] = useRoute();
  const section = route.page === 'admin' ? route.id : undefined;
  useEffect(() => void (section !== undefined && section !== tab && onTab(section as T)), [section]);
  const mounted = useRef(false);
  useEffect(() => {
    if (mounted.current && tab !== section) go({ page: 'admin', id: tab });
    mounted.current = true;
  }, [tab]);
  return null;
}
