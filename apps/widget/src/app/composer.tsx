/** The widget's composer: the draft, emoji, attachments, Enter or Ctrl+Enter to send, and the hint under it. */
import { useState } from 'preact/hooks';
import type { RefObject } from 'preact';
import type { FrontdeskClient, FrontdeskError } from '@frontdesk/sdk';
import { prefs } from './context.ts';
import type { Strings } from './i18n.ts';
import { AttachButton } from './media.tsx';
import type { Item } from './rows.tsx';
import type { Session } from './session.ts';

const enterKey = 'frontdesk:ctrl-enter';
const EMOJI = ['😀', '😂', '😊', '😍', '🤔', '😢', '😮', '👍', '👎', '🙏', '👏', '🎉', '❤️', '🔥', '✅', '❌', '📦', '🚚', '💳', '⏰'];

interface Props {
  readonly t: Strings;
  /** A platform customer's list of shops covers the chat. */
  readonly hidden: boolean;
  /** The pre-chat form must be answered first. */
  readonly blocked: boolean;
  /** The emoji menu: the widget's Escape closes it first, so its state is the widget's. */
  readonly showEmoji: boolean;
  readonly setShowEmoji: (update: (shown: boolean) => boolean) => void;
  readonly textarea: RefObject<HTMLTextAreaElement>;
  /** False when it could not be sent (not connected yet): the draft stays. */
  readonly onSend: (text: string) => boolean;
  readonly onTyping: () => void;
  readonly onFile: (file: File) => void;
}

export function Composer({ t, hidden, blocked, showEmoji, setShowEmoji, textarea, onSend, onTyping, onFile }: Props) {
  const [draft, setDraft] = useState('');
  const [ctrlEnter, setCtrlEnter] = useState(prefs.get(enterKey) === '1');

  function send() {
    const text = draft.trim();
    if (!text || !onSend(text)) return;
    setDraft('');
  }

  function onKeyDown(event: KeyboardEvent) {
    if (event.key !== 'Enter' || event.isComposing) return;
    const ctrl = event.ctrlKey || event.metaKey;
    if ((ctrlEnter && ctrl) || (!ctrlEnter && !event.shiftKey && !ctrl)) {
      event.preventDefault();
      send();
    }
  }

  return (
    <>
      {showEmoji && !hidden && (
        <div class="emoji" role="menu">
          {EMOJI.map((e) => (
            <button
              type="button"
              role="menuitem"
              key={e}
              onClick={() => {
                setDraft((d) => d + e);
                setShowEmoji(() => false);
                textarea.current?.focus();
              }}
            >
              {e}
            </button>
          ))}
        </div>
      )}
      <footer hidden={hidden}>
        <AttachButton label={t.attach} className="icon" onFile={onFile} />
        <button type="button" class="icon" aria-label={t.emoji} aria-expanded={showEmoji} onClick={() => setShowEmoji((s) => !s)}>
          😊
        </button>
        <textarea
          ref={textarea}
          rows={1}
          value={draft}
          disabled={blocked}
          placeholder={blocked ? t.prechatBlocked : t.placeholder}
          aria-label={t.placeholder}
          maxLength={8000}
          onInput={(event) => {
            setDraft(event.currentTarget.value);
            onTyping();
          }}
          onKeyDown={onKeyDown}
        />
        <button type="button" class="send" onClick={send} disabled={!draft.trim() || blocked}>
          {t.send}
        </button>
      </footer>
      <p class="hint" hidden={hidden}>
        <label>
          <input
            type="checkbox"
            checked={ctrlEnter}
            onChange={(event) => {
              setCtrlEnter(event.currentTarget.checked);
              prefs.set(enterKey, event.currentTarget.checked ? '1' : '0');
            }}
          />{' '}
          {t.ctrlEnterToSend}
        </label>
        {typeof Notification !== 'undefined' && Notification.permission === 'default' && (
          <button type="button" class="link" onClick={() => void Notification.requestPermission()}>
            {t.notifications}
          </button>
        )}
      </p>
    </>
  );
}

type Upload = Extract<Item, { kind: 'uploading' }>;

/**
 * Files on their way: each a row with its progress (or why it was refused) until it is sent as a
 * message. `sent` runs when one starts (the list follows it to the bottom).
 */
export function useUploads(client: FrontdeskClient | null, session: Session | null, t: Strings, started: () => void) {
  const [uploads, setUploads] = useState<Map<string, Upload>>(new Map());

  function dismiss(id: string) {
    setUploads((m) => {
      const preview = m.get(id)?.preview;
      if (preview) URL.revokeObjectURL(preview);
      const copy = new Map(m);
      copy.delete(id);
      return copy;
    });
  }

  async function attach(file: File) {
    if (!client || !session) return;
    const id = `upload-${Date.now()}-${Math.random()}`;
    const preview = file.type.startsWith('image/') ? URL.createObjectURL(file) : null;
    const update = (patch: Partial<Upload>) =>
      setUploads((m) => {
        const current = m.get(id);
        return current ? new Map(m).set(id, { ...current, ...patch }) : m;
      });
    setUploads((m) => new Map(m).set(id, { kind: 'uploading', id, name: file.name, preview, progress: 0, error: null }));
    started();
    try {
      const attachment = await client.files.upload(session.conversationId, file, {
        name: file.name,
        onProgress: (sent, total) => update({ progress: Math.round((100 * sent) / total) }),
      });
      client.send({ conversationId: session.conversationId, attachmentId: attachment.id });
      dismiss(id);
    } catch (error) {
      const code = (error as FrontdeskError).code;
      update({ error: code === 'ATTACHMENT_TOO_LARGE' ? t.tooLarge : code === 'ATTACHMENT_TYPE_NOT_ALLOWED' ? t.notAllowed : t.error });
    }
  }

  return { uploads, attach, dismiss };
}
