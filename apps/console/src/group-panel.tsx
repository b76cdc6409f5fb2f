/** Groups: the dialog that makes one, and the panel beside a group's chat (members, rename, add, remove, leave). */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Colleague, Group, Staff } from '@frontdesk/protocol';
import { useAction } from './action.ts';
import type { Api } from './api.ts';
import { Checklist } from './checklist.tsx';
import { DialogForm } from './dialogs.tsx';
import type { Strings } from './i18n.ts';
import { Avatar } from './ui.tsx';

const colleagueChoices = (colleagues: readonly Colleague[], t: Strings) => colleagues.map((c) => ({ id: c.id, name: c.name, detail: t[c.presence] }));

export function NewGroupDialog(props: { api: Api; colleagues: readonly Colleague[]; t: Strings; onCreated: (group: Group) => void; onClose: () => void }) {
  const { api, colleagues, t, onCreated, onClose } = props;
  const [title, setTitle] = useState('');
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const action = useAction(t);
  return (
    <DialogForm
      id="new-group-title"
      title={t.newGroup}
      error={action.error}
      submitLabel={t.create}
      canSubmit={!action.busy && title.trim() !== ''}
      t={t}
      onClose={onClose}
      onSubmit={() => void action.run(async () => onCreated(await api.createGroup(title.trim(), [...chosen])))}
    >
      <label>
        {t.groupName}
        <input value={title} required maxLength={120} onInput={(e) => setTitle(e.currentTarget.value)} />
      </label>
      <Checklist legend={t.groupMembers} filterLabel={t.filterColleagues} choices={colleagueChoices(colleagues, t)} chosen={chosen} onChange={setChosen} />
    </DialogForm>
  );
}

interface PanelProps {
  readonly api: Api;
  readonly group: Group;
  readonly me: Staff;
  readonly colleagues: readonly Colleague[];
  readonly t: Strings;
  /** The group changed here: fetch it again. */
  readonly onChanged: () => void;
  readonly onLeft: () => void;
  readonly onClose: () => void;
}

export function GroupPanel({ api, group, me, colleagues, t, onChanged, onLeft, onClose }: PanelProps) {
  const id = group.conversation.id;
  const [title, setTitle] = useState(group.conversation.title ?? '');
  // A new name from elsewhere (a colleague renamed it, the panel's data came in) shows in the field,
  // unless the staff member is typing one: their text is never replaced under them.
  const edited = useRef(false);
  useEffect(() => {
    if (!edited.current) setTitle(group.conversation.title ?? '');
  }, [group.conversation.title]);
  const [adding, setAdding] = useState<ReadonlySet<string> | null>(null);
  const action = useAction(t);
  const act = async (call: () => Promise<unknown>) => {
    const done = await action.run(call);
    if (done) onChanged();
    return done;
  };
  const myRole = group.members.find((m) => m.id === me.id)?.role;
  const mayRemove = myRole === 'owner' || myRole === 'admin' || me.role === 'owner' || me.role === 'admin';
  const outside = colleagues.filter((c) => !group.members.some((m) => m.id === c.id));

  return (
    <aside class="panel group-panel" aria-label={t.groupInfo} onKeyDown={(e) => e.key === 'Escape' && onClose()}>
      <div class="panel-head">
        <h2>{t.groupInfo}</h2>
        <button type="button" class="ghost" aria-label={t.closeDialog} onClick={onClose}>
          ✕
        </button>
      </div>
      <form
        class="rename"
        onSubmit={(event) => {
          event.preventDefault();
          void act(() => api.renameGroup(id, title.trim())).then((done) => done && (edited.current = false));
        }}
      >
        <label>
          {t.groupName}
          <input
            value={title}
            required
            maxLength={120}
            onInput={(e) => {
              edited.current = true;
              setTitle(e.currentTarget.value);
            }}
          />
        </label>
        <button type="submit" disabled={title.trim() === '' || title.trim() === group.conversation.title}>
          {t.rename}
        </button>
      </form>
      <h3>
        {t.groupMembers} ({group.members.length}/{group.memberLimit})
      </h3>
      <ul class="members">
        {group.members.map((m) => (
          <li key={m.id}>
            <Avatar id={m.id} name={m.name} />
            <span class="name">
              {m.name}
              {m.id === me.id && ` (${t.you})`}
            </span>
            {m.role !== 'member' && <span class="pill">{t.groupRoles[m.role]}</span>}
            {mayRemove && m.id !== me.id && (
              <button type="button" class="link danger" aria-label={t.removeMember(m.name)} onClick={() => confirm(t.removeConfirm(m.name)) && void act(() => api.removeMember(id, m.id))}>
                {t.removeShort}
              </button>
            )}
          </li>
        ))}
      </ul>
      {adding === null ? (
        <button type="button" onClick={() => setAdding(new Set())}>
          {t.addMembers}
        </button>
      ) : (
        <div class="adding">
          {outside.length === 0 ? <p class="hint">{t.noOneToAdd}</p> : <Checklist legend={t.addMembers} filterLabel={t.filterColleagues} choices={colleagueChoices(outside, t)} chosen={adding} onChange={setAdding} />}
          <div class="buttons">
            <button type="button" class="primary" disabled={adding.size === 0} onClick={() => void act(() => api.addMembers(id, [...adding])).then((done) => done && setAdding(null))}>
              {t.add}
            </button>
            <button type="button" onClick={() => setAdding(null)}>
              {t.cancel}
            </button>
          </div>
        </div>
      )}
      {action.error && (
        <p class="error" role="alert">
          {action.error}
        </p>
      )}
      <button type="button" class="danger leave" onClick={() => confirm(t.leaveConfirm) && void action.run(() => api.removeMember(id, me.id)).then((done) => done && onLeft())}>
        {t.leave}
      </button>
    </aside>
  );
}
