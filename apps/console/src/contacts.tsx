/**
 * Contacts (docs/contacts.md): the shop's customers, searched, filtered, sorted and paged with the
 * server's cursor; ticked rows get labels in bulk; CSV import and (owner, admin) export. A row opens
 * the contact page (contact-page.tsx).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Channel, Contact, ContactImportResult, ContactListQuery, ContactSort, Label, Staff } from '@frontdesk/protocol';
import { useAction } from './action.ts';
import type { ContactsApi } from './api-contacts.ts';
import { ContactPage } from './contact-page.tsx';
import type { Strings } from './i18n.ts';
import { channelChoices } from './inbox-filters.tsx';
import { LabelChips } from './labels.tsx';
import { Alert, Avatar, customerLabel, formatWhen, PickOne } from './ui.tsx';

const SEEN = { any: 0, day: 1, week: 7, month: 30, older: -30 } as const;
type Seen = keyof typeof SEEN;

interface Filters {
  q: string;
  labelId: string;
  channel: Channel | '';
  seen: Seen;
  optedOut: '' | 'yes' | 'no';
  sort: ContactSort;
  order: 'asc' | 'desc';
}

const initial: Filters = { q: '', labelId: '', channel: '', seen: 'any', optedOut: '', sort: 'lastSeen', order: 'desc' };

function toQuery(f: Filters): ContactListQuery {
  const days = SEEN[f.seen];
  const bound = days === 0 ? undefined : new Date(Date.now() - Math.abs(days) * 86_400_000).toISOString();
  return {
    ...(f.q.trim() && { q: f.q.trim() }),
    ...(f.labelId && { labelId: f.labelId }),
    ...(f.channel && { channel: f.channel }),
    ...(days > 0 && { seenAfter: bound }),
    ...(days < 0 && { seenBefore: bound }),
    ...(f.optedOut && { optedOut: f.optedOut === 'yes' }),
    sort: f.sort,
    order: f.order,
  };
}

interface Props {
  readonly capi: ContactsApi;
  readonly labels: readonly Label[];
  readonly me: Staff;
  readonly t: Strings;
  readonly onOpenConversation: (conversationId: string) => void;
  /** The contact in the address (/console/contacts/<id>, route.ts), and how to change it. */
  readonly contactId?: string | null;
  readonly onContact?: (id: string | null) => void;
}

