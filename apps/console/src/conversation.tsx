/**
 * One conversation: the whole history across inquiries and agents (seed 000), the composer (replies,
 * internal notes, emoji, attachments, canned responses by "/shortcut"), the inquiry's actions and
 * the customer panel.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Agent, CannedResponse, Conversation, CustomerDetails, Message, Staff } from '@frontdesk/protocol';
import type { FrontdeskClient, FrontdeskError, PendingMessage } from '@frontdesk/sdk';
import { ApiError, type Api } from './api.ts';
import type { Strings } from './i18n.ts';
import type { Prefs } from './notify.ts';
import { AttachButton, AttachmentView, Avatar, PendingState, customerLabel, formatTime, formatWhen, Linkified } from './ui.tsx';

const EMOJI = ['😀', '😊', '🙂', '😉', '🙏', '👍', '👌', '🎉', '❤️', '✅', '📦', '🚚', '💳', '⏰', '📞', '✉️'];
const narrow = matchMedia('(max-width: 1180px)');
/** Messages further apart than this get a time separator (seed 000). */
const GAP_MS = 120_000;

interface Props {
  readonly api: Api;
  readonly client: FrontdeskClient;
  readonly conversation: Conversation;
  readonly me: Staff;
  readonly agents: Agent[];
  readonly prefs: Prefs;
  readonly t: Strings;
  /** Something changed the inquiry: lists and counts are fetched again. */
  readonly onChanged: () => void;
  readonly onSeen: () => void;
}

