/** Picking several colleagues or groups: checkboxes, with a filter once the list is long. */
import { useState } from 'preact/hooks';
import { Avatar } from './ui.tsx';

export interface Choice {
  readonly id: string;
  readonly name: string;
  /** A second, quieter line: a presence, a member count. */
  readonly detail?: string;
}

const FILTER_FROM = 8;

export function Checklist(props: { legend: string; filterLabel: string; choices: readonly Choice[]; chosen: ReadonlySet<string>; onChange: (chosen: ReadonlySet<string>) => void }) {
  const { legend, filterLabel, choices, chosen, onChange } = props;
  const [filter, setFilter] = useState('');
  const q = filter.trim().toLowerCase();
  const shown = q === '' ? choices : choices.filter((c) => c.name.toLowerCase().includes(q));
  const toggle = (id: string, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(id);
    else next.delete(id);
    onChange(next);
  };
  return (
    <fieldset class="checklist">
      <legend>{legend}</legend>
      {choices.length >= FILTER_FROM && <input type="search" placeholder={filterLabel} aria-label={filterLabel} value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />}
      <ul>
        {shown.map((c) => (
          <li key={c.id}>
            <label class="check">
              <input type="checkbox" checked={chosen.has(c.id)} onChange={(e) => toggle(c.id, e.currentTarget.checked)} />
              <Avatar id={c.id} name={c.name} />
              <span class="name">{c.name}</span>
              {c.detail && <span class="hint">{c.detail}</span>}
            </label>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}
