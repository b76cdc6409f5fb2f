/**
 * Working a conversation (docs/console.md): its priority, snoozing it until a time (presets or a
 * date and time of the agent's choosing) and downloading its transcript. The server decides and
 * tells every console (conversation events); these only ask.
 */
import { useEffect, useState } from 'preact/hooks';
import { priorities, type Conversation, type Priority } from '@frontdesk/protocol';
import { useAction } from './action.ts';
import { ApiError, apiBase, type Api } from './api.ts';
import type { Strings } from './i18n.ts';
import { Alert } from './ui.tsx';

type Preset = 'hour' | 'tonight' | 'tomorrow' | 'nextWeek';
const PRESETS: readonly Preset[] = ['hour', 'tonight', 'tomorrow', 'nextWeek'];

/** When a preset ends, in the agent's own time zone. */
export function presetTime(preset: Preset, now = new Date()): Date {
  const at = new Date(now);
  switch (preset) {
    case 'hour':
      return new Date(now.getTime() + 3_600_000);
    case 'tonight':
      at.setHours(20, 0, 0, 0);
      // Already evening: tomorrow's.
      if (at <= now) at.setDate(at.getDate() + 1);
      return at;
    case 'tomorrow':
      at.setDate(at.getDate() + 1);
      at.setHours(9, 0, 0, 0);
      return at;
    case 'nextWeek':
      at.setDate(at.getDate() + (((8 - at.getDay()) % 7) || 7));
      at.setHours(9, 0, 0, 0);
      return at;
  }
}

const patch = (api: Api, id: string, body: { priority?: Priority; snoozedUntil?: string | null }) =>
  api.call<Conversation>('PATCH', `/conversations/${encodeURIComponent(id)}`, body);

/** A small coloured mark in the inbox's rows and the pane's head; nothing for 'none'. */
export function PriorityBadge({ priority, t }: { priority: Priority | undefined; t: Strings }) {
  if (priority === undefined || priority === 'none') return null;
  return <span class={`priority-badge ${priority}`}>{t.priorities[priority]}</span>;
}

export function TriageBar({ api, conversation: given, t, onChanged }: { api: Api; conversation: Conversation; t: Strings; onChanged: () => void }) {
  const action = useAction(t);
  // The server's answer shows at once; the next conversation from the inbox (a live change) replaces it.
  const [answered, setAnswered] = useState<Conversation | null>(null);
  useEffect(() => setAnswered(null), [given]);
  const conversation = answered?.id === given.id ? answered : given;
  const [snoozing, setSnoozing] = useState(false);
  const [custom, setCustom] = useState('');
  const [notes, setNotes] = useState(false);
  const id = conversation.id;
  const open = conversation.status === 'queued' || conversation.status === 'assigned';
  const run = (body: Parameters<typeof patch>[2]) => action.run(async () => setAnswered(await patch(api, id, body))).then((ok) => ok && (setSnoozing(false), onChanged()));

  async function download(format: 'txt' | 'html') {
    await action.run(async () => {
      const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      const locale = document.documentElement.lang === 'zh-CN' ? 'zh-CN' : 'en';
      const query = new URLSearchParams({ format, locale, ...(notes && { notes: 'true' }), ...(zone && { timeZone: zone }) });
      const response = await fetch(`${apiBase}/conversations/${encodeURIComponent(id)}/transcript?${query}`, { headers: { authorization: `Bearer ${api.token}` } });
      if (!response.ok) {
        const body = (await response.json().catch(() => null)) as { error?: { code: string; message: string } } | null;
        throw new ApiError(response.status, body?.error?.code ?? `HTTP_${response.status}`, body?.error?.message ?? response.statusText);
      }
      const url = URL.createObjectURL(await response.blob());
      const link = document.createElement('a');
      link.href = url;
      link.download = `transcript-${id}.${format}`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    });
  }

  return (
    <div class="triage">
      <label class="priority-pick">
        <span>{t.priority}</span>
        <select value={conversation.priority ?? 'none'} onChange={(e) => void run({ priority: e.currentTarget.value as Priority })}>
          {priorities.map((p) => (
            <option key={p} value={p}>
              {t.priorities[p]}
            </option>
          ))}
        </select>
      </label>
      {conversation.snoozedUntil ? (
        <span class="snoozed-note">
          {t.snoozedUntil(new Date(conversation.snoozedUntil).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }))}{' '}
          <button type="button" class="small" onClick={() => void run({ snoozedUntil: null })}>
            {t.wake}
          </button>
        </span>
      ) : (
        open && (
          <button type="button" class="small" aria-expanded={snoozing} onClick={() => setSnoozing((s) => !s)}>
            {t.snooze}
          </button>
        )
      )}
      <details class="transcript-menu">
        <summary>⤓ {t.transcript}</summary>
        <div class="menu">
          <label class="check">
            <input type="checkbox" checked={notes} onChange={(e) => setNotes(e.currentTarget.checked)} /> {t.transcriptNotes}
          </label>
          <button type="button" class="small" onClick={() => void download('txt')}>
            {t.transcriptText}
          </button>
          <button type="button" class="small" onClick={() => void download('html')}>
            {t.transcriptHtml}
          </button>
        </div>
      </details>
      {snoozing && (
        <div class="snooze-menu" role="group" aria-label={t.snoozeFor} onKeyDown={(e) => e.key === 'Escape' && (e.stopPropagation(), setSnoozing(false))}>
          {PRESETS.map((p) => (
            <button type="button" class="small" key={p} onClick={() => void run({ snoozedUntil: presetTime(p).toISOString() })}>
              {t.snoozePresets[p]}
            </button>
          ))}
          <form
            onSubmit={(e) => {
              e.preventDefault();
              const at = new Date(custom);
              if (!Number.isNaN(at.getTime())) void run({ snoozedUntil: at.toISOString() });
            }}
          >
            <label>
              <span>{t.snoozeCustom}</span>
              <input type="datetime-local" value={custom} onInput={(e) => setCustom(e.currentTarget.value)} />
            </label>
            <button type="submit" class="small primary" disabled={custom === ''}>
              {t.snoozeApply}
            </button>
          </form>
        </div>
      )}
      <Alert text={action.error} />
    </div>
  );
}
