import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { LatencyWindow, RollingCount } from './rolling.ts';

/**
 * This node's own figures for the dashboard and the alert rules, kept whether or not Prometheus
 * metrics are on: send latencies (a five-minute window), HTTP answers and 5xx (the last minute),
 * webhook failures (the last five minutes), and the event loop's delay.
 */
export function nodeHealth(now: () => number = Date.now) {
  const sends = new LatencyWindow();
  const requests = new RollingCount(60);
  const errors = new RollingCount(60);
  const webhookFailures = new RollingCount(300);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();

  return {
    sendAcked(seconds: number): void {
      sends.add(now(), seconds * 1000);
    },
    httpAnswered(status: number): void {
      requests.add(now());
      if (status >= 500) errors.add(now());
    },
    webhooksFailed(count: number): void {
      webhookFailures.add(now(), count);
    },
    sendP99Ms: (): number | null => sends.p99(now()),
    /** The event loop's delay, p99 since the previous call, in ms (beyond the 10 ms sampling step). */
    takeEventLoopLagMs(): number {
      const p99 = loop.count === 0 ? 0 : loop.percentile(99) / 1e6;
      loop.reset();
      return Math.max(0, p99 - 10);
    },
    loadPerCpu: (): number => os.loadavg()[0]! / Math.max(1, os.availableParallelism()),
    httpErrorRate(): number {
      const total = requests.total(now());
      return total === 0 ? 0 : errors.total(now()) / total;
    },
    webhookFailures: (): number => webhookFailures.total(now()),
    close(): void {
      loop.disable();
    },
  };
}

export type NodeHealth = ReturnType<typeof nodeHealth>;
