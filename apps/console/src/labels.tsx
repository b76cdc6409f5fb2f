/**
 * Labels (docs/contacts.md): coloured chips, the picker that adds and removes them, and the shop's
 * list of labels (loaded once, reloaded when an admin changes it).
 */
import { useEffect, useState } from 'preact/hooks';
import type { Label } from '@frontdesk/protocol';
import type { ContactsApi } from './api-contacts.ts';
import type { Strings } from './i18n.ts';
import { focusOnAppear } from './ui.tsx';

/** Dark or light text, whichever reads better on the label's colour (WCAG relative luminance). */
export function textOn(color: string): string {
  const hex = /^#([0-9a-f]{6})$/i.exec(color)?.[1];
  if (!hex) return '#111827';
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4);
  // Contrast with black (L+0.05)/0.05 against white 1.05/(L+0.05): equal at L ≈ 0.179.
  return luminance > 0.179 ? '#111827' : '#ffffff';
}

export function LabelChip({ label }: { label: Label }) {
  return (
    <span class="chip" style={{ background: label.color, color: textOn(label.color) }}>
      {label.name}
    </span>
  );
}

/** The labels of a conversation or contact, in the shop's order; unknown ids (deleted labels) are left out. */
export function LabelChips({ ids, labels }: { ids: readonly string[] | undefined; labels: readonly Label[] }) {
  const shown = labels.filter((l) => ids?.includes(l.id));
  if (shown.length === 0) return null;
  return (
    <span class="chips">
      {shown.map((l) => (
        <LabelChip key={l.id} label={l} />
      ))}
    </span>
  );
}

/** The shop's labels, for every view that shows or picks them. */
export function useLabels(capi: ContactsApi): { labels: Label[]; reload: () => void } {
  const [labels, setLabels] = useState<Label[]>([]);
  const reload = () => void capi.labels().then(setLabels, () => {});
  useEffect(reload, [capi]);
  return { labels, reload };
}

interface PickerProps {
  readonly labels: readonly Label[];
  readonly chosen: readonly string[];
  readonly t: Strings;
  readonly onToggle: (labelId: string, on: boolean) => void;
  readonly onClose: () => void;
}

/** Checkboxes for the shop's labels; Escape or Done closes it. */
export function LabelPicker({ labels, chosen, t, onToggle, onClose }: PickerProps) {
  return (
    <div class="picker label-picker" role="dialog" aria-label={t.labels} ref={focusOnAppear} onKeyDown={(e) => e.key === 'Escape' && (e.stopPropagation(), onClose())}>
      {labels.length === 0 && <p class="hint">{t.noLabels}</p>}
      <ul>
        {labels.map((l) => (
          <li key={l.id}>
            <label class="check">
              <input type="checkbox" checked={chosen.includes(l.id)} onChange={(e) => onToggle(l.id, e.currentTarget.checked)} />
              <LabelChip label={l} />
            </label>
          </li>
        ))}
      </ul>
      <button type="button" onClick={onClose}>
        {t.done}
      </button>
    </div>
  );
}

/** Chips and a Labels button opening the picker; changes are saved one by one as they are ticked. */
export function LabelEditor(props: { labels: readonly Label[]; ids: readonly string[]; t: Strings; onToggle: (labelId: string, on: boolean) => Promise<unknown> }) {
  const { labels, t, onToggle } = props;
  const [open, setOpen] = useState(false);
  const [ids, setIds] = useState(props.ids);
  const [failed, setFailed] = useState(false);
  useEffect(() => setIds(props.ids), [props.ids.join(',')]);
  const toggle = (labelId: string, on: boolean) => {
    setIds((current) => (on ? [...current, labelId] : current.filter((id) => id !== labelId)));
    setFailed(false);
    onToggle(labelId, on).catch(() => {
      setFailed(true);
      setIds((current) => (on ? current.filter((id) => id !== labelId) : [...current, labelId]));
    });
  };
  return (
    <div class="label-editor">
      <LabelChips ids={ids} labels={labels} />
      <button type="button" class="ghost small" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        + {t.labels}
      </button>
      {failed && (
        <span class="error" role="alert">
          {t.error}
        </span>
      )}
      {open && <LabelPicker labels={labels} chosen={ids} t={t} onToggle={toggle} onClose={() => setOpen(false)} />}
    </div>
  );
}
