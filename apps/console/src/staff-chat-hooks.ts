/** What a staff chat's pane follows besides its messages: the group, who read what, who is typing. */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Group, Message } from '@frontdesk/protocol';
import type { FrontdeskClient } from '@frontdesk/sdk';
import type { Api } from './api.ts';
import { without } from './timeline.ts';

const TYPING_MS = 4000;

/** A group with its members, fetched again whenever it changes (`conversation` updated or removed). */
export function useGroup(api: Api, client: FrontdeskClient, conversationId: string, isGroup: boolean): { group: Group | null; reload: () => void } {
  const [group, setGroup] = useState<Group | null>(null);
  const reload = () => void api.group(conversationId).then(setGroup, () => {});
  useEffect(() => {
    setGroup(null);
    if (!isGroup) return;
    reload();
    return client.on('conversation', (frame) => frame.conversation.id === conversationId && reload());
  }, [conversationId, isGroup]);
  return { group, reload };
}

export interface ReadState {
  readonly readerIds: ReadonlySet<string>;
  /** Members besides the sender. */
  readonly of: number;
}

/** How far back the agent's own messages get their readers fetched. */
const OWN_RECENT = 20;

/**
 * "Read by N of M" for the agent's own recent messages: each fetched once (GET …/readers), joined
 * with the `read` receipts that come while the chat is open. A member's read cursor only moves
 * forward, so a receipt counts for every message at or before its seq, including one whose readers
 * are not in yet (a receipt may overtake the fetch, or the message's own frame).
 */
export function useReaders(api: Api, client: FrontdeskClient, conversationId: string, items: readonly Message[], meId: string): ReadonlyMap<string, ReadState> {
  const [fetched, setFetched] = useState<ReadonlyMap<string, ReadState>>(new Map());
  const [cursors, setCursors] = useState<ReadonlyMap<string, number>>(new Map());
  const asked = useRef(new Set<string>());
  const own = items.filter((m) => m.senderId === meId && m.kind === 'user' && !m.deletedAt).slice(-OWN_RECENT);

  useEffect(() => {
    for (const m of own) {
      if (asked.current.has(m.id)) continue;
      asked.current.add(m.id);
      api.readers(conversationId, m.id).then(
        (r) => setFetched((all) => new Map(all).set(m.id, { readerIds: new Set(r.readerIds), of: r.of })),
        () => asked.current.delete(m.id),
      );
    }
  }, [own.map((m) => m.id).join()]);

  useEffect(
    () =>
      client.on('read', ({ conversationId: id, userId, seq }) => {
        if (id !== conversationId || userId === meId) return;
        setCursors((all) => ((all.get(userId) ?? -1) >= seq ? all : new Map(all).set(userId, seq)));
      }),
    [conversationId],
  );

  const readers = new Map<string, ReadState>();
  for (const m of own) {
    const state = fetched.get(m.id);
    if (!state) continue;
    const readerIds = new Set(state.readerIds);
    for (const [userId, seq] of cursors) if (seq >= m.seq) readerIds.add(userId);
    readers.set(m.id, { readerIds, of: state.of });
  }
  return readers;
}

/** Colleagues typing in the chat now (a typing event lasts 4 s, or until their message). */
export function useTypers(client: FrontdeskClient, conversationId: string, meId: string): string[] {
  const [until, setUntil] = useState<ReadonlyMap<string, number>>(new Map());
  useEffect(() => {
    setUntil(new Map());
    const timers = new Set<ReturnType<typeof setTimeout>>();
    const offs = [
      client.on('typing', ({ conversationId: id, userId }) => {
        if (id !== conversationId || userId === meId) return;
        setUntil((m) => new Map(m).set(userId, Date.now() + TYPING_MS));
        timers.add(setTimeout(() => setUntil((m) => ((m.get(userId) ?? 0) <= Date.now() ? without(m, userId) : m)), TYPING_MS + 50));
      }),
      client.on('message', (message) => message.conversationId === conversationId && message.senderId !== null && setUntil((m) => without(m, message.senderId!))),
    ];
    return () => {
      offs.forEach((off) => off());
      timers.forEach(clearTimeout);
    };
  }, [conversationId]);
  return [...until.keys()];
}
