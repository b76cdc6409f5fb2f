import { useEffect, useState } from 'preact/hooks';
import type { CsatSettings } from '@frontdesk/protocol';
import type { Api } from './api.ts';
import type { Strings } from './i18n.ts';
import { useOutcome } from './outcome.tsx';

/**
 * Administration → Shop: whether the widget asks for a rating after a close
 * (docs/api.md#customer-satisfaction-csat). A switch that saves as it is flipped: no second Save
 * button next to the shop settings' own.
 */
export function CsatAdmin({ api, t }: { api: Api; t: Strings }) {
  const [settings, setSettings] = useState<CsatSettings | null>(null);
  const { run, view } = useOutcome(t);
  useEffect(() => void api.shop().then((shop) => setSettings(shop.settings.csat ?? { enabled: false }), () => {}), []);
  if (!settings) return null;

  const flip = (enabled: boolean) => run(async () => setSettings((await api.updateShop({ settings: { csat: { enabled } } })).settings.csat));

  return (
    <section class="settings csat-admin" aria-labelledby="csat-admin-title">
      <h2 id="csat-admin-title">{t.csatTitle}</h2>
      <p class="hint">{t.csatHint}</p>
      <label class="check">
        <input type="checkbox" role="switch" checked={settings.enabled} onChange={(e) => void flip(e.currentTarget.checked)} /> {t.csatEnabled}
      </label>
      {view}
    </section>
  );
}
