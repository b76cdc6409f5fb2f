import type { MessageRecord } from '../../domain/records.ts';

export interface ComposedEmail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export interface EmailContext {
  readonly shopName: string;
  readonly customerName: string | null;
  /** Staff names by id. */
  readonly names: ReadonlyMap<string, string>;
  /** Back to the conversation (signed, expiring). */
  readonly link: string;
  readonly unsubscribeUrl: string;
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function body(message: MessageRecord): string {
  if (message.attachment) return `${message.text ? `${message.text}\n` : ''}📎 ${message.attachment.name}`;
  return message.text ?? '';
}

function sender(message: MessageRecord, context: EmailContext): string {
  if (message.senderKind === 'customer') return context.customerName ?? 'You';
  return (message.senderId && context.names.get(message.senderId)) || context.shopName;
}

/**
 * The e-mail of a burst of replies (or a transcript): plain text and a simple HTML part, every
 * piece of text escaped. Written so that replying above the quoted part works: the reply parser
 * keeps what the customer wrote and drops the rest.
 */
export function composeEmail(kind: 'replies' | 'transcript', messages: readonly MessageRecord[], context: EmailContext): ComposedEmail {
  const subject =
    kind === 'transcript'
      ? `Your conversation with ${context.shopName}`
      : `${context.shopName}: ${messages.length === 1 ? 'a new reply' : `${messages.length} new replies`}`;
  const intro =
    kind === 'transcript'
      ? `Here is your conversation with ${context.shopName}.`
      : `${context.shopName} answered you while you were away. Reply to this e-mail to answer, or continue in the chat:`;
  const lines = messages.map((m) => `${sender(m, context)} (${new Date(m.createdAt).toUTCString()}):\n${body(m)}`);
  const text = [intro, context.link, '', ...lines.flatMap((line) => [line, '']), '—', `Stop these e-mails: ${context.unsubscribeUrl}`].join('\n');
  const html = [
    '<!doctype html><html><body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1f2328">',
    `<p>${escape(intro)}</p>`,
    `<p><a href="${escape(context.link)}">Open the conversation</a></p>`,
    ...messages.map(
      (m) =>
        `<div style="margin:12px 0;padding:8px 12px;border-left:3px solid #2563eb"><div style="font-size:13px;color:#57606a">${escape(sender(m, context))} · ${escape(new Date(m.createdAt).toUTCString())}</div><div style="white-space:pre-wrap">${escape(body(m))}</div></div>`,
    ),
    `<p style="font-size:12px;color:#57606a"><a href="${escape(context.unsubscribeUrl)}">Stop these e-mails</a></p>`,
    '</body></html>',
  ].join('');
  return { subject, text, html };
}