export function ConversationPane({ api, client, conversation, me, agents, prefs, t, onChanged, onSeen }: Props) {
  const [stored, setStored] = useState<Map<number, Message>>(new Map());
  const [pending, setPending] = useState<Map<string, { pending: PendingMessage; failed: FrontdeskError | null }>>(new Map());
  const [hasMore, setHasMore] = useState(false);
  /** Until the first page is in, the log is busy: a screen reader does not read out the history. */
  const [loaded, setLoaded] = useState(false);
  const [customerRead, setCustomerRead] = useState(0);
  const [typingUntil, setTypingUntil] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [dialog, setDialog] = useState<'transfer' | 'invite' | null>(null);
  // The customer panel is a column on wide screens and an overlay on tablets, closed until asked for.
  const [showPanel, setShowPanel] = useState(() => !narrow.matches);
  useEffect(() => {
    const onChange = () => setShowPanel(!narrow.matches);
    narrow.addEventListener('change', onChange);
    return () => narrow.removeEventListener('change', onChange);
  }, []);
  const list = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const id = conversation.id;
  const customerId = conversation.customer?.id ?? null;
  const names = useMemo(() => new Map(agents.map((a) => [a.staffId, a.name])), [agents]);

  useEffect(() => {
    let stopped = false;
    client.history(id, { limit: 50 }).then((page) => {
      if (stopped) return;
      setStored(new Map(page.items.map((m) => [m.seq, m] as const)));
      setHasMore(page.hasMore);
      setLoaded(true);
      markRead(page.items.at(-1));
    }, () => setError(t.error));
    const offs = [
      client.on('message', (message) => {
        if (message.conversationId !== id) return;
        setStored((m) => new Map(m).set(message.seq, message));
        if (message.clientMsgId) setPending((m) => without(m, message.clientMsgId!));
        if (message.senderId === customerId) setTypingUntil(0);
        if (!document.hidden) markRead(message);
      }),
      client.on('pending', (p) => p.conversationId === id && setPending((m) => new Map(m).set(p.clientMsgId, { pending: p, failed: null }))),
      client.on('failed', ({ message, error: e }) => message.conversationId === id && setPending((m) => new Map(m).set(message.clientMsgId, { pending: message, failed: e }))),
      client.on('read', (receipt) => receipt.conversationId === id && receipt.userId === customerId && setCustomerRead((s) => Math.max(s, receipt.seq))),
      client.on('typing', (event) => event.conversationId === id && event.userId === customerId && setTypingUntil(Date.now() + 4000)),
    ];
    const onVisible = () => !document.hidden && markRead(latestMessage.current);
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      stopped = true;
      offs.forEach((off) => off());
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [id]);

  const items = useMemo(() => [...stored.values()].sort((a, b) => a.seq - b.seq), [stored]);
  const latestMessage = useRef<Message | undefined>(undefined);
  latestMessage.current = items.at(-1);

  function markRead(message: Message | undefined) {
    if (!message) return;
    onSeen();
    void client.markRead(id, message.seq).catch(() => {});
  }

  // The customer has read everything before their latest message, receipt or not.
  const readUpTo = useMemo(() => {
    let seq = customerRead;
    for (const m of items) if (m.senderId === customerId && m.seq > seq) seq = m.seq;
    return seq;
  }, [items, customerRead]);

  useLayoutEffect(() => {
    if (atBottom.current && list.current) list.current.scrollTop = list.current.scrollHeight;
  }, [items.length, pending.size, typingUntil]);

  async function loadOlder() {
    const first = items[0];
    if (!hasMore || !first) return;
    const element = list.current!;
    const before = element.scrollHeight;
    const page = await client.history(id, { beforeSeq: first.seq, limit: 50 });
    setStored((m) => {
      const copy = new Map(m);
      for (const message of page.items) copy.set(message.seq, message);
      return copy;
    });
    setHasMore(page.hasMore);
    requestAnimationFrame(() => (element.scrollTop += element.scrollHeight - before));
  }

  async function act(action: () => Promise<unknown>) {
    setError(null);
    try {
      await action();
      onChanged();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : t.error);
    }
  }

  // Alt+C claims, Alt+X closes.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      // Never in a field: on macOS, Option+C and Option+X type characters.
      const typing = event.target instanceof HTMLElement && event.target.matches('input, textarea, select');
      if (typing || !event.altKey || event.ctrlKey || event.metaKey) return;
      if (event.code === 'KeyC' && conversation.status === 'queued') {
        event.preventDefault();
        void act(() => api.act(id, 'claim'));
      } else if (event.code === 'KeyX' && conversation.status !== 'closed' && conversation.status !== null) {
        event.preventDefault();
        void act(() => api.act(id, 'close'));
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [conversation.status, id]);

  const who = customerLabel(conversation.customer, t.anonymous);
  const open = conversation.status === 'queued' || conversation.status === 'assigned';
  const typing = typingUntil > Date.now();
  useEffect(() => {
    if (!typing) return;
    const timer = setTimeout(() => setTypingUntil(0), typingUntil - Date.now());
    return () => clearTimeout(timer);
  }, [typingUntil]);

  return (
    <>
      <section class="pane" aria-label={who}>
        <header class="pane-head">
          <div class="title">
            <h1>{who}</h1>
            <p class={`status ${conversation.status ?? ''}`}>
              {conversation.status === 'assigned' && conversation.assigneeId
                ? t.assignedTo(conversation.assigneeId === me.id ? me.name : (names.get(conversation.assigneeId) ?? '…'))
                : (t.status[conversation.status ?? ''] ?? '')}
            </p>
          </div>
          <div class="actions">
            {conversation.status === 'queued' && (
              <button type="button" class="primary" onClick={() => void act(() => api.act(id, 'claim'))} title="Alt+C">
                {t.claim}
              </button>
            )}
            {open && (
              <button type="button" onClick={() => setDialog('transfer')} aria-expanded={dialog === 'transfer'}>
                {t.transfer}
              </button>
            )}
            <button type="button" onClick={() => setDialog('invite')} aria-expanded={dialog === 'invite'}>
              {t.invite}
            </button>
            {open && (
              <button type="button" onClick={() => void act(() => api.act(id, 'close'))} title="Alt+X">
                {t.close}
              </button>
            )}
            <button type="button" class="ghost" aria-label={t.customer} aria-expanded={showPanel} onClick={() => setShowPanel((s) => !s)}>
              <svg width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" aria-hidden="true">
                <circle cx="12" cy="8" r="4" />
                <path d="M4 21a8 8 0 0 1 16 0" />
              </svg>
            </button>
          </div>
        </header>
        {dialog && (
          <PickColleague
            t={t}
            mode={dialog}
            me={me}
            agents={agents}
            assigneeId={conversation.assigneeId}
            onCancel={() => setDialog(null)}
            onPick={(staffId, note) => {
              setDialog(null);
              void act(() => (dialog === 'transfer' ? api.transfer(id, staffId, note) : api.invite(id, staffId!)));
            }}
          />
        )}
        {error && (
          <p class="error" role="alert" onClick={() => setError(null)}>
            {error}
          </p>
        )}
        <div
          class="history"
          ref={list}
          role="log"
          aria-live="polite"
          aria-busy={!loaded}
          onScroll={() => {
            const element = list.current!;
            atBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < 40;
            if (element.scrollTop < 60) void loadOlder();
          }}
        >
          {items.map((message, index) => (
            <MessageRow key={message.id} message={message} previous={items[index - 1]} me={me} customerId={customerId} customerName={who} names={names} readUpTo={readUpTo} t={t} client={client} />
          ))}
          {[...pending.values()].map(({ pending: p, failed }) => (
            <div key={p.clientMsgId} class={`row mine ${p.visibility === 'internal' ? 'internal' : ''}`}>
              <div class="bubble">
                <Linkified text={p.text} />
                <PendingState failed={failed !== null} labels={t} onRetry={() => client.retry(p.clientMsgId)} />
              </div>
            </div>
          ))}
          {typing && <p class="typing">{`${who} ${t.typing}`}</p>}
        </div>
        <Composer api={api} client={client} conversationId={id} prefs={prefs} t={t} />
      </section>
      {showPanel && customerId && <CustomerPanelView api={api} customerId={customerId} names={names} t={t} />}
    </>
  );
}

