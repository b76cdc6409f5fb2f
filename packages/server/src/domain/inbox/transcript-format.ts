import { fail } from '../errors.ts';
import type { Transcript, TranscriptEntry } from './transcript.ts';

/** "6 Dec 2026, 17:05" in the reader's zone; refuses a zone Intl does not know. */
function readableTimes(timeZone: string): (at: number) => string {
  try {
    const format = new Intl.DateTimeFormat('en-GB', { timeZone, dateStyle: 'medium', timeStyle: 'short' });
    return (at) => format.format(at);
  } catch {
    return fail('VALIDATION_FAILED', `"${timeZone}" is not a known time zone.`);
  }
}

const iso = (at: number) => new Date(at).toISOString();

const size = (bytes: number) => (bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`);

/** Where an attachment's bytes are (staff sign-in needed): docs/api.md. */
export const attachmentPath = (id: string) => `/api/v1/attachments/${id}/content`;

function body(entry: TranscriptEntry): string {
  if (entry.text === null && entry.attachment === null) return '(deleted)';
  const file = entry.attachment && `[${entry.attachment.name}, ${size(entry.attachment.size)}: ${attachmentPath(entry.attachment.id)}]`;
  return [entry.text, file].filter((part) => part !== null && part !== '').join(' ');
}

function heading(t: Transcript, readable: (at: number) => string) {
  return {
    title: `Conversation with ${t.customerName} — ${t.conversation.shopName}`,
    details: [
      `Conversation: ${t.conversation.id}`,
      `Started: ${readable(t.conversation.createdAt)} (${iso(t.conversation.createdAt)})`,
      `Exported: ${readable(t.generatedAt)} (${iso(t.generatedAt)})`,
    ],
  };
}

export function transcriptText(t: Transcript, timeZone: string): string {
  const readable = readableTimes(timeZone);
  const { title, details } = heading(t, readable);
  const lines = t.entries.map((e) => `[${readable(e.at)} | ${iso(e.at)}] ${e.author}${e.internal ? ' (internal note)' : ''}: ${body(e)}`);
  return [title, ...details, '', ...lines, ''].join('\n');
}

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => escapes[c]!);

export function transcriptHtml(t: Transcript, timeZone: string): string {
  const readable = readableTimes(timeZone);
  const { title, details } = heading(t, readable);
  const rows = t.entries.map((e) => {
    const file = e.attachment && ` <a href="${escapeHtml(attachmentPath(e.attachment.id))}">${escapeHtml(e.attachment.name)}</a> (${size(e.attachment.size)})`;
    const text = e.text === null && e.attachment === null ? '<em>(deleted)</em>' : escapeHtml(e.text ?? '');
    const kind = e.internal ? ' class="internal"' : e.system ? ' class="system"' : '';
    return `<li${kind}><time datetime="${iso(e.at)}">${escapeHtml(readable(e.at))}</time> <b>${escapeHtml(e.author)}</b>${e.internal ? ' <small>(internal note)</small>' : ''}: <span>${text}</span>${file ?? ''}</li>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem}ol{list-style:none;padding:0}li{margin:.4rem 0;white-space:pre-wrap}time{color:#4b5563}.internal{background:#fef3c7}.system{color:#4b5563;font-style:italic}</style>
</head><body><h1>${escapeHtml(title)}</h1>
<p>${details.map(escapeHtml).join('<br>')}</p>
<ol>
${rows.join('\n')}
</ol></body></html>
`;
}
