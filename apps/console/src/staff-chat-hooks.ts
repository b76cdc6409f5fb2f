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
 * "Read by N of M" for the agent's own recent messages: fetched once each (GET …/readers), then
 * kept current from `read` receipts, since a member's read cursor only moves forward.
 */
export function useReaders(api: Api, client: FrontdeskClient, conversationId: string, items: readonly Message[], meId: string): ReadonlyMap<string, ReadState> {
  const [readers, setReaders] = useState<ReadonlyMap<string, ReadState>>(new Map());
  const asked = useRef(new Set<string>());
  const seqs = useRef(new Map<string, number>());
  const own = items.filter((m) => m.senderId === meId && m.kind === 'user' && !m.deletedAt).slice(-OWN_RECENT);
  for (const m of own) seqs.current.set(m.id, m.seq);

  useEffect(() => {
    for (const m of own) {
      if (asked.current.has(m.id)) continue;
      asked.current.add(m.id);
      api.readers(conversationId, m.id).then(
        (r) => setReaders((all) => new Map(all).set(m.id, { readerIds: new Set([...r.readerIds, ...(all.get(m.id)?.readerIds ?? [])]), of: r.of })),
        () => asked.current.delete(m.id),
      );
    }
  }, [own.map((m) => m.id).join()]);

  useEffect(
    () =>
      client.on('read', ({ conversationId: id, userId, seq }) => {
        if (id !== conversationId || userId === meId) return;
        setReaders((all) => {
          const next = new Map(all);
          for (const [messageId, state] of all) {
            if ((seqs.current.get(messageId) ?? Infinity) <= seq && !state.readerIds.has(userId)) next.set(messageId, { ...state, readerIds: new Set([...state.readerIds, userId]) });
          }
          return next;
        });
      }),
    [conversationId],
  );
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
