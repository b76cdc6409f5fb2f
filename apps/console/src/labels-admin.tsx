/** Administration → Labels (owner, admin): create, rename, recolour and delete the shop's labels. */
import { useState } from 'preact/hooks';
import type { Label } from '@frontdesk/protocol';
import { useAction } from './action.ts';
import type { ContactsApi } from './api-contacts.ts';
import type { Strings } from './i18n.ts';
import { LabelChip } from './labels.tsx';
import { Alert } from './ui.tsx';

/** A few distinct starting colours; any #rrggbb may be picked. */
const PALETTE = ['#2563eb', '#16a34a', '#dc2626', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];

interface Props {
  readonly capi: ContactsApi;
  readonly labels: readonly Label[];
  readonly t: Strings;
  /** A label was created, changed or deleted: the shop's list is loaded again. */
  readonly onChanged: () => void;
}

export function LabelsAdmin({ capi, labels, t, onChanged }: Props) {
  const action = useAction(t);
  const [name, setName] = useState('');
  const [color, setColor] = useState(PALETTE[labels.length % PALETTE.length]!);
  async function create(event: Event) {
    event.preventDefault();
    if (await action.run(() => capi.createLabel({ name: name.trim(), color }))) {
      setName('');
      setColor(PALETTE[(labels.length + 1) % PALETTE.length]!);
      onChanged();
    }
  }
  return (
    <section class="labels-admin" aria-label={t.labels}>
      <p class="hint">{t.labelsHint}</p>
      <form class="inline" onSubmit={create}>
        <label>
          {t.labelName}
          <input value={name} maxLength={50} required onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label>
          {t.labelColor}
          <input type="color" value={color} onInput={(e) => setColor(e.currentTarget.value)} />
        </label>
        <button type="submit" class="primary" disabled={action.busy || name.trim() === ''}>
          {t.createLabel}
        </button>
      </form>
      <Alert text={action.error} />
      {labels.length === 0 && <p class="hint">{t.noLabels}</p>}
      <ul class="label-rows">
        {labels.map((label) => (
          <LabelRow key={label.id} capi={capi} label={label} t={t} onChanged={onChanged} />
        ))}
      </ul>
    </section>
  );
}

function LabelRow({ capi, label, t, onChanged }: { capi: ContactsApi; label: Label; t: Strings; onChanged: () => void }) {
  const action = useAction(t);
  const [name, setName] = useState(label.name);
  const [color, setColor] = useState(label.color);
  const changed = name.trim() !== label.name || color !== label.color;
  async function save(event: Event) {
    event.preventDefault();
    const body = { ...(name.trim() !== label.name && { name: name.trim() }), ...(color !== label.color && { color }) };
    if (await action.run(() => capi.updateLabel(label.id, body))) onChanged();
  }
  async function remove() {
    if (!confirm(t.deleteLabelConfirm(label.name))) return;
    if (await action.run(() => capi.deleteLabel(label.id))) onChanged();
  }
  return (
    <li>
      <form class="inline" onSubmit={save}>
        <LabelChip label={{ ...label, name: name.trim() || label.name, color }} />
        <input aria-label={t.labelNameOf(label.name)} value={name} maxLength={50} required onInput={(e) => setName(e.currentTarget.value)} />
        <input type="color" aria-label={t.labelColorOf(label.name)} value={color} onInput={(e) => setColor(e.currentTarget.value)} />
        <button type="submit" disabled={!changed || action.busy || name.trim() === ''}>
          {t.save}
        </button>
        <button type="button" class="danger" disabled={action.busy} onClick={() => void remove()}>
          {t.delete}
        </button>
      </form>
      <Alert text={action.error} />
    </li>
  );
}
