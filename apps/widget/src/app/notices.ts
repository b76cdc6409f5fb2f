/**
 * System lines in the customer's language, from the message's `notice` (docs/routing.md#system-messages);
 * its `text` is the server's English, shown only for a code this widget does not know. Customers
 * only ever receive public lines: who joined, a transfer, an invitation, a close.
 */
import type { Message, Notice } from '@frontdesk/protocol';

type Wording = (actor: string, first: string) => string;

const en: Partial<Record<Notice['code'], Wording>> = {
  'inquiry.assigned': (_actor, first) => `${first} joined the conversation.`,
  'inquiry.transferred': (actor, first) => `${actor} transferred the conversation to ${first}.`,
  'member.invited': (actor, first) => `${actor} invited ${first} to the conversation.`,
  'inquiry.closed': (actor) => `${actor} closed the conversation.`,
};

const zh: typeof en = {
  'inquiry.assigned': (_actor, first) => `${first} 加入了对话。`,
  'inquiry.transferred': (actor, first) => `${actor} 将对话转给了 ${first}。`,
  'member.invited': (actor, first) => `${actor} 邀请 ${first} 加入了对话。`,
  'inquiry.closed': (actor) => `${actor} 结束了对话。`,
};

/** Staff ids a notice names: the widget asks who they are when it does not know one. */
export function noticeIds(notice: Notice): string[] {
  return [notice.actorId, ...notice.userIds].filter((id): id is string => id !== null);
}

/** The line as this customer reads it; `someone` stands in for a name the widget was not told. */
export function systemLine(message: Message, locale: string, names: ReadonlyMap<string, string>, someone: string): string {
  const notice = message.notice;
  const wording = notice && (/^zh\b/i.test(locale) ? zh : en)[notice.code];
  if (!notice || !wording) return message.text ?? '';
  const name = (id: string | null | undefined) => (id ? names.get(id) : undefined) ?? someone;
  return wording(name(notice.actorId), name(notice.userIds[0]));
}
