/**
 * The Team area's state for the whole session, whichever page is on screen: recent chats (GET
 * /team) kept current from the socket (messages, edits, group changes, presence, read cursors),
 * the open chat, unread and mention counts, and who gets notified: a muted chat calls for attention
 * only when a message mentions the agent or `all` (docs/staff-chat.md).
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Colleague, Conversation, ConversationKind, Message, RecentChat, Staff, TeamDirectory } from '@frontdesk/protocol';
import type { FrontdeskClient } from '@frontdesk/sdk';
import type { Api } from './api.ts';
import type { Strings } from './i18n.ts';
import { staffPreview, type NameOf } from './notices.ts';
import { without } from './timeline.ts';

export interface TeamDeps {
  readonly api: Api;
  readonly client: FrontdeskClient | null;
  readonly me: Staff | null;
  readonly t: Strings;
  /** The Team area is on screen: its open chat counts as looked at. */
  readonly visible: boolean;
  /** Sound, title and desktop notification; `open` shows the chat. */
  readonly attention: (title: string, body: string, open: () => void) => void;
  /** Brings the Team area on screen. */
  readonly show: () => void;
}

export interface Team {
  readonly chats: readonly RecentChat[];
  readonly colleagues: readonly Colleague[];
  readonly loaded: boolean;
  readonly selected: RecentChat | null;
  readonly nameOf: NameOf;
  /** For the nav: unread in chats that are not muted, plus mentions in those that are. */
  readonly badge: number;
  /** Arrivals that called for attention and were not seen yet (the title's count). */
  readonly unseen: number;
  /** A direct or group chat (the inbox leaves it alone). */
  isStaffChat(conversationId: string): boolean;
  select(conversationId: string | null): void;
  openDirect(staffId: string): Promise<void>;
  /** A chat made here (a new group): listed and opened. */
  opened(conversation: Conversation, memberCount: number): void;
  muted(conversationId: string, mutedUntil: string | null): void;
  seen(conversationId: string): void;
  refresh(): void;
}

export const isMuted = (chat: RecentChat): boolean => chat.mutedUntil !== null && Date.parse(chat.mutedUntil) > Date.now();
export const mentionsMe = (message: Message, meId: string): boolean => message.mentions.includes(meId) || message.mentions.includes('all');
/** A direct chat is named after the colleague, a group by its title. */
export const chatName = (chat: RecentChat, nameOf: NameOf): string => (chat.peerId !== null ? (nameOf(chat.peerId) ?? '…') : (chat.conversation.title ?? '…'));

