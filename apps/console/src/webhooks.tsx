/** Administration → Webhooks (owner, admin): the shop's endpoints, their delivery logs (docs/webhooks.md). */
import { useEffect, useRef, useState } from 'preact/hooks';
import { webhookEvents, type CreatedWebhook, type Webhook, type WebhookDelivery } from '@frontdesk/protocol';
import { ApiError, type Api } from './api.ts';
import type { Strings } from './i18n.ts';
import { errorText } from './i18n-errors.ts';
import { copyText } from './copy.ts';
import { uiLocale } from './locale.ts';

/** The API's error in the admin's language when we know its code (a refused URL keeps the server's reason), else the server's message. */
function messageOf(e: unknown, t: Strings): string {
  if (!(e instanceof ApiError)) return t.error;
  const text = t.webhookErrors[e.code];
  if (!text) return errorText(e, t);
  return e.code === 'WEBHOOK_URL_REFUSED' ? `${text}（${e.message}）` : text;
}

function when(iso: string | null): string {
  return iso === null ? '—' : new Date(iso).toLocaleString(uiLocale(), { dateStyle: 'short', timeStyle: 'medium' });
}

function Outcome({ outcome }: { outcome: { ok: boolean; text: string } | null }) {
  if (!outcome) return null;
  return (
    <p class={outcome.ok ? 'ok' : 'error'} role={outcome.ok ? 'status' : 'alert'}>
      {outcome.text}
    </p>
  );
}

