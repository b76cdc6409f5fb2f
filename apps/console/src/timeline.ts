/**
 * One conversation's messages as the console shows them, for customer and staff chats alike: the
 * latest page of history, then live messages, edits and deletes (`messageUpdated`), the optimistic
 * bubbles of the outbox and older pages on demand. Whatever is shown while the tab is visible is
 * marked read.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Message } from '@frontdesk/protocol';
import type { FrontdeskClient, FrontdeskError, PendingMessage } from '@frontdesk/sdk';

const PAGE = 50;

export interface PendingBubble {
  readonly pending: PendingMessage;
  readonly failed: FrontdeskError | null;
}

export interface Timeline {
  /** Stored messages in seq order. */
  readonly items: Message[];
  readonly pending: PendingBubble[];
  readonly hasMore: boolean;
  /** The first page is in. */
  readonly loaded: boolean;
  readonly failed: boolean;
  /** Fetches the page before the first item; false when there is none. */
  loadOlder(): Promise<boolean>;
  /** Puts a message as the server returned it (an edit's reply) without waiting for its frame. */
  replace(message: Message): void;
}

export function useTimeline(client: FrontdeskClient, conversationId: string, onSeen: () => void): Timeline {
  const [stored, setStored] = useState<Map<number, Message>>(new Map());
  const [pending, setPending] = useState<ReadonlyMap<string, PendingBubble>>(new Map());
  const [hasMore, setHasMore] = useState(false);
  const [loaded, setLoaded] = useState(false);
  const [failed, setFailed] = useState(false);
  const seen = useRef(onSeen);
  seen.current = onSeen;
  const put = (messages: readonly Message[]) =>
    setStored((m) => {
      const copy = new Map(m);
      for (const message of messages) copy.set(message.seq, message);
      return copy;
    });

  function markRead(message: Message | undefined) {
    if (!message) return;
    seen.current();
    void client.markRead(conversationId, message.seq).catch(() => {});
  }

  useEffect(() => {
    let stopped = false;
    client.history(conversationId, { limit: PAGE }).then(
      (page) => {
        if (stopped) return;
        setStored(new Map(page.items.map((m) => [m.seq, m] as const)));
        setHasMore(page.hasMore);
        setLoaded(true);
        markRead(page.items.at(-1));
      },
      () => setFailed(true),
    );
    const offs = [
      client.on('message', (message) => {
        if (message.conversationId !== conversationId) return;
        put([message]);
        if (message.clientMsgId) setPending((m) => without(m, message.clientMsgId!));
        if (!document.hidden) markRead(message);
      }),
      client.on('messageUpdated', (message) => message.conversationId === conversationId && put([message])),
      client.on('pending', (p) => p.conversationId === conversationId && setPending((m) => new Map(m).set(p.clientMsgId, { pending: p, failed: null }))),
      client.on('failed', ({ message, error }) => message.conversationId === conversationId && setPending((m) => new Map(m).set(message.clientMsgId, { pending: message, failed: error }))),
    ];
    const onVisible = () => !document.hidden && markRead(latest.current);
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      stopped = true;
      offs.forEach((off) => off());
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [conversationId]);

  const items = useMemo(() => [...stored.values()].sort((a, b) => a.seq - b.seq), [stored]);
  const latest = useRef<Message | undefined>(undefined);
  latest.current = items.at(-1);

  return {
    items,
    pending: useMemo(() => [...pending.values()], [pending]),
    hasMore,
    loaded,
    failed,
    async loadOlder() {
      const first = items[0];
      if (!hasMore || !first) return false;
      const page = await client.history(conversationId, { beforeSeq: first.seq, limit: PAGE });
      put(page.items);
      setHasMore(page.hasMore);
      return true;
    },
    replace: (message) => put([message]),
  };
}

/** The map without `key`: the same map when it has none (no re-render). */
export function without<K, V>(map: ReadonlyMap<K, V>, key: K): ReadonlyMap<K, V> {
  if (!map.has(key)) return map;
  const copy = new Map(map);
  copy.delete(key);
  return copy;
}
