import { useEffect, useState } from 'preact/hooks';
import type { ChannelFailure, ConversationChannel } from '@frontdesk/protocol';
import type { Api } from './api.ts';
import type { Strings } from './i18n.ts';
import { uiLocale } from './locale.ts';

/**
 * How replies reach a conversation's customer (GET /conversations/{id}/channel): read again when
 * the conversation's messages change (`version`), so the window, the quota and refused replies
 * follow what happened.
 */
export function useChannel(api: Api, conversationId: string, version: number) {
  const [info, setInfo] = useState<ConversationChannel | null>(null);
  const load = () => api.call<ConversationChannel>('GET', `/conversations/${encodeURIComponent(conversationId)}/channel`).then(setInfo, () => {});
  useEffect(() => setInfo(null), [conversationId]);
  useEffect(() => {
    void load();
    // A reply's fate is known a moment after it is stored: look again shortly.
    const timer = setTimeout(() => void load(), 1500);
    return () => clearTimeout(timer);
  }, [conversationId, version]);
  const failures = new Map((info?.failures ?? []).map((f) => [f.messageId, f] as const));
  return {
    info,
    failures,
    async retry(messageId: string) {
      await api.call<void>('POST', `/conversations/${encodeURIComponent(conversationId)}/messages/${encodeURIComponent(messageId)}/retry`);
      await load();
    },
  };
}

/** Why a public reply cannot be sent now (the fan unfollowed, WeChat's window or quota); null when it can. */
export function replyBlocked(info: ConversationChannel | null, t: Strings, now = Date.now()): string | null {
  if (!info || info.channel !== 'wechat') return null;
  if (info.unfollowedAt !== null) return t.unfollowed;
  if (info.windowClosesAt === null || Date.parse(info.windowClosesAt) <= now) return t.windowClosed;
  if (info.remaining === 0) return t.quotaSpent;
  return null;
}

/** The channel under the conversation's title: its name, and WeChat's window and quota. */
export function ChannelBanner({ info, t }: { info: ConversationChannel | null; t: Strings }) {
  if (!info || info.channel === 'web') return null;
  const blocked = replyBlocked(info, t);
  const closed = info.windowClosesAt === null || Date.parse(info.windowClosesAt) <= Date.now();
  const when = (iso: string) => new Date(iso).toLocaleString(uiLocale(), { dateStyle: 'short', timeStyle: 'short' });
  // The full reason stands above the composer; here, the state in a few words.
  const state = !blocked
    ? t.windowOpen(when(info.windowClosesAt!), info.remaining ?? 0)
    : info.unfollowedAt !== null
      ? t.unfollowedShort(when(info.unfollowedAt))
      : closed
        ? t.windowClosedShort
        : t.quotaSpentShort;
  return (
    <p class={`channel-banner ${info.channel} ${blocked ? 'closed' : ''}`} role="status">
      <span class={`channel-tag ${info.channel}`}>{t.channels[info.channel] ?? info.channel}</span>
      {info.channel === 'wechat' && state}
    </p>
  );
}

/** Under a reply the channel refused: why, and a way to send it again. */
export function DeliveryFailure({ failure, t, onRetry }: { failure: ChannelFailure; t: Strings; onRetry: () => void }) {
  return (
    <p class="delivery-failure" role="alert">
      {failure.status === 'retrying' ? (
        t.retrying
      ) : (
        <>
          <span title={failure.error ?? ''}>{t.notDelivered(failure.errorCode ?? '?')}</span>{' '}
          <button type="button" class="link" onClick={onRetry}>
            {t.retry}
          </button>
        </>
      )}
    </p>
  );
}
