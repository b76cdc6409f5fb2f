/**
 * Broadcasts on screen: the banner for one that arrived (or was waiting at sign-in), the inbox
 * (unread first; opening one marks it read) and, for owners and admins, the form that sends one to
 * every colleague or to chosen colleagues and groups.
 */
import { useState } from 'preact/hooks';
import type { BroadcastTo, Colleague, RecentChat } from '@frontdesk/protocol';
import { useAction } from './action.ts';
import type { Broadcasts } from './broadcast-store.ts';
import { Checklist } from './checklist.tsx';
import { DialogForm } from './dialogs.tsx';
import type { Strings } from './i18n.ts';
import { formatWhen } from './ui.tsx';

export function BroadcastBanner({ broadcasts, t, onOpenAll }: { broadcasts: Broadcasts; t: Strings; onOpenAll: () => void }) {
  const b = broadcasts.banner;
  if (!b) return null;
  const others = broadcasts.unread - (b.readAt === null ? 1 : 0);
  return (
    <div class="broadcast-banner" role="status">
      <span class="megaphone" aria-hidden="true">
        📣
      </span>
      <div class="body">
        <p>
          <strong>{b.title}</strong> <span class="hint">{t.broadcastFrom(b.senderName, formatWhen(b.createdAt))}</span>
        </p>
        <p class="text">{b.text}</p>
        {others > 0 && <p class="hint">{t.unreadBroadcasts(others)}</p>}
      </div>
      <div class="buttons">
        {b.readAt === null && (
          <button type="button" class="primary" onClick={() => void broadcasts.markRead(b.id).catch(() => {})}>
            {t.markRead}
          </button>
        )}
        <button type="button" onClick={onOpenAll}>
          {t.allBroadcasts}
        </button>
        <button type="button" class="ghost" aria-label={t.dismiss} onClick={broadcasts.dismiss}>
          ✕
        </button>
      </div>
    </div>
  );
}

export function BroadcastInbox(props: { broadcasts: Broadcasts; t: Strings; mayCompose: boolean; sent: boolean; onCompose: () => void; onBack: () => void }) {
  const { broadcasts, t, mayCompose, sent, onCompose, onBack } = props;
  return (
    <section class="pane broadcast-inbox" aria-labelledby="broadcasts-title">
      <header class="pane-head">
        <button type="button" class="ghost back" aria-label={t.back} onClick={onBack}>
          ←
        </button>
        <div class="title">
          <h1 id="broadcasts-title">{t.broadcasts}</h1>
          <p>{t.unreadBroadcasts(broadcasts.unread)}</p>
        </div>
        {mayCompose && (
          <div class="actions">
            <button type="button" class="primary" onClick={onCompose}>
              {t.newBroadcast}
            </button>
          </div>
        )}
      </header>
      {sent && (
        <p class="ok sent" role="status">
          {t.broadcastSent}
        </p>
      )}
      <ul class="broadcast-list">
        {broadcasts.items.length === 0 && <li class="empty">{t.noBroadcasts}</li>}
        {broadcasts.items.map((b) => (
          <li key={b.id} class={b.readAt === null ? 'unread' : ''}>
            <details onToggle={(e) => e.currentTarget.open && b.readAt === null && void broadcasts.markRead(b.id).catch(() => {})}>
              <summary>
                <strong>{b.title}</strong>
                {b.readAt === null && <span class="pill pending">{t.unread}</span>}
                <span class="hint">{t.broadcastFrom(b.senderName, formatWhen(b.createdAt))}</span>
              </summary>
              <p class="text">{b.text}</p>
            </details>
          </li>
        ))}
      </ul>
    </section>
  );
}

interface ComposeProps {
  readonly broadcasts: Broadcasts;
  readonly colleagues: readonly Colleague[];
  /** The agent's groups, offered as recipients. */
  readonly groups: readonly RecentChat[];
  readonly t: Strings;
  readonly onSent: () => void;
  readonly onClose: () => void;
}

export function BroadcastComposer({ broadcasts, colleagues, groups, t, onSent, onClose }: ComposeProps) {
  const [title, setTitle] = useState('');
  const [text, setText] = useState('');
  const [toAll, setToAll] = useState(true);
  const [staffIds, setStaffIds] = useState<ReadonlySet<string>>(new Set());
  const [groupIds, setGroupIds] = useState<ReadonlySet<string>>(new Set());
  const action = useAction(t);

  function submit() {
    if (!toAll && staffIds.size + groupIds.size === 0) return action.fail(t.pickRecipient);
    const to: BroadcastTo = toAll ? 'all' : { staffIds: [...staffIds], groupIds: [...groupIds] };
    void action.run(() => broadcasts.send({ title: title.trim(), text: text.trim(), to })).then((done) => done && onSent());
  }

  return (
    <DialogForm
      id="broadcast-title"
      title={t.newBroadcast}
      error={action.error}
      submitLabel={t.sendBroadcast}
      canSubmit={!action.busy && title.trim() !== '' && text.trim() !== ''}
      t={t}
      onClose={onClose}
      onSubmit={submit}
    >
      <label>
        {t.title}
        <input value={title} required maxLength={200} onInput={(e) => setTitle(e.currentTarget.value)} />
      </label>
      <label>
        {t.text}
        <textarea value={text} required maxLength={8000} rows={4} onInput={(e) => setText(e.currentTarget.value)} />
      </label>
      <fieldset class="recipients">
        <legend>{t.broadcastTo}</legend>
        <label class="check">
          <input type="radio" name="broadcast-to" checked={toAll} onChange={() => setToAll(true)} /> {t.toEveryone}
        </label>
        <label class="check">
          <input type="radio" name="broadcast-to" checked={!toAll} onChange={() => setToAll(false)} /> {t.toChosen}
        </label>
      </fieldset>
      {!toAll && (
        <>
          <Checklist legend={t.colleagues} filterLabel={t.filterColleagues} choices={colleagues.map((c) => ({ id: c.id, name: c.name, detail: t[c.presence] }))} chosen={staffIds} onChange={setStaffIds} />
          {groups.length > 0 && (
            <Checklist
              legend={t.groups}
              filterLabel={t.filterColleagues}
              choices={groups.map((g) => ({ id: g.conversation.id, name: g.conversation.title ?? '…', detail: t.memberCount(g.memberCount) }))}
              chosen={groupIds}
              onChange={setGroupIds}
            />
          )}
        </>
      )}
    </DialogForm>
  );
}
