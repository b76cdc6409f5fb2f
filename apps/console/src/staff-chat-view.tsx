/**
 * A direct or group chat between colleagues: the timeline (notices, edits, deletes, who read the
 * agent's messages), who is typing, the composer with `@` mentions, the mute menu and, for a
 * group, its info panel.
 */
import { useState } from 'preact/hooks';
import type { Colleague, RecentChat, Staff } from '@frontdesk/protocol';
import type { FrontdeskClient } from '@frontdesk/sdk';
import { useAction } from './action.ts';
import type { Api } from './api.ts';
import { GroupPanel } from './group-panel.tsx';
import { HistoryLog } from './history-log.tsx';
import type { Strings } from './i18n.ts';
import type { NameOf } from './notices.ts';
import type { Prefs } from './notify.ts';
import { useGroup, useReaders, useTypers } from './staff-chat-hooks.ts';
import { StaffComposer } from './staff-composer.tsx';
import { StaffMessageRow } from './staff-message.tsx';
import { chatName, isMuted } from './team-store.ts';
import { useTimeline } from './timeline.ts';
import { focusFirstButton, formatWhen } from './ui.tsx';

const HOUR_MS = 3_600_000;
/** Muted "until I unmute" reads as this year (docs/staff-chat.md). */
const FOREVER_YEAR = 9999;

interface Props {
  readonly api: Api;
  readonly client: FrontdeskClient;
  readonly chat: RecentChat;
  readonly me: Staff;
  readonly colleagues: readonly Colleague[];
  readonly nameOf: NameOf;
  readonly prefs: Prefs;
  readonly t: Strings;
  readonly onSeen: () => void;
  readonly onMuted: (mutedUntil: string | null) => void;
  /** Back to the list (narrow screens). */
  readonly onBack: () => void;
  readonly onLeft: () => void;
}

export function StaffChatView({ api, client, chat, me, colleagues, nameOf, prefs, t, onSeen, onMuted, onBack, onLeft }: Props) {
  const id = chat.conversation.id;
  const isGroup = chat.conversation.kind === 'group';
  const timeline = useTimeline(client, id, onSeen);
  const { group, reload } = useGroup(api, client, id, isGroup);
  const readers = useReaders(api, client, id, timeline.items, me.id);
  const typers = useTypers(client, id, me.id);
  const [showInfo, setShowInfo] = useState(false);
  const action = useAction(t);
  // Members' names from the group first: it knows colleagues who have since left the shop.
  const names: NameOf = (staffId) => group?.members.find((m) => m.id === staffId)?.name ?? nameOf(staffId);
  const peer = colleagues.find((c) => c.id === chat.peerId);
  const title = group?.conversation.title ?? chatName(chat, nameOf);
  const members = group ? group.members.filter((m) => m.id !== me.id) : peer ? [peer] : [];
  const myRole = group?.members.find((m) => m.id === me.id)?.role;
  const mayMentionAll = isGroup && (myRole === 'owner' || myRole === 'admin' || me.role === 'owner' || me.role === 'admin');

  const subtitle = isGroup ? t.memberCount(group?.members.length ?? chat.memberCount) : peer ? t[peer.presence] : '';
  const typing = typers.map((userId) => names(userId) ?? t.someone);
  return (
    <>
      <section class="pane staff-chat" aria-label={title}>
        <header class="pane-head">
          <button type="button" class="ghost back" aria-label={t.back} onClick={onBack}>
            ←
          </button>
          <div class="title">
            <h1>{title}</h1>
            <p>
              {peer && <span class={`dot ${peer.presence}`} aria-hidden="true" />}
              {subtitle}
              {isMuted(chat) && mutedUntilLabel(chat.mutedUntil!, t)}
            </p>
          </div>
          <div class="actions">
            <MuteMenu muted={isMuted(chat)} t={t} onPick={(muted) => void action.run(async () => onMuted((await api.mute(id, muted)).mutedUntil))} />
            {isGroup && (
              <button type="button" aria-expanded={showInfo} onClick={() => setShowInfo((s) => !s)}>
                {t.groupInfo}
              </button>
            )}
          </div>
        </header>
        {(action.error || timeline.failed) && (
          <p class="error" role="alert" onClick={action.clear}>
            {action.error ?? t.error}
          </p>
        )}
        <HistoryLog timeline={timeline} client={client} t={t} footer={typing.length > 0 && <p class="typing">{t.typingName(t.list(typing))}</p>}>
          {timeline.items.map((message, index) => (
            <StaffMessageRow
              key={message.id}
              message={message}
              previous={timeline.items[index - 1]}
              meId={me.id}
              isGroup={isGroup}
              nameOf={names}
              read={readers.get(message.id)}
              t={t}
              client={client}
              onEdit={(text) => action.run(async () => timeline.replace(await api.editMessage(id, message.id, text)))}
              onDelete={() => void action.run(async () => timeline.replace(await api.deleteMessage(id, message.id)))}
            />
          ))}
        </HistoryLog>
        <StaffComposer client={client} conversationId={id} prefs={prefs} t={t} members={members} mayMentionAll={mayMentionAll} />
      </section>
      {showInfo && group && <GroupPanel api={api} group={group} me={me} colleagues={colleagues} t={t} onChanged={reload} onLeft={onLeft} onClose={() => setShowInfo(false)} />}
    </>
  );
}

/** " · Muted until 14:05"; nothing when muted for ever (the mute button says so). */
function mutedUntilLabel(mutedUntil: string, t: Strings): string {
  return new Date(mutedUntil).getUTCFullYear() >= FOREVER_YEAR ? '' : ` · ${t.mutedUntil(formatWhen(mutedUntil))}`;
}

/** For ever, an hour, eight hours, or unmute: `muted` as PATCH …/membership takes it. */
function MuteMenu({ muted, t, onPick }: { muted: boolean; t: Strings; onPick: (muted: boolean | string) => void }) {
  const [open, setOpen] = useState(false);
  const pick = (value: boolean | string) => {
    setOpen(false);
    onPick(value);
  };
  const until = (hours: number) => new Date(Date.now() + hours * HOUR_MS).toISOString();
  return (
    <div
      class="menu-wrap"
      onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}
      // Focus left the menu (a click elsewhere, Tab past it): it closes.
      onFocusOut={(e) => !e.currentTarget.contains(e.relatedTarget as Node | null) && setOpen(false)}
    >
      <button type="button" aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        {muted ? `🔕 ${t.mutedFor}` : `🔔 ${t.mute}`}
      </button>
      {open && (
        <ul class="menu" role="menu" aria-label={t.muteMenu} ref={focusFirstButton}>
          {(
            [
              [t.muteForever, true],
              [t.mute1h, until(1)],
              [t.mute8h, until(8)],
              ...(muted ? [[t.unmute, false] as const] : []),
            ] as const
          ).map(([label, value]) => (
            <li key={label}>
              <button type="button" role="menuitem" onClick={() => pick(value)}>
                {label}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
