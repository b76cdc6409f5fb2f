/** What an alert rule can watch (docs/monitoring.md, "Alerts"). */
export const alertMetrics = {
  /** This node's event-loop delay, p99 over the last evaluation interval, in ms. */
  event_loop_lag_ms: 'node',
  /** The machine's one-minute load average divided by its CPU count (1 = every core busy). */
  load_per_cpu: 'node',
  /** This node's socket send p99 over the last five minutes, in ms. */
  send_p99_ms: 'node',
  /** Share of this node's HTTP requests answered 5xx over the last minute (0–1). */
  http_error_rate: 'node',
  /** Webhook attempts of this node that failed over the last five minutes. */
  webhook_failures: 'node',
  /** The longest an inquiry of any shop has waited in a queue, in ms. */
  queue_wait_ms: 'deployment',
  /** Nodes that stopped beating without leaving the cluster. */
  nodes_gone: 'deployment',
} as const;
export type AlertMetric = keyof typeof alertMetrics;

export interface AlertRule {
  readonly name: string;
  readonly metric: AlertMetric;
  /** The alert fires when the figure is above this… */
  readonly above: number;
  /** …for this long without a break, and resolves once it has been at or below it this long (no storms). */
  readonly forMs: number;
}

export type AlertChange = 'fired' | 'resolved';

/**
 * One rule's state over time. The duration is the hysteresis: a figure that crosses the threshold
 * and comes back within `forMs` changes nothing, so a flapping figure notifies nobody, and a firing
 * alert notifies once when it fires and once when it resolves.
 */
export class AlertTracker {
  #firing = false;
  /** Since when the figure has disagreed with the current state; null while it agrees. */
  #since: number | null = null;

  readonly rule: AlertRule;

  constructor(rule: AlertRule) {
    this.rule = rule;
  }

  get firing(): boolean {
    return this.#firing;
  }

  observe(value: number, now: number): AlertChange | null {
    const above = value > this.rule.above;
    if (above === this.#firing) {
      this.#since = null;
      return null;
    }
    this.#since ??= now;
    if (now - this.#since < this.rule.forMs) return null;
    this.#firing = above;
    this.#since = null;
    return above ? 'fired' : 'resolved';
  }
}
