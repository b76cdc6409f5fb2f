import type { CampaignStore } from '../domain/campaigns/ports.ts';
import { campaignSender } from '../domain/campaigns/sender.ts';
import type { EventSink } from '../domain/events.ts';
import { newId } from '../domain/ids.ts';
import { every, type Job } from './every.ts';

interface Log {
  warn(object: object, message: string): void;
}

/**
 * The campaign sender (domain/campaigns/sender.ts) as a job: every CAMPAIGN_POLL_MS it takes the
 * campaigns that are due and free; each then runs in its own loop until done, stopped or lost.
 * Stopping waits for the batches in flight, so a clean shutdown lets its leases go at once.
 */
export function campaignSenderJob(
  settings: { readonly leaseMs: number; readonly batchSize: number; readonly pollMs: number },
  deps: { campaigns: CampaignStore; events: EventSink; now: () => number; nodeId: string; singleNode: boolean; log: Log },
): Job & { stopped(): Promise<void>; driving(): string[] } {
  const sender = campaignSender(
    {
      campaigns: deps.campaigns,
      events: deps.events,
      now: deps.now,
      newId,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      failed: (error, campaignId) => deps.log.warn({ err: error, campaignId }, 'campaign batch failed'),
    },
    { nodeId: deps.nodeId, leaseMs: settings.leaseMs, batchSize: settings.batchSize, singleNode: deps.singleNode },
  );
  const job = every(settings.pollMs, sender.poll, (error) => deps.log.warn({ err: error }, 'campaign poll failed'));
  let stopping: Promise<void> | null = null;
  return {
    stop() {
      job.stop();
      stopping ??= sender.stop();
    },
    stopped: () => stopping ?? Promise.resolve(),
    driving: sender.driving,
  };
}
