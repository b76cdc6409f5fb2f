/**
 * The agent console (/console/): sign in, the inbox, a conversation, the Team area (staff chat and
 * broadcasts), administration and statistics. Live through @frontdesk/sdk (one socket: messages,
 * inquiry and group changes, presence, typing, receipts, broadcasts); everything else over the HTTP
 * API (api.ts).
 */
import { render } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Agent, Campaign, ConversationSummary, InboxCounts, Message, SearchResults as Results, Staff } from '@frontdesk/protocol';
import { FrontdeskClient } from '@frontdesk/sdk';
import { Admin } from './admin.tsx';
import { Stats } from './stats.tsx';
import { Api, apiBase, type View } from './api.ts';
import { contactsApi, type LabelledConversation } from './api-contacts.ts';
import { CampaignsArea } from './campaigns.tsx';
import { ContactsArea } from './contacts.tsx';
import { InboxFilters, isRefined, type Refinement } from './inbox-filters.tsx';
import { listKey, withArrival, withSeen } from './inbox-lists.ts';
import { useLabels } from './labels.tsx';
import { useBroadcasts } from './broadcast-store.ts';
import { BroadcastBanner } from './broadcasts.tsx';
import { ConversationPane } from './conversation.tsx';
import { SettingsDialog, ShortcutsDialog } from './dialogs.tsx';
import { htmlLang, strings, type Strings } from './i18n.ts';
import { setUiLocale } from './locale.ts';
import { ConversationItem, SearchResults } from './inbox-list.tsx';
import { LoginPage } from './login.tsx';
import { OperationsPage } from './operations.tsx';
import { callAttention, loadPrefs, savePrefs, TitleBadge, type Prefs } from './notify.ts';
import { TeamArea, type TeamPane } from './team.tsx';
import { useRoute, type Page } from './route.ts';
import { TopBar } from './topbar.tsx';
import { NotFound } from './not-found.tsx';
import { useInboxKeys } from './inbox-keys.ts';
import { useTeam } from './team-store.ts';
import { customerLabel, previewOf } from './ui.tsx';

const tokenKey = 'frontdesk:console:token';
const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
const VIEWS: View[] = ['queue', 'mine', 'open', 'closed', 'snoozed'];
const titleBadge = new TitleBadge();
const ADMIN_PAGES: ReadonlySet<string> = new Set(['campaigns', 'stats', 'operations', 'admin']);

function Root() {
  const [token, setToken] = useState<string | null>(() => {
    try {
      return localStorage.getItem(tokenKey);
    } catch {
      return null;
    }
  });
  const keep = (next: string | null) => {
    try {
      if (next === null) localStorage.removeItem(tokenKey);
      else localStorage.setItem(tokenKey, next);
    } catch {
      // the session lasts this page only
    }
    setToken(next);
  };
  return token === null ? <LoginPage onLogin={keep} /> : <Workspace key={token} token={token} onSignedOut={() => keep(null)} />;
}

