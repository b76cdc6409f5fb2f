/** Small pieces the console's views share; text handling is the widget's (one escaping rule). */
import type { Customer, Message } from '@frontdesk/protocol';
import { colorOf, initialsOf } from '../../widget/src/app/text.tsx';

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
  if (new Date().toDateString() === date.toDateString()) return date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  if (age < 6 * 86_400_000) return date.toLocaleString(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit' });
  return date.toLocaleDateString(undefined, { day: 'numeric', month: 'short' });
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
