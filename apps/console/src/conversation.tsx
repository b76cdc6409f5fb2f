/**
 * One conversation: the whole history across inquiries and agents (seed 000), the composer (replies,
 * internal notes, emoji, attachments, canned responses by "/shortcut"), the inquiry's actions and
 * the customer panel (customer-panel.tsx).
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Agent, CannedResponse, ChannelFailure, Label, Message, Staff } from '@frontdesk/protocol';
import type { FrontdeskClient } from '@frontdesk/sdk';
import { useAction } from './action.ts';
import type { Api } from './api.ts';
import type { ContactsApi, LabelledConversation } from './api-contacts.ts';
import { ChannelBanner, DeliveryFailure, replyBlocked, useChannel } from './channel-status.tsx';
import { Composer, type ComposerBase } from './composer.tsx';
import { HistoryLog, timeStamp } from './history-log.tsx';
import type { Strings } from './i18n.ts';
import { LabelEditor } from './labels.tsx';
import type { Prefs } from './notify.ts';
import { serviceLine } from './service-notices.ts';
import { useTimeline } from './timeline.ts';
import { TriageBar } from './triage.tsx';
import { expandCanned, type CannedContext } from './canned-variables.ts';
import { AttachmentView, Avatar, customerLabel, focusFirstButton, formatTime, Linkified } from './ui.tsx';
import { uiLocale } from './locale.ts';
import { CustomerPanelView } from './customer-panel.tsx';

const narrow = matchMedia('(max-width: 1180px)');

interface Props {
  readonly api: Api;
  readonly client: FrontdeskClient;
  readonly conversation: LabelledConversation;
  readonly me: Staff;
  readonly agents: Agent[];
  readonly labels: readonly Label[];
  readonly capi: ContactsApi;
  readonly prefs: Prefs;
  readonly t: Strings;
  /** Something changed the inquiry: lists and counts are fetched again. */
  readonly onChanged: () => void;
  readonly onSeen: () => void;
  /** On a phone the list and the conversation take turns: back to the list. */
  readonly onBack: () => void;
}