export function ContactsArea({ capi, labels, me, t, onOpenConversation, contactId, onContact }: Props) {
  const [filters, setFilters] = useState<Filters>(initial);
  const [items, setItems] = useState<readonly Contact[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [ticked, setTicked] = useState<Set<string>>(new Set());
  const [bulkLabel, setBulkLabel] = useState('');
  const [imported, setImported] = useState<ContactImportResult | null>(null);
  const [ownOpenId, setOwnOpenId] = useState<string | null>(null);
  const openId = contactId !== undefined ? contactId : ownOpenId;
  const setOpenId = onContact ?? setOwnOpenId;
  const [note, setNote] = useState<string | null>(null);
  const action = useAction(t);
  const generation = useRef(0);
  const isAdmin = me.role === 'owner' || me.role === 'admin';

  async function load(more: boolean) {
    const mine = more ? generation.current : ++generation.current;
    await action.run(async () => {
      const page = await capi.contacts({ ...toQuery(filters), ...(more && cursor && { cursor }) });
      if (mine !== generation.current) return;
      setItems((list) => (more ? [...(list ?? []), ...page.items] : page.items));
      setCursor(page.nextCursor);
    });
  }
  // Typing in the search box waits a moment; the other filters apply at once.
  useEffect(() => {
    const timer = setTimeout(() => void load(false), filters.q ? 300 : 0);
    return () => clearTimeout(timer);
  }, [JSON.stringify(filters)]);

  const set = (patch: Partial<Filters>) => setFilters((f) => ({ ...f, ...patch }));
  const tick = (id: string, on: boolean) =>
    setTicked((s) => {
      const next = new Set(s);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  async function bulk(add: boolean) {
    if (!bulkLabel) return;
    const ids = [...ticked];
    const name = labels.find((l) => l.id === bulkLabel)?.name ?? '';
    if (await action.run(() => capi.bulkLabelContacts({ ids, ...(add ? { add: [bulkLabel] } : { remove: [bulkLabel] }) }))) {
      setNote(add ? t.labelAdded(name, ids.length) : t.labelRemoved(name, ids.length));
      setTicked(new Set());
      await load(false);
    }
  }
  async function importFile(file: File) {
    setImported(null);
    const text = await file.text();
    let result: ContactImportResult | null = null;
    if (await action.run(async () => (result = await capi.importContacts(text)))) {
      setImported(result);
      await load(false);
    }
  }
  async function exportAll() {
    await action.run(async () => {
      const blob = await capi.exportContacts();
      const link = document.createElement('a');
      link.href = URL.createObjectURL(blob);
      link.download = `contacts-${new Date().toISOString().slice(0, 10)}.csv`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 1000);
    });
  }

  if (openId !== null) {
    return <ContactPage capi={capi} id={openId} labels={labels} t={t} onBack={() => (setOpenId(null), void load(false))} onOpenConversation={onOpenConversation} />;
  }
  const all = items ?? [];
  const allTicked = all.length > 0 && all.every((c) => ticked.has(c.customer.id));
  return (
    <main class="contacts" aria-labelledby="contacts-title">
      <div class="contacts-head">
        <h1 id="contacts-title">{t.contacts}</h1>
        <div class="buttons">
          <label class="button">
            {t.importCsv}
            <input type="file" class="sr-only" accept=".csv,text/csv" onChange={(e) => {
              const file = e.currentTarget.files?.[0];
              e.currentTarget.value = '';
              if (file) void importFile(file);
            }} />
          </label>
          {isAdmin && (
            <button type="button" onClick={() => void exportAll()}>
              {t.exportCsv}
            </button>
          )}
        </div>
      </div>
      <p class="hint">{t.importHint}</p>
      {imported && <ImportSummary result={imported} t={t} onDone={() => setImported(null)} />}
      <div class="contact-filters">
        <input type="search" aria-label={t.searchContacts} placeholder={t.searchContacts} value={filters.q} onInput={(e) => set({ q: e.currentTarget.value })} />
        <PickOne label={t.label} none={t.any} value={filters.labelId} choices={labels} onPick={(labelId) => set({ labelId })} />
        <PickOne label={t.channel} none={t.any} value={filters.channel} choices={channelChoices(t)} onPick={(channel) => set({ channel: channel as Channel | '' })} />
        <label>
          {t.lastSeen}
          <select value={filters.seen} onChange={(e) => set({ seen: e.currentTarget.value as Seen })}>
            {(Object.keys(SEEN) as Seen[]).map((s) => (
              <option key={s} value={s}>
                {t.seenRanges[s]}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t.optedOut}
          <select value={filters.optedOut} onChange={(e) => set({ optedOut: e.currentTarget.value as Filters['optedOut'] })}>
            <option value="">{t.any}</option>
            <option value="yes">{t.yes}</option>
            <option value="no">{t.no}</option>
          </select>
        </label>
        <label>
          {t.sortBy}
          <select value={`${filters.sort}:${filters.order}`} onChange={(e) => {
            const [sort, order] = e.currentTarget.value.split(':') as [ContactSort, 'asc' | 'desc'];
            set({ sort, order });
          }}>
            {(['lastSeen:desc', 'created:desc', 'created:asc', 'name:asc', 'name:desc'] as const).map((s) => (
              <option key={s} value={s}>
                {t.sorts[s]}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div class="bulk" aria-live="polite">
        <label class="check">
          <input type="checkbox" checked={allTicked} onChange={(e) => setTicked(e.currentTarget.checked ? new Set(all.map((c) => c.customer.id)) : new Set())} />
          {ticked.size > 0 ? t.selected(ticked.size) : t.selectAll}
        </label>
        {ticked.size > 0 && (
          <>
            <PickOne bare label={t.label} none={t.pickLabel} value={bulkLabel} choices={labels} onPick={setBulkLabel} />
            <button type="button" disabled={!bulkLabel || action.busy} onClick={() => void bulk(true)}>
              {t.addLabel}
            </button>
            <button type="button" disabled={!bulkLabel || action.busy} onClick={() => void bulk(false)}>
              {t.removeLabel}
            </button>
          </>
        )}
        {note && (
          <span class="ok" role="status">
            {note}
          </span>
        )}
      </div>
      <Alert text={action.error} />
      <ul class="contact-rows">
        {items?.length === 0 && <li class="empty">{t.noContacts}</li>}
        {all.map((c) => {
          const who = customerLabel(c.customer, t.anonymous);
          return (
            <li key={c.customer.id} class={ticked.has(c.customer.id) ? 'ticked' : ''}>
              <input type="checkbox" aria-label={t.selectContact(who)} checked={ticked.has(c.customer.id)} onChange={(e) => tick(c.customer.id, e.currentTarget.checked)} />
              <button type="button" class="item" onClick={() => setOpenId(c.customer.id)}>
                <Avatar id={c.customer.id} name={who} />
                <span class="body">
                  <span class="line">
                    <strong>{who}</strong>
                    {c.lastSeenAt && <time dateTime={c.lastSeenAt} title={t.lastSeen}>{formatWhen(c.lastSeenAt)}</time>}
                  </span>
                  <span class="line meta">
                    <span class="preview">{[c.customer.email, c.customer.externalId].filter(Boolean).join(' · ')}</span>
                    <span class="channel">{t.channels[c.channel]}</span>
                    {c.optedOutAt && <span class="pill off">{t.optedOut}</span>}
                  </span>
                  <LabelChips ids={c.labelIds} labels={labels} />
                </span>
              </button>
            </li>
          );
        })}
      </ul>
      {cursor && (
        <button type="button" class="more" disabled={action.busy} onClick={() => void load(true)}>
          {t.loadMore}
        </button>
      )}
    </main>
  );
}

function ImportSummary({ result, t, onDone }: { result: ContactImportResult; t: Strings; onDone: () => void }) {
  return (
    <div class={`import-result ${result.errors.length > 0 ? 'with-errors' : ''}`} role="status">
      <p>{t.importResult(result.created, result.updated, result.errors.length)}</p>
      {result.errors.length > 0 && (
        <ul>
          {result.errors.map((e) => (
            <li key={e.line}>{t.importLine(e.line, e.message)}</li>
          ))}
        </ul>
      )}
      <button type="button" class="small" onClick={onDone}>
        {t.done}
      </button>
    </div>
  );
}