export function useTeam(deps: TeamDeps): Team {
  const { api, client, me } = deps;
  const [directory, setDirectory] = useState<TeamDirectory>({ chats: [], colleagues: [] });
  const [loaded, setLoaded] = useState(false);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [unseen, setUnseen] = useState<ReadonlyMap<string, number>>(new Map());
  const latest = useRef({ deps, directory, selectedId });
  latest.current = { deps, directory, selectedId };
  /** Conversation kinds learned so far: a message of an unknown one is looked up once. */
  const kinds = useRef(new Map<string, ConversationKind>());
  const timer = useRef<ReturnType<typeof setTimeout>>();

  const nameOf: NameOf = useMemo(() => {
    const names = new Map(directory.colleagues.map((c) => [c.id, c.name]));
    if (me) names.set(me.id, me.name);
    return (id) => names.get(id);
  }, [directory.colleagues, me]);
  const nameRef = useRef(nameOf);
  nameRef.current = nameOf;

  const looking = (conversationId: string) => latest.current.deps.visible && latest.current.selectedId === conversationId && !document.hidden;
  const update = (conversationId: string, change: (chat: RecentChat) => RecentChat) =>
    setDirectory((d) => ({ ...d, chats: d.chats.map((c) => (c.conversation.id === conversationId ? change(c) : c)) }));
  /**
   * Last messages worded here, by conversation: a notice in the agent's language, a deleted message
   * as deleted. The server's preview is English for notices and keeps a deleted message's text.
   */
  const previews = useRef(new Map<string, { seq: number; preview: string }>());
  const worded = (message: Message) => {
    const preview = staffPreview(message, latest.current.deps.t, nameRef.current);
    const known = previews.current.get(message.conversationId);
    if (!known || known.seq <= message.seq) previews.current.set(message.conversationId, { seq: message.seq, preview });
    return preview;
  };
  const withPreview = (chat: RecentChat): RecentChat => {
    const last = chat.conversation.lastMessage;
    const mine = previews.current.get(chat.conversation.id);
    return last && mine?.seq === last.seq ? { ...chat, conversation: { ...chat.conversation, lastMessage: { ...last, preview: mine.preview } } } : chat;
  };
  const read = (chat: RecentChat): RecentChat => ({ ...chat, mentions: 0, conversation: { ...chat.conversation, unread: 0 } });
  const forget = (conversationId: string) => setUnseen((m) => without(m, conversationId));

  async function load(): Promise<TeamDirectory | null> {
    const next = await api.team().catch(() => null);
    if (!next) return null;
    for (const chat of next.chats) kinds.current.set(chat.conversation.id, chat.conversation.kind);
    // The open chat is being read: the server may not have the read cursor yet.
    setDirectory({ ...next, chats: next.chats.map((c) => withPreview(looking(c.conversation.id) ? read(c) : c)) });
    setLoaded(true);
    return next;
  }
  const refresh = () => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => void load(), 250);
  };

  function notify(chat: RecentChat, message: Message) {
    const self = latest.current.deps.me;
    if (!self || message.kind !== 'user' || message.senderId === self.id || looking(chat.conversation.id)) return;
    if (isMuted(chat) && !mentionsMe(message, self.id)) return;
    const { t } = latest.current.deps;
    const id = chat.conversation.id;
    setUnseen((m) => new Map(m).set(id, (m.get(id) ?? 0) + 1));
    const preview = staffPreview(message, t, nameRef.current);
    const body = chat.peerId === null ? `${nameRef.current(message.senderId ?? '') ?? t.someone}: ${preview}` : preview;
    latest.current.deps.attention(chatName(chat, nameRef.current), body, () => {
      latest.current.deps.show();
      select(id);
    });
  }

  async function onMessage(message: Message) {
    const id = message.conversationId;
    const chat = latest.current.directory.chats.find((c) => c.conversation.id === id);
    if (chat) {
      const self = latest.current.deps.me?.id ?? '';
      const counts = message.kind === 'user' && message.senderId !== self && !looking(id);
      const preview = worded(message);
      setDirectory((d) => {
        const found = d.chats.find((c) => c.conversation.id === id);
        if (!found) return d;
        const c = found.conversation;
        const lastMessage = { seq: message.seq, preview, contentType: message.contentType, senderId: message.senderId, senderKind: message.senderKind, at: message.createdAt };
        const updated: RecentChat = {
          ...found,
          mentions: found.mentions + (counts && mentionsMe(message, self) ? 1 : 0),
          conversation: { ...c, lastMessage, lastActivityAt: message.createdAt, lastSeq: Math.max(c.lastSeq, message.seq), unread: c.unread + (counts ? 1 : 0) },
        };
        return { ...d, chats: [updated, ...d.chats.filter((x) => x !== found)] };
      });
      notify(chat, message);
      return;
    }
    // A customer's message is never staff chat; anything else unknown is looked up once.
    if (message.senderKind === 'customer') return;
    let kind = kinds.current.get(id);
    if (kind === undefined) {
      kind = (await api.conversation(id).catch(() => null))?.kind;
      if (kind === undefined) return;
      kinds.current.set(id, kind);
    }
    if (kind === 'service') return;
    // A chat new to this list (a colleague wrote first, or added us to a group): as the server has it.
    const fresh = (await load())?.chats.find((c) => c.conversation.id === id);
    if (fresh) notify(fresh, message);
  }

  useEffect(() => {
    if (!client || !me) return;
    void load();
    const offs = [
      client.on('message', (message) => void onMessage(message)),
      client.on('messageUpdated', (message) => {
        worded(message);
        update(message.conversationId, withPreview);
      }),
      client.on('conversation', ({ change, conversation, userId }) => {
        kinds.current.set(conversation.id, conversation.kind);
        if (conversation.kind === 'service') return;
        if (change === 'removed' && userId === me.id) {
          setDirectory((d) => ({ ...d, chats: d.chats.filter((c) => c.conversation.id !== conversation.id) }));
          forget(conversation.id);
          if (latest.current.selectedId === conversation.id) setSelectedId(null);
          return;
        }
        refresh();
      }),
      client.on('presence', ({ userId, status }) => {
        if (userId === me.id) return;
        if (!latest.current.directory.colleagues.some((c) => c.id === userId)) return refresh();
        setDirectory((d) => ({ ...d, colleagues: d.colleagues.map((c) => (c.id === userId ? { ...c, presence: status } : c)) }));
      }),
      // Read on another device of ours.
      client.on('read', ({ conversationId, userId, seq }) => userId === me.id && update(conversationId, (chat) => (seq >= chat.conversation.lastSeq ? read(chat) : chat))),
      client.on('synced', () => refresh()),
    ];
    return () => {
      offs.forEach((off) => off());
      clearTimeout(timer.current);
    };
  }, [client, me?.id]);

  function select(conversationId: string | null) {
    setSelectedId(conversationId);
    latest.current.selectedId = conversationId;
    if (conversationId !== null) seen(conversationId);
  }

  function seen(conversationId: string) {
    forget(conversationId);
    update(conversationId, (chat) => (chat.conversation.unread === 0 && chat.mentions === 0 ? chat : read(chat)));
  }

  /** A chat opened here (a new group, a first direct chat): listed at the top and shown. */
  function opened(conversation: Conversation, peerId: string | null, memberCount: number) {
    kinds.current.set(conversation.id, conversation.kind);
    setDirectory((d) =>
      d.chats.some((c) => c.conversation.id === conversation.id) ? d : { ...d, chats: [{ conversation, peerId, mutedUntil: null, mentions: 0, memberCount }, ...d.chats] },
    );
    select(conversation.id);
  }

  const chats = directory.chats;
  return {
    chats,
    colleagues: directory.colleagues,
    loaded,
    selected: chats.find((c) => c.conversation.id === selectedId) ?? null,
    nameOf,
    badge: chats.reduce((sum, c) => sum + (isMuted(c) ? c.mentions : c.conversation.unread), 0),
    unseen: [...unseen.values()].reduce((a, b) => a + b, 0),
    isStaffChat: (id) => kinds.current.get(id) === 'direct' || kinds.current.get(id) === 'group',
    select,
    async openDirect(staffId) {
      const known = chats.find((c) => c.peerId === staffId);
      if (known) return select(known.conversation.id);
      opened(await api.direct(staffId), staffId, 2);
    },
    opened: (conversation, memberCount) => opened(conversation, null, memberCount),
    muted: (conversationId, mutedUntil) => update(conversationId, (chat) => ({ ...chat, mutedUntil })),
    seen,
    refresh,
  };
}
