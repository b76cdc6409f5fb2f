/**
 * Campaigns (owner, admin; docs/campaigns.md): the list with live progress, the buttons that start,
 * pause, resume and cancel, the results, and the form (campaign-form.tsx). Progress comes from the
 * socket's `campaign` frames when the server sends them, and from GET /campaigns/{id} every 2 s
 * while a campaign is moving, in case a frame was missed.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Campaign, CampaignRecipient, Label } from '@frontdesk/protocol';
import { useAction } from './action.ts';
import type { CampaignAction, ContactsApi } from './api-contacts.ts';
import { CampaignForm } from './campaign-form.tsx';
import type { Strings } from './i18n.ts';
import { Alert, formatWhen } from './ui.tsx';
import { uiLocale } from './locale.ts';

const POLL_MS = 2000;
const moving = (c: Campaign) => c.status === 'running' || c.status === 'scheduled';

interface Props {
  readonly capi: ContactsApi;
  readonly labels: readonly Label[];
  readonly t: Strings;
  /** Subscribes to live campaign changes; returns the unsubscribe. */
  readonly onLive?: (listener: (campaign: Campaign) => void) => () => void;
}

export function CampaignsArea({ capi, labels, t, onLive }: Props) {
  const [items, setItems] = useState<readonly Campaign[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [editing, setEditing] = useState<Campaign | 'new' | null>(null);
  const action = useAction(t);
  const itemsRef = useRef(items);
  itemsRef.current = items;
  const load = () =>
    action.run(async () => {
      const page = await capi.campaigns();
      setItems(page.items);
      setCursor(page.nextCursor);
    });
  useEffect(() => void load(), [capi]);
  const replace = (next: Campaign) => setItems((list) => (list?.some((c) => c.id === next.id) ? list.map((c) => (c.id === next.id ? next : c)) : [next, ...(list ?? [])]));
  useEffect(() => onLive?.(replace), [onLive]);
  // The fallback poll: only the campaigns that are moving.
  const anyMoving = (items ?? []).some(moving);
  useEffect(() => {
    if (!anyMoving) return;
    const timer = setInterval(() => {
      for (const c of (itemsRef.current ?? []).filter(moving)) capi.campaign(c.id).then(replace, () => {});
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [anyMoving]);

  if (editing !== null) {
    return (
      <CampaignForm
        capi={capi}
        labels={labels}
        t={t}
        campaign={editing === 'new' ? null : editing}
        onClose={() => setEditing(null)}
        onSaved={(saved) => {
          replace(saved);
          setEditing(null);
        }}
      />
    );
  }
  return (
    <main class="campaigns" aria-labelledby="campaigns-title">
      <div class="contacts-head">
        <h1 id="campaigns-title">{t.campaigns}</h1>
        <button type="button" class="primary" onClick={() => setEditing('new')}>
          + {t.newCampaign}
        </button>
      </div>
      <p class="hint">{t.campaignsHint}</p>
      <Alert text={action.error} />
      {items?.length === 0 && <p class="hint">{t.noCampaigns}</p>}
      <ul class="campaign-list">
        {items?.map((c) => (
          <CampaignCard key={c.id} capi={capi} campaign={c} t={t} onChanged={replace} onEdit={() => setEditing(c)} onDeleted={() => setItems((l) => l?.filter((x) => x.id !== c.id) ?? null)} />
        ))}
      </ul>
      {cursor && (
        <button
          type="button"
          class="more"
          onClick={() =>
            void action.run(async () => {
              const page = await capi.campaigns(cursor);
              setItems((l) => [...(l ?? []), ...page.items]);
              setCursor(page.nextCursor);
            })
          }
        >
          {t.loadMore}
        </button>
      )}
    </main>
  );
}

function CampaignCard(props: { capi: ContactsApi; campaign: Campaign; t: Strings; onChanged: (c: Campaign) => void; onEdit: () => void; onDeleted: () => void }) {
  const { capi, campaign: c, t, onChanged, onEdit, onDeleted } = props;
  const action = useAction(t);
  const act = async (what: CampaignAction) => {
    const confirmText = what === 'cancel' ? t.cancelCampaignConfirm(c.name) : what === 'start' && c.kind === 'one_off' ? t.startCampaignConfirm(c.name) : null;
    if (confirmText && !confirm(confirmText)) return;
    let next: Campaign | null = null;
    if (await action.run(async () => (next = await capi.campaignAction(c.id, what)))) onChanged(next!);
  };
  const remove = async () => {
    if (confirm(t.deleteCampaignConfirm(c.name)) && (await action.run(() => capi.deleteCampaign(c.id)))) onDeleted();
  };
  const editable = c.status === 'draft' || c.kind === 'ongoing';
  return (
    <li class="campaign" aria-label={c.name}>
      <div class="campaign-head">
        <strong>{c.name}</strong>
        <span class={`pill ${c.status}`}>{t.campaignStatus[c.status]}</span>
        <span class="hint">{c.kind === 'ongoing' ? t.ongoing : t.oneOff}</span>
      </div>
      <p class="campaign-text">{c.text}</p>
      {c.kind === 'one_off' ? c.status !== 'draft' && <Progress campaign={c} t={t} /> : c.trigger && <p class="hint">{t.triggerSummary(c.trigger.urlPattern, c.trigger.delaySeconds, c.trigger.businessHoursOnly)}</p>}
      {c.kind === 'one_off' && c.status === 'scheduled' && c.scheduledAt && <p class="hint">{t.scheduledFor(new Date(c.scheduledAt).toLocaleString(uiLocale()))}</p>}
      {(c.counts.sent > 0 || c.status === 'completed') && <Results campaign={c} t={t} />}
      {c.kind === 'one_off' && c.status !== 'draft' && <Recipients capi={capi} campaign={c} t={t} />}
      <div class="buttons">
        {editable && c.status !== 'cancelled' && (
          <button type="button" onClick={onEdit}>
            {t.edit}
          </button>
        )}
        {c.status === 'draft' && (
          <button type="button" class="primary" disabled={action.busy} onClick={() => void act('start')}>
            {c.kind === 'ongoing' ? t.enable : t.start}
          </button>
        )}
        {c.status === 'running' && (
          <button type="button" disabled={action.busy} onClick={() => void act('pause')}>
            {t.pause}
          </button>
        )}
        {c.status === 'paused' && (
          <button type="button" class="primary" disabled={action.busy} onClick={() => void act('resume')}>
            {t.resume}
          </button>
        )}
        {c.kind === 'one_off' && (c.status === 'running' || c.status === 'paused' || c.status === 'scheduled') && (
          <button type="button" class="danger" disabled={action.busy} onClick={() => void act('cancel')}>
            {t.cancelCampaign}
          </button>
        )}
        {(c.status === 'draft' || c.status === 'completed' || c.status === 'cancelled') && (
          <button type="button" class="danger" disabled={action.busy} onClick={() => void remove()}>
            {t.delete}
          </button>
        )}
      </div>
      <Alert text={action.error} />
    </li>
  );
}

/** Sent and failed out of the total, as a bar and in words. */
function Progress({ campaign: c, t }: { campaign: Campaign; t: Strings }) {
  const { total, sent, failed } = c.counts;
  // Recipients who opted out before their turn count as done (servers before `skipped` lack it).
  const skipped = (c.counts as { skipped?: number }).skipped ?? 0;
  const done = sent + failed + skipped;
  const percent = total === 0 ? (c.status === 'completed' ? 100 : 0) : Math.min(100, Math.floor((100 * done) / total));
  return (
    <div class="progress-wrap">
      <div class="progress" role="progressbar" aria-label={t.progress} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent} aria-valuetext={`${percent} %`}>
        <span class="bar-sent" style={{ width: `${total === 0 ? 0 : (100 * sent) / total}%` }} />
        <span class="bar-failed" style={{ width: `${total === 0 ? 0 : (100 * failed) / total}%` }} />
      </div>
      <p class="hint">
        {t.progressText(sent, total, failed, skipped)} · {percent} %{c.startedAt && ` · ${t.startedAtLabel} ${formatWhen(c.startedAt)}`}
      </p>
    </div>
  );
}

function Results({ campaign: c, t }: { campaign: Campaign; t: Strings }) {
  const figures: Array<[string, number]> = [
    [t.delivered, c.counts.sent],
    [t.readCount, c.counts.read],
    [t.replied, c.counts.replied],
    [t.optedOut, c.counts.optedOut],
  ];
  return (
    <dl class="results-tiles" aria-label={t.results}>
      {figures.map(([name, value]) => (
        <div key={name}>
          <dt>{name}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Who it went to, loaded when opened: failures say why. */
function Recipients({ capi, campaign, t }: { capi: ContactsApi; campaign: Campaign; t: Strings }) {
  const [items, setItems] = useState<readonly CampaignRecipient[] | null>(null);
  const [failed, setFailed] = useState(false);
  const load = () => capi.recipients(campaign.id).then((page) => setItems(page.items), () => setFailed(true));
  return (
    <details class="recipients" onToggle={(e) => e.currentTarget.open && void load()}>
      <summary>{t.recipients}</summary>
      {failed && <Alert text={t.error} />}
      {items?.length === 0 && <p class="hint">{t.noRecipients}</p>}
      <ul>
        {items?.map((r) => (
          <li key={r.customerId}>
            <span>{r.name ?? t.anonymous}</span> <span class={`pill ${r.status}`}>{t.recipientStatus[r.status] ?? r.status}</span>
            {r.error && <span class="reason"> {r.error}</span>}
          </li>
        ))}
      </ul>
    </details>
  );
}