function without<K, V>(map: Map<K, V>, key: K): Map<K, V> {
  if (!map.has(key)) return map;
  const copy = new Map(map);
  copy.delete(key);
  return copy;
}

function MessageRow(props: {
  message: Message;
  previous: Message | undefined;
  me: Staff;
  customerId: string | null;
  customerName: string;
  names: Map<string, string>;
  readUpTo: number;
  t: Strings;
  client: FrontdeskClient;
}) {
  const { message, previous, me, customerId, customerName, names, readUpTo, t, client } = props;
  const time = Date.parse(message.createdAt);
  const prevTime = previous ? Date.parse(previous.createdAt) : 0;
  const separator = time - prevTime > GAP_MS;
  const newDay = new Date(time).toDateString() !== new Date(prevTime).toDateString();
  const stamp = separator && <p class="time">{formatTime(message.createdAt, navigator.language, newDay)}</p>;
  const internal = message.visibility === 'internal';
  if (message.kind === 'system') {
    return (
      <>
        {stamp}
        <p class={`system ${internal ? 'internal' : ''}`}>{message.text}</p>
      </>
    );
  }
  const fromCustomer = message.senderId === customerId;
  const mine = message.senderId === me.id;
  const name = fromCustomer ? customerName : mine ? me.name : (names.get(message.senderId ?? '') ?? '…');
  const sameSender = !separator && previous?.kind === 'user' && previous.senderId === message.senderId && previous.visibility === message.visibility;
  if (message.deletedAt) return null;
  return (
    <>
      {stamp}
      {!sameSender && (
        <p class={`sender ${fromCustomer ? '' : 'staff'}`}>
          {name}
          {internal && <span class="tag">{t.note}</span>}
        </p>
      )}
      <div class={`row ${fromCustomer ? 'theirs' : 'mine'} ${internal ? 'internal' : ''}`}>
        {fromCustomer && <Avatar id={message.senderId ?? ''} name={name} />}
        <div class="bubble">
          {message.attachment && <AttachmentView attachment={message.attachment} client={client} />}
          {message.text && <Linkified text={message.text} />}
          <span class="meta">
            <time dateTime={message.createdAt}>{formatTime(message.createdAt, navigator.language, false)}</time>
            {!fromCustomer && !internal && ` · ${message.seq <= readUpTo ? t.read : t.sent}`}
          </span>
        </div>
      </div>
    </>
  );
}

