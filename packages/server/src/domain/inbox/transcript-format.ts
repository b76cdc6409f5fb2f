import type { Locale } from '@frontdesk/protocol';
import { fail } from '../errors.ts';
import type { Transcript, TranscriptEntry } from './transcript.ts';

/** The transcript's own words, in each language the console speaks. */
const words = {
  en: {
    title: (customer: string, shop: string) => `Conversation with ${customer} — ${shop}`,
    conversation: 'Conversation',
    started: 'Started',
    exported: 'Exported',
    visitor: 'Visitor',
    staff: 'Staff',
    system: 'System',
    note: '(internal note)',
    deleted: '(deleted)',
  },
  'zh-CN': {
    title: (customer: string, shop: string) => `与 ${customer} 的对话 — ${shop}`,
    conversation: '会话',
    started: '开始于',
    exported: '导出于',
    visitor: '访客',
    staff: '客服',
    system: '系统',
    note: '（内部备注）',
    deleted: '（已删除）',
  },
} satisfies Record<Locale, unknown>;

/** "6 Dec 2026, 17:05" (or "2026年12月6日 17:05") in the reader's zone; refuses a zone Intl does not know. */
function readableTimes(locale: Locale, timeZone: string): (at: number) => string {
  try {
    const format = new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : locale, { timeZone, dateStyle: 'medium', timeStyle: 'short' });
    return (at) => format.format(at);
  } catch {
    return fail('VALIDATION_FAILED', `"${timeZone}" is not a known time zone.`);
  }
}

const iso = (at: number) => new Date(at).toISOString();

const size = (bytes: number) => (bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`);

/** Where an attachment's bytes are (staff sign-in needed): docs/console.md. */
export const attachmentPath = (id: string) => `/api/v1/attachments/${id}/content`;

/** What both formats share: the words, readable times, the heading and each entry's author and text. */
function prepare(t: Transcript, locale: Locale, timeZone: string) {
  const w = words[locale];
  const readable = readableTimes(locale, timeZone);
  return {
    w,
    readable,
    title: w.title(t.customerName ?? w.visitor, t.conversation.shopName),
    details: [
      `${w.conversation}: ${t.conversation.id}`,
      `${w.started}: ${readable(t.conversation.createdAt)} (${iso(t.conversation.createdAt)})`,
      `${w.exported}: ${readable(t.generatedAt)} (${iso(t.generatedAt)})`,
    ],
    author: (e: TranscriptEntry) => e.author ?? (e.system ? w.system : e.customer ? w.visitor : w.staff),
    deleted: (e: TranscriptEntry) => e.text === null && e.attachment === null,
  };
}

export function transcriptText(t: Transcript, timeZone: string, locale: Locale = 'en'): string {
  const { w, readable, title, details, author, deleted } = prepare(t, locale, timeZone);
  const body = (e: TranscriptEntry) => {
    if (deleted(e)) return w.deleted;
    const file = e.attachment && `[${e.attachment.name}, ${size(e.attachment.size)}: ${attachmentPath(e.attachment.id)}]`;
    return [e.text, file].filter((part) => part !== null && part !== '').join(' ');
  };
  const lines = t.entries.map((e) => `[${readable(e.at)} | ${iso(e.at)}] ${author(e)}${e.internal ? ` ${w.note}` : ''}: ${body(e)}`);
  return [title, ...details, '', ...lines, ''].join('\n');
}

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => escapes[c]!);

export function transcriptHtml(t: Transcript, timeZone: string, locale: Locale = 'en'): string {
  const { w, readable, title, details, author, deleted } = prepare(t, locale, timeZone);
  const rows = t.entries.map((e) => {
    const file = e.attachment && ` <a href="${escapeHtml(attachmentPath(e.attachment.id))}">${escapeHtml(e.attachment.name)}</a> (${size(e.attachment.size)})`;
    const text = deleted(e) ? `<em>${w.deleted}</em>` : escapeHtml(e.text ?? '');
    const kind = e.internal ? ' class="internal"' : e.system ? ' class="system"' : '';
    return `<li${kind}><time datetime="${iso(e.at)}">${escapeHtml(readable(e.at))}</time> <b>${escapeHtml(author(e))}</b>${e.internal ? ` <small>${w.note}</small>` : ''}: <span>${text}</span>${file ?? ''}</li>`;
  });
  return `<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem}ol{list-style:none;padding:0}li{margin:.4rem 0;white-space:pre-wrap}time{color:#4b5563}.internal{background:#fef3c7}.system{color:#4b5563;font-style:italic}</style>
</head><body><h1>${escapeHtml(title)}</h1>
<p>${details.map(escapeHtml).join('<br>')}</p>
<ol>
${rows.join('\n')}
</ol></body></html>
`;
}
