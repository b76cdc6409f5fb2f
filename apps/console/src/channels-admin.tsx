import { useEffect, useState } from 'preact/hooks';
import type { EmailSettings, Shop, WechatAccount, WechatAccountBody } from '@frontdesk/protocol';
import type { Api } from './api.ts';
import type { Strings } from './i18n.ts';
import { useOutcome } from './outcome.tsx';
import { uiLocale } from './locale.ts';

/** Administration → Channels: the WeChat official account and the e-mail settings (docs/channels.md). */
export function ChannelsAdmin({ api, t }: { api: Api; t: Strings }) {
  return (
    <>
      <WechatAdmin api={api} t={t} />
      <EmailAdmin api={api} t={t} />
    </>
  );
}

function WechatAdmin({ api, t }: { api: Api; t: Strings }) {
  const [account, setAccount] = useState<WechatAccount | null | undefined>(undefined);
  const [editing, setEditing] = useState(false);
  const [copied, setCopied] = useState(false);
  const { run, view } = useOutcome(t);
  useEffect(() => {
    api.call<WechatAccount>('GET', '/channels/wechat').then(setAccount, () => setAccount(null));
  }, []);
  if (account === undefined) return null;

  async function connect(event: Event) {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    const field = (name: keyof WechatAccountBody) => String(data.get(name) ?? '').trim();
    const body: WechatAccountBody = { appId: field('appId'), appSecret: field('appSecret'), token: field('token'), encodingAesKey: field('encodingAesKey'), originalId: field('originalId') };
    await run(async () => {
      setAccount(await api.call<WechatAccount>('PUT', '/channels/wechat', body));
      setEditing(false);
    });
  }

  return (
    <section class="settings channel" aria-label={t.wechatAccount}>
      <h2>{t.wechatAccount}</h2>
      <p class="hint">{t.wechatHint}</p>
      {account && (
        <div class="callback">
          <p>
            <strong>{t.appId}</strong> {account.appId} · <strong>{t.originalId}</strong> {account.originalId}
          </p>
          <p class="hint">{t.connectedSince(new Date(account.connectedAt).toLocaleString(uiLocale()))}</p>
          <label>
            {t.callbackUrl}
            <span class="copy-row">
              <input readOnly value={account.callbackUrl} onFocus={(e) => e.currentTarget.select()} />
              <button
                type="button"
                onClick={() => void navigator.clipboard?.writeText(account.callbackUrl).then(() => setCopied(true), () => {})}
              >
                {copied ? t.copied : t.copy}
              </button>
            </span>
          </label>
          <p class="hint">{t.callbackHint}</p>
          <div class="row-actions">
            <button type="button" onClick={() => setEditing((e) => !e)} aria-expanded={editing}>
              {t.replaceSettings}
            </button>
            <button
              type="button"
              class="danger"
              onClick={() => {
                if (!confirm(t.disconnectConfirm)) return;
                void run(async () => {
                  await api.call<void>('DELETE', '/channels/wechat');
                  setAccount(null);
                });
              }}
            >
              {t.disconnect}
            </button>
          </div>
        </div>
      )}
      {(!account || editing) && (
        <form onSubmit={(event) => void connect(event)} aria-label={t.wechatAccount}>
          <label>
            {t.appId}
            <input name="appId" required pattern="wx[0-9a-zA-Z]{6,30}" autoComplete="off" defaultValue={account?.appId ?? ''} />
          </label>
          <label>
            {t.appSecret}
            <input name="appSecret" type="password" required minLength={16} maxLength={64} autoComplete="new-password" />
          </label>
          <label>
            {t.wechatToken}
            <input name="token" required minLength={3} maxLength={32} pattern="[0-9A-Za-z]+" autoComplete="off" />
          </label>
          <label>
            {t.encodingAesKey}
            <input name="encodingAesKey" required pattern="[A-Za-z0-9+/]{43}" autoComplete="off" />
          </label>
          <label>
            {t.originalId}
            <input name="originalId" required pattern="gh_[0-9a-zA-Z]{6,30}" autoComplete="off" defaultValue={account?.originalId ?? ''} />
          </label>
          <button type="submit" class="primary">
            {t.connect}
          </button>
        </form>
      )}
      {view}
    </section>
  );
}

function EmailAdmin({ api, t }: { api: Api; t: Strings }) {
  const [settings, setSettings] = useState<EmailSettings | null>(null);
  const { run, view } = useOutcome(t);
  useEffect(() => void api.shop().then((shop: Shop) => setSettings(shop.settings.email), () => {}), []);
  if (!settings) return null;

  async function save(event: Event) {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    const fromName = String(data.get('fromName') ?? '').trim();
    const email: EmailSettings = {
      enabled: data.get('enabled') !== null,
      fromName: fromName === '' ? null : fromName,
      delayMinutes: Number(data.get('delayMinutes')),
      transcriptOnClose: data.get('transcriptOnClose') !== null,
      askBeforeChat: data.get('askBeforeChat') !== null,
    };
    await run(async () => setSettings((await api.updateShop({ settings: { email } })).settings.email));
  }

  return (
    <form class="settings channel" onSubmit={(event) => void save(event)} aria-label={t.emailChannel}>
      <h2>{t.emailChannel}</h2>
      <p class="hint">{t.emailHint}</p>
      <label class="check">
        <input name="enabled" type="checkbox" defaultChecked={settings.enabled} /> {t.emailEnabled}
      </label>
      <label>
        {t.fromName}
        <input name="fromName" maxLength={100} defaultValue={settings.fromName ?? ''} />
      </label>
      <label>
        {t.delayMinutes}
        <input name="delayMinutes" type="number" min={1} max={1440} required defaultValue={settings.delayMinutes} />
      </label>
      <label class="check">
        <input name="transcriptOnClose" type="checkbox" defaultChecked={settings.transcriptOnClose} /> {t.transcriptOnClose}
      </label>
      <label class="check">
        <input name="askBeforeChat" type="checkbox" defaultChecked={settings.askBeforeChat} /> {t.askBeforeChat}
      </label>
      <button type="submit" class="primary">
        {t.save}
      </button>
      {view}
    </form>
  );
}
