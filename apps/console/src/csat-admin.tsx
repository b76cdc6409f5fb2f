import { useEffect, useState } from 'preact/hooks';
import type { CsatSettings } from '@frontdesk/protocol';
import type { Api } from './api.ts';
import type { Strings } from './i18n.ts';
import { useOutcome } from './outcome.tsx';

/** Administration → Shop: whether the widget asks for a rating after a close (docs/api.md#customer-satisfaction-csat). */
export function CsatAdmin({ api, t }: { api: Api; t: Strings }) {
  const [settings, setSettings] = useState<CsatSettings | null>(null);
  const { run, view } = useOutcome(t);
  useEffect(() => void api.shop().then((shop) => setSettings(shop.settings.csat ?? { enabled: false }), () => {}), []);
  if (!settings) return null;

  async function save(event: Event) {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    const csat: CsatSettings = { enabled: data.get('csatEnabled') !== null };
    await run(async () => setSettings((await api.updateShop({ settings: { csat } })).settings.csat));
  }

  return (
    <form class="settings csat-admin" onSubmit={(event) => void save(event)} aria-labelledby="csat-admin-title">
      <h2 id="csat-admin-title">{t.csatTitle}</h2>
      <p class="hint">{t.csatHint}</p>
      <label class="check">
        <input name="csatEnabled" type="checkbox" defaultChecked={settings.enabled} /> {t.csatEnabled}
      </label>
      <button type="submit" class="primary">
        {t.save}
      </button>
      {view}
    </form>
  );
}
