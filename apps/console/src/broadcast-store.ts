/**
 * Broadcasts for the whole session (docs/staff-chat.md): the list (unread first) fetched at
 * sign-in, so one sent while the agent was away is shown then; new ones from the socket; and the
 * banner that shows the latest unread one until it is read or dismissed.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Broadcast, BroadcastBody } from '@frontdesk/protocol';
import type { FrontdeskClient } from '@frontdesk/sdk';
import type { Api } from './api.ts';

export interface Broadcasts {
  /** Unread first, then newest. */
  readonly items: readonly Broadcast[];
  readonly unread: number;
  /** The broadcast the banner shows; null when there is none to show. */
  readonly banner: Broadcast | null;
  markRead(id: string): Promise<void>;
  dismiss(): void;
  send(body: BroadcastBody): Promise<Broadcast>;
}

/** `arrived` runs for each broadcast the socket brings from someone else (sound, title, desktop notification). */
export function useBroadcasts(api: Api, client: FrontdeskClient | null, meId: string | null, arrived: (broadcast: Broadcast) => void): Broadcasts {
  const [items, setItems] = useState<readonly Broadcast[]>([]);
  const [banner, setBanner] = useState<Broadcast | null>(null);
  const onArrival = useRef(arrived);
  onArrival.current = arrived;

  useEffect(() => {
    if (!client) return;
    api.broadcasts().then((list) => {
      setItems((now) => merge(now, list.items));
      setBanner((shown) => shown ?? list.items.find((b) => b.readAt === null && b.senderId !== meId) ?? null);
    }, () => {});
    return client.on('broadcast', ({ broadcast }) => {
      setItems((now) => merge(now, [broadcast]));
      if (broadcast.senderId === meId) return;
      setBanner(broadcast);
      onArrival.current(broadcast);
    });
  }, [client]);

  return {
    items,
    unread: items.filter((b) => b.readAt === null).length,
    banner,
    async markRead(id) {
      const read = await api.readBroadcast(id);
      const next = merge(items, [read]);
      setItems(next);
      if (banner?.id === id) setBanner(next.find((b) => b.readAt === null && b.senderId !== meId) ?? null);
    },
    dismiss: () => setBanner(null),
    async send(body) {
      const sent = await api.sendBroadcast(body);
      // The sender is one of its recipients when it is for everyone: it is not news to them.
      const own = await api.readBroadcast(sent.id).catch(() => sent);
      setItems((now) => merge(now, [own]));
      return own;
    },
  };
}

/** One copy of each, unread first, then newest: the server's order. */
function merge(items: readonly Broadcast[], arrivals: readonly Broadcast[]): Broadcast[] {
  const byId = new Map(items.map((b) => [b.id, b]));
  // A copy read here stays read when the unread one arrives late (the socket's after the reply).
  for (const b of arrivals) byId.set(b.id, b.readAt === null && byId.get(b.id)?.readAt ? byId.get(b.id)! : b);
  return [...byId.values()].sort((a, b) => Number(a.readAt !== null) - Number(b.readAt !== null) || b.createdAt.localeCompare(a.createdAt));
}
