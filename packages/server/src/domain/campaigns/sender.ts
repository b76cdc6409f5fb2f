import type { CampaignChanged, EventSink, MessageCreated } from '../events.ts';
import { campaignBatchPlanner } from './batch.ts';
import type { CampaignDelivery, CampaignRecord, CampaignResults, CampaignStore, DueCampaign } from './ports.ts';
import { campaignMove } from './states.ts';
import { tokenBucket } from './throttle.ts';

export interface SenderOptions {
  readonly nodeId: string;
  /** How long a node holds a campaign without renewing it (CAMPAIGN_LEASE_MS). */
  readonly leaseMs: number;
  /** Recipients per transaction when unthrottled (CAMPAIGN_BATCH). */
  readonly batchSize: number;
  /** SQLite: one process writes (storage/writer-lock.ts), so any lease but this process's is a dead one's. */
  readonly singleNode: boolean;
}

interface Deps {
  readonly campaigns: CampaignStore;
  readonly events: EventSink;
  readonly now: () => number;
  readonly newId: () => string;
  readonly sleep: (ms: number) => Promise<void>;
  readonly failed: (error: unknown, campaignId: string) => void;
}

/** A campaign message stored (or found stored), as the event that publishes it to its narrow audience. */
export function deliveredEvent(campaignId: string, delivery: CampaignDelivery): MessageCreated {
  return {
    type: 'message.created',
    conversation: delivery.conversation,
    message: delivery.message,
    resent: delivery.duplicate,
    campaign: { id: campaignId, staffIds: delivery.staffIds },
  };
}

/** How often progress recounts read / replied / opted out while a campaign sends. */
export const RESULTS_EVERY_MS = 30_000;

export function campaignEvent(type: CampaignChanged['type'], campaign: CampaignRecord, results: CampaignResults): CampaignChanged {
  return { type, campaign, results };
}

/**
 * Sends one-off campaigns (docs/campaigns.md). `poll` (a job, every CAMPAIGN_POLL_MS) takes the
 * campaigns that are due and whose lease this node wins; each is then driven in batches until it
 * completes, stops (paused, cancelled) or its lease is lost. Each batch is one transaction
 * (storage's sendBatch); its messages are published after the commit, to the customers online.
 * A crash leaves the lease to expire (at once on a single node): whoever takes it next carries on
 * with the recipients still pending, so nobody gets the message twice.
 */
export function campaignSender(deps: Deps, options: SenderOptions) {
  const { campaigns, events, now } = deps;
  const plan = campaignBatchPlanner(deps.newId);
  const active = new Map<string, Promise<void>>();
  let stopped = false;

  async function drive(due: DueCampaign): Promise<void> {
    try {
      if (due.status === 'scheduled') {
        const at = now();
        const begun = await campaigns.move(due.shopId, due.id, campaignMove('begin', 'one_off', 'scheduled', at), at);
        if (!begun) return;
        await events.emit(campaignEvent('campaign.progressed', begun, { read: 0, replied: 0, optedOut: 0 }));
      }
      const campaign = await campaigns.find(due.shopId, due.id);
      if (!campaign) return;
      const bucket = campaign.throttlePerSecond === null ? null : tokenBucket(campaign.throttlePerSecond, now());
      // Read, replied and opted out join every sent recipient to members, messages and contacts:
      // a third of a second at 100,000 on SQLite, where it would hold up sending. Progress reports
      // them as of their last count, made at most every RESULTS_EVERY_MS and at the end.
      let results: CampaignResults = { read: 0, replied: 0, optedOut: 0 };
      let resultsAt = -Infinity;
      while (!stopped) {
        let limit = options.batchSize;
        if (bucket) {
          const wait = bucket.waitMs(now());
          if (wait > 0) await deps.sleep(wait);
          limit = Math.min(options.batchSize, bucket.take(now()));
        }
        const outcome = await campaigns.sendBatch(due.id, options.nodeId, limit, now(), options.leaseMs, plan);
        if (!outcome) return;
        for (const delivery of outcome.delivered) await events.emit(deliveredEvent(due.id, delivery));
        if (outcome.progressed) {
          if (outcome.completed || now() - resultsAt >= RESULTS_EVERY_MS) {
            results = (await campaigns.results(due.shopId, [due.id])).get(due.id) ?? results;
            resultsAt = now();
          }
          await events.emit(campaignEvent(outcome.completed ? 'campaign.completed' : 'campaign.progressed', outcome.campaign, results));
        }
        if (outcome.completed) return;
      }
    } finally {
      await campaigns.release(due.id, options.nodeId);
    }
  }

  return {
    /** Takes what is due (and free) and starts driving it; returns at once. */
    async poll(): Promise<void> {
      if (stopped) return;
      for (const due of await campaigns.due(options.nodeId, now(), options.singleNode, 50)) {
        if (active.has(due.id)) continue;
        if (!(await campaigns.lease(due.id, options.nodeId, now(), options.leaseMs, options.singleNode))) continue;
        const run = drive(due)
          .catch((error: unknown) => deps.failed(error, due.id))
          .finally(() => active.delete(due.id));
        active.set(due.id, run);
      }
    },
    /** The campaigns this node drives now. */
    driving: (): string[] => [...active.keys()],
    /** Stops after the batches in flight; their leases are let go. */
    async stop(): Promise<void> {
      stopped = true;
      await Promise.all(active.values());
    },
  };
}