export function ConversationPane({ api, client, conversation, me, agents, labels, capi, prefs, t, onChanged, onSeen, onBack }: Props) {
  const [customerRead, setCustomerRead] = useState(0);
  const [typingUntil, setTypingUntil] = useState(0);
  const action = useAction(t);
  const [dialog, setDialog] = useState<'transfer' | 'invite' | null>(null);
  // The customer panel is a column on wide screens and an overlay on tablets, closed until asked for.
  const [showPanel, setShowPanel] = useState(() => !narrow.matches);
  useEffect(() => {
    const onChange = () => setShowPanel(!narrow.matches);
    narrow.addEventListener('change', onChange);
    return () => narrow.removeEventListener('change', onChange);
  }, []);
  const id = conversation.id;
  const customerId = conversation.customer?.id ?? null;
  const names = useMemo(() => new Map(agents.map((a) => [a.staffId, a.name])), [agents]);
  const timeline = useTimeline(client, id, onSeen);
  const items = timeline.items;
  const channel = useChannel(api, id, items.at(-1)?.seq ?? 0);

  useEffect(() => {
    const offs = [
      client.on('message', (message) => message.conversationId === id && message.senderId === customerId && setTypingUntil(0)),
      client.on('read', (receipt) => receipt.conversationId === id && receipt.userId === customerId && setCustomerRead((s) => Math.max(s, receipt.seq))),
      client.on('typing', (event) => event.conversationId === id && event.userId === customerId && setTypingUntil(Date.now() + 4000)),
    ];
    return () => offs.forEach((off) => off());
  }, [id]);

  // The customer has read everything before their latest message, receipt or not.
  const readUpTo = useMemo(() => {
    let seq = customerRead;
    for (const m of items) if (m.senderId === customerId && m.seq > seq) seq = m.seq;
    return seq;
  }, [items, customerRead]);

  async function act(call: () => Promise<unknown>) {
    if (await action.run(call)) onChanged();
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
          <button type="button" class="ghost back" aria-label={t.back} onClick={onBack}>
            ←
          </button>
          <div class="title">
            <h1>{who}</h1>
            <p class={`status ${conversation.status ?? ''}`}>
              {conversation.status === 'assigned' && conversation.assigneeId
                ? t.assignedTo(conversation.assigneeId === me.id ? me.name : (names.get(conversation.assigneeId) ?? '…'))
                : (t.status[conversation.status ?? ''] ?? '')}
            </p>
            <LabelEditor labels={labels} ids={conversation.labelIds ?? []} t={t} onToggle={(labelId, on) => capi.labelConversation(id, labelId, on).then(onChanged)} />
            <TriageBar api={api} conversation={conversation} t={t} onChanged={onChanged} />
            <ChannelBanner info={channel.info} t={t} />
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
        {(action.error || timeline.failed) && (
          <p class="error" role="alert" onClick={action.clear}>
            {action.error ?? t.error}
          </p>
        )}
        <HistoryLog timeline={timeline} client={client} t={t} footer={typing && <p class="typing">{`${who} ${t.typing}`}</p>}>
          {items.map((message, index) => (
            <MessageRow
              key={message.id}
              message={message}
              previous={items[index - 1]}
              me={me}
              customerId={customerId}
              customerName={who}
              names={names}
              readUpTo={readUpTo}
              t={t}
              client={client}
              failure={channel.failures.get(message.id)}
              onRetry={() => void action.run(() => channel.retry(message.id))}
            />
          ))}
        </HistoryLog>
        <ReplyComposer
          api={api}
          client={client}
          conversationId={id}
          prefs={prefs}
          t={t}
          replyBlocked={replyBlocked(channel.info, t)}
          context={{ customerName: conversation.customer?.name ?? null, customerEmail: conversation.customer?.email ?? null, agentName: me.name, shopName: conversation.shopName, customerFallback: t.customerFallback }}
        />
      </section>
      {showPanel && customerId && <CustomerPanelView api={api} customerId={customerId} channel={conversation.channel} inquiry={`${conversation.status}:${conversation.assigneeId}`} names={names} t={t} />}
    </>
  );
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
  /** The customer's channel refused this reply (WeChat). */
  failure: ChannelFailure | undefined;
  onRetry: () => void;
}) {
  const { message, previous, me, customerId, customerName, names, readUpTo, t, client, failure, onRetry } = props;
  const { gap: separator, stamp } = timeStamp(message, previous);
  const internal = message.visibility === 'internal';
  if (message.kind === 'system') {
    return (
      <>
        {stamp}
        <p class={`system ${internal ? 'internal' : ''}`}>{serviceLine(message, t, names)}</p>
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
            <time dateTime={message.createdAt}>{formatTime(message.createdAt, uiLocale(), false)}</time>
            {!fromCustomer && !internal && ` · ${message.seq <= readUpTo ? t.read : t.sent}`}
          </span>
        </div>
      </div>
      {failure && <DeliveryFailure failure={failure} t={t} onRetry={onRetry} />}
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
      ref={focusFirstButton}
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
        {t.closeDialog}
      </button>
    </div>
  );
}

/** Replies and internal notes; "/shortcut" suggests canned responses. */
function ReplyComposer({ api, replyBlocked, context, ...base }: ComposerBase & { api: Api; replyBlocked: string | null; context: CannedContext }) {
  const { client, conversationId, t } = base;
  const [internal, setInternal] = useState(false);
  const [canned, setCanned] = useState<CannedResponse[] | null>(null);
  const [draft, setDraft] = useState('');
  const box = useRef<HTMLTextAreaElement>(null);

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
  const visibility = internal ? 'internal' : 'public';

  return (
    <Composer
      {...base}
      box={box}
      className={internal ? 'internal' : ''}
      placeholder={internal ? t.notePlaceholder : t.placeholder}
      top={
        <div class="modes-tabs" role="tablist">
          <button type="button" role="tab" aria-selected={!internal} onClick={() => setInternal(false)}>
            {t.reply}
          </button>
          <button type="button" role="tab" aria-selected={internal} onClick={() => setInternal(true)}>
            {t.note}
          </button>
          {internal && <span class="hint">{t.noteHint}</span>}
        </div>
      }
      onDraft={(text) => setDraft(text)}
      suggestionsLabel={t.canned}
      suggestions={matches.map((c) => {
        // Variables filled in as it is inserted; unknown ones stay visible, and are flagged here.
        const filled = expandCanned(c.text, context);
        return {
          key: c.id,
          content: (
            <>
              <kbd>/{c.shortcut}</kbd> <strong>{c.title}</strong> <span>{filled.text}</span>
              {filled.unknown.length > 0 && <span class="canned-unknown">⚠ {t.cannedUnknown(filled.unknown.join(', '))}</span>}
            </>
          ),
          apply: () => ({ draft: filled.text, caret: filled.text.length }),
        };
      })}
      onSend={(content) => client.send({ conversationId, ...content, visibility })}
      blocked={internal ? null : replyBlocked}
      typing={!internal}
    />
  );
}
