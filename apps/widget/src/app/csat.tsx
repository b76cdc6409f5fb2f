import { useEffect, useState } from 'preact/hooks';
import type { CsatPrompt, CsatRating } from '@frontdesk/protocol';
import type { Strings } from './i18n.ts';

/**
 * After a close, the shop's question: a rating of 1–5 and an optional comment (docs/api.md#customer-satisfaction-csat).
 * What to ask comes from the server, so a reload asks again until it is answered; an answer may be
 * changed while the server allows it. `refresh` changes when the conversation moved (closed, reopened).
 */
export function Csat({ api, token, t, refresh }: { api: string; token: string; t: Strings; refresh: number }) {
  const [prompt, setPrompt] = useState<CsatPrompt | null>(null);
  const [rating, setRating] = useState(0);
  const [comment, setComment] = useState('');
  const [editing, setEditing] = useState(false);
  const [failed, setFailed] = useState(false);
  const headers = { authorization: `Bearer ${token}` };

  useEffect(() => {
    let current = true;
    fetch(`${api}/widget/csat`, { headers })
      .then((r) => (r.ok ? (r.json() as Promise<CsatPrompt>) : null))
      .then((next) => current && next && (setPrompt(next), setEditing(false)), () => {});
    return () => void (current = false);
  }, [token, refresh]);

  if (!prompt?.ask || prompt.inquiryId === null) return null;
  const given = prompt.rating;
  if (given && !editing) {
    return (
      <p class="csat thanks" role="status">
        {t.csatThanks}{' '}
        <button
          type="button"
          class="link"
          onClick={() => {
            setRating(given.rating);
            setComment(given.comment ?? '');
            setEditing(true);
          }}
        >
          {t.csatChange}
        </button>
      </p>
    );
  }

  async function submit(event: Event) {
    event.preventDefault();
    if (rating === 0 || !prompt?.inquiryId) return;
    setFailed(false);
    const response = await fetch(`${api}/widget/csat`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ inquiryId: prompt.inquiryId, rating, ...(comment.trim() && { comment: comment.trim() }) }),
    }).catch(() => null);
    if (!response?.ok) return setFailed(true);
    const saved = (await response.json()) as CsatRating;
    setPrompt({ ...prompt, rating: saved });
    setEditing(false);
  }

  return (
    <form class="csat" onSubmit={(event) => void submit(event)}>
      <fieldset>
        <legend>{t.csatAsk}</legend>
        <div class="stars">
          {[1, 2, 3, 4, 5].map((n) => (
            <label key={n} class={n <= rating ? 'on' : undefined}>
              <input type="radio" name="csat-rating" class="sr-only" value={n} checked={rating === n} onChange={() => setRating(n)} />
              <span aria-hidden="true">★</span>
              <span class="sr-only">{t.csatScale(n)}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <textarea rows={2} maxLength={1000} aria-label={t.csatComment} placeholder={t.csatComment} value={comment} onInput={(e) => setComment(e.currentTarget.value)} />
      <button type="submit" disabled={rating === 0}>
        {t.csatSend}
      </button>
      {failed && (
        <span class="notice error" role="alert">
          {t.error}
        </span>
      )}
    </form>
  );
}
