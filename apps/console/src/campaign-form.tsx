/**
 * A campaign's form: a one-off (audience, schedule, throttle, with the audience counted live as it
 * is built) or an ongoing widget campaign (URL pattern, delay, business hours). Saved as a draft;
 * the list's Start sends it.
 */
import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { AttributeCondition, Campaign, CampaignAudience, CampaignCreateBody, CampaignKind, Label, Staff } from '@frontdesk/protocol';
import { useAction } from './action.ts';
import type { ContactsApi } from './api-contacts.ts';
import type { Strings } from './i18n.ts';
import { LabelChip } from './labels.tsx';
import { Alert, focusOnAppear } from './ui.tsx';

type Mode = 'all' | 'labels' | 'list';
type Op = AttributeCondition['op'];
const OPS: Op[] = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'contains', 'exists'];
interface Condition {
  key: string;
  op: Op;
  value: string;
}

/** "42" → 42, "true" → true, else the text: attribute values keep their JSON type. */
function typed(value: string, op: Op): string | number | boolean {
  if (op === 'contains') return value;
  if (/^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  if (value === 'true' || value === 'false') return value === 'true';
  return value;
}

/** External ids from a pasted or uploaded list: one per line, or separated by commas, blanks dropped. */
export function parseIds(text: string): string[] {
  const ids = text.split(/[\r\n,;\t]+/).map((s) => s.trim().replace(/^"|"$/g, '')).filter(Boolean);
  // A CSV's header line is not an id.
  if (ids[0] && /^external_?id$/i.test(ids[0])) ids.shift();
  return [...new Set(ids)];
}

/** `<input type="datetime-local">` wants local time without a zone. */
const localInput = (iso: string) => {
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

interface Props {
  readonly capi: ContactsApi;
  readonly labels: readonly Label[];
  readonly t: Strings;
  readonly campaign: Campaign | null;
  readonly onClose: () => void;
  readonly onSaved: (campaign: Campaign) => void;
}

export function CampaignForm({ capi, labels, t, campaign, onClose, onSaved }: Props) {
  const a = campaign?.audience;
  const [kind, setKind] = useState<CampaignKind>(campaign?.kind ?? 'one_off');
  const [name, setName] = useState(campaign?.name ?? '');
  const [senderId, setSenderId] = useState(campaign?.senderId ?? '');
  const [text, setText] = useState(campaign?.text ?? '');
  const [mode, setMode] = useState<Mode>(a?.labelIds ? 'labels' : a?.externalIds ? 'list' : 'all');
  const [labelIds, setLabelIds] = useState<string[]>([...(a?.labelIds ?? [])]);
  const [idsText, setIdsText] = useState((a?.externalIds ?? []).join('\n'));
  const [conditions, setConditions] = useState<Condition[]>((a?.attributes ?? []).map((c) => ({ key: c.key, op: c.op, value: c.value === undefined ? '' : String(c.value) })));
  const [later, setLater] = useState(campaign?.scheduledAt != null);
  const [scheduledAt, setScheduledAt] = useState(campaign?.scheduledAt ? localInput(campaign.scheduledAt) : '');
  const [throttle, setThrottle] = useState(campaign?.throttlePerSecond ? String(campaign.throttlePerSecond) : '');
  const [urlPattern, setUrlPattern] = useState(campaign?.trigger?.urlPattern ?? '');
  const [delay, setDelay] = useState(String(campaign?.trigger?.delaySeconds ?? 10));
  const [businessHours, setBusinessHours] = useState(campaign?.trigger?.businessHoursOnly ?? false);
  const [staff, setStaff] = useState<Staff[]>([]);
  const [count, setCount] = useState<number | null>(null);
  const action = useAction(t);
  useEffect(() => {
    capi.staff().then((list) => {
      const active = list.filter((s) => !s.disabled);
      setStaff(active);
      setSenderId((id) => id || active[0]?.id || '');
    }, () => {});
  }, []);

  const ids = parseIds(idsText);
  const audience: CampaignAudience = {
    ...(mode === 'all' && { all: true as const }),
    ...(mode === 'labels' && labelIds.length > 0 && { labelIds }),
    ...(mode === 'list' && ids.length > 0 && { externalIds: ids }),
    ...(conditions.some((c) => c.key) && {
      attributes: conditions.filter((c) => c.key).map((c) => ({ key: c.key.trim(), op: c.op, ...(c.op !== 'exists' && { value: typed(c.value, c.op) }) })),
    }),
  };
  const audienceReady = mode === 'all' || (mode === 'labels' ? labelIds.length > 0 : ids.length > 0);
  const audienceKey = JSON.stringify(audience);
  // The count follows the audience as it is built (debounced).
  useEffect(() => {
    if (kind !== 'one_off' || !audienceReady) return setCount(null);
    let current = true;
    const timer = setTimeout(() => capi.audienceCount(audience).then((r) => current && setCount(r.count), () => current && setCount(null)), 400);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [audienceKey, kind]);

  async function save(event: Event) {
    event.preventDefault();
    const common = { name: name.trim(), senderId, text: text.trim() };
    const body: CampaignCreateBody =
      kind === 'one_off'
        ? { ...common, kind, audience, ...(later && scheduledAt && { scheduledAt: new Date(scheduledAt).toISOString() }), ...(throttle && { throttlePerSecond: Number(throttle) }) }
        : { ...common, kind, trigger: { urlPattern: urlPattern.trim(), delaySeconds: Number(delay) || 0, businessHoursOnly: businessHours } };
    let saved: Campaign | null = null;
    const { kind: _kind, ...whole } = body;
    // Past its draft, only an ongoing campaign's text and trigger may change (schemas/campaigns.ts).
    // A draft's schedule or throttle left empty is taken away, not kept.
    const patch =
      campaign && campaign.status !== 'draft'
        ? { text: whole.text, ...(whole.trigger && { trigger: whole.trigger }) }
        : { ...whole, ...(kind === 'one_off' && { scheduledAt: whole.scheduledAt ?? null, throttlePerSecond: whole.throttlePerSecond ?? null }) };
    const ok = await action.run(async () => (saved = campaign ? await capi.updateCampaign(campaign.id, patch) : await capi.createCampaign(body)));
    if (ok) onSaved(saved!);
  }

  const setCondition = (i: number, patch: Partial<Condition>) => setConditions((list) => list.map((c, j) => (j === i ? { ...c, ...patch } : c)));
  const valid = name.trim() && senderId && text.trim() && (kind === 'one_off' ? audienceReady && (!later || scheduledAt) : urlPattern.trim());
  const labelChoices = mode === 'labels' && (
<ul class="label-choices">
                  {labels.length === 0 && <li class="hint">{t.noLabels}</li>}
                  {labels.map((l) => (
                    <li key={l.id}>
                      <label class="check">
                        <input type="checkbox" checked={labelIds.includes(l.id)} onChange={(e) => setLabelIds((s) => (e.currentTarget.checked ? [...s, l.id] : s.filter((x) => x !== l.id)))} />
                        <LabelChip label={l} />
                      </label>
                    </li>
                  ))}
                </ul>
  );
  const idList = mode === 'list' && (
<>
                  <label>
                    {t.externalIdList}
                    <textarea rows={4} value={idsText} onInput={(e) => setIdsText(e.currentTarget.value)} />
                  </label>
                  <label class="button">
                    {t.uploadList}
                    <input type="file" class="sr-only" accept=".csv,.txt,text/csv,text/plain" onChange={(e) => void e.currentTarget.files?.[0]?.text().then(setIdsText)} />
                  </label>
                  <p class="hint">{t.idsCounted(ids.length)}</p>
                </>
  );
  return (
    <main class="campaigns">
      <form class="campaign-form" aria-labelledby="campaign-form-title" onSubmit={save} onKeyDown={(e) => e.key === 'Escape' && onClose()}>
        <h1 id="campaign-form-title">{campaign ? t.editCampaign : t.newCampaign}</h1>
        {!campaign && (
          <fieldset>
            <legend>{t.campaignKind}</legend>
            <label class="check">
              <input type="radio" name="kind" checked={kind === 'one_off'} onChange={() => setKind('one_off')} /> {t.oneOff}
            </label>
            <label class="check">
              <input type="radio" name="kind" checked={kind === 'ongoing'} onChange={() => setKind('ongoing')} /> {t.ongoingHint}
            </label>
          </fieldset>
        )}
        <label>
          {t.campaignName}
          <input value={name} required maxLength={100} onInput={(e) => setName(e.currentTarget.value)} ref={campaign ? undefined : focusOnAppear} />
        </label>
        <label>
          {t.sender}
          <select value={senderId} onChange={(e) => setSenderId(e.currentTarget.value)}>
            {staff.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t.messageText}
          <textarea rows={4} required maxLength={8000} value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </label>
        {kind === 'one_off' ? (
          <>
            <fieldset>
              <legend>{t.audience}</legend>
              {(['all', 'labels', 'list'] as const).map((m) => (
                <Fragment key={m}>
                  <label class="check">
                    <input type="radio" name="audience" checked={mode === m} onChange={() => setMode(m)} /> {t.audienceModes[m]}
                  </label>
                  {m === 'labels' && labelChoices}
                  {m === 'list' && idList}
                </Fragment>
              ))}
              <p class="hint">{t.conditionsHint}</p>
              {conditions.map((c, i) => (
                <div class="condition" key={i}>
                  <input aria-label={t.attributeKey} placeholder={t.attributeKey} value={c.key} onInput={(e) => setCondition(i, { key: e.currentTarget.value })} />
                  <select aria-label={t.operator} value={c.op} onChange={(e) => setCondition(i, { op: e.currentTarget.value as Op })}>
                    {OPS.map((op) => (
                      <option key={op} value={op}>
                        {t.ops[op]}
                      </option>
                    ))}
                  </select>
                  {c.op !== 'exists' && <input aria-label={t.attributeValue} placeholder={t.attributeValue} value={c.value} onInput={(e) => setCondition(i, { value: e.currentTarget.value })} />}
                  <button type="button" class="link danger" aria-label={t.removeCondition} onClick={() => setConditions((l) => l.filter((_, j) => j !== i))}>
                    ✕
                  </button>
                </div>
              ))}
              {conditions.length < 10 && (
                <button type="button" class="small" onClick={() => setConditions((l) => [...l, { key: '', op: 'eq', value: '' }])}>
                  + {t.addCondition}
                </button>
              )}
              <p class="audience-count" role="status">
                {count === null ? (audienceReady ? '…' : t.pickAudience) : t.audienceCount(count)}
              </p>
            </fieldset>
            <fieldset>
              <legend>{t.schedule}</legend>
              <label class="check">
                <input type="radio" name="when" checked={!later} onChange={() => setLater(false)} /> {t.whenStarted}
              </label>
              <label class="check">
                <input type="radio" name="when" checked={later} onChange={() => setLater(true)} /> {t.atTime}
              </label>
              {later && <input type="datetime-local" aria-label={t.atTime} value={scheduledAt} onInput={(e) => setScheduledAt(e.currentTarget.value)} />}
            </fieldset>
            <label>
              {t.throttle}
              <input type="number" min={1} max={100000} placeholder={t.unthrottled} value={throttle} onInput={(e) => setThrottle(e.currentTarget.value)} />
            </label>
          </>
        ) : (
          <>
            <label>
              {t.urlPattern}
              <input value={urlPattern} required maxLength={500} placeholder="https://shop.example/checkout*" onInput={(e) => setUrlPattern(e.currentTarget.value)} />
            </label>
            <label>
              {t.delaySeconds}
              <input type="number" min={0} max={3600} value={delay} onInput={(e) => setDelay(e.currentTarget.value)} />
            </label>
            <label class="check">
              <input type="checkbox" checked={businessHours} onChange={(e) => setBusinessHours(e.currentTarget.checked)} /> {t.businessHoursOnly}
            </label>
          </>
        )}
        <Alert text={action.error} />
        <div class="buttons">
          <button type="submit" class="primary" disabled={!valid || action.busy}>
            {campaign && campaign.status !== 'draft' ? t.save : t.saveDraft}
          </button>
          <button type="button" onClick={onClose}>
            {t.cancel}
          </button>
        </div>
      </form>
    </main>
  );
}
