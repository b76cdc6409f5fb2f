import type { AlertConfig } from '../config/alerts.ts';
import { newId } from '../domain/ids.ts';
import type { AlertNotifier } from '../integrations/alert-notifications.ts';
import { alertMetrics, AlertTracker, type AlertMetric } from '../observability/alert-rules.ts';
import type { NodeHealth } from '../observability/node-health.ts';
import { presentAlert, type AlertEventRecord, type OperationsStore } from '../observability/operations.ts';
import { every, type Job } from './every.ts';

interface Log {
  warn(object: object, message: string): void;
}

export interface AlertJobDeps {
  readonly health: NodeHealth;
  readonly store: Pick<OperationsStore, 'oldestQueuedAt' | 'recordAlert'>;
  /** How this node is named in alerts (its host and id). */
  readonly nodeLabel: string;
  /** Deployment-wide rules (queue wait, nodes gone) are evaluated by one node only: the one this says. */
  isLeader(): boolean;
  /** Nodes that stopped beating without leaving (cluster); 0 on one node. */
  nodesGone(): Promise<number>;
  readonly notifier: AlertNotifier;
  now(): number;
  readonly log: Log;
}

/**
 * Evaluates the alert rules every ALERT_EVALUATE_MS (docs/monitoring.md, "Alerts"): each rule's
 * figure goes through its tracker (alert-rules.ts: threshold held for the rule's duration), and
 * each change is notified once and stored in the alert history. Figures of a node are this node's
 * (every node watches itself); figures of the deployment are watched by the leader alone, so a
 * cluster sends one notification, not one per node. The database may be the trouble: a figure that
 * cannot be read skips its rule for the round, the others go on; notifications never wait for the
 * database; a change that cannot be stored is kept and stored once the database answers.
 */
export function alertsJob(config: AlertConfig, deps: AlertJobDeps): Job {
  const trackers = config.rules.map((rule) => new AlertTracker(rule));
  const { health } = deps;
  /** Changes notified but not stored yet (the database did not answer), oldest first. */
  const unrecorded: AlertEventRecord[] = [];
  let recording = false;

  /** Stores what waits, in order, stopping at the first failure; never two at once. */
  async function record(): Promise<void> {
    if (recording) return;
    recording = true;
    try {
      while (unrecorded.length > 0) {
        await deps.store.recordAlert(unrecorded[0]!);
        unrecorded.shift();
      }
    } catch (error) {
      deps.log.warn({ err: error, waiting: unrecorded.length }, 'alert history not stored yet; trying again');
    } finally {
      recording = false;
    }
  }

  async function sample(metric: AlertMetric, lagMs: number): Promise<number> {
    switch (metric) {
      case 'event_loop_lag_ms':
        return lagMs;
      case 'load_per_cpu':
        return health.loadPerCpu();
      case 'send_p99_ms':
        return health.sendP99Ms() ?? 0;
      case 'http_error_rate':
        return health.httpErrorRate();
      case 'webhook_failures':
        return health.webhookFailures();
      case 'queue_wait_ms': {
        const oldest = await deps.store.oldestQueuedAt();
        return oldest === null ? 0 : Math.max(0, deps.now() - oldest);
      }
      case 'nodes_gone':
        return deps.nodesGone();
    }
  }

  function changed(tracker: AlertTracker, state: AlertEventRecord['state'], value: number): void {
    const { rule } = tracker;
    const event: AlertEventRecord = {
      id: newId(),
      rule: rule.name,
      metric: rule.metric,
      state,
      value,
      threshold: rule.above,
      node: alertMetrics[rule.metric] === 'node' ? deps.nodeLabel : null,
      at: deps.now(),
    };
    deps.notifier.notify(presentAlert(event));
    unrecorded.push(event);
    // Not awaited: a database that is slow or away must not hold the next evaluation.
    void record();
  }

  return every(
    config.evaluateMs,
    async () => {
      const lagMs = health.takeEventLoopLagMs();
      const leader = deps.isLeader();
      if (unrecorded.length > 0) void record();
      for (const tracker of trackers) {
        if (alertMetrics[tracker.rule.metric] === 'deployment' && !leader) continue;
        let value: number;
        try {
          value = await sample(tracker.rule.metric, lagMs);
        } catch (error) {
          deps.log.warn({ err: error, rule: tracker.rule.name }, 'alert figure not read; the rule waits for the next round');
          continue;
        }
        const change = tracker.observe(value, deps.now());
        if (change !== null) changed(tracker, change === 'fired' ? 'firing' : 'resolved', value);
      }
    },
    (error) => deps.log.warn({ err: error }, 'alert evaluation failed'),
  );
}
