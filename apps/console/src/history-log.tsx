/**
 * The scrolling message log of a conversation pane: stays at the bottom while it is there, loads
 * older pages when scrolled to the top (keeping the view still), and ends with the optimistic
 * bubbles. Rows are the caller's.
 */
import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';
import type { Message } from '@frontdesk/protocol';
import type { FrontdeskClient } from '@frontdesk/sdk';
import type { Strings } from './i18n.ts';
import type { Timeline } from './timeline.ts';
import { formatTime, Linkified, PendingState } from './ui.tsx';
import { uiLocale } from './locale.ts';

/** Messages further apart than this get a time separator (seed 000). */
const GAP_MS = 120_000;

export function HistoryLog(props: { timeline: Timeline; client: FrontdeskClient; t: Strings; footer?: ComponentChildren; children: ComponentChildren }) {
  const { timeline, client, t, footer, children } = props;
  const list = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const loading = useRef(false);

  useLayoutEffect(() => {
    if (atBottom.current && list.current) list.current.scrollTop = list.current.scrollHeight;
  }, [timeline.items.length, timeline.pending.length, footer !== undefined && footer !== false]);

  async function loadOlder(element: HTMLDivElement) {
    if (loading.current) return;
    loading.current = true;
    const before = element.scrollHeight;
    try {
      if (await timeline.loadOlder()) requestAnimationFrame(() => (element.scrollTop += element.scrollHeight - before));
    } finally {
      loading.current = false;
    }
  }

  return (
    <div
      class="history"
      ref={list}
      role="log"
      aria-live="polite"
      aria-busy={!timeline.loaded}
      onScroll={() => {
        const element = list.current!;
        atBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < 40;
        if (element.scrollTop < 60) void loadOlder(element).catch(() => {});
      }}
    >
      {children}
      {timeline.pending.map(({ pending: p, failed }) => (
        <div key={p.clientMsgId} class={`row mine ${p.visibility === 'internal' ? 'internal' : ''}`}>
          <div class="bubble">
            <Linkified text={p.text} />
            <PendingState failed={failed !== null} labels={t} onRetry={() => client.retry(p.clientMsgId)} />
          </div>
        </div>
      ))}
      {footer}
    </div>
  );
}

/** Whether a time separator goes before the message, and the separator itself. */
export function timeStamp(message: Message, previous: Message | undefined): { gap: boolean; stamp: ComponentChildren } {
  const time = Date.parse(message.createdAt);
  const prevTime = previous ? Date.parse(previous.createdAt) : 0;
  const gap = time - prevTime > GAP_MS;
  const newDay = new Date(time).toDateString() !== new Date(prevTime).toDateString();
  return { gap, stamp: gap && <p class="time">{formatTime(message.createdAt, uiLocale(), newDay)}</p> };
}
