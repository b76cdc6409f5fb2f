/**
 * One message of a staff chat: a notice in the agent's language, a deleted message as such, an
 * edited one marked, and the agent's own with who read it and Edit / Delete.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Message } from '@frontdesk/protocol';
import type { FrontdeskClient } from '@frontdesk/sdk';
import { timeStamp } from './history-log.tsx';
import type { Strings } from './i18n.ts';
import { noticeText, type NameOf } from './notices.ts';
import type { ReadState } from './staff-chat-hooks.ts';
import { AttachmentView, Avatar, formatTime, Linkified } from './ui.tsx';
import { uiLocale } from './locale.ts';

interface Props {
  readonly message: Message;
  readonly previous: Message | undefined;
  readonly meId: string;
  readonly isGroup: boolean;
  readonly nameOf: NameOf;
  readonly read: ReadState | undefined;
  readonly t: Strings;
  readonly client: FrontdeskClient;
  /** Resolves false when the server refused (the pane says why). */
  readonly onEdit: (text: string) => Promise<boolean>;
  readonly onDelete: () => void;
}

export function StaffMessageRow({ message, previous, meId, isGroup, nameOf, read, t, client, onEdit, onDelete }: Props) {
  const [editing, setEditing] = useState<string | null>(null);
  const { gap, stamp } = timeStamp(message, previous);
  if (message.kind === 'system') {
    return (
      <>
        {stamp}
        <p class="system">{message.notice ? noticeText(message.notice, t, nameOf) : message.text}</p>
      </>
    );
  }
  const mine = message.senderId === meId;
  const name = nameOf(message.senderId ?? '') ?? t.someone;
  const sameSender = !gap && previous?.kind === 'user' && previous.senderId === message.senderId;
  const deleted = message.deletedAt !== null;
  const editable = mine && !deleted && message.contentType === 'text' && message.text !== null;

  async function save() {
    const text = editing?.trim() ?? '';
    if (text === '' || text === message.text) return setEditing(null);
    if (await onEdit(text)) setEditing(null);
  }

  return (
    <>
      {stamp}
      {!sameSender && !mine && isGroup && <p class="sender">{name}</p>}
      <div class={`row ${mine ? 'mine' : 'theirs'}`} data-seq={message.seq}>
        {!mine && <Avatar id={message.senderId ?? ''} name={name} />}
        {mine && !deleted && editing === null && (
          <span class="own-actions">
            {editable && (
              <button type="button" class="link" onClick={() => setEditing(message.text)}>
                {t.edit}
              </button>
            )}
            <button type="button" class="link danger" onClick={() => confirm(t.deleteMessageConfirm) && onDelete()}>
              {t.deleteMessage}
            </button>
          </span>
        )}
        <div class={`bubble ${deleted ? 'deleted' : ''}`}>
          {deleted ? (
            <em>{t.deleted}</em>
          ) : editing !== null ? (
            <EditBox text={editing} t={t} onInput={setEditing} onSave={() => void save()} onCancel={() => setEditing(null)} />
          ) : (
            <>
              {message.attachment && <AttachmentView attachment={message.attachment} client={client} />}
              {message.text && <Linkified text={message.text} />}
            </>
          )}
          <span class="meta">
            <time dateTime={message.createdAt}>{formatTime(message.createdAt, uiLocale(), false)}</time>
            {message.editedAt && !deleted && ` ${t.edited}`}
            {mine && !deleted && read && ` · ${readLabel(read, isGroup, t)}`}
          </span>
        </div>
      </div>
    </>
  );
}

function EditBox(props: { text: string; t: Strings; onInput: (text: string) => void; onSave: () => void; onCancel: () => void }) {
  const { text, t, onInput, onSave, onCancel } = props;
  const box = useRef<HTMLTextAreaElement>(null);
  useEffect(() => box.current?.focus(), []);
  return (
    <span class="edit-box">
      <textarea
        ref={box}
        value={text}
        aria-label={t.edit}
        maxLength={8000}
        rows={2}
        onInput={(e) => onInput(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onCancel();
          else if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            onSave();
          }
        }}
      />
      <span class="buttons">
        <button type="button" class="primary" onClick={onSave}>
          {t.save}
        </button>
        <button type="button" onClick={onCancel}>
          {t.cancel}
        </button>
      </span>
    </span>
  );
}

/** A group says "Read by 2 of 5"; a direct chat, Read or Sent. */
function readLabel(read: ReadState, isGroup: boolean, t: Strings): string {
  if (isGroup) return t.readBy(read.readerIds.size, read.of);
  return read.readerIds.size > 0 ? t.read : t.sent;
}
