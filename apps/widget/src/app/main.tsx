/**
 * The widget iframe app (/widget/): one shop, one customer, one conversation. It speaks to the
 * server through @frontdesk/sdk (outbox, reconnect, sync) and to the shop's page through the
 * bridge (origin-checked postMessage).
 */
import { render } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Conversation, Message, Team } from '@frontdesk/protocol';
import { FrontdeskClient, type FrontdeskError, type PendingMessage } from '@frontdesk/sdk';
import { useOngoingCampaigns } from './campaigns.ts';
import { htmlLang, strings } from './i18n.ts';
import { notify } from './media.tsx';
import { initialsOf, Linkified } from './text.tsx';
import { noticeIds } from './notices.ts';
import { OfflineEmail } from './offline-email.tsx';
import { useAppearance } from './appearance.ts';
import { opensAtText, PrechatForm, prechatNeeds } from './prechat.tsx';
import { Preview } from './preview.tsx';
import { Csat } from './csat.tsx';
import { api, params, parentOrigin, shopId, toParent, wsUrl } from './context.ts';
import { apiGet, openSession, type Session } from './session.ts';
import { keyOf, Row, ShopList, type Item } from './rows.tsx';
import { Composer, useUploads } from './composer.tsx';
import { useHost } from './host.ts';

