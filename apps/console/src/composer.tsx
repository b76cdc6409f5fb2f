/**
 * The message box of every conversation pane: Enter or Ctrl+Enter sends (the agent's preference),
 * emoji, attachments with progress, and a list of suggestions under the caret (canned responses,
 * `@` mentions) picked with the arrow keys and Enter or Tab. What to suggest and how to send are
 * the caller's.
 */
import type { ComponentChildren, RefObject } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { FrontdeskClient, FrontdeskError } from '@frontdesk/sdk';
import type { Strings } from './i18n.ts';
import { errorText } from './i18n-errors.ts';
import type { Prefs } from './notify.ts';
import { AttachButton } from './ui.tsx';

const EMOJI = ['😀', '😊', '🙂', '😉', '🙏', '👍', '👌', '🎉', '❤️', '✅', '📦', '🚚', '💳', '⏰', '📞', '✉️'];

/** What the text becomes when a suggestion is picked, and where the caret goes. */
export interface Edit {
  readonly draft: string;
  readonly caret: number;
}

export interface Suggestion {
  readonly key: string;
  readonly content: ComponentChildren;
  readonly apply: (draft: string, caret: number) => Edit;
}

/** What every composer is given by its pane, passed through as is. */
export interface ComposerBase {
  readonly client: FrontdeskClient;
  readonly conversationId: string;
  readonly prefs: Prefs;
  readonly t: Strings;
}

interface Props extends ComposerBase {
  readonly placeholder: string;
  readonly className?: string;
  readonly box?: RefObject<HTMLTextAreaElement>;
  /** Above the box: modes and hints. */
  readonly top?: ComponentChildren;
  /** Called with the text and caret on every change, for the caller to compute `suggestions`. */
  readonly onDraft?: (draft: string, caret: number) => void;
  readonly suggestions?: readonly Suggestion[];
  readonly suggestionsLabel?: string;
  /** A message to send: the trimmed text (never empty), or an uploaded attachment. */
  readonly onSend: (content: { readonly text: string } | { readonly attachmentId: string }) => void;
  /** Say "typing…" to the others while the agent types (default true). */
  readonly typing?: boolean;
  /** Why nothing can be sent now (WeChat's reply window is closed, say); shown, and sending is off. */
  readonly blocked?: string | null;
}

export function Composer(props: Props) {
  const { client, conversationId, prefs, t, placeholder, top, suggestions = [], suggestionsLabel, onSend } = props;
  const [draft, setDraft] = useState('');
  const [showEmoji, setShowEmoji] = useState(false);
  const [pick, setPick] = useState(0);
  const [upload, setUpload] = useState<string | null>(null);
  const [refused, setRefused] = useState<string | null>(null);
  const own = useRef<HTMLTextAreaElement>(null);
  const box = props.box ?? own;
  const caretAfter = useRef<number | null>(null);
  const listId = `suggest-${conversationId}`;

  useLayoutEffect(() => {
    if (caretAfter.current === null || !box.current) return;
    box.current.setSelectionRange(caretAfter.current, caretAfter.current);
    caretAfter.current = null;
  });

  function change(next: string, caret: number) {
    setDraft(next);
    props.onDraft?.(next, caret);
  }

  function send() {
    const text = draft.trim();
    if (!text || props.blocked) return;
    onSend({ text });
    change('', 0);
  }

  function choose(suggestion: Suggestion) {
    const edit = suggestion.apply(draft, box.current?.selectionStart ?? draft.length);
    caretAfter.current = edit.caret;
    change(edit.draft, edit.caret);
    setPick(0);
    box.current?.focus();
  }

  function onKeyDown(event: KeyboardEvent) {
    if (suggestions.length > 0) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        setPick((p) => (p + (event.key === 'ArrowDown' ? 1 : suggestions.length - 1)) % suggestions.length);
        return;
      }
      if (event.key === 'Enter' || event.key === 'Tab') {
        event.preventDefault();
        choose(suggestions[Math.min(pick, suggestions.length - 1)]!);
        return;
      }
    }
    if (event.key !== 'Enter' || event.isComposing) return;
    const ctrl = event.ctrlKey || event.metaKey;
    if ((prefs.ctrlEnter && ctrl) || (!prefs.ctrlEnter && !ctrl && !event.shiftKey)) {
      event.preventDefault();
      send();
    }
  }

  async function attach(file: File) {
    if (props.blocked) return;
    setRefused(null);
    setUpload(`${file.name} 0%`);
    try {
      const attachment = await client.files.upload(conversationId, file, {
        name: file.name,
        onProgress: (sent, total) => setUpload(`${file.name} ${Math.round((100 * sent) / total)}%`),
      });
      onSend({ attachmentId: attachment.id });
      setUpload(null);
    } catch (error) {
      setUpload(null);
      setRefused(t.uploadRefused(file.name, t.uploadErrors[(error as FrontdeskError).code] ?? errorText(error, t)));
    }
  }

  const open = suggestions.length > 0;
  const active = Math.min(pick, suggestions.length - 1);
  return (
    <footer class={`composer ${props.className ?? ''}`}>
      {(top || upload || refused || props.blocked) && (
        <div class="modes">
          {top}
          {upload && <span class="hint">{upload}</span>}
          {refused && (
            <p class="hint error refused" role="alert">
              {refused}{' '}
              <button type="button" class="link" onClick={() => setRefused(null)}>
                {t.dismiss}
              </button>
            </p>
          )}
          {props.blocked && (
            <p class="hint blocked" role="status">
              {props.blocked}
            </p>
          )}
        </div>
      )}
      {open && (
        <ul class="canned" id={listId} role="listbox" aria-label={suggestionsLabel}>
          {suggestions.map((s, i) => (
            <li key={s.key} id={`${listId}-${i}`} role="option" aria-selected={i === active} onMouseDown={(e) => (e.preventDefault(), choose(s))}>
              {s.content}
            </li>
          ))}
        </ul>
      )}
      {showEmoji && (
        <div class="emoji" role="menu">
          {EMOJI.map((e) => (
            <button type="button" role="menuitem" key={e} onClick={() => (change(draft + e, draft.length + e.length), setShowEmoji(false), box.current?.focus())}>
              {e}
            </button>
          ))}
        </div>
      )}
      <div class="compose-row">
        <textarea
          ref={box}
          rows={3}
          value={draft}
          maxLength={8000}
          placeholder={placeholder}
          aria-label={placeholder}
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={open}
          aria-controls={listId}
          aria-activedescendant={open ? `${listId}-${active}` : undefined}
          onInput={(event) => {
            change(event.currentTarget.value, event.currentTarget.selectionStart);
            if (props.typing ?? true) client.typing(conversationId);
          }}
          onKeyUp={(event) => (event.key === 'ArrowLeft' || event.key === 'ArrowRight') && props.onDraft?.(draft, event.currentTarget.selectionStart)}
          onClick={(event) => props.onDraft?.(draft, event.currentTarget.selectionStart)}
          onKeyDown={onKeyDown}
        />
        <div class="tools">
          <button type="button" class="ghost" aria-label={t.emoji} aria-expanded={showEmoji} onClick={() => setShowEmoji((s) => !s)}>
            😊
          </button>
          <AttachButton label={t.attach} className="ghost button" onFile={(file) => void attach(file)} />
          <button type="button" class="primary" disabled={!draft.trim() || !!props.blocked} onClick={send}>
            {t.send}
          </button>
        </div>
      </div>
    </footer>
  );
}
