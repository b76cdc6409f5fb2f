/** Administration (owner, admin): staff, shop settings, the embed snippet, canned responses, webhooks (webhooks.tsx), API keys (api-keys.tsx). */
import { ChannelsAdmin } from './channels-admin.tsx';
import { WidgetAdmin } from './widget-admin.tsx';
import { useEffect, useState } from 'preact/hooks';
import type { CannedResponse, Label, RoutingStrategy, Shop, ShopSettings, Staff, StaffRole, Weekday } from '@frontdesk/protocol';
import type { Api } from './api.ts';
import type { Strings } from './i18n.ts';
import { useOutcome } from './outcome.tsx';
import { Avatar } from './ui.tsx';
import { WebhooksAdmin } from './webhooks.tsx';
import { ApiKeysAdmin } from './api-keys.tsx';
import { AdminAddress } from './route.ts';
import { contactsApi } from './api-contacts.ts';
import { LabelsAdmin } from './labels-admin.tsx';
import { fromMegabytes, fromMinutes, StaffPassword, toMegabytes, toMinutes, weekdayName } from './admin-fields.tsx';
import { CsatAdmin } from './csat-admin.tsx';

const STRATEGIES: RoutingStrategy[] = ['sticky-then-least-busy', 'least-busy', 'round-robin', 'random', 'manual'];
const ROLES: StaffRole[] = ['agent', 'admin', 'owner'];
const DAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

export function Admin({ api, me, t, labels, onLabelsChanged }: { api: Api; me: Staff; t: Strings; labels: readonly Label[]; onLabelsChanged: () => void }) {
  const [tab, setTab] = useState<'staff' | 'shop' | 'canned' | 'labels' | 'channelsTab' | 'widgetTab' | 'embed' | 'webhooks' | 'apiKeys'>('shop');
  return (
    <main class="admin">
      <AdminAddress tab={tab} onTab={setTab} />
      <div class="tabs" role="tablist">
        {(['shop', 'staff', 'canned', 'labels', 'channelsTab', 'widgetTab', 'embed', 'webhooks', 'apiKeys'] as const).map((name) => (
          <button type="button" role="tab" key={name} aria-selected={tab === name} onClick={() => setTab(name)}>
            {t[name]}
          </button>
        ))}
      </div>
      {tab === 'staff' && <StaffAdmin api={api} me={me} t={t} />}
      {tab === 'shop' && <ShopAdmin api={api} me={me} t={t} />}
      {tab === 'shop' && <CsatAdmin api={api} t={t} />}
      {tab === 'canned' && <CannedAdmin api={api} t={t} />}
      {tab === 'labels' && <LabelsAdmin capi={contactsApi(api)} labels={labels} t={t} onChanged={onLabelsChanged} />}
      {tab === 'channelsTab' && <ChannelsAdmin api={api} t={t} />}
      {tab === 'widgetTab' && <WidgetAdmin api={api} t={t} />}
      {tab === 'embed' && <Embed api={api} t={t} />}
      {tab === 'webhooks' && <WebhooksAdmin api={api} t={t} />}
      {tab === 'apiKeys' && <ApiKeysAdmin api={api} t={t} />}
    </main>
  );
}

