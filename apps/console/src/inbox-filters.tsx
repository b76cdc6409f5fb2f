/**
 * The inbox's filters beside its views (label, assignee, status, channel; they combine with the view
 * and with each other) and the agent's saved views: the current view and filters kept under a name.
 */
import { useEffect, useState } from 'preact/hooks';
import { priorities, type Agent, type Channel, type InboxFilter, type Label, type Priority, type SavedView } from '@frontdesk/protocol';
import { useAction } from './action.ts';
import type { ContactsApi } from './api-contacts.ts';
import type { View } from './api.ts';
import type { Strings } from './i18n.ts';
import { Alert, focusOnAppear, PickOne } from './ui.tsx';

export const CHANNELS: Channel[] = ['web', 'api', 'goim', 'wechat', 'email'];
const STATUSES = ['queued', 'assigned', 'closed'] as const;
/**
 * What each view can hold: another status, or an assignee in the queue (nobody's) or in Mine (yours),
 * would list nothing, so the panel does not offer it.
 */
const viewStatuses: Record<View, ReadonlyArray<(typeof STATUSES)[number]>> = {
  queue: ['queued'],
  mine: ['assigned'],
  open: ['queued', 'assigned'],
  closed: ['closed'],
  snoozed: ['queued', 'assigned'],
};
const viewHasAssignees = (view: View) => view !== 'queue' && view !== 'mine';
export const channelChoices = (t: Strings) => CHANNELS.map((c) => ({ id: c, name: t.channels[c]! }));

/** The filters beyond the view; empty = the plain view. */
export type Refinement = Omit<InboxFilter, 'view'>;

export const isRefined = (r: Refinement) => Object.values(r).some((v) => v !== undefined);

interface Props {
  readonly capi: ContactsApi;
  readonly view: View;
  readonly refinement: Refinement;
  readonly labels: readonly Label[];
  readonly agents: readonly Agent[];
  readonly t: Strings;
  readonly onChange: (refinement: Refinement) => void;
  /** A saved view was picked: its view and filters apply. */
  readonly onApply: (view: View, refinement: Refinement) => void;
}

export function InboxFilters({ capi, view, refinement, labels, agents, t, onChange, onApply }: Props) {
  const [open, setOpen] = useState(isRefined(refinement));
  const [views, setViews] = useState<SavedView[]>([]);
  const [naming, setNaming] = useState<string | null>(null);
  const action = useAction(t);
  useEffect(() => void capi.views().then(setViews, () => {}), [capi]);
  const set = <K extends keyof Refinement>(key: K, value: Refinement[K] | '') => {
    const next = { ...refinement };
    if (value === '' || value === undefined) delete next[key];
    else next[key] = value as Refinement[K];
    onChange(next);
  };
  async function save(event: Event) {
    event.preventDefault();
    const name = (naming ?? '').trim();
    if (!name) return;
    let saved: SavedView | null = null;
    if (await action.run(async () => (saved = await capi.saveView({ name, filters: { view, ...refinement } })))) {
      setViews((list) => [...list, saved!]);
      setNaming(null);
    }
  }
  async function remove(saved: SavedView) {
    if (!confirm(t.deleteViewConfirm(saved.name))) return;
    if (await action.run(() => capi.deleteView(saved.id))) setViews((list) => list.filter((v) => v.id !== saved.id));
  }
  const count = Object.values(refinement).filter((v) => v !== undefined).length;
  return (
    <div class="inbox-filters">
      <div class="filter-head">
        <button type="button" class="ghost small" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
          ⚲ {t.filters}
          {count > 0 && <span class="count">{count}</span>}
        </button>
        {views.length > 0 && (
          <select
            aria-label={t.openView}
            value=""
            onChange={(e) => {
              const picked = views.find((v) => v.id === e.currentTarget.value);
              if (!picked) return;
              const { view: pickedView, ...rest } = picked.filters;
              onApply(pickedView ?? view, rest);
              setOpen(isRefined(rest));
            }}
          >
            <option value="">{t.savedViews}…</option>
            {views.map((v) => (
              <option key={v.id} value={v.id}>
                {v.name}
              </option>
            ))}
          </select>
        )}
      </div>
      {open && (
        <div class="filter-fields">
          <PickOne label={t.label} none={t.any} value={refinement.labelId ?? ''} choices={labels} onPick={(id) => set('labelId', id)} />
          <PickOne
            label={t.assignee}
            none={t.any}
            value={refinement.assigneeId ?? ''}
            choices={agents.map((a) => ({ id: a.staffId, name: a.name }))}
            disabled={!viewHasAssignees(view) && refinement.assigneeId === undefined}
            onPick={(id) => set('assigneeId', id)}
          />
          <PickOne
            label={t.statusLabel}
            none={t.any}
            value={refinement.status ?? ''}
            choices={STATUSES.map((s) => ({ id: s, name: t.status[s]!, disabled: !viewStatuses[view].includes(s) }))}
            onPick={(id) => set('status', id as Refinement['status'])}
          />
          <PickOne label={t.channel} none={t.any} value={refinement.channel ?? ''} choices={channelChoices(t)} onPick={(id) => set('channel', id as Channel)} />
          <PickOne label={t.priority} none={t.any} value={refinement.priority ?? ''} choices={priorities.map((p) => ({ id: p, name: t.priorities[p]! }))} onPick={(id) => set('priority', id as Priority)} />
          <PickOne label={t.sortBy} none={t.sorts.recent!} value={refinement.sort ?? ''} choices={[{ id: 'priority', name: t.sorts.priority! }]} onPick={(id) => set('sort', id as Refinement['sort'])} />
          <div class="buttons">
            {count > 0 && (
              <button type="button" class="small" onClick={() => onChange({})}>
                {t.clearFilters}
              </button>
            )}
            {naming === null && (
              <button type="button" class="small" onClick={() => setNaming('')}>
                {t.saveView}
              </button>
            )}
          </div>
          {naming !== null && (
            <form class="save-view" onSubmit={save} onKeyDown={(e) => e.key === 'Escape' && (e.stopPropagation(), setNaming(null))}>
              <input aria-label={t.viewName} placeholder={t.viewName} maxLength={60} value={naming} ref={focusOnAppear} onInput={(e) => setNaming(e.currentTarget.value)} />
              <button type="submit" class="primary small" disabled={naming.trim() === '' || action.busy}>
                {t.save}
              </button>
              <button type="button" class="small" onClick={() => setNaming(null)}>
                {t.cancel}
              </button>
            </form>
          )}
          {views.length > 0 && (
            <ul class="saved-views" aria-label={t.savedViews}>
              {views.map((v) => (
                <li key={v.id}>
                  <span>{v.name}</span>
                  <button type="button" class="link danger" aria-label={t.deleteView(v.name)} onClick={() => void remove(v)}>
                    ✕
                  </button>
                </li>
              ))}
            </ul>
          )}
          <Alert text={action.error} />
        </div>
      )}
    </div>
  );
}
