import type { Locale } from '@frontdesk/protocol';
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
  /** The customer's language (their widget's), else English. */
  readonly locale: Locale;
  /** The shop's time zone (its business hours'), else UTC: times are written in it. */
  readonly timeZone: string;
}

/** The e-mails' own words, in each language Frontdesk writes. */
const words = {
  en: {
    you: 'You',
    repliesSubject: (shop: string, count: number) => `${shop}: ${count === 1 ? 'a new reply' : `${count} new replies`}`,
    transcriptSubject: (shop: string) => `Your conversation with ${shop}`,
    repliesIntro: (shop: string) => `${shop} answered you while you were away. Reply to this e-mail to answer, or continue in the chat:`,
    transcriptIntro: (shop: string) => `Here is your conversation with ${shop}.`,
    open: 'Open the conversation',
    stop: 'Stop these e-mails',
    stopAt: (url: string) => `Stop these e-mails: ${url}`,
  },
  'zh-CN': {
    you: '您',
    repliesSubject: (shop: string, count: number) => `${shop}：${count === 1 ? '有一条新回复' : `有 ${count} 条新回复`}`,
    transcriptSubject: (shop: string) => `您与 ${shop} 的对话`,
    repliesIntro: (shop: string) => `您离开期间，${shop} 回复了您。直接回复这封邮件即可作答，也可以回到对话中继续：`,
    transcriptIntro: (shop: string) => `以下是您与 ${shop} 的对话记录。`,
    open: '打开对话',
    stop: '不再接收这些邮件',
    stopAt: (url: string) => `不再接收这些邮件：${url}`,
  },
} satisfies Record<Locale, unknown>;

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** "7 Dec 2026, 17:05 GMT+8" (or "2026年12月7日 17:05 GMT+8"): in the shop's zone, which it names. */
function timeWriter(locale: Locale, timeZone: string): (at: number) => string {
  const tag = locale === 'en' ? 'en-GB' : locale;
  const formats = (zone: string) => ({
    time: new Intl.DateTimeFormat(tag, { timeZone: zone, year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
    zone: new Intl.DateTimeFormat('en-GB', { timeZone: zone, timeZoneName: 'short' }),
  });
  let f: ReturnType<typeof formats>;
  try {
    f = formats(timeZone);
  } catch {
    // A zone this runtime no longer knows: UTC rather than no e-mail.
    f = formats('UTC');
  }
  return (at) => `${f.time.format(at)} ${f.zone.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? ''}`.trim();
}

function body(message: MessageRecord): string {
  if (message.attachment) return `${message.text ? `${message.text}\n` : ''}📎 ${message.attachment.name}`;
  return message.text ?? '';
}

/**
 * The e-mail of a burst of replies (or a transcript) in the customer's language: plain text and a
 * simple HTML part, every piece of text escaped. Written so that replying above the quoted part
 * works: the reply parser keeps what the customer wrote and drops the rest.
 */
export function composeEmail(kind: 'replies' | 'transcript', messages: readonly MessageRecord[], context: EmailContext): ComposedEmail {
  const w = words[context.locale];
  const time = timeWriter(context.locale, context.timeZone);
  const sender = (m: MessageRecord) =>
    m.senderKind === 'customer' ? (context.customerName ?? w.you) : (m.senderId && context.names.get(m.senderId)) || context.shopName;
  const subject = kind === 'transcript' ? w.transcriptSubject(context.shopName) : w.repliesSubject(context.shopName, messages.length);
  const intro = kind === 'transcript' ? w.transcriptIntro(context.shopName) : w.repliesIntro(context.shopName);
  const lines = messages.map((m) => `${sender(m)} (${time(m.createdAt)}):\n${body(m)}`);
  const text = [intro, context.link, '', ...lines.flatMap((line) => [line, '']), '—', w.stopAt(context.unsubscribeUrl)].join('\n');
  const html = [
    `<!doctype html><html lang="${context.locale}"><body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1f2328">`,
    `<p>${escape(intro)}</p>`,
    `<p><a href="${escape(context.link)}">${escape(w.open)}</a></p>`,
    ...messages.map(
      (m) =>
        `<div style="margin:12px 0;padding:8px 12px;border-left:3px solid #2563eb"><div style="font-size:13px;color:#57606a">${escape(sender(m))} · ${escape(time(m.createdAt))}</div><div style="white-space:pre-wrap">${escape(body(m))}</div></div>`,
    ),
    `<p style="font-size:12px;color:#57606a"><a href="${escape(context.unsubscribeUrl)}">${escape(w.stop)}</a></p>`,
    '</body></html>',
  ].join('');
  return { subject, text, html };
}