function App() {
  // Who the customer is, whether the chat is open, its language: what the shop's page says.
  const { locale, boot, open, pageUrl, visitorToken } = useHost();
  const t = strings(locale);
  const user = boot?.user ?? null;
  const [session, setSession] = useState<Session | null>(null);
  const [client, setClient] = useState<FrontdeskClient | null>(null);
  const [stored, setStored] = useState<Map<number, Message>>(new Map());
  const [pending, setPending] = useState<Map<string, { pending: PendingMessage; failed: FrontdeskError | null }>>(new Map());
  const [state, setState] = useState<string>('connecting');
  const [hasMore, setHasMore] = useState(false);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [theirReadSeq, setTheirReadSeq] = useState(0);
  const [typingUntil, setTypingUntil] = useState(0);
  const [queuePosition, setQueuePosition] = useState<number | null>(null);
  /** Bumped when the conversation moves: the rating question is asked again after a close. */
  const [csatTick, setCsatTick] = useState(0);
  const [unread, setUnread] = useState(0);
  const [showEmoji, setShowEmoji] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const list = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const visible = useRef(false);
  const textarea = useRef<HTMLTextAreaElement>(null);
  /** The conversation on screen (a platform customer can switch between their shops). */
  const activeId = useRef('');
  const [team, setTeam] = useState<Team | null>(null);
  const appearance = useAppearance(api, shopId, toParent);
  const { uploads, attach, dismiss: dismissUpload } = useUploads(client, session, t, () => (atBottom.current = true));
  /** The pre-chat form: skipped (optional fields only), or the address it just took. */
  const [prechatSkipped, setPrechatSkipped] = useState(false);
  const [prechatEmail, setPrechatEmail] = useState<string | null>(null);
  /** Platform customers: their conversations across shops, shown instead of the chat. */
  const [shops, setShops] = useState<Conversation[] | null>(null);
  const names = useMemo(() => new Map(team?.members.map((m) => [m.id, m.name])), [team]);
  const namesRef = useRef(names);
  namesRef.current = names;
  const refreshTeam = (token: string, conversationId: string) =>
    apiGet<Team>(`/conversations/${conversationId}/team`, token).then(
      (next) => activeId.current === conversationId && setTeam(next),
      () => {},
    );


  // One session and one client per identity: a new user (or a reset) starts afresh.
  useEffect(() => {
    if (boot === null) return;
    let stopped = false;
    let current: FrontdeskClient | null = null;
    setStored(new Map());
    setPending(new Map());
    setSession(null);
    setState('connecting');
    openSession(user, boot.visitorToken, htmlLang(locale))
      .then(async (next) => {
        if (stopped) return;
        visitorToken.current = next.visitorToken;
        activeId.current = next.conversationId;
        const c = new FrontdeskClient({ url: wsUrl, token: next.token, apiUrl: api });
        current = c;
        setSession(next);
        setClient(c);
        c.on('state', (change) => setState(change.state));
        c.on('pending', (p) => setPending((m) => new Map(m).set(p.clientMsgId, { pending: p, failed: null })));
        c.on('failed', ({ message, error }) => setPending((m) => new Map(m).set(message.clientMsgId, { pending: message, failed: error })));
        c.on('message', (message) => {
          if (message.conversationId !== activeId.current) {
            // Another shop of a platform customer: to the top of the list, with its preview and unread count.
            setShops((list) => {
              const found = list?.find((x) => x.id === message.conversationId);
              if (!list || !found) return list;
              // A system line moves the conversation up but never becomes its preview (issue 22).
              const lastMessage = message.kind === 'system' ? found.lastMessage : { seq: message.seq, preview: message.text ?? message.attachment?.name ?? '', contentType: message.contentType, senderId: message.senderId, senderKind: message.senderKind, at: message.createdAt };
              const unread = found.unread + (message.senderId !== next.customerId && message.kind === 'user' ? 1 : 0);
              return [{ ...found, lastMessage, unread }, ...list.filter((x) => x !== found)];
            });
            return;
          }
          if (message.senderKind === 'staff' && message.senderId !== null && !namesRef.current.has(message.senderId)) void refreshTeam(next.token, message.conversationId);
          // A line naming someone new ("Bea joined …"): who they are, for the customer's wording.
          else if (message.notice && noticeIds(message.notice).some((id) => !namesRef.current.has(id))) void refreshTeam(next.token, message.conversationId);
          setStored((m) => new Map(m).set(message.seq, message));
          if (message.clientMsgId) {
            setPending((m) => {
              if (!m.has(message.clientMsgId!)) return m;
              const copy = new Map(m);
              copy.delete(message.clientMsgId!);
              return copy;
            });
          }
          const fromOthers = message.senderId !== next.customerId;
          if (fromOthers && message.kind === 'user') {
            setTypingUntil(0);
            // The embedding page hears only of its own shop (the session's conversation): a platform
            // customer's talk with another shop stays inside the iframe.
            const ownShop = message.conversationId === next.conversationId;
            if (!visible.current || document.hidden) {
              if (ownShop) setUnread((n) => n + 1);
              notify(t, message);
              if (ownShop) toParent({ type: 'message', message, flash: t.newMessage });
            } else {
              void c.markRead(message.conversationId, message.seq).catch(() => {});
              if (ownShop) toParent({ type: 'message', message });
            }
          }
        });
        // Receipts, typing and queue news count only for the conversation on screen.
        c.on('read', (receipt) => {
          if (receipt.conversationId === activeId.current && receipt.userId !== next.customerId) setTheirReadSeq((seq) => Math.max(seq, receipt.seq));
        });
        c.on('typing', (event) => {
          if (event.conversationId === activeId.current && event.userId !== next.customerId) setTypingUntil(Date.now() + 4000);
        });
        c.on('queue', (frame) => frame.conversationId === activeId.current && setQueuePosition(frame.position));
        c.on('conversation', (frame) => {
          if (frame.conversation.id !== activeId.current) return;
          if (frame.change === 'assigned' || frame.change === 'closed') setQueuePosition(null);
          setCsatTick((n) => n + 1);
          void refreshTeam(next.token, frame.conversation.id);
        });
        // Back online: someone may have come or gone meanwhile.
        c.on('state', (change) => change.state === 'open' && void refreshTeam(next.token, activeId.current));
        await c.connect();
        const page = await c.history(next.conversationId, { limit: 30 });
        if (stopped) return;
        setStored((m) => {
          const copy = new Map(m);
          for (const message of page.items) copy.set(message.seq, message);
          return copy;
        });
        setHasMore(page.hasMore);
      })
      .catch(() => !stopped && setState('failed'));
    return () => {
      stopped = true;
      current?.close();
    };
  }, [boot]);

  // Open and visible: everything is read.
  useEffect(() => {
    visible.current = open && !document.hidden;
    const onVisibility = () => {
      visible.current = open && !document.hidden;
      if (visible.current) setUnread(0);
    };
    document.addEventListener('visibilitychange', onVisibility);
    if (visible.current) {
      setUnread(0);
      const last = [...stored.values()].at(-1);
      if (client && session && last) void client.markRead(session.conversationId, last.seq).catch(() => {});
      textarea.current?.focus();
    }
    return () => document.removeEventListener('visibilitychange', onVisibility);
  }, [open, client]);

  useEffect(() => toParent({ type: 'unread', count: unread, label: t.chat }), [unread, locale]);
  useOngoingCampaigns({ api, token: session?.token ?? null, pageUrl, visible: () => visible.current && !document.hidden, toParent });

  // While the chat is open, who is available is checked now and then (presence is staff-only news).
  useEffect(() => {
    if (!open || !session) return;
    void refreshTeam(session.token, session.conversationId);
    const timer = setInterval(() => void refreshTeam(session.token, activeId.current), 60_000);
    return () => clearInterval(timer);
  }, [open, session?.token]);

  async function showShops() {
    if (!session) return;
    const page = await apiGet<{ items: Conversation[] }>('/conversations?limit=50', session.token).catch(() => null);
    if (page) setShops(page.items);
  }

  /** A platform customer opens another of their conversations. */
  async function switchTo(conversation: Conversation) {
    if (!client || !session) return;
    setShops(null);
    if (conversation.id === session.conversationId) return;
    activeId.current = conversation.id;
    setStored(new Map());
    setTheirReadSeq(0);
    setQueuePosition(null);
    setTeam(null);
    setSession({ ...session, conversationId: conversation.id, shopName: conversation.shopName });
    void refreshTeam(session.token, conversation.id);
    const page = await client.history(conversation.id, { limit: 30 });
    if (activeId.current !== conversation.id) return;
    setStored(new Map(page.items.map((m) => [m.seq, m] as const)));
    setHasMore(page.hasMore);
    const last = page.items.at(-1);
    if (last) void client.markRead(conversation.id, last.seq).catch(() => {});
  }

  // An answer means what came before it was read, receipt or not (sending moves the sender's cursor).
  const readUpTo = useMemo(() => {
    let seq = theirReadSeq;
    for (const message of stored.values()) if (message.senderId !== session?.customerId && message.seq > seq) seq = message.seq;
    return seq;
  }, [stored, theirReadSeq, session]);

  const items = useMemo<Item[]>(() => {
    const out: Item[] = [...stored.values()].sort((a, b) => a.seq - b.seq).map((message) => ({ kind: 'stored' as const, message }));
    for (const { pending: p, failed } of pending.values()) if (p.conversationId === session?.conversationId) out.push({ kind: 'pending', pending: p, failed });
    for (const upload of uploads.values()) out.push(upload);
    return out;
  }, [stored, pending, uploads, session]);

  // Stay at the bottom when new messages come, unless the reader scrolled up.
  useLayoutEffect(() => {
    if (atBottom.current && list.current) list.current.scrollTop = list.current.scrollHeight;
  }, [items.length, typingUntil]);

  async function loadOlder() {
    if (!client || !session || !hasMore || loadingOlder) return;
    const first = [...stored.keys()].sort((a, b) => a - b)[0];
    if (first === undefined) return;
    setLoadingOlder(true);
    const element = list.current!;
    const before = element.scrollHeight;
    try {
      const page = await client.history(session.conversationId, { beforeSeq: first, limit: 30 });
      setStored((m) => {
        const copy = new Map(m);
        for (const message of page.items) copy.set(message.seq, message);
        return copy;
      });
      setHasMore(page.hasMore);
      // Keep what the reader was looking at in place.
      requestAnimationFrame(() => (element.scrollTop += element.scrollHeight - before));
    } finally {
      setLoadingOlder(false);
    }
  }

  function onScroll() {
    const element = list.current!;
    atBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < 40;
    if (element.scrollTop < 60) void loadOlder();
  }

  function sendText(text: string): boolean {
    if (!client || !session) return false;
    client.send({ conversationId: session.conversationId, text });
    atBottom.current = true;
    return true;
  }

  // The SDK says "typing…" at most once every 2 s per conversation.
  const typed = () => client && session && client.typing(session.conversationId);

  const typing = typingUntil > Date.now();
  useEffect(() => {
    if (!typing) return;
    const timer = setTimeout(() => setTypingUntil(0), typingUntil - Date.now());
    return () => clearTimeout(timer);
  }, [typingUntil]);

  const status = state === 'open' ? null : state === 'connecting' || state === 'authenticating' ? t.connecting : state === 'failed' ? t.error : t.reconnecting;

  const away = team !== null && !team.available;
  // Anonymous visitors only: an identified customer comes with what their site knows.
  const needs = session?.customerKind === 'anonymous' ? prechatNeeds(appearance.prechat, session) : null;
  const askFirst = needs !== null && (needs.blocking || ((needs.name || needs.email) && items.length === 0 && !prechatSkipped));
  const blocked = needs?.blocking === true;

  return (
    <div
      class="widget"
      onKeyDown={(event) => {
        if (event.key !== 'Escape') return;
        if (showEmoji) setShowEmoji(false);
        else if (shops) setShops(null);
        else toParent({ type: 'close' });
      }}
    >
      <header>
        {session?.customerKind === 'platform' && (
          <button type="button" class="icon" aria-label={t.allChats} aria-expanded={shops !== null} onClick={() => (shops ? setShops(null) : void showShops())}>
            <svg width="20" height="20" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" aria-hidden="true">
              <path d="M4 6h16M4 12h16M4 18h16" />
            </svg>
          </button>
        )}
        {appearance.logoUrl && <img class="logo" src={appearance.logoUrl} alt="" width={28} height={28} />}
        <div class="title">
          <h1>{shops ? t.allChats : (session?.shopName ?? t.title)}</h1>
          {status ? (
            <p class="status connection" role="status">
              {status}
            </p>
          ) : (
            team && !shops && <p class="status">{team.available ? t.online : t.away}</p>
          )}
        </div>
        <button type="button" class="icon" aria-label={t.close} onClick={() => toParent({ type: 'close' })}>
          ✕
        </button>
      </header>
      {shops && <ShopList items={shops} active={session?.conversationId ?? ''} t={t} locale={locale} onPick={(c) => void switchTo(c)} />}
      <div class="messages" hidden={shops !== null} ref={list} onScroll={onScroll} role="log" aria-live="polite" aria-relevant="additions">
        {loadingOlder && <p class="notice">{t.loadingOlder}</p>}
        {appearance.greeting && !hasMore && (
          <div class="row theirs greeting">
            <span class="avatar" aria-hidden="true">
              {initialsOf(session?.shopName ?? appearance.shopName)}
            </span>
            <div class="bubble">
              <Linkified text={appearance.greeting} />
            </div>
          </div>
        )}
        {items.map((item, index) => (
          <Row key={keyOf(item)} item={item} previous={items[index - 1]} me={session?.customerId ?? ''} theirReadSeq={readUpTo} t={t} locale={locale} client={client} names={names} onDismiss={dismissUpload} />
        ))}
        {away && (
          <p class="notice away" role="status">
            {team.offlineMessage.trim() || t.offline}
            {team.opensAt && <span class="opens-at">{opensAtText(team.opensAt, htmlLang(locale), t)}</span>}
          </p>
        )}
        {away && session && !askFirst && <OfflineEmail api={api} token={session.token} known={session.email} t={t} />}
        {askFirst && session && (
          <PrechatForm
            api={api}
            token={session.token}
            prechat={appearance.prechat}
            known={session}
            t={t}
            onSaved={(known) => {
              // Answered: optional fields left blank are not asked again.
              setPrechatSkipped(true);
              setSession({ ...session, ...known });
              if (known.email !== session.email) setPrechatEmail(known.email);
            }}
            onSkip={() => setPrechatSkipped(true)}
          />
        )}
        {prechatEmail && !away && <p class="notice">{t.emailKnown(prechatEmail)}</p>}
        {queuePosition !== null && !away && <p class="notice">{t.queued(queuePosition)}</p>}
        {session && session.conversationId === activeId.current && <Csat api={api} token={session.token} t={t} refresh={csatTick} />}
        {/* Their agent is away: a calm state, never presence news (issue 22); by e-mail when the shop e-mails replies. */}
        {!away && team?.assigneeAway && (
          <p class="notice calm" role="status">
            {t.replySoon}
          </p>
        )}
        {!away && team?.assigneeAway && team.emailReplies && session && <OfflineEmail api={api} token={session.token} known={session.email} t={t} />}
        {typing && <p class="typing">{t.typing}</p>}
      </div>
      {notice && (
        <p class="notice error" role="alert" onClick={() => setNotice(null)}>
          {notice}
        </p>
      )}
      <Composer
        t={t}
        hidden={shops !== null}
        blocked={blocked}
        showEmoji={showEmoji}
        setShowEmoji={setShowEmoji}
        textarea={textarea}
        onSend={sendText}
        onTyping={typed}
        onFile={(file) => void attach(file)}
      />
    </div>
  );
}

// The administration's live preview (docs/widget.md#appearance) renders a sample chat with draft settings, no session.
render(params.get('preview') === '1' ? <Preview parentOrigin={parentOrigin} locale={params.get('locale') ?? navigator.language} /> : <App />, document.getElementById('app')!);
