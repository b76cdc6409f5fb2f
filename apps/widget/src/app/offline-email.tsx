import { useState } from 'preact/hooks';
import type { Strings } from './i18n.ts';

/**
 * The offline notice's question: an address to be answered at (docs/channels.md#e-mail). Replies
 * the customer has not read are e-mailed there; a customer whose site gave an address is told which.
 */
export function OfflineEmail(props: { api: string; token: string; known: string | null; t: Strings; prompt?: string; skippable?: boolean }) {
  const { api, token, known, t } = props;
  const [email, setEmail] = useState('');
  const [saved, setSaved] = useState<string | null>(known);
  const [failed, setFailed] = useState(false);
  const [skipped, setSkipped] = useState(false);
  if (skipped) return null;
  if (saved) return <p class="notice">{t.emailKnown(saved)}</p>;

  async function save(event: Event) {
    event.preventDefault();
    setFailed(false);
    const response = await fetch(`${api}/widget/profile`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ email: email.trim() }),
    }).catch(() => null);
    if (response?.ok) setSaved(email.trim());
    else setFailed(true);
  }

  return (
    <form class="offline-email" onSubmit={(event) => void save(event)}>
      <p>{props.prompt ?? t.emailAsk}</p>
      <input type="email" required maxLength={254} autoComplete="email" aria-label={t.emailLabel} placeholder={t.emailLabel} value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
      <button type="submit">{t.emailSave}</button>
      {props.skippable && (
        <button type="button" class="skip" onClick={() => setSkipped(true)}>
          {t.emailSkip}
        </button>
      )}
      {failed && (
        <span class="notice error" role="alert">
          {t.error}
        </span>
      )}
    </form>
  );
}
