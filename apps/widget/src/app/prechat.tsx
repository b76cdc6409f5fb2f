import { useState } from 'preact/hooks';
import type { Prechat } from '@frontdesk/protocol';
import type { Strings } from './i18n.ts';

/** What the visitor already told (or their site did). */
export interface Known {
  readonly name: string | null;
  readonly email: string | null;
}

/** The pre-chat fields still to ask, and whether one of them must be answered before the first message. */
export function prechatNeeds(prechat: Prechat, known: Known): { name: boolean; email: boolean; blocking: boolean } {
  const name = prechat.name !== 'off' && known.name === null;
  const email = prechat.email !== 'off' && known.email === null;
  return { name, email, blocking: (name && prechat.name === 'required') || (email && prechat.email === 'required') };
}

/**
 * The pre-chat form (docs/widget.md#pre-chat-form): name and e-mail, each asked when the shop wants
 * it and not yet known. Required fields must be filled before the chat starts (the server refuses
 * the first message otherwise); a form of optional fields only may be skipped.
 */
export function PrechatForm(props: { api: string; token: string; prechat: Prechat; known: Known; t: Strings; onSaved: (known: Known) => void; onSkip: () => void }) {
  const { api, token, prechat, known, t } = props;
  const needs = prechatNeeds(prechat, known);
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [failed, setFailed] = useState(false);

  async function save(event: Event) {
    event.preventDefault();
    setFailed(false);
    const body = { ...(needs.name && name.trim() && { name: name.trim() }), ...(needs.email && email.trim() && { email: email.trim() }) };
    if (Object.keys(body).length === 0) return props.onSkip();
    const response = await fetch(`${api}/widget/profile`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    }).catch(() => null);
    if (response?.ok) props.onSaved({ name: body.name ?? known.name, email: body.email ?? known.email });
    else setFailed(true);
  }

  const label = (text: string, required: boolean) => (required ? `${text} *` : `${text} ${t.optional}`);
  return (
    <form class="prechat" onSubmit={(event) => void save(event)} aria-label={t.prechatTitle}>
      <p>{t.prechatTitle}</p>
      {needs.name && (
        <label>
          {label(t.prechatName, prechat.name === 'required')}
          <input name="name" required={prechat.name === 'required'} maxLength={100} autoComplete="name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
      )}
      {needs.email && (
        <label>
          {label(t.emailLabel, prechat.email === 'required')}
          <input name="email" type="email" required={prechat.email === 'required'} maxLength={254} autoComplete="email" value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </label>
      )}
      <div class="actions">
        <button type="submit">{t.prechatStart}</button>
        {!needs.blocking && (
          <button type="button" class="skip" onClick={props.onSkip}>
            {t.emailSkip}
          </button>
        )}
      </div>
      {failed && (
        <span class="notice error" role="alert">
          {t.error}
        </span>
      )}
    </form>
  );
}

/** "We open again Monday 9:00": the next opening in the visitor's language and their own time zone. */
export function opensAtText(iso: string, locale: string, t: Strings): string {
  const when = new Intl.DateTimeFormat(locale, { weekday: 'long', day: 'numeric', month: 'long', hour: 'numeric', minute: '2-digit' }).format(new Date(iso));
  return t.opensAt(when);
}
