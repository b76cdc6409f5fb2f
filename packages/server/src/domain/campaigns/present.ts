import type { Campaign, CampaignRecipient, WidgetCampaign } from '@frontdesk/protocol';
import type { CampaignRecord, CampaignResults, RecipientRecord } from './ports.ts';

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/** A campaign as the API and the consoles' `campaign` frame show it. */
export function presentCampaign(c: CampaignRecord, results: CampaignResults): Campaign {
  return {
    id: c.id,
    name: c.name,
    kind: c.kind,
    status: c.status,
    senderId: c.senderId,
    text: c.text,
    audience: c.audience,
    trigger: c.trigger,
    throttlePerSecond: c.throttlePerSecond,
    scheduledAt: iso(c.scheduledAt),
    startedAt: iso(c.startedAt),
    finishedAt: iso(c.finishedAt),
    counts: { total: c.total, sent: c.sent, failed: c.failed, skipped: c.skipped, ...results },
    createdAt: new Date(c.createdAt).toISOString(),
  };
}

export function presentRecipient(r: RecipientRecord): CampaignRecipient {
  return { customerId: r.customerId, name: r.name, status: r.status, conversationId: r.conversationId, sentAt: iso(r.sentAt), error: r.error };
}

export function presentWidgetCampaign(c: WidgetCampaign): WidgetCampaign {
  return { id: c.id, text: c.text, delaySeconds: c.delaySeconds, senderName: c.senderName };
}
