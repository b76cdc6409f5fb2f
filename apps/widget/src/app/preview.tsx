/**
 * The administration's live preview (/widget/?shop=…#preview=1&parent=…): the widget's own look
 * and CSS with draft settings the console posts, a sample chat, and no session or server call.
 */
import { useEffect, useState } from 'preact/hooks';
import type { PublicAppearance } from '@frontdesk/protocol';
import { applyColors, defaultAppearance } from './appearance.ts';
import { htmlLang, strings } from './i18n.ts';
import { PrechatForm } from './prechat.tsx';
import { initialsOf, Linkified } from './text.tsx';

/** Console → preview: the draft, as the public appearance would carry it once saved. */
export interface PreviewMessage {
  readonly frontdesk: 1;
  readonly type: 'preview';
  readonly appearance: PublicAppearance;
  readonly locale: string;
}

export function Preview(props: { parentOrigin: string; locale: string }) {
  const [appearance, setAppearance] = useState<PublicAppearance>(defaultAppearance);
  const [locale, setLocale] = useState(props.locale);
  const t = strings(locale);

  useEffect(() => {
    const onMessage = (event: MessageEvent) => {
      if (event.origin !== props.parentOrigin || event.source !== window.parent) return;
      const data = event.data as PreviewMessage | null;
      if (!data || data.frontdesk !== 1 || data.type !== 'preview') return;
      setAppearance(data.appearance);
      setLocale(data.locale);
      applyColors(data.appearance);
    };
    window.addEventListener('message', onMessage);
    window.parent.postMessage({ frontdesk: 1, type: 'ready' }, props.parentOrigin);
    return () => window.removeEventListener('message', onMessage);
  }, []);
  useEffect(() => {
    document.documentElement.lang = htmlLang(locale);
  }, [locale]);

  const asks = appearance.prechat.name !== 'off' || appearance.prechat.email !== 'off';
  return (
    <div class="widget preview-mode">
      <header>
        {appearance.logoUrl && <img class="logo" src={appearance.logoUrl} alt="" width={28} height={28} />}
        <div class="title">
          <h1>{appearance.shopName || t.title}</h1>
          <p class="status">{t.online}</p>
        </div>
        <span class="icon" aria-hidden="true">
          ✕
        </span>
      </header>
      <div class="messages">
        {appearance.greeting && (
          <div class="row theirs greeting">
            <span class="avatar" aria-hidden="true">
              {initialsOf(appearance.shopName || t.title)}
            </span>
            <div class="bubble">
              <Linkified text={appearance.greeting} />
            </div>
          </div>
        )}
        {asks ? (
          <fieldset disabled class="preview-form">
            <PrechatForm api="" token="" prechat={appearance.prechat} known={{ name: null, email: null }} t={t} onSaved={() => {}} onSkip={() => {}} />
          </fieldset>
        ) : (
          <div class="row mine">
            <div class="bubble">{t.previewCustomer}</div>
          </div>
        )}
      </div>
      <footer>
        <textarea rows={1} disabled placeholder={t.placeholder} aria-label={t.placeholder} />
        <button type="button" class="send" disabled>
          {t.send}
        </button>
      </footer>
    </div>
  );
}
