/** Routing's lines in a service conversation, in the agent's language (i18n-notices.ts); old lines without a notice keep their text. */
import type { Message } from '@frontdesk/protocol';
import type { Strings } from './i18n.ts';

export function serviceLine(message: Message, t: Strings, names: ReadonlyMap<string, string>): string {
  const notice = message.notice;
  if (!notice) return message.text ?? '';
  // A hand-back and a disabled account share the code; the reason tells them apart.
  const key = notice.code === 'inquiry.queued' && notice.reason === 'disabled' ? 'inquiry.released' : notice.code;
  const wording = t.routingNotices[key];
  if (!wording) return message.text ?? '';
  const name = (id: string | null | undefined) => (id ? names.get(id) : undefined) ?? t.someone;
  return wording(name(notice.actorId), name(notice.userIds[0]), name(notice.userIds[1]), notice.note ?? '');
}
