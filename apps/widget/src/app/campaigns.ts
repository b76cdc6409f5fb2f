/**
 * Ongoing campaigns in the widget (docs/campaigns.md): the page tells the widget its URL (bridge
 * `page`); the widget asks which campaigns match it, waits each one's delay on that page, then asks
 * the server to show it. The server stores the message in the visitor's conversation (once per
 * visitor), so it arrives like any other message; the page shows a preview beside the launcher
 * while the chat is closed.
 */
import { useEffect } from 'preact/hooks';
import type { WidgetCampaignList } from '@frontdesk/protocol';
import type { WidgetMessage } from '../bridge.ts';

interface Options {
  readonly api: string;
  /** The customer's session token; null until the session is open. */
  readonly token: string | null;
  readonly pageUrl: string | null;
  /** Whether the chat is open and visible now (then no preview is needed). */
  readonly visible: () => boolean;
  readonly toParent: (message: WidgetMessage) => void;
}

/** Campaigns shown in this page's life: a navigation within the site does not ask again. */
const shown = new Set<string>();

export function useOngoingCampaigns({ api, token, pageUrl, visible, toParent }: Options): void {
  useEffect(() => {
    if (!token || !pageUrl) return;
    const headers = { authorization: `Bearer ${token}` };
    const timers: Array<ReturnType<typeof setTimeout>> = [];
    let stopped = false;
    void fetch(`${api}/widget/campaigns?url=${encodeURIComponent(pageUrl)}`, { headers })
      .then((r) => (r.ok ? (r.json() as Promise<WidgetCampaignList>) : { items: [] }))
      .then((list) => {
        for (const campaign of list.items) {
          if (stopped || shown.has(campaign.id)) continue;
          // Time on this page: leaving it (a new URL) cancels the wait.
          timers.push(
            setTimeout(async () => {
              shown.add(campaign.id);
              const response = await fetch(`${api}/widget/campaigns/${encodeURIComponent(campaign.id)}/shown`, { method: 'POST', headers }).catch(() => null);
              if (!response?.ok) return void shown.delete(campaign.id);
              if (!visible()) toParent({ type: 'proactive', text: campaign.text, from: campaign.senderName });
            }, campaign.delaySeconds * 1000),
          );
        }
      })
      .catch(() => {});
    return () => {
      stopped = true;
      timers.forEach(clearTimeout);
    };
  }, [token, pageUrl]);
}