function PickColleague(props: {
  t: Strings;
  mode: 'transfer' | 'invite';
  me: Staff;
  agents: Agent[];
  assigneeId: string | null;
  onCancel: () => void;
  onPick: (staffId: string | null, note?: string) => void;
}) {
  const { t, mode, me, agents, assigneeId, onCancel, onPick } = props;
  const [note, setNote] = useState('');
  const choices = agents.filter((a) => a.staffId !== assigneeId && (mode === 'invite' ? a.staffId !== me.id : true));
  return (
    <div
      class="picker"
      role="dialog"
      aria-label={mode === 'transfer' ? t.transferTo : t.invite}
      ref={(element) => {
        // Opened: focus goes to the first choice (once; typing the note keeps it).
        if (element && !element.contains(document.activeElement)) element.querySelector<HTMLElement>('button:not([disabled])')?.focus();
      }}
      onKeyDown={(event) => event.key === 'Escape' && onCancel()}
    >
      <ul>
        {mode === 'transfer' && assigneeId !== null && (
          <li>
            <button type="button" onClick={() => onPick(null, note)}>
              {t.toQueue}
            </button>
          </li>
        )}
        {choices.map((a) => (
          <li key={a.staffId}>
            <button type="button" disabled={mode === 'transfer' && a.presence !== 'online'} onClick={() => onPick(a.staffId, note)}>
              <Avatar id={a.staffId} name={a.name} />
              <span class="name">{a.name}</span>
              <span class={`presence ${a.presence}`}>{t[a.presence]}</span>
              <span class="load">{t.load(a.openInquiries, a.capacity)}</span>
            </button>
          </li>
        ))}
      </ul>
      {mode === 'transfer' && <input type="text" placeholder={t.note} aria-label={t.note} maxLength={1000} value={note} onInput={(e) => setNote(e.currentTarget.value)} />}
      <button type="button" class="ghost" onClick={onCancel}>
        {t.close}
      </button>
    </div>
  );
}

function Composer({ api, client, conversationId, prefs, t }: { api: Api; client: FrontdeskClient; conversationId: string; prefs: Prefs; t: Strings }) {
  const [draft, setDraft] = useState('');
  const [internal, setInternal] = useState(false);
  const [showEmoji, setShowEmoji] = useState(false);
  const [canned, setCanned] = useState<CannedResponse[] | null>(null);
  const [pick, setPick] = useState(0);
  const [upload, setUpload] = useState<string | null>(null);
  const box = useRef<HTMLTextAreaElement>(null);
  const lastTyping = useRef(0);

  // "r" focuses the reply, "n" an internal note (outside fields).
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const typing = event.target instanceof HTMLElement && event.target.matches('input, textarea, select');
      if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === 'r' || event.key === 'n') {
        event.preventDefault();
        setInternal(event.key === 'n');
        box.current?.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const query = /^\/([a-z0-9_-]*)$/i.exec(draft)?.[1]?.toLowerCase() ?? null;
  useEffect(() => {
    if (query !== null && canned === null) api.canned().then((page) => setCanned(page.items), () => setCanned([]));
  }, [query !== null]);
  const matches = query === null ? [] : (canned ?? []).filter((c) => c.shortcut.startsWith(query) || c.title.toLowerCase().includes(query)).slice(0, 8);

  function send() {
    const text = draft.trim();
    if (!text) return;
    client.send({ conversationId, text, visibility: internal ? 'internal' : 'public' });
    setDraft('');
  }

  function insert(response: CannedResponse) {
    setDraft(response.text);
    setPick(0);
    box.current?.focus();
  }

  function onKeyDown(event: KeyboardEvent) {
    if (matches.length > 0) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        setPick((p) => (p + (event.key === 'ArrowDown' ? 1 : matches.length - 1)) % matches.length);
        return;
      }
      if (event.key === 'Enter' || event.key === 'Tab') {
        event.preventDefault();
        insert(matches[Math.min(pick, matches.length - 1)]!);
        return;
      }
    }
    if (event.key !== 'Enter' || event.isComposing) return;
    const ctrl = event.ctrlKey || event.metaKey;
    if ((prefs.ctrlEnter && ctrl) || (!prefs.ctrlEnter && !ctrl && !event.shiftKey)) {
      event.preventDefault();
      send();
    }
  }

  async function attach(file: File) {
    setUpload(`${file.name} 0%`);
    try {
      const attachment = await client.files.upload(conversationId, file, {
        name: file.name,
        onProgress: (sent, total) => setUpload(`${file.name} ${Math.round((100 * sent) / total)}%`),
      });
      client.send({ conversationId, attachmentId: attachment.id, visibility: internal ? 'internal' : 'public' });
      setUpload(null);
    } catch (error) {
      setUpload(`${file.name}: ${(error as FrontdeskError).message}`);
    }
  }

  return (
    <footer class={`composer ${internal ? 'internal' : ''}`}>
      <div class="modes" role="tablist">
        <button type="button" role="tab" aria-selected={!internal} onClick={() => setInternal(false)}>
          {t.reply}
        </button>
        <button type="button" role="tab" aria-selected={internal} onClick={() => setInternal(true)}>
          {t.note}
        </button>
        {internal && <span class="hint">{t.noteHint}</span>}
        {upload && <span class="hint">{upload}</span>}
      </div>
      {matches.length > 0 && (
        <ul class="canned" id={`canned-${conversationId}`} role="listbox" aria-label={t.canned}>
          {matches.map((c, i) => (
            <li key={c.id} id={`canned-${conversationId}-${i}`} role="option" aria-selected={i === pick} onMouseDown={(e) => (e.preventDefault(), insert(c))}>
              <kbd>/{c.shortcut}</kbd> <strong>{c.title}</strong> <span>{c.text}</span>
            </li>
          ))}
        </ul>
      )}
      {showEmoji && (
        <div class="emoji" role="menu">
          {EMOJI.map((e) => (
            <button type="button" role="menuitem" key={e} onClick={() => (setDraft((d) => d + e), setShowEmoji(false), box.current?.focus())}>
              {e}
            </button>
          ))}
        </div>
      )}
      <div class="compose-row">
        <textarea
          ref={box}
          rows={3}
          value={draft}
          maxLength={8000}
          placeholder={internal ? t.notePlaceholder : t.placeholder}
          aria-label={internal ? t.notePlaceholder : t.placeholder}
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={matches.length > 0}
          aria-controls={`canned-${conversationId}`}
          aria-activedescendant={matches.length > 0 ? `canned-${conversationId}-${Math.min(pick, matches.length - 1)}` : undefined}
          onInput={(event) => {
            setDraft(event.currentTarget.value);
            if (!internal && Date.now() - lastTyping.current > 2000) {
              lastTyping.current = Date.now();
              client.typing(conversationId);
            }
          }}
          onKeyDown={onKeyDown}
        />
        <div class="tools">
          <button type="button" class="ghost" aria-label={t.emoji} aria-expanded={showEmoji} onClick={() => setShowEmoji((s) => !s)}>
            😊
          </button>
          <AttachButton label={t.attach} className="ghost button" onFile={(file) => void attach(file)} />
          <button type="button" class="primary" disabled={!draft.trim()} onClick={send}>
            {t.send}
          </button>
        </div>
      </div>
    </footer>
  );
}

