/** The customer panel beside a conversation: who they are, their attributes and past inquiries. */
import { useEffect, useState } from 'preact/hooks';
import type { Channel, CustomerDetails } from '@frontdesk/protocol';
import type { Api } from './api.ts';
import type { Strings } from './i18n.ts';
import { AttributeList, formatWhen } from './ui.tsx';

/**
 * `inquiry` (the live conversation's status and assignee) changing fetches the panel again, so its
 * inquiries never go stale. `channel` is the conversation's: a WeChat fan is named as such, by openid.
 */
export function CustomerPanelView(props: { api: Api; customerId: string; channel: Channel; inquiry: string; names: Map<string, string>; t: Strings }) {
  const { api, customerId, channel, inquiry, names, t } = props;
  const [panel, setPanel] = useState<CustomerDetails | null>(null);
  useEffect(() => {
    let current = true;
    api.customer(customerId).then(
      (details) => current && setPanel(details),
      () => current && setPanel(null),
    );
    return () => void (current = false);
  }, [customerId, inquiry]);
  if (!panel) return <aside class="panel" aria-label={t.customer} />;
  const c = panel.customer;
  const wechat = channel === 'wechat';
  const attributes = Object.entries(panel.attributes);
  return (
    <aside class="panel" aria-label={t.customer}>
      <h2>{t.customer}</h2>
      <dl>
        <dt>{t.name}</dt>
        <dd>{c.name ?? (wechat ? '—' : t.anonymous)}</dd>
        {c.email && (
          <>
            <dt>{t.email}</dt>
            <dd>{c.email}</dd>
          </>
        )}
        {c.externalId && (
          <>
            <dt>{wechat ? 'openid' : 'ID'}</dt>
            <dd>{c.externalId}</dd>
          </>
        )}
        <dt>{t.role}</dt>
        <dd>{wechat ? t.wechatFollower : t.customerKinds[c.kind]}</dd>
      </dl>
      {attributes.length > 0 && (
        <>
          <h3>{t.attributes}</h3>
          <AttributeList attributes={attributes} />
        </>
      )}
      <h3>{t.pastInquiries}</h3>
      <ol class="inquiries">
        {panel.inquiries.map((inquiry) => (
          <li key={inquiry.id}>
            <span class={`status ${inquiry.status}`}>{t.status[inquiry.status]}</span> {formatWhen(inquiry.createdAt)}
            {inquiry.assigneeId && ` · ${names.get(inquiry.assigneeId) ?? ''}`}
            {inquiry.firstResponseAt && ` · ${t.firstResponse} ${Math.round((Date.parse(inquiry.firstResponseAt) - Date.parse(inquiry.createdAt)) / 1000)} s`}
          </li>
        ))}
      </ol>
    </aside>
  );
}
