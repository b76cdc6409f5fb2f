/** Group notices in the agent's language, from the message's `notice` (its `text` is English only). */
import type { Message, Notice } from '@frontdesk/protocol';
import type { Strings } from './i18n.ts';
import { previewOf } from './ui.tsx';

/** A staff member's name; undefined when unknown (no longer in the shop). */
export type NameOf = (staffId: string) => string | undefined;

export function noticeText(notice: Notice, t: Strings, nameOf: NameOf): string {
  const name = (id: string) => nameOf(id) ?? t.someone;
  const actor = notice.actorId === null ? '' : name(notice.actorId);
  const wording = t.notices[notice.code];
  return wording ? wording(actor, t.list(notice.userIds.map(name)), notice.title ?? '') : '';
}

/** A message in a chat list or a notification: the notice in words, else its text or attachment. */
export function staffPreview(message: Message, t: Strings, nameOf: NameOf): string {
  if (message.deletedAt) return t.deleted;
  if (message.notice) return noticeText(message.notice, t, nameOf) || (message.text ?? '');
  return previewOf(message);
}
