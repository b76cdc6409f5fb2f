/** What run.ts and its client processes (load.ts, idle.ts) say to each other over IPC. */
import type { Endpoint, PairCredentials } from './transports.ts';

export interface Percentiles {
  readonly n: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  readonly mean: number;
}

export type LoadCommand =
  | {
      readonly cmd: 'init';
      readonly endpoint: Endpoint;
      readonly pairs: number;
      /** One per pair (frontdesk), or null. */
      readonly credentials: readonly PairCredentials[] | null;
      readonly textChars: number;
      /** The server's pid, to read its CPU time at the edges of the measuring window. */
      readonly serverPid: number;
    }
  /** `active`: only the first `active` pairs take part (all when absent). */
  | { readonly cmd: 'closed'; readonly warmupMs: number; readonly measureMs: number; readonly active?: number }
  | { readonly cmd: 'open'; readonly rate: number; readonly warmupMs: number; readonly measureMs: number; readonly seed: number }
  | { readonly cmd: 'stop' };

export interface PhaseResult {
  readonly mode: 'closed' | 'open';
  readonly pairs: number;
  /** Open loop: the aggregate rate asked for, messages/s. */
  readonly offeredRate: number | null;
  readonly seconds: number;
  /** Sends made inside the window. */
  readonly sent: number;
  /** Messages that reached their agent inside the window. */
  readonly delivered: number;
  /** delivered / seconds. */
  readonly rate: number;
  /** Send → the agent has it, ms, for the messages delivered inside the window. */
  readonly latency: Percentiles;
  /** Send → the customer has the ack, ms. */
  readonly ackLatency: Percentiles;
  /** Open loop: how late the generator was against its schedule, ms (p99). */
  readonly scheduleLagP99: number | null;
  /** Share of one core used during the window (1 = 100 %). */
  readonly serverCpu: number;
  readonly loadCpu: number;
  /** Refused sends, lost sockets, and messages still undelivered 15 s after the phase. */
  readonly failed: number;
  readonly lost: number;
  readonly undelivered: number;
  /** Since the process started: every send, delivery and ack (for the persisted check). */
  readonly totals: { readonly sent: number; readonly delivered: number; readonly acked: number; readonly failed: number };
}

export type LoadReply =
  | { readonly type: 'ready'; readonly connectMs: number }
  | { readonly type: 'result'; readonly result: PhaseResult }
  | { readonly type: 'stopped' }
  | { readonly type: 'error'; readonly message: string };

export type IdleCommand =
  | {
      readonly cmd: 'init';
      readonly endpoint: Endpoint;
      /** Connection j authenticates with tokens[j % length] (frontdesk); null otherwise. */
      readonly tokens: readonly string[] | null;
      readonly localAddresses: readonly string[];
    }
  | { readonly cmd: 'open'; readonly count: number; readonly concurrency: number }
  | { readonly cmd: 'status' }
  | { readonly cmd: 'close-all' };

export type IdleReply =
  | { readonly type: 'opened'; readonly opened: number; readonly failed: number; readonly ms: number; readonly firstError: string | null }
  | { readonly type: 'status'; readonly open: number }
  | { readonly type: 'closed' }
  | { readonly type: 'error'; readonly message: string };

export function percentiles(samples: readonly number[]): Percentiles {
  const sorted = Float64Array.from(samples).sort();
  const n = sorted.length;
  const at = (q: number) => (n === 0 ? NaN : sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))]!);
  let sum = 0;
  for (const v of sorted) sum += v;
  return { n, p50: at(0.5), p90: at(0.9), p99: at(0.99), p999: at(0.999), max: n === 0 ? NaN : sorted[n - 1]!, mean: n === 0 ? NaN : sum / n };
}
