import type { Config } from '../config/config.ts';
import type { NodeRegistry } from '../cluster/node-registry.ts';
import type { Store } from '../domain/ports.ts';
import type { Services } from '../domain/services.ts';
import type { WebhookDeliveries } from '../integrations/webhooks/deliveries.ts';
import { alertsJob, type AlertJobDeps } from './alerts.ts';
import { every, type Job } from './every.ts';
import { operationsPush } from './operations-push.ts';

const HOUR = 3_600_000;

interface Log {
  warn(object: object, message: string): void;
}

/**
 * Every periodic task of a node, started from app.ts:
 * - expired sessions are deleted (hourly);
 * - the routing sweep: presence expiry, auto-reassign, the queues of the shops this node serves, and
 *   the agent devices of nodes the cluster's registry saw die (ROUTING_SWEEP_MS);
 * - uploads never sent and unfinished uploads are cleaned up (ATTACHMENT_SWEEP_MS);
 * - webhook delivery (WEBHOOK_POLL_MS): the safety net for facts committed by other nodes, or
 *   before a crash, and for retries coming due; commits on this node wake it at once;
 * - the operations figures pushed to subscribed dashboards (OPERATIONS_PUSH_MS);
 * - the alert rules evaluated (ALERT_EVALUATE_MS), when there are any;
 * - WeChat (WECHAT_SWEEP_MS): callbacks recorded but not stored yet and replies not handed over,
 *   left by a crash or another node, or due for a retry; events wake both at once otherwise;
 * - e-mail (EMAIL_SWEEP_MS, with SMTP_URL): bursts of unread replies that are due;
 * - snoozed conversations whose time has come wake (SNOOZE_SWEEP_MS; domain/inbox/triage.ts).
 */
export function startJobs(
  config: Config,
  deps: { store: Store; services: Services; registry: NodeRegistry | null; webhooks: Pick<WebhookDeliveries, 'run'>;
    now: () => number;
    log: Log;
    operations: Parameters<typeof operationsPush>[1];
    alerts: AlertJobDeps;
    wechat: { sweep(): Promise<void> };
    email: { sweep(): Promise<void> } | null;
    /** Once per dead node, on the node that cleaned up after it. */
    nodeDied: () => Promise<void>;
  },
): Job {
  const { store, services, registry, webhooks, now, log } = deps;
  const jobs = [
    every(HOUR, async () => void (await store.sessions.deleteExpired(now())), (error) => log.warn({ err: error }, 'session sweep failed')),
    every(
      config.routing.sweepMs,
      async () => {
        const dead = registry ? await registry.dead().catch(() => []) : [];
        await services.routing.sweep(dead, async (id) => {
          if (await registry!.forget(id)) await deps.nodeDied();
        });
      },
      (error) => log.warn({ err: error }, 'routing sweep failed'),
    ),
    every(config.attachments.sweepMs, async () => void (await services.attachments.sweep()), (error) => log.warn({ err: error }, 'attachment cleanup failed')),
    every(config.snoozeSweepMs, async () => void (await services.triage.wakeDue()), (error) => log.warn({ err: error }, 'snooze wake-up failed')),
    every(config.webhooks.pollMs, webhooks.run, (error) => log.warn({ err: error }, 'webhook delivery failed')),
    every(config.wechat.sweepMs, deps.wechat.sweep, (error) => log.warn({ err: error }, 'WeChat sweep failed')),
    ...(deps.email ? [every(config.email.sweepMs, deps.email.sweep, (error) => log.warn({ err: error }, 'e-mail sweep failed'))] : []),
    operationsPush(config.operationsPushMs, deps.operations, (error) => log.warn({ err: error }, 'operations figures failed')),
    ...(config.alerts.rules.length > 0 ? [alertsJob(config.alerts, deps.alerts)] : []),
  ];
  return { stop: () => jobs.forEach((job) => job.stop()) };
}