function CustomerPanelView({ api, customerId, names, t }: { api: Api; customerId: string; names: Map<string, string>; t: Strings }) {
  const [panel, setPanel] = useState<CustomerDetails | null>(null);
  useEffect(() => {
    api.customer(customerId).then(setPanel, () => setPanel(null));
  }, [customerId]);
  if (!panel) return <aside class="panel" aria-label={t.customer} />;
  const c = panel.customer;
  const attributes = Object.entries(panel.attributes);
  return (
    <aside class="panel" aria-label={t.customer}>
      <h2>{t.customer}</h2>
      <dl>
        <dt>{t.name}</dt>
        <dd>{c.name ?? t.anonymous}</dd>
        {c.email && (
          <>
            <dt>{t.email}</dt>
            <dd>{c.email}</dd>
          </>
        )}
        {c.externalId && (
          <>
            <dt>ID</dt>
            <dd>{c.externalId}</dd>
          </>
        )}
        <dt>{t.role}</dt>
        <dd>{c.kind}</dd>
      </dl>
      {attributes.length > 0 && (
        <>
          <h3>{t.attributes}</h3>
          <dl>
            {attributes.map(([key, value]) => (
              <>
                <dt>{key}</dt>
                <dd>{String(value)}</dd>
              </>
            ))}
          </dl>
        </>
      )}
      <h3>{t.pastInquiries}</h3>
      <ol class="inquiries">
        {panel.inquiries.map((inquiry) => (
          <li key={inquiry.id}>
            <span class={`status ${inquiry.status}`}>{t.status[inquiry.status]}</span> {formatWhen(inquiry.createdAt)}
            {inquiry.assigneeId && ` · ${names.get(inquiry.assigneeId) ?? ''}`}
            {inquiry.firstResponseAt && ` · ${t.firstResponse} ${Math.round((Date.parse(inquiry.firstResponseAt) - Date.parse(inquiry.createdAt)) / 1000)} s`}
          </li>
        ))}
      </ol>
    </aside>
  );
}
