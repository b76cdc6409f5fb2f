/** The inbox's rows: a conversation in a view, and search results (customers, then messages). */
import type { Label, SearchResults as Results } from '@frontdesk/protocol';
import type { LabelledConversation } from './api-contacts.ts';
import type { Strings } from './i18n.ts';
import { LabelChips } from './labels.tsx';
import { PriorityBadge } from './triage.tsx';
import { Avatar, customerLabel, formatWhen } from './ui.tsx';

export function ConversationItem(props: { conversation: LabelledConversation; active: boolean; names: Map<string, string>; labels: readonly Label[]; t: Strings; onPick: () => void }) {
  const { conversation: c, active, names, labels, t, onPick } = props;
  const who = customerLabel(c.customer, t.anonymous);
  return (
    <button type="button" class="item" aria-current={active ? 'true' : undefined} onClick={onPick}>
      <Avatar id={c.customer?.id ?? c.id} name={who} />
      <span class="body">
        <span class="line">
          <strong>{who}</strong>
          <time dateTime={c.lastActivityAt}>{formatWhen(c.lastActivityAt)}</time>
        </span>
        <span class="line">
          <span class="preview">{c.lastMessage?.preview ?? ''}</span>
          {c.unread > 0 && (
            <span class="badge" aria-label={`${c.unread} unread`}>
              {c.unread > 99 ? '99+' : c.unread}
            </span>
          )}
        </span>
        <span class="line meta">
          <span class={`status ${c.status ?? ''}`}>{t.status[c.status ?? ''] ?? ''}</span>
          {c.channel && c.channel !== 'web' && <span class={`channel-tag ${c.channel}`}>{t.channels[c.channel] ?? c.channel}</span>}
          {c.assigneeId && <span>{names.get(c.assigneeId) ?? ''}</span>}
          <PriorityBadge priority={c.priority} t={t} />
          {c.snoozedUntil && (
            <span class="snoozed-tag">
              {t.snoozedTab} · {formatWhen(c.snoozedUntil)}
            </span>
          )}
        </span>
        <LabelChips ids={c.labelIds} labels={labels} />
      </span>
    </button>
  );
}

export function SearchResults({ results, t, onPick }: { results: Results; t: Strings; onPick: (conversationId: string) => void }) {
  return (
    <div class="results">
      <h2>{t.customers}</h2>
      <ul class="conversations">
        {results.conversations.length === 0 && <li class="empty">{t.noConversations}</li>}
        {results.conversations.map((c) => (
          <li key={c.id}>
            <button type="button" class="item" onClick={() => onPick(c.id)}>
              <Avatar id={c.customer?.id ?? c.id} name={customerLabel(c.customer, t.anonymous)} />
              <span class="body">
                <strong>{customerLabel(c.customer, t.anonymous)}</strong>
                <span class="preview">{c.customer?.email ?? c.lastMessage?.preview ?? ''}</span>
              </span>
            </button>
          </li>
        ))}
      </ul>
      <h2>{t.messages}</h2>
      <ul class="conversations">
        {results.messages.length === 0 && <li class="empty">{t.noConversations}</li>}
        {results.messages.map(({ message, conversation }) => (
          <li key={message.id}>
            <button type="button" class="item" onClick={() => onPick(conversation.id)}>
              <span class="body">
                <span class="line">
                  <strong>{customerLabel(conversation.customer, t.anonymous)}</strong>
                  <time dateTime={message.createdAt}>{formatWhen(message.createdAt)}</time>
                </span>
                <span class="preview">{message.text}</span>
              </span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