function Workspace({ token, onSignedOut }: { token: string; onSignedOut: () => void }) {
  const api = useMemo(() => new Api(token, onSignedOut), [token]);
  const capi = useMemo(() => contactsApi(api), [api]);
  const { labels, reload: reloadLabels } = useLabels(capi);
  const [me, setMe] = useState<Staff | null>(null);
  const [prefs, setPrefs] = useState<Prefs | null>(null);
  const t: Strings = strings(prefs?.locale ?? navigator.language);
  setUiLocale(prefs?.locale ?? navigator.language);
  const [client, setClient] = useState<FrontdeskClient | null>(null);
  const [connection, setConnection] = useState('connecting');
  /** The socket was open once: a conversation opened by its address (a reload) loads its history only then. */
  const [ready, setReady] = useState(false);
  // The page and what it shows come from the address (route.ts).
  const [route, go] = useRoute();
  // An agent who follows a link to an owner's page finds "not found", not a page of refusals.
  const page = me?.role === 'agent' && ADMIN_PAGES.has(route.page) ? 'notFound' : route.page;
  const setPage = (next: Page) => go({ page: next });
  const [view, setView] = useState<View>('queue');
  /** Filters beyond the view (label, assignee, status, channel); they combine with it. */
  const [refinement, setRefinement] = useState<Refinement>({});
  /** Lists by view and filters (listKey). */
  const [lists, setLists] = useState<Record<string, LabelledConversation[]>>({});
  const listsRef = useRef(lists);
  listsRef.current = lists;
  const [counts, setCounts] = useState<InboxCounts | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  /** Bumped to load the open conversation afresh (its history changed under it). */
  const [reloads, setReloads] = useState(0);
  /** The conversation on screen, kept apart from the lists: it stays while lists change under it. */
  const [opened, setOpened] = useState<LabelledConversation | null>(null);
  const openedRef = useRef(opened);
  openedRef.current = opened;
  const [agents, setAgents] = useState<Agent[]>([]);
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<Results | null>(null);
  const [showShortcuts, setShowShortcuts] = useState(false);
  const [showSettings, setShowSettings] = useState(false);
  /** Arrivals not yet seen, by conversation: the title's count. */
  const [unseen, setUnseen] = useState<Map<string, number>>(new Map());
  const searchBox = useRef<HTMLInputElement>(null);
  const [teamPane, setTeamPane] = useState<TeamPane>('chats');
  const attention = (title: string, body: string, open: () => void, key?: string) => latest.current.prefs && callAttention(titleBadge, latest.current.prefs, title, body, open, key);
  const team = useTeam({ api, client, me, t, visible: page === 'team', attention, show: () => (setPage('team'), setTeamPane('chats')) });
  const showBroadcasts = () => (setPage('team'), setTeamPane('broadcasts'));
  const broadcasts = useBroadcasts(api, client, me?.id ?? null, (b) => attention(`${t.broadcastArrived}: ${b.title}`, b.text, showBroadcasts));
  const latest = useRef({ selected, me, prefs, t, team });
  latest.current = { selected, me, prefs, t, team };

  useEffect(() => {
    api.me().then((staff) => {
      setMe(staff);
      setPrefs(loadPrefs(staff.id));
    }, () => {});
  }, [api]);
  useEffect(() => {
    if (prefs) document.documentElement.lang = htmlLang(prefs.locale);
  }, [prefs?.locale]);

  // Lists, counts and load: fetched at start and again (debounced) whenever something changes.
  const refreshTimer = useRef<ReturnType<typeof setTimeout>>();
  const viewRef = useRef({ view, refinement });
  viewRef.current = { view, refinement };
  async function refresh() {
    const { view: currentView, refinement: currentFilter } = viewRef.current;
    const current = listKey(currentView, currentFilter);
    const open = latest.current.selected;
    const [list, nextCounts, nextAgents, nextOpened] = await Promise.all([
      (isRefined(currentFilter) ? capi.inbox({ view: currentView, ...currentFilter }) : api.conversations(currentView)).catch(() => null),
      capi.counts(currentFilter).catch(() => null),
      api.agents().catch(() => null),
      open === null ? null : api.conversation(open).catch(() => null),
    ]);
    if (list) setLists((l) => ({ ...l, [current]: list.items }));
    if (nextCounts) setCounts(nextCounts);
    if (nextAgents) setAgents(nextAgents);
    if (nextOpened && latest.current.selected === nextOpened.id) setOpened(nextOpened);
  }
  const scheduleRefresh = () => {
    clearTimeout(refreshTimer.current);
    refreshTimer.current = setTimeout(() => void refresh(), 250);
  };
  useEffect(() => void refresh(), [view, JSON.stringify(refinement), api]);

  // The socket: live messages and changes.
  useEffect(() => {
    if (!me) return;
    const c = new FrontdeskClient({ url: wsUrl, token, apiUrl: apiBase });
    c.on('state', (change) => (setConnection(change.state), change.state === 'open' && setReady(true)));
    // Only a definite answer signs the agent out; the SDK reconnects through every other close
    // (a restart, a database outage) and the agent stays signed in.
    c.on('closed', (info) => (info.error?.code === 'TOKEN_INVALID' || info.error?.code === 'ACCOUNT_DISABLED') && onSignedOut());
    c.on('message', (message) => onMessage(message));
    c.on('conversation', (frame) => {
      // Staff chats are the Team area's (team-store.ts).
      if (frame.conversation.kind !== 'service') return;
      // A visitor signed in: their conversation lives on in the customer's.
      if (frame.mergedFromId !== undefined) {
        forget(frame.mergedFromId);
        if (frame.mergedFromId === latest.current.selected) select(frame.conversation.id, true);
        // The customer's conversation is open: the visitor's messages joined it, under new seqs.
        else if (frame.conversation.id === latest.current.selected) setReloads((n) => n + 1);
      }
      wokeUp(frame.conversation);
      scheduleRefresh();
    });
    c.on('synced', () => scheduleRefresh());
    // Presence moves the agents' load and the transfer list, nothing else.
    c.on('presence', () => void api.agents().then(setAgents, () => {}));
    void c.connect().catch(() => {});
    setClient(c);
    return () => c.close();
  }, [me?.id]);

  function onMessage(message: Message) {
    const { selected: open, me: self, t: tt, team: staffChats } = latest.current;
    if (staffChats.isStaffChat(message.conversationId)) return;
    // Looked up now (a state updater runs later): is it listed, and is it the agent's business?
    const fresh = openedRef.current?.id === message.conversationId ? openedRef.current : undefined;
    const listed = fresh ?? Object.values(listsRef.current).flat().find((c) => c.id === message.conversationId);
    const unread = message.senderId !== self?.id && message.kind === 'user' && !(open === message.conversationId && !document.hidden);
    setLists((all) => withArrival(all, message, unread));
    if (!listed) scheduleRefresh();
    if (message.senderKind !== 'customer') return;
    const looking = open === message.conversationId && !document.hidden;
    // The queue and the agent's own conversations call for attention; a colleague's do not.
    const ours = !listed || listed.status === 'queued' || listed.assigneeId === self?.id;
    if (looking || !ours) return;
    setUnseen((m) => new Map(m).set(message.conversationId, (m.get(message.conversationId) ?? 0) + 1));
    attention(tt.newMessage, previewOf(message), () => select(message.conversationId), message.conversationId);
  }

  /** A snoozed conversation of the agent's (or of the queue) is back: it calls for attention like a new message. */
  function wokeUp(conversation: ConversationSummary) {
    const { me: self, t: tt } = latest.current;
    // Lists of other views may be older: any of them that knew it snoozed will do.
    const wasSnoozed = Object.values(listsRef.current).some((list) => list.some((c) => c.id === conversation.id && c.snoozedUntil));
    if (!wasSnoozed || conversation.snoozedUntil !== null) return;
    if (conversation.status !== 'queued' && conversation.assigneeId !== self?.id) return;
    attention(tt.snoozeWoke, customerLabel(conversation.customer, tt.anonymous), () => select(conversation.id), conversation.id);
  }

  /** Campaign progress from the socket, for the Campaigns area (a stable function: it subscribes once per client). */
  const onCampaign = useMemo(() => (client ? (listener: (c: Campaign) => void) => client.on('campaign', listener) : undefined), [client]);

  const unseenTotal = [...unseen.values()].reduce((a, b) => a + b, 0) + team.unseen;
  useEffect(() => {
    titleBadge.unread = unseenTotal;
  }, [unseenTotal]);
  useEffect(() => {
    const onVisible = () => !document.hidden && selected && seen(selected);
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  }, [selected]);

  function seen(conversationId: string) {
    forget(conversationId);
    setLists((all) => withSeen(all, conversationId));
  }

  /** Opens a conversation: its address becomes the page's (`replace`: instead of the current entry). */
  function select(conversationId: string, replace = false) {
    go({ page: 'inbox', id: conversationId }, replace);
    show(conversationId);
  }

  function show(conversationId: string) {
    setSelected(conversationId);
    latest.current.selected = conversationId;
    const listed = Object.values(lists).flat().find((c) => c.id === conversationId);
    setOpened(listed ?? null);
    if (!listed) api.conversation(conversationId).then((c) => latest.current.selected === c.id && setOpened(c), () => {});
    seen(conversationId);
  }

  /** Nothing of a conversation stays counted in the title: it was seen, or no longer exists (merged). */
  function forget(conversationId: string) {
    setUnseen((m) => {
      if (!m.has(conversationId)) return m;
      const copy = new Map(m);
      copy.delete(conversationId);
      return copy;
    });
  }

  // Search, as the agent types (debounced).
  useEffect(() => {
    const q = query.trim();
    if (q.length < 2) return setResults(null);
    let current = true;
    const timer = setTimeout(() => api.search(q).then((r) => current && setResults(r), () => current && setResults({ conversations: [], messages: [] })), 300);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [query]);

  // Back, forward and a loaded address open (or close) the conversation they name.
  const routed = route.page === 'inbox' ? (route.id ?? null) : undefined;
  useEffect(() => {
    if (routed === undefined || routed === latest.current.selected) return;
    if (routed === null) {
      setSelected(null);
      latest.current.selected = null;
    } else show(routed);
  }, [routed]);

  const list = lists[listKey(view, refinement)] ?? [];
  useInboxKeys(
    {
      active: page === 'inbox',
      onEscape: () => (setShowShortcuts(false), setShowSettings(false)),
      // The open conversation stays open (and its address) when only the view changes.
      onView: (index) => (page !== 'inbox' && setPage('inbox'), setView(VIEWS[index]!)),
      onSearch: () => searchBox.current?.focus(),
      onHelp: () => setShowShortcuts((s) => !s),
      onStep: (delta) => {
        const index = list.findIndex((c) => c.id === selected);
        const next = list[Math.max(0, Math.min(list.length - 1, index + delta))];
        // Stepping through the list replaces the address rather than piling up history.
        if (next) select(next.id, true);
      },
    },
    [list, selected, page],
  );

  if (!me || !prefs) return <p class="loading">…</p>;
  const myLoad = agents.find((a) => a.staffId === me.id);
  const names = new Map(agents.map((a) => [a.staffId, a.name]));
  const isAdmin = me.role === 'owner' || me.role === 'admin';
  const current = opened !== null && opened.id === selected ? opened : null;
  const updatePrefs = (patch: Partial<Prefs>) => {
    const next = { ...prefs, ...patch };
    setPrefs(next);
    savePrefs(me.id, next);
  };

  return (
    <div class="shell">
      <TopBar
        page={page}
        isAdmin={isAdmin}
        me={me}
        t={t}
        teamBadge={team.badge + broadcasts.unread}
        connection={connection}
        presence={myLoad?.presence}
        load={myLoad && { open: myLoad.openInquiries, capacity: myLoad.capacity }}
        showSettings={showSettings}
        onPage={setPage}
        onPresence={(status) => void client?.setPresence(status).then(() => scheduleRefresh())}
        onSettings={() => setShowSettings((s) => !s)}
        onSignOut={() => void api.logout().finally(onSignedOut)}
      />
      {showSettings && <SettingsDialog t={t} prefs={prefs} onChange={updatePrefs} onClose={() => setShowSettings(false)} />}
      {showShortcuts && <ShortcutsDialog t={t} onClose={() => setShowShortcuts(false)} />}
      <BroadcastBanner broadcasts={broadcasts} t={t} onOpenAll={showBroadcasts} />
      {page === 'team' && client && <TeamArea api={api} client={client} me={me} team={team} broadcasts={broadcasts} prefs={prefs} t={t} pane={teamPane} onPane={setTeamPane} />}
      {page === 'admin' && <Admin api={api} me={me} t={t} labels={labels} onLabelsChanged={reloadLabels} />}
      {page === 'contacts' && (
        <ContactsArea capi={capi} labels={labels} me={me} t={t} onOpenConversation={select} contactId={route.id ?? null} onContact={(id) => go({ page: 'contacts', ...(id !== null && { id }) })} />
      )}
      {page === 'notFound' && <NotFound t={t} onHome={() => go({ page: 'inbox' })} />}
      {page === 'campaigns' && isAdmin && <CampaignsArea capi={capi} labels={labels} t={t} onLive={onCampaign} />}
      {page === 'stats' && <Stats api={api} agents={agents} t={t} client={client} />}
      {page === 'operations' && client && <OperationsPage api={api} client={client} connected={connection === 'open'} t={t} />}
      {page === 'inbox' && (
        <div class={`inbox ${current ? 'showing' : ''}`}>
          <aside class="list" aria-label={t.inbox}>
            <input ref={searchBox} type="search" class="search" placeholder={t.search} aria-label={t.search} value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
            {results ? (
              <SearchResults results={results} t={t} onPick={(id) => select(id)} />
            ) : (
              <>
                <div class="tabs" role="tablist">
                  {VIEWS.map((v) => (
                    <button type="button" role="tab" key={v} aria-selected={view === v} onClick={() => setView(v)}>
                      {v === 'snoozed' ? t.snoozedTab : t.views[v]}
                      {counts && <span class="count">{counts[v]}</span>}
                    </button>
                  ))}
                </div>
                <InboxFilters
                  capi={capi}
                  view={view}
                  refinement={refinement}
                  labels={labels}
                  agents={agents}
                  t={t}
                  onChange={setRefinement}
                  onApply={(v, r) => {
                    setView(v);
                    setRefinement(r);
                  }}
                />
                <ul class="conversations" role="tabpanel">
                  {list.length === 0 && <li class="empty">{t.noConversations}</li>}
                  {list.map((c) => (
                    <li key={c.id}>
                      <ConversationItem conversation={c} active={c.id === selected} names={names} labels={labels} t={t} onPick={() => select(c.id)} />
                    </li>
                  ))}
                </ul>
              </>
            )}
          </aside>
          {current && client && ready ? (
            <ConversationPane
              key={`${current.id}:${reloads}`}
              api={api}
              client={client}
              conversation={current}
              me={me}
              agents={agents}
              labels={labels}
              capi={capi}
              prefs={prefs}
              t={t}
              onChanged={scheduleRefresh}
              onSeen={() => seen(current.id)}
              onBack={() => go({ page: 'inbox' })}
            />
          ) : (
            <section class="pane empty">
              <p>{t.pick}</p>
            </section>
          )}
        </div>
      )}
    </div>
  );
}

render(<Root />, document.getElementById('app')!);
