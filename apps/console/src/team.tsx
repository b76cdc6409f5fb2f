/**
 * The Team area beside the inbox: recent chats and colleagues on the left, the open chat or the
 * broadcasts on the right (one at a time on a phone), and the dialogs for a new group or broadcast.
 */
import { useState } from 'preact/hooks';
import type { Colleague, RecentChat, Staff } from '@frontdesk/protocol';
import type { FrontdeskClient } from '@frontdesk/sdk';
import { useAction } from './action.ts';
import type { Api } from './api.ts';
import type { Broadcasts } from './broadcast-store.ts';
import { BroadcastComposer, BroadcastInbox } from './broadcasts.tsx';
import { NewGroupDialog } from './group-panel.tsx';
import type { Strings } from './i18n.ts';
import type { NameOf } from './notices.ts';
import type { Prefs } from './notify.ts';
import { StaffChatView } from './staff-chat-view.tsx';
import { chatName, isMuted, type Team } from './team-store.ts';
import { Avatar, formatWhen } from './ui.tsx';

export type TeamPane = 'chats' | 'broadcasts';

interface Props {
  readonly api: Api;
  readonly client: FrontdeskClient;
  readonly me: Staff;
  readonly team: Team;
  readonly broadcasts: Broadcasts;
  readonly prefs: Prefs;
  readonly t: Strings;
  readonly pane: TeamPane;
  readonly onPane: (pane: TeamPane) => void;
}

export function TeamArea({ api, client, me, team, broadcasts, prefs, t, pane, onPane }: Props) {
  const [dialog, setDialog] = useState<'group' | 'broadcast' | null>(null);
  const action = useAction(t);
  const [sent, setSent] = useState(false);
  const mayBroadcast = me.role === 'owner' || me.role === 'admin';
  const chat = pane === 'chats' ? team.selected : null;
  const showing = pane === 'broadcasts' || chat !== null;
  const open = (show: () => Promise<void> | void) => {
    onPane('chats');
    void action.run(async () => show());
  };

  return (
    <div class={`team ${showing ? 'showing' : ''}`}>
      <aside class="list team-list" aria-label={t.team}>
        <div class="team-actions">
          <button type="button" onClick={() => setDialog('group')}>
            + {t.newGroup}
          </button>
          <button type="button" aria-current={pane === 'broadcasts' ? 'true' : undefined} onClick={() => onPane('broadcasts')}>
            📣 {t.broadcasts}
            {broadcasts.unread > 0 && (
              <span class="badge" aria-label={t.unreadBroadcasts(broadcasts.unread)}>
                {broadcasts.unread}
              </span>
            )}
          </button>
        </div>
        {action.error && (
          <p class="error" role="alert">
            {action.error}
          </p>
        )}
        <h2 class="section">{t.recent}</h2>
        <ul class="conversations chats">
          {team.loaded && team.chats.length === 0 && <li class="empty">{t.noChats}</li>}
          {team.chats.map((c) => (
            <li key={c.conversation.id}>
              <ChatItem chat={c} active={c.conversation.id === chat?.conversation.id} colleagues={team.colleagues} nameOf={team.nameOf} t={t} onPick={() => open(() => team.select(c.conversation.id))} />
            </li>
          ))}
        </ul>
        <h2 class="section">{t.colleagues}</h2>
        <ul class="conversations colleagues">
          {team.loaded && team.colleagues.length === 0 && <li class="empty">{t.noColleagues}</li>}
          {team.colleagues.map((c) => (
            <li key={c.id}>
              <button type="button" class="item colleague" aria-label={`${t.chatWith(c.name)} (${t[c.presence]})`} onClick={() => open(() => team.openDirect(c.id))}>
                <Presence colleague={c} />
                <span class="body">
                  <strong>{c.name}</strong>
                  <span class="line meta">{t[c.presence]}</span>
                </span>
              </button>
            </li>
          ))}
        </ul>
      </aside>
      {pane === 'broadcasts' ? (
        <BroadcastInbox broadcasts={broadcasts} t={t} mayCompose={mayBroadcast} sent={sent} onCompose={() => (setSent(false), setDialog('broadcast'))} onBack={() => onPane('chats')} />
      ) : chat ? (
        <StaffChatView
          key={chat.conversation.id}
          api={api}
          client={client}
          chat={chat}
          me={me}
          colleagues={team.colleagues}
          nameOf={team.nameOf}
          prefs={prefs}
          t={t}
          onSeen={() => team.seen(chat.conversation.id)}
          onMuted={(mutedUntil) => team.muted(chat.conversation.id, mutedUntil)}
          onBack={() => team.select(null)}
          onLeft={() => team.select(null)}
        />
      ) : (
        <section class="pane empty">
          <p>{t.pickChat}</p>
        </section>
      )}
      {dialog === 'group' && (
        <NewGroupDialog
          api={api}
          colleagues={team.colleagues}
          t={t}
          onClose={() => setDialog(null)}
          onCreated={(group) => {
            setDialog(null);
            open(() => team.opened(group.conversation, group.members.length));
          }}
        />
      )}
      {dialog === 'broadcast' && (
        <BroadcastComposer
          broadcasts={broadcasts}
          colleagues={team.colleagues}
          groups={team.chats.filter((c) => c.conversation.kind === 'group')}
          t={t}
          onClose={() => setDialog(null)}
          onSent={() => {
            setDialog(null);
            setSent(true);
            onPane('broadcasts');
          }}
        />
      )}
    </div>
  );
}

function Presence({ colleague }: { colleague: Pick<Colleague, 'id' | 'name' | 'presence'> }) {
  return (
    <span class="with-dot">
      <Avatar id={colleague.id} name={colleague.name} />
      <span class={`dot ${colleague.presence}`} aria-hidden="true" />
    </span>
  );
}

function ChatItem(props: { chat: RecentChat; active: boolean; colleagues: readonly Colleague[]; nameOf: NameOf; t: Strings; onPick: () => void }) {
  const { chat, active, colleagues, nameOf, t, onPick } = props;
  const c = chat.conversation;
  const name = chatName(chat, nameOf);
  const peer = colleagues.find((p) => p.id === chat.peerId);
  const muted = isMuted(chat);
  const last = c.lastMessage;
  const from = chat.peerId === null && last?.senderKind === 'staff' && last.senderId ? `${nameOf(last.senderId) ?? t.someone}: ` : '';
  return (
    <button type="button" class="item" aria-current={active ? 'true' : undefined} onClick={onPick}>
      {peer ? <Presence colleague={peer} /> : <Avatar id={c.id} name={name} />}
      <span class="body">
        <span class="line">
          <strong>{name}</strong>
          {last && <time dateTime={last.at}>{formatWhen(last.at)}</time>}
        </span>
        <span class="line">
          <span class="preview">{last ? from + last.preview : ''}</span>
          {muted && (
            <span class="muted" title={t.mutedFor} aria-label={t.mutedFor}>
              🔕
            </span>
          )}
          {chat.mentions > 0 && (
            <span class="badge mention" aria-label={t.mentioned}>
              @
            </span>
          )}
          {!muted && c.unread > 0 && (
            <span class="badge" aria-label={t.unreadCount(c.unread)}>
              {c.unread > 99 ? '99+' : c.unread}
            </span>
          )}
        </span>
        {chat.peerId === null && <span class="line meta">{t.memberCount(chat.memberCount)}</span>}
      </span>
    </button>
  );
}
