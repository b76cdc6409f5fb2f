/** The rows of the conversation (stored, sending, uploading) and a platform customer's list of shops. */
import type { Conversation, Message } from '@frontdesk/protocol';
import type { FrontdeskClient, FrontdeskError, PendingMessage } from '@frontdesk/sdk';
import { gapMs } from './context.ts';
import type { Strings } from './i18n.ts';
import { AttachmentView, PendingState } from './media.tsx';
import { systemLine } from './notices.ts';
import { colorOf, formatTime, initialsOf, Linkified } from './text.tsx';

export type Item =
  | { readonly kind: 'stored'; readonly message: Message }
  | { readonly kind: 'pending'; readonly pending: PendingMessage; readonly failed: FrontdeskError | null }
  | { readonly kind: 'uploading'; readonly id: string; readonly name: string; readonly preview: string | null; readonly progress: number; readonly error: string | null };

export function keyOf(item: Item): string {
  if (item.kind === 'stored') return item.message.clientMsgId ?? `seq-${item.message.seq}`;
  if (item.kind === 'pending') return item.pending.clientMsgId;
  return item.id;
}

export function Row(props: {
  item: Item;
  previous: Item | undefined;
  me: string;
  theirReadSeq: number;
  t: Strings;
  locale: string;
  client: FrontdeskClient | null;
  names: ReadonlyMap<string, string>;
  onDismiss: (uploadId: string) => void;
}) {
  const { item, previous, me, theirReadSeq, t, locale, client, names, onDismiss } = props;
  if (item.kind === 'uploading') {
    // A refused upload never looks sent: a failed bubble with the reason, until dismissed.
    return (
      <div class={`row mine ${item.error === null ? '' : 'refused'}`}>
        <div class={`bubble ${item.error === null ? '' : 'failed'}`}>
          {item.preview ? <img class="preview" src={item.preview} alt={item.name} /> : <span>{item.name}</span>}
          {item.error === null ? (
            <span class="meta">{t.uploading(item.progress)}</span>
          ) : (
            <span class="meta" role="alert">
              {t.notSent(item.error)} ·{' '}
              <button type="button" class="link" onClick={() => onDismiss(item.id)}>
                {t.dismiss}
              </button>
            </span>
          )}
        </div>
      </div>
    );
  }
  if (item.kind === 'pending') {
    return (
      <div class="row mine">
        <div class="bubble">
          <Linkified text={item.pending.text} />
          <PendingState failed={item.failed !== null} labels={t} onRetry={() => client?.retry(item.pending.clientMsgId)} />
        </div>
      </div>
    );
  }
  const message = item.message;
  const time = Date.parse(message.createdAt);
  const prevTime = previous?.kind === 'stored' ? Date.parse(previous.message.createdAt) : 0;
  const separator = time - prevTime > gapMs;
  const newDay = new Date(time).toDateString() !== new Date(prevTime).toDateString();
  if (message.kind === 'system') {
    return (
      <>
        {separator && <p class="time">{formatTime(message.createdAt, locale, newDay)}</p>}
        <p class="notice">{systemLine(message, locale, names, t.agent)}</p>
      </>
    );
  }
  const mine = message.senderId === me;
  const name = (message.senderId !== null && names.get(message.senderId)) || t.agent;
  // A run of messages from one person shows their name once, at its start.
  const sameSender = !separator && previous?.kind === 'stored' && previous.message.kind === 'user' && previous.message.senderId === message.senderId;
  return (
    <>
      {separator && <p class="time">{formatTime(message.createdAt, locale, newDay)}</p>}
      {!mine && !sameSender && <p class="sender">{name}</p>}
      <div class={mine ? 'row mine' : 'row theirs'}>
        {!mine && (
          <span class="avatar" aria-hidden="true" style={{ background: colorOf(message.senderId ?? '') }}>
            {initialsOf(name)}
          </span>
        )}
        <div class="bubble">
          <span class="sr-only">{mine ? t.you : name}: </span>
          {message.attachment && <AttachmentView attachment={message.attachment} client={client} />}
          {message.text && <Linkified text={message.text} />}
          {mine && <span class="meta">{message.seq <= theirReadSeq ? t.read : t.sent}</span>}
        </div>
      </div>
    </>
  );
}

/** A platform customer's conversations with every shop, most recent first. */
export function ShopList(props: { items: Conversation[]; active: string; t: Strings; locale: string; onPick: (c: Conversation) => void }) {
  const { items, active, t, locale, onPick } = props;
  if (items.length === 0) return <p class="notice">{t.noChats}</p>;
  return (
    <ul class="shops">
      {items.map((c) => (
        <li key={c.id}>
          <button type="button" aria-current={c.id === active ? 'true' : undefined} onClick={() => onPick(c)}>
            <span class="avatar" aria-hidden="true" style={{ background: colorOf(c.shopId) }}>
              {initialsOf(c.shopName)}
            </span>
            <span class="shop">
              <span class="line">
                <strong>{c.shopName}</strong>
                {c.lastMessage && <time>{formatTime(c.lastMessage.at, locale, new Date(c.lastMessage.at).toDateString() !== new Date().toDateString())}</time>}
              </span>
              <span class="line">
                <span class="preview">{c.lastMessage?.preview ?? ''}</span>
                {c.unread > 0 && (
                  <span class="count" aria-label={t.unreadCount(c.unread)}>
                    {c.unread > 99 ? '99+' : c.unread}
                  </span>
                )}
              </span>
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}
