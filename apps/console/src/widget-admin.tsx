/**
 * Administration → Widget (docs/widget.md#appearance): colour, greeting, position, launcher text,
 * logo and pre-chat form, with a live preview: the real widget (its own page and CSS, in preview
 * mode) shows the draft at once, before it is saved.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { contrastRatio, textColorOn, type PrechatMode, type PublicAppearance, type Shop, type WidgetAppearance } from '@frontdesk/protocol';
import { ApiError, type Api } from './api.ts';
import type { Strings } from './i18n.ts';
import { useOutcome } from './outcome.tsx';

const MODES: PrechatMode[] = ['off', 'optional', 'required'];
const COLOR = /^#[0-9a-fA-F]{6}$/;
const LOGO_MAX_BYTES = 128 * 1024;

/** The draft as the widget will read it once saved. */
function publicOf(shop: Shop, draft: WidgetAppearance, color: string): PublicAppearance {
  return {
    shopName: shop.name,
    color,
    textColor: textColorOn(color),
    position: draft.position,
    launcherText: draft.launcherText,
    greeting: draft.greeting,
    logoUrl: draft.logo === null ? null : `/api/v1/widget/shops/${shop.id}/logo/${draft.logo}`,
    prechat: draft.prechat,
  };
}

function base64Of(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

export function WidgetAdmin({ api, t }: { api: Api; t: Strings }) {
  const [shop, setShop] = useState<Shop | null>(null);
  const [draft, setDraft] = useState<WidgetAppearance | null>(null);
  const { run, view } = useOutcome(t);
  useEffect(
    () =>
      void api.shop().then(
        (loaded: Shop) => {
          setShop(loaded);
          setDraft(loaded.settings.widget);
        },
        () => {},
      ),
    [],
  );
  if (!shop || !draft) return null;

  const color = COLOR.test(draft.color) ? draft.color : shop.settings.widget.color;
  const change = (patch: Partial<WidgetAppearance>) => setDraft({ ...draft, ...patch });
  const adopt = (saved: Shop) => {
    setShop(saved);
    setDraft({ ...draft, logo: saved.settings.widget.logo });
  };

  async function save(event: Event) {
    event.preventDefault();
    if (!draft) return;
    await run(async () => setShop(await api.updateShop({ settings: { widget: draft } })));
  }

  async function upload(file: File | undefined) {
    if (!file) return;
    await run(async () => {
      if (file.size > LOGO_MAX_BYTES) throw new ApiError(415, 'LOGO_INVALID', t.logoTooLarge);
      adopt(await api.call<Shop>('POST', '/shop/logo', { contentBase64: await base64Of(file) }));
    }, t.logoUploaded);
  }

  return (
    <section class="widget-admin" aria-label={t.widgetTab}>
      <form class="settings" onSubmit={(event) => void save(event)}>
        <h2>{t.widgetAppearance}</h2>
        <label>
          {t.widgetColor}
          <span class="color-pair">
            <input type="color" aria-label={t.widgetColor} value={color} onInput={(e) => change({ color: e.currentTarget.value })} />
            <input name="color" required pattern="#[0-9a-fA-F]{6}" maxLength={7} value={draft.color} onInput={(e) => change({ color: e.currentTarget.value })} />
          </span>
        </label>
        <p class="hint">{t.widgetContrast(textColorOn(color) === '#ffffff' ? t.widgetTextLight : t.widgetTextDark, contrastRatio(color, textColorOn(color)).toFixed(1))}</p>
        <label>
          {t.widgetGreeting}
          <textarea name="greeting" maxLength={200} rows={2} value={draft.greeting} onInput={(e) => change({ greeting: e.currentTarget.value })} />
        </label>
        <fieldset>
          <legend>{t.widgetPosition}</legend>
          {(['right', 'left'] as const).map((position) => (
            <label class="check" key={position}>
              <input type="radio" name="position" value={position} checked={draft.position === position} onChange={() => change({ position })} />{' '}
              {position === 'right' ? t.widgetRight : t.widgetLeft}
            </label>
          ))}
        </fieldset>
        <label>
          {t.widgetLauncherText}
          <input name="launcherText" maxLength={40} value={draft.launcherText} onInput={(e) => change({ launcherText: e.currentTarget.value })} />
        </label>
        <label>
          {t.widgetLogo}
          <input type="file" accept="image/png,image/jpeg,image/webp,image/gif" onChange={(e) => void upload(e.currentTarget.files?.[0])} />
        </label>
        <p class="hint">{t.widgetLogoHint}</p>
        {draft.logo !== null && (
          <button type="button" onClick={() => change({ logo: null })}>
            {t.widgetLogoRemove}
          </button>
        )}
        <fieldset>
          <legend>{t.widgetPrechat}</legend>
          {(['name', 'email'] as const).map((field) => (
            <label key={field}>
              {field === 'name' ? t.widgetPrechatName : t.widgetPrechatEmail}
              <select name={`prechat-${field}`} value={draft.prechat[field]} onChange={(e) => change({ prechat: { ...draft.prechat, [field]: e.currentTarget.value as PrechatMode } })}>
                {MODES.map((mode) => (
                  <option key={mode} value={mode}>
                    {t.widgetModes[mode]}
                  </option>
                ))}
              </select>
            </label>
          ))}
        </fieldset>
        <button type="submit" class="primary">
          {t.save}
        </button>
        {view}
      </form>
      <WidgetPreview shopId={shop.id} appearance={publicOf(shop, draft, color)} t={t} />
    </section>
  );
}

/** The widget in preview mode, fed the draft by postMessage, and the launcher as a page would show it. */
function WidgetPreview({ shopId, appearance, t }: { shopId: string; appearance: PublicAppearance; t: Strings }) {
  const frame = useRef<HTMLIFrameElement>(null);
  const [ready, setReady] = useState(false);
  const locale = document.documentElement.lang || navigator.language;
  const post = () => frame.current?.contentWindow?.postMessage({ frontdesk: 1, type: 'preview', appearance, locale }, location.origin);
  useEffect(() => {
    const onMessage = (event: MessageEvent) => {
      if (event.origin !== location.origin || event.source !== frame.current?.contentWindow) return;
      if ((event.data as { frontdesk?: number; type?: string } | null)?.type === 'ready') setReady(true);
    };
    window.addEventListener('message', onMessage);
    return () => window.removeEventListener('message', onMessage);
  }, []);
  useEffect(() => void (ready && post()), [ready, JSON.stringify(appearance), locale]);
  const fragment = new URLSearchParams({ preview: '1', parent: location.origin, locale });
  return (
    <div class="widget-preview" aria-label={t.widgetPreview} role="region">
      <h2>{t.widgetPreview}</h2>
      <div class={`preview-page ${appearance.position}`}>
        <iframe ref={frame} title={t.widgetPreview} src={`/widget/?shop=${encodeURIComponent(shopId)}#${fragment}`} />
        <span class={appearance.launcherText ? 'preview-launcher text' : 'preview-launcher'} style={{ background: appearance.color, color: appearance.textColor }}>
          <svg width="22" height="22" viewBox="0 0 24 24" fill="currentColor" aria-hidden="true">
            <path d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H8l-5 4V5a2 2 0 0 1 2-2z" />
          </svg>
          {appearance.launcherText}
        </span>
      </div>
    </div>
  );
}
