/** One contact (GET /contacts/{id}): who they are, attributes, labels, staff notes, opt-out, their conversation and inquiries. */
import { useEffect, useState } from 'preact/hooks';
import type { ContactDetails, ContactNote, Label } from '@frontdesk/protocol';
import { useAction } from './action.ts';
import type { ContactsApi } from './api-contacts.ts';
import type { Strings } from './i18n.ts';
import { LabelEditor } from './labels.tsx';
import { Alert, AttributeList, Avatar, customerLabel, focusOnAppear, formatWhen } from './ui.tsx';

interface Props {
  readonly capi: ContactsApi;
  readonly id: string;
  readonly labels: readonly Label[];
  readonly t: Strings;
  readonly onBack: () => void;
  readonly onOpenConversation: (conversationId: string) => void;
}

export function ContactPage({ capi, id, labels, t, onBack, onOpenConversation }: Props) {
  const [details, setDetails] = useState<ContactDetails | null>(null);
  const action = useAction(t);
  const reload = () => action.run(async () => setDetails(await capi.contact(id)));
  useEffect(() => void reload(), [id]);

  const back = (
    <button type="button" class="ghost" onClick={onBack}>
      ← {t.contacts}
    </button>
  );
  if (!details) {
    return (
      <main class="contacts contact-page" onKeyDown={(e) => e.key === 'Escape' && onBack()}>
        {back}
        <Alert text={action.error} />
      </main>
    );
  }
  const { contact, notes, conversation, inquiries } = details;
  const c = contact.customer;
  const who = customerLabel(c, t.anonymous);
  const attributes = Object.entries(contact.attributes);
  async function optOut(on: boolean) {
    // Ticked at once (a controlled box would spring back while the call runs); the server's answer follows.
    setDetails({ ...details!, contact: { ...contact, optedOutAt: on ? new Date().toISOString() : null } });
    await action.run(() => capi.updateContact(id, { optedOut: on }));
    await reload();
  }
  return (
    <main class="contacts contact-page" aria-labelledby="contact-title">
      {back}
      <header class="contact-head">
        <Avatar id={c.id} name={who} />
        <div>
          <h1 id="contact-title">{who}</h1>
          <p class="hint">{t.contactSince(formatWhen(contact.createdAt))}{contact.lastSeenAt && ` · ${t.lastSeen} ${formatWhen(contact.lastSeenAt)}`}</p>
        </div>
      </header>
      <Alert text={action.error} />
      <div class="contact-columns">
        <section aria-labelledby="contact-about">
          <h2 id="contact-about">{t.customer}</h2>
          <dl class="facts">
            <dt>{t.name}</dt>
            <dd>{c.name ?? '—'}</dd>
            <dt>{t.email}</dt>
            <dd>{c.email ?? '—'}</dd>
            <dt>{t.externalId}</dt>
            <dd>{c.externalId ?? '—'}</dd>
            <dt>{t.channel}</dt>
            <dd>{t.channels[contact.channel]}</dd>
            <dt>{t.language}</dt>
            <dd>{contact.locale ? t.languages[contact.locale] : '—'}</dd>
          </dl>
          <h3>{t.labels}</h3>
          <LabelEditor labels={labels} ids={contact.labelIds} t={t} onToggle={(labelId, on) => capi.labelContact(id, labelId, on)} />
          <label class="check opt-out">
            <input type="checkbox" checked={contact.optedOutAt !== null} onChange={(e) => void optOut(e.currentTarget.checked)} />
            {t.optedOutOfCampaigns}
          </label>
          {contact.optedOutAt && <p class="hint">{t.optedOutSince(formatWhen(contact.optedOutAt))}</p>}
          {attributes.length > 0 && (
            <>
              <h3>{t.attributes}</h3>
              <AttributeList attributes={attributes} className="facts" />
            </>
          )}
          <h3>{t.conversation}</h3>
          {conversation ? (
            <button type="button" onClick={() => onOpenConversation(conversation.id)}>
              {t.openConversation}
            </button>
          ) : (
            <p class="hint">{t.noConversationYet}</p>
          )}
          <h3>{t.pastInquiries}</h3>
          {inquiries.length === 0 && <p class="hint">{t.noInquiries}</p>}
          <ol class="inquiries">
            {inquiries.map((inquiry) => (
              <li key={inquiry.id}>
                <span class={`status ${inquiry.status}`}>{t.status[inquiry.status]}</span> {formatWhen(inquiry.createdAt)}
              </li>
            ))}
          </ol>
        </section>
        <Notes capi={capi} id={id} notes={notes} t={t} onChanged={() => void reload()} />
      </div>
    </main>
  );
}

function Notes({ capi, id, notes, t, onChanged }: { capi: ContactsApi; id: string; notes: readonly ContactNote[]; t: Strings; onChanged: () => void }) {
  const [draft, setDraft] = useState('');
  const [editing, setEditing] = useState<{ id: string; text: string } | null>(null);
  const action = useAction(t);
  async function add(event: Event) {
    event.preventDefault();
    if (await action.run(() => capi.addNote(id, draft.trim()))) {
      setDraft('');
      onChanged();
    }
  }
  async function saveEdit() {
    if (!editing || !editing.text.trim()) return;
    if (await action.run(() => capi.editNote(id, editing.id, editing.text.trim()))) {
      setEditing(null);
      onChanged();
    }
  }
  async function remove(note: ContactNote) {
    if (!confirm(t.deleteNoteConfirm)) return;
    if (await action.run(() => capi.deleteNote(id, note.id))) onChanged();
  }
  return (
    <section class="notes" aria-labelledby="contact-notes">
      <h2 id="contact-notes">{t.staffNotes}</h2>
      <form onSubmit={add}>
        <label>
          {t.newNote}
          <textarea rows={3} maxLength={8000} value={draft} onInput={(e) => setDraft(e.currentTarget.value)} onKeyDown={(e) => e.key === 'Enter' && (e.ctrlKey || e.metaKey) && void add(e)} />
        </label>
        <button type="submit" class="primary" disabled={!draft.trim() || action.busy}>
          {t.addNote}
        </button>
      </form>
      <Alert text={action.error} />
      {notes.length === 0 && <p class="hint">{t.noNotes}</p>}
      <ul class="note-list">
        {notes.map((note) => (
          <li key={note.id}>
            <p class="hint">
              {note.authorName} · {formatWhen(note.createdAt)}
              {note.updatedAt !== note.createdAt && ` · ${t.edited}`}
            </p>
            {editing?.id === note.id ? (
              <div class="edit-box">
                <textarea
                  aria-label={t.editNote}
                  rows={3}
                  value={editing.text}
                  ref={focusOnAppear}
                  onInput={(e) => setEditing({ id: note.id, text: e.currentTarget.value })}
                  onKeyDown={(e) => {
                    if (e.key === 'Escape') setEditing(null);
                    else if (e.key === 'Enter' && !e.shiftKey) (e.preventDefault(), void saveEdit());
                  }}
                />
                <div class="buttons">
                  <button type="button" class="primary small" onClick={() => void saveEdit()}>
                    {t.save}
                  </button>
                  <button type="button" class="small" onClick={() => setEditing(null)}>
                    {t.cancel}
                  </button>
                </div>
              </div>
            ) : (
              <>
                <p class="note-text">{note.text}</p>
                <div class="buttons">
                  <button type="button" class="link" onClick={() => setEditing({ id: note.id, text: note.text })}>
                    {t.edit}
                  </button>
                  <button type="button" class="link danger" onClick={() => void remove(note)}>
                    {t.delete}
                  </button>
                </div>
              </>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
