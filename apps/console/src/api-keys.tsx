/** Administration → API keys (owner, admin): the bearer credentials of the push APIs (docs/api.md, docs/protocol-goim.md). */
import { useEffect, useState } from 'preact/hooks';
import type { ApiKey, CreatedApiKey } from '@frontdesk/protocol';
import { ApiError, type Api } from './api.ts';
import type { Strings } from './i18n.ts';
import { errorText } from './i18n-errors.ts';
import { SecretOnce } from './webhooks.tsx';
import { uiLocale } from './locale.ts';

export function ApiKeysAdmin({ api, t }: { api: Api; t: Strings }) {
  const [items, setItems] = useState<ApiKey[] | null>(null);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const fail = (e: unknown) => setError((e instanceof ApiError && t.apiKeyErrors[e.code]) || errorText(e, t));
  const reload = () => api.apiKeys().then(setItems, fail);
  useEffect(() => void reload(), []);

  const create = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setCreated(await api.createApiKey(name.trim()));
      setName('');
      await reload();
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };
  const revoke = async (key: ApiKey) => {
    if (!confirm(t.revokeApiKeyConfirm(key.name))) return;
    setError(null);
    try {
      await api.deleteApiKey(key.id);
      if (created?.id === key.id) setCreated(null);
      await reload();
    } catch (e) {
      fail(e);
    }
  };

  return (
    <section class="api-keys" aria-label={t.apiKeys}>
      <p class="hint">{t.apiKeysHint}</p>
      {created && <SecretOnce label={t.apiKey} about={created.name} secret={created.key} note={t.apiKeyOnce} t={t} onDone={() => setCreated(null)} />}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {items?.length === 0 && <p class="hint">{t.noApiKeys}</p>}
      <ul class="keys">
        {items?.map((key) => (
          <li key={key.id} class="key">
            <div>
              <strong>{key.name}</strong> <code>{key.prefix}…</code>
              <div class="hint">{t.apiKeyCreated(new Date(key.createdAt).toLocaleString(uiLocale(), { dateStyle: 'short', timeStyle: 'short' }))}</div>
            </div>
            <button type="button" class="danger" onClick={() => void revoke(key)}>
              {t.revoke}
            </button>
          </li>
        ))}
      </ul>
      <form onSubmit={create}>
        <label>
          {t.apiKeyName}
          <input value={name} maxLength={100} required placeholder={t.apiKeyNamePlaceholder} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <button type="submit" class="primary" disabled={busy || name.trim() === ''}>
          {t.createApiKey}
        </button>
      </form>
    </section>
  );
}
