/** Small pieces the console's views share; text handling is the widget's (one escaping rule). */
import type { Customer, Message } from '@frontdesk/protocol';
import { colorOf, initialsOf } from '../../widget/src/app/text.tsx';
import { uiLocale } from './locale.ts';

export { AttachButton, AttachmentView, PendingState } from '../../widget/src/app/media.tsx';
export { formatTime, Linkified } from '../../widget/src/app/text.tsx';

export function Avatar({ id, name }: { id: string; name: string }) {
  return (
    <span class="avatar" aria-hidden="true" style={{ background: colorOf(id) }}>
      {initialsOf(name)}
    </span>
  );
}

/** "14:05" today, "Mon 14:05" this week, "12 Mar" before. */
export function formatWhen(iso: string): string {
  const date = new Date(iso);
  const age = Date.now() - date.getTime();
  if (new Date().toDateString() === date.toDateString()) return date.toLocaleTimeString(uiLocale(), { hour: '2-digit', minute: '2-digit' });
  if (age < 6 * 86_400_000) return date.toLocaleString(uiLocale(), { weekday: 'short', hour: '2-digit', minute: '2-digit' });
  return date.toLocaleDateString(uiLocale(), { day: 'numeric', month: 'short' });
}

export function previewOf(message: Message): string {
  return (message.text ?? '') || (message.attachment ? `📎 ${message.attachment.name}` : '');
}

/** A customer's name, else their site's id, else "Visitor 3f2a" (the end of their id tells visitors apart). */
export function customerLabel(customer: Customer | null, anonymous: string): string {
  return customer?.name ?? customer?.externalId ?? `${anonymous} ${customer?.id.slice(-4) ?? ''}`.trim();
}

/** A dialog takes focus when it opens (once: not again on every render). */
export function takeFocus(element: HTMLElement | null): void {
  if (element && !element.contains(document.activeElement)) element.focus();
}

/** A menu or picker, once opened, puts focus on its first enabled button (once: typing elsewhere in it keeps focus). */
export function focusFirstButton(element: HTMLElement | null): void {
  if (element && !element.contains(document.activeElement)) element.querySelector<HTMLElement>('button:not([disabled])')?.focus();
}

/** A field that appears for the agent to type in takes focus (once: re-renders leave focus where it went). */
export function focusOnAppear(element: HTMLElement | null): void {
  const target = element?.matches('input, textarea, select') ? element : element?.querySelector<HTMLElement>('input, textarea, select');
  if (!element || !target || element.dataset.focused) return;
  element.dataset.focused = '1';
  target.focus();
}

/** What went wrong, said inline where it happened; nothing when nothing did. */
export function Alert({ text }: { text: string | null }) {
  return text ? (
    <p class="error" role="alert">
      {text}
    </p>
  ) : null;
}

/** A labelled select whose first choice ("Any", "Pick…") means none: onPick gets '' for it. */
export function PickOne(props: {
  label: string;
  none: string;
  value: string;
  /** A choice `disabled` is shown but cannot be picked (it would list nothing, say). */
  choices: ReadonlyArray<{ id: string; name: string; disabled?: boolean }>;
  onPick: (id: string) => void;
  bare?: boolean;
  disabled?: boolean;
}) {
  const { label, none, value, choices, onPick, bare, disabled } = props;
  const select = (
    <select aria-label={bare ? label : undefined} value={value} disabled={disabled} onChange={(e) => onPick(e.currentTarget.value)}>
      <option value="">{none}</option>
      {choices.map((c) => (
        <option key={c.id} value={c.id} disabled={c.disabled}>
          {c.name}
        </option>
      ))}
    </select>
  );
  return bare ? (
    select
  ) : (
    <label>
      {label}
      {select}
    </label>
  );
}

/** An attribute list: key, value. */
export function AttributeList({ attributes, className }: { attributes: ReadonlyArray<readonly [string, unknown]>; className?: string }) {
  return (
    <dl class={className}>
      {attributes.map(([key, value]) => (
        <>
          <dt>{key}</dt>
          <dd>{String(value)}</dd>
        </>
      ))}
    </dl>
  );
}

/** Figures as tiles, `[key, label, value]` each; `data-figure` names them for tests and styles. */
export function Tiles({ tiles }: { tiles: ReadonlyArray<readonly [string, string, string]> }) {
  return (
    <dl class="tiles" aria-live="polite">
      {tiles.map(([key, label, value]) => (
        <div key={key} class="tile" data-figure={key}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