function StaffAdmin({ api, me, t }: { api: Api; me: Staff; t: Strings }) {
  const [staff, setStaff] = useState<Staff[]>([]);
  const [password, setPassword] = useState<{ name: string; password: string } | null>(null);
  const { run, view } = useOutcome(t);
  const reload = () => api.staff().then(setStaff, () => {});
  useEffect(() => void reload(), []);
  async function create(event: Event) {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const capacity = String(data.get('capacity') ?? '');
    setPassword(null);
    await run(async () => {
      const created = await api.createStaff({
        email: String(data.get('email')),
        name: String(data.get('name')),
        role: String(data.get('role')) as StaffRole,
        ...(capacity !== '' && { capacity: Number(capacity) }),
      });
      form.reset();
      await reload();
      if (created.password) setPassword({ name: created.staff.name, password: created.password });
    });
  }
  return (
    <section aria-label={t.staff}>
      {/* On a phone the table scrolls sideways inside its box (focusable, so the keyboard scrolls it too). */}
      <div class="scroll" tabIndex={0}>
        <table class="grid">
          <thead>
            <tr>
              <th>{t.name}</th>
              <th>{t.email}</th>
              <th>{t.role}</th>
              <th>{t.capacity}</th>
              <th>{t.disabled}</th>
            </tr>
          </thead>
          <tbody>
            {staff.map((s) => (
              <tr key={s.id}>
                <td>
                  <Avatar id={s.id} name={s.name} /> {s.name}
                </td>
                <td>{s.email}</td>
                <td>
                  <select aria-label={`${t.role}: ${s.name}`} value={s.role} disabled={s.role === 'owner' && me.role !== 'owner'} onChange={(e) => void run(() => api.updateStaff(s.id, { role: e.currentTarget.value as StaffRole }).then(reload))}>
                    {ROLES.map((r) => (
                      <option key={r} value={r} disabled={r === 'owner' && me.role !== 'owner'}>
                        {t.roles[r]}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  <input
                    type="number"
                    min={0}
                    max={1000}
                    aria-label={`${t.capacity}: ${s.name}`}
                    defaultValue={s.capacity === null ? '' : String(s.capacity)}
                    placeholder="—"
                    onChange={(e) => {
                      const value = e.currentTarget.value;
                      void run(() => api.updateStaff(s.id, { capacity: value === '' ? null : Number(value) }).then(reload));
                    }}
                  />
                </td>
                <td>
                  <input type="checkbox" aria-label={`${t.disabled}: ${s.name}`} checked={s.disabled} disabled={s.id === me.id} onChange={(e) => void run(() => api.updateStaff(s.id, { disabled: e.currentTarget.checked }).then(reload))} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form class="inline labelled" onSubmit={create}>
        <label>
          {t.name}
          <input name="name" required maxLength={120} />
        </label>
        <label>
          {t.email}
          <input name="email" type="email" required />
        </label>
        <label>
          {t.role}
          <select name="role">
            {ROLES.filter((r) => r !== 'owner' || me.role === 'owner').map((r) => (
              <option key={r} value={r}>
                {t.roles[r]}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t.capacity}
          <input name="capacity" type="number" min={0} max={1000} />
        </label>
        <button type="submit" class="primary">
          {t.add}
        </button>
      </form>
      {password && <StaffPassword name={password.name} password={password.password} t={t} onDone={() => setPassword(null)} />}
      {view}
    </section>
  );
}

/** Uncontrolled fields (defaultValue): what the admin types survives re-renders until saved. */
function ShopAdmin({ api, me, t }: { api: Api; me: Staff; t: Strings }) {
  const [shop, setShop] = useState<(Shop & { identitySecret: string }) | null>(null);
  const { run, view } = useOutcome(t);
  useEffect(() => void api.shop().then(setShop, () => {}), []);
  if (!shop) return null;
  const s = shop.settings;
  const hours = s.businessHours;
  async function save(event: Event) {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    const text = (name: string) => String(data.get(name) ?? '');
    const days: Partial<Record<Weekday, Array<[string, string]>>> = {};
    for (const day of DAYS) {
      const ranges = text(`hours-${day}`)
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean)
        .map((r) => r.split('-').map((x) => x.trim()) as [string, string]);
      if (ranges.length > 0) days[day] = ranges;
    }
    const settings: Partial<ShopSettings> = {
      routingStrategy: text('routingStrategy') as RoutingStrategy,
      defaultCapacity: Number(text('defaultCapacity')),
      autoReassignSeconds: fromMinutes(text('autoReassignMinutes')),
      widgetOrigins: text('widgetOrigins').split('\n').map((o) => o.trim()).filter(Boolean),
      offlineMessage: text('offlineMessage'),
      maxAttachmentBytes: fromMegabytes(text('maxAttachmentMb')),
      businessHours: data.get('alwaysOpen') ? null : { timezone: text('timezone'), days },
    };
    await run(async () => {
      const updated = await api.updateShop({ name: text('name'), settings });
      setShop({ ...shop!, ...updated });
    });
  }
  return (
    <form class="settings" onSubmit={save} aria-label={t.shop}>
      <label>
        {t.name}
        <input name="name" required maxLength={120} defaultValue={shop.name} />
      </label>
      <label>
        {t.routingStrategy}
        <select name="routingStrategy">
          {STRATEGIES.map((strategy) => (
            <option key={strategy} value={strategy} selected={strategy === s.routingStrategy}>
              {t.strategies[strategy]}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t.defaultCapacity}
        <input name="defaultCapacity" type="number" min={0} max={1000} defaultValue={s.defaultCapacity} />
      </label>
      <label>
        {t.autoReassign}
        <input name="autoReassignMinutes" type="number" min={0} max={1440} step="any" defaultValue={toMinutes(s.autoReassignSeconds)} />
      </label>
      <label>
        {t.widgetOrigins}
        <textarea name="widgetOrigins" rows={3} defaultValue={s.widgetOrigins.join('\n')} />
      </label>
      <label>
        {t.offlineMessage}
        <textarea name="offlineMessage" rows={2} maxLength={500} defaultValue={s.offlineMessage} />
      </label>
      <label>
        {t.maxAttachment}
        <input name="maxAttachmentMb" type="number" min={0.01} max={1024} step="any" defaultValue={toMegabytes(s.maxAttachmentBytes)} />
      </label>
      <fieldset>
        <legend>{t.businessHours}</legend>
        <label class="check">
          <input name="alwaysOpen" type="checkbox" defaultChecked={hours === null} /> {t.alwaysOpen}
        </label>
        <label>
          {t.timezone}
          <input name="timezone" defaultValue={hours?.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone} />
        </label>
        <p class="hint">{t.hoursHint}</p>
        {DAYS.map((day) => (
          <label key={day} class="day">
            <span>{weekdayName(day)}</span>
            <input name={`hours-${day}`} defaultValue={(hours?.days[day] ?? []).map(([a, b]) => `${a}-${b}`).join(', ')} />
          </label>
        ))}
      </fieldset>
      <div class="secret">
        <span>{t.identitySecret}</span>
        <code>{shop.identitySecret}</code>
        {me.role === 'owner' && (
          <button
            type="button"
            onClick={() => {
              if (!confirm(t.rotateConfirm)) return;
              void run(async () => {
                const { identitySecret } = await api.rotateSecret();
                setShop({ ...shop!, identitySecret });
              });
            }}
          >
            {t.rotate}
          </button>
        )}
      </div>
      <button type="submit" class="primary">
        {t.save}
      </button>
      {view}
    </form>
  );
}

function CannedAdmin({ api, t }: { api: Api; t: Strings }) {
  const [items, setItems] = useState<CannedResponse[]>([]);
  const { run, view } = useOutcome(t);
  const reload = () => api.canned().then((page) => setItems(page.items), () => {});
  useEffect(() => void reload(), []);
  async function create(event: Event) {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    await run(async () => {
      await api.createCanned({ shortcut: String(data.get('shortcut')), title: String(data.get('title')), text: String(data.get('text')) });
      form.reset();
      await reload();
    });
  }
  return (
    <section aria-label={t.canned}>
      <ul class="canned-admin">
        {items.map((c) => (
          <li key={c.id}>
            <kbd>/{c.shortcut}</kbd> <strong>{c.title}</strong>
            <p>{c.text}</p>
            <button type="button" class="ghost" onClick={() => void run(() => api.deleteCanned(c.id).then(reload))}>
              {t.remove}
            </button>
          </li>
        ))}
      </ul>
      <form class="inline labelled" onSubmit={create}>
        <label>
          {t.shortcut}
          <input name="shortcut" required pattern="[a-z0-9][a-z0-9_\-]{0,31}" />
        </label>
        <label>
          {t.title}
          <input name="title" required maxLength={120} />
        </label>
        <label>
          {t.text}
          <textarea name="text" required rows={2} />
        </label>
        <button type="submit" class="primary">
          {t.add}
        </button>
      </form>
      {view}
    </section>
  );
}

function Embed({ api, t }: { api: Api; t: Strings }) {
  const [shopId, setShopId] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  useEffect(() => void api.shop().then((shop) => setShopId(shop.id), () => {}), []);
  if (!shopId) return null;
  const snippet = `<script src="${location.origin}/widget.js" data-shop="${shopId}" async></script>`;
  return (
    <section aria-label={t.embed}>
      <p>{t.embedHint}</p>
      <pre class="snippet">
        <code>{snippet}</code>
      </pre>
      <button
        type="button"
        class="primary"
        onClick={() =>
          void navigator.clipboard.writeText(snippet).then(() => {
            setCopied(true);
            setTimeout(() => setCopied(false), 2000);
          })
        }
      >
        {copied ? t.copied : t.copy}
      </button>
    </section>
  );
}