export function WebhooksAdmin({ api, t }: { api: Api; t: Strings }) {
  const [items, setItems] = useState<Webhook[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [created, setCreated] = useState<CreatedWebhook | null>(null);
  const reload = () =>
    api.webhooks().then(
      (list) => {
        setItems(list);
        setLoadError(null);
      },
      (e: unknown) => setLoadError(messageOf(e, t)),
    );
  useEffect(() => void reload(), []);
  const replace = (next: Webhook) => setItems((list) => list?.map((w) => (w.id === next.id ? next : w)) ?? null);
  return (
    <section class="webhooks" aria-label={t.webhooks}>
      <p class="hint">{t.webhooksHint}</p>
      {created && <SecretOnce label={t.signingSecret} about={created.url} secret={created.secret} note={t.secretOnce} t={t} onDone={() => setCreated(null)} />}
      <h2>{t.endpoints}</h2>
      {loadError && (
        <p class="error" role="alert">
          {loadError}
        </p>
      )}
      {items?.length === 0 && <p class="hint">{t.noWebhooks}</p>}
      <ul class="endpoints">
        {items?.map((w) => (
          <Endpoint
            key={w.id}
            api={api}
            webhook={w}
            t={t}
            onChanged={replace}
            onDeleted={() => {
              setItems((list) => list?.filter((x) => x.id !== w.id) ?? null);
              if (created?.id === w.id) setCreated(null);
            }}
          />
        ))}
      </ul>
      <CreateEndpoint
        api={api}
        t={t}
        onCreated={(webhook) => {
          setCreated(webhook);
          void reload();
        }}
      />
    </section>
  );
}

function CreateEndpoint({ api, t, onCreated }: { api: Api; t: Strings; onCreated: (webhook: CreatedWebhook) => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(event: Event) {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const events = webhookEvents.filter((name) => data.get(`event:${name}`) !== null);
    if (events.length === 0) {
      setError(t.pickEvent);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const webhook = await api.createWebhook({ url: String(data.get('url')).trim(), events, includeInternal: data.get('includeInternal') !== null });
      form.reset();
      onCreated(webhook);
    } catch (e) {
      setError(messageOf(e, t));
    } finally {
      setBusy(false);
    }
  }
  return (
    <form class="webhook-form" onSubmit={submit} aria-labelledby="new-endpoint">
      <h2 id="new-endpoint">{t.newEndpoint}</h2>
      <label>
        {t.endpointUrl}
        <input name="url" type="url" required maxLength={2000} placeholder="https://example.com/frontdesk" autocomplete="off" spellcheck={false} />
      </label>
      <fieldset>
        <legend>{t.events}</legend>
        <div class="event-choices">
          {webhookEvents.map((name) => (
            <label key={name} class="check">
              <input type="checkbox" name={`event:${name}`} /> <code>{name}</code>
            </label>
          ))}
        </div>
      </fieldset>
      <label class="check">
        <input type="checkbox" name="includeInternal" /> {t.includeInternal}
      </label>
      <div>
        <button type="submit" class="primary" disabled={busy}>
          {t.addEndpoint}
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

/** The generated secret, this once: a read-only field to select or copy. */
/** A secret shown this once (a webhook's signing secret, an API key), with a copy button. */
export function SecretOnce({ label, about, secret, note, t, onDone }: { label: string; about: string; secret: string; note: string; t: Strings; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  const field = useRef<HTMLInputElement>(null);
  return (
    <div class="secret-once" role="region" aria-labelledby="secret-once-label">
      <label id="secret-once-label" for="secret-once">
        {label} <span class="url">{about}</span>
      </label>
      <div class="secret-row">
        <input id="secret-once" ref={field} readOnly value={secret} spellcheck={false} onFocus={(e) => e.currentTarget.select()} />
        <button
          type="button"
          class="primary"
          onClick={() =>
            void copyText(secret, field.current).then((done) => {
              if (!done) return;
              setCopied(true);
              setTimeout(() => setCopied(false), 2000);
            })
          }
        >
          {copied ? t.copied : t.copy}
        </button>
      </div>
      <p>{note}</p>
      <button type="button" onClick={onDone}>
        {t.done}
      </button>
    </div>
  );
}

function Endpoint({ api, webhook: w, t, onChanged, onDeleted }: { api: Api; webhook: Webhook; t: Strings; onChanged: (w: Webhook) => void; onDeleted: () => void }) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setOutcome(null);
    try {
      await action();
    } catch (e) {
      setOutcome({ ok: false, text: messageOf(e, t) });
    } finally {
      setBusy(false);
    }
  };
  const logId = `deliveries-${w.id}`;
  return (
    <li class={`endpoint${w.active ? '' : ' off'}`}>
      <div class="endpoint-head">
        <code class="url">{w.url}</code>
        <span class={`pill ${w.active ? 'on' : 'off'}`}>{w.active ? t.active : t.inactive}</span>
      </div>
      {!w.active && w.disabledReason && <p class="reason">{w.disabledReason}</p>}
      {w.failingSince && <p class="failing">⚠ {t.failingSince(when(w.failingSince))}</p>}
      <ul class="event-tags" aria-label={t.events}>
        {w.events.map((name) => (
          <li key={name}>
            <code>{name}</code>
          </li>
        ))}
        {w.includeInternal && <li class="internal-tag">{t.includesInternal}</li>}
      </ul>
      <div class="actions">
        <button type="button" aria-expanded={open} aria-controls={logId} onClick={() => setOpen((o) => !o)}>
          {open ? t.hideDeliveries : t.deliveries}
        </button>
        <button type="button" disabled={busy} onClick={() => void run(async () => onChanged(await api.updateWebhook(w.id, { active: !w.active })))}>
          {w.active ? t.disable : t.enable}
        </button>
        <button
          type="button"
          class="danger"
          disabled={busy}
          onClick={() => {
            if (!confirm(t.deleteConfirm(w.url))) return;
            void run(async () => {
              await api.deleteWebhook(w.id);
              onDeleted();
            });
          }}
        >
          {t.delete}
        </button>
      </div>
      <Outcome outcome={outcome} />
      {open && <Deliveries id={logId} api={api} webhookId={w.id} t={t} />}
    </li>
  );
}

function Deliveries({ id, api, webhookId, t }: { id: string; api: Api; webhookId: string; t: Strings }) {
  const [items, setItems] = useState<WebhookDelivery[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const load = async (more = false) => {
    try {
      const page = await api.deliveries(webhookId, more ? cursor : null);
      setItems((list) => (more ? [...(list ?? []), ...page.items] : page.items));
      setCursor(page.nextCursor);
    } catch (e) {
      setOutcome({ ok: false, text: messageOf(e, t) });
    }
  };
  useEffect(() => void load(), [webhookId]);
  async function redeliver(delivery: WebhookDelivery) {
    setOutcome(null);
    try {
      await api.redeliver(webhookId, delivery.id);
      setOutcome({ ok: true, text: t.redelivered });
      setTimeout(() => void load(), 1500);
    } catch (e) {
      setOutcome({ ok: false, text: messageOf(e, t) });
    }
  }
  return (
    <div class="deliveries" id={id}>
      <div class="deliveries-head">
        <h3>{t.deliveries}</h3>
        <button type="button" class="ghost" onClick={() => void load()}>
          ↻ {t.refresh}
        </button>
      </div>
      <Outcome outcome={outcome} />
      {items?.length === 0 && <p class="hint">{t.noDeliveries}</p>}
      {items && items.length > 0 && (
        <div class="scroll" tabIndex={0} role="region" aria-label={t.deliveries}>
          <table class="grid log">
            <thead>
              <tr>
                <th>{t.event}</th>
                <th>{t.statusColumn}</th>
                <th>{t.attempts}</th>
                <th>{t.response}</th>
                <th>{t.errorColumn}</th>
                <th>{t.created}</th>
                <th>{t.lastAttempt}</th>
                <th>{t.deliveredOrNext}</th>
                <th>
                  <span class="sr-only">{t.redeliver}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((d) => (
                <tr key={d.id} class={`delivery ${d.status}`}>
                  <td data-label={t.event}>
                    <code>{d.event}</code>
                  </td>
                  <td data-label={t.statusColumn}>
                    <span class={`pill ${d.status}`}>{t.deliveryStatus[d.status] ?? d.status}</span>
                  </td>
                  <td class="num" data-label={t.attempts}>{d.attempts}</td>
                  <td class="num" data-label={t.response}>{d.responseStatus ?? '—'}</td>
                  <td class="err" data-label={t.errorColumn}>{d.error ?? '—'}</td>
                  <td data-label={t.created} title={d.createdAt}>{when(d.createdAt)}</td>
                  <td data-label={t.lastAttempt} title={d.lastAttemptAt ?? ''}>{when(d.lastAttemptAt)}</td>
                  <td data-label={t.deliveredOrNext}>{d.deliveredAt ? when(d.deliveredAt) : d.nextAttemptAt ? t.next(when(d.nextAttemptAt)) : '—'}</td>
                  <td class="redeliver">
                    <button type="button" onClick={() => void redeliver(d)}>
                      {t.redeliver}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor && (
        <button type="button" onClick={() => void load(true)}>
          {t.loadMore}
        </button>
      )}
    </div>
  );
}
