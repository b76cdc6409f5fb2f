/** The console's dialogs: notification and language settings, the keyboard shortcuts, and the frame of a form in a dialog. */
import type { ComponentChildren } from 'preact';
import type { Strings } from './i18n.ts';
import type { Prefs } from './notify.ts';
import { takeFocus } from './ui.tsx';

export function SettingsDialog(props: { t: Strings; prefs: Prefs; onChange: (patch: Partial<Prefs>) => void; onClose: () => void }) {
  const { t, prefs, onChange, onClose } = props;
  return (
    <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="settings-title" tabIndex={-1} ref={takeFocus}>
      <h2 id="settings-title">{t.notifications}</h2>
      <label class="check">
        <input type="checkbox" checked={prefs.sound} onChange={(e) => onChange({ sound: e.currentTarget.checked })} /> {t.sound}
      </label>
      <label class="check">
        <input
          type="checkbox"
          checked={prefs.desktop}
          onChange={(e) => {
            const on = e.currentTarget.checked;
            onChange({ desktop: on });
            if (on && typeof Notification !== 'undefined' && Notification.permission === 'default') void Notification.requestPermission();
          }}
        />{' '}
        {t.desktop}
      </label>
      <label class="check">
        <input type="checkbox" checked={prefs.ctrlEnter} onChange={(e) => onChange({ ctrlEnter: e.currentTarget.checked })} /> {t.ctrlEnter}
      </label>
      <label>
        {t.language}
        <select value={/^zh/i.test(prefs.locale) ? 'zh-CN' : 'en'} onChange={(e) => onChange({ locale: e.currentTarget.value })}>
          <option value="en">English</option>
          <option value="zh-CN">简体中文</option>
        </select>
      </label>
      <button type="button" onClick={onClose}>
        {t.closeDialog}
      </button>
    </div>
  );
}

export function ShortcutsDialog({ t, onClose }: { t: Strings; onClose: () => void }) {
  return (
    <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="shortcuts-title" tabIndex={-1} ref={takeFocus}>
      <h2 id="shortcuts-title">{t.shortcuts}</h2>
      <dl>
        {t.shortcutList.map(([keys, what]) => (
          <>
            <dt>
              <kbd>{keys}</kbd>
            </dt>
            <dd>{what}</dd>
          </>
        ))}
      </dl>
      <button type="button" onClick={onClose}>
        {t.closeDialog}
      </button>
    </div>
  );
}

interface FormProps {
  /** The heading's id, for the dialog's name. */
  readonly id: string;
  readonly title: string;
  readonly error: string | null;
  readonly submitLabel: string;
  readonly canSubmit: boolean;
  readonly t: Strings;
  readonly onSubmit: () => void;
  readonly onClose: () => void;
  readonly children: ComponentChildren;
}

/** A form in a dialog: its heading, its fields, what went wrong, submit and Cancel; Esc closes it. */
export function DialogForm({ id, title, error, submitLabel, canSubmit, t, onSubmit, onClose, children }: FormProps) {
  return (
    <form
      class="dialog"
      role="dialog"
      aria-modal="true"
      aria-labelledby={id}
      tabIndex={-1}
      ref={takeFocus}
      onKeyDown={(e) => e.key === 'Escape' && onClose()}
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit();
      }}
    >
      <h2 id={id}>{title}</h2>
      {children}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="buttons">
        <button type="submit" class="primary" disabled={!canSubmit}>
          {submitLabel}
        </button>
        <button type="button" onClick={onClose}>
          {t.cancel}
        </button>
      </div>
    </form>
  );
}
