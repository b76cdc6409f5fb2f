import { performance } from 'node:perf_hooks';

export interface Stats {
  readonly samples: number;
  readonly p50: number;
  readonly p99: number;
  readonly mean: number;
  readonly max: number;
}

export function stats(timesMs: readonly number[]): Stats {
  const sorted = [...timesMs].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
  const sum = sorted.reduce((a, b) => a + b, 0);
  return { samples: sorted.length, p50: at(50), p99: at(99), mean: sum / sorted.length, max: sorted.at(-1) ?? NaN };
}

export interface Scenario<T> {
  readonly name: string;
  /** Random input for one call; ours and the baseline get the same one. */
  readonly input: () => T;
  readonly ours: (input: T) => Promise<unknown>;
  readonly baseline?: (input: T) => Promise<unknown>;
  /** Held to the p99 target. */
  readonly target: boolean;
}

export interface ScenarioResult {
  readonly name: string;
  readonly ours: Stats;
  readonly baseline: Stats | null;
  readonly target: boolean;
}

export interface RunOptions {
  readonly iterations: number;
  readonly warmup: number;
  /** Stop timing the baseline after this much time (it can be 100× slower)… */
  readonly baselineBudgetMs: number;
  /** …but not before it has this many samples. */
  readonly baselineMinSamples: number;
}

/**
 * Times ours, then the baseline on the same inputs. Not interleaved call by call: a baseline call
 * reads hundreds of megabytes at 10M messages (the naive aggregate scans the shop's messages), which
 * flushes the page cache, so the ours call after it would be timed cold and the baseline's scan,
 * not our read, would set our p99.
 */
export async function runScenario<T>(scenario: Scenario<T>, options: RunOptions): Promise<ScenarioResult> {
  for (let i = 0; i < options.warmup; i++) await scenario.ours(scenario.input());
  const inputs: T[] = [];
  const ours: number[] = [];
  for (let i = 0; i < options.iterations; i++) {
    const input = scenario.input();
    inputs.push(input);
    const t0 = performance.now();
    await scenario.ours(input);
    ours.push(performance.now() - t0);
  }
  if (!scenario.baseline) return { name: scenario.name, ours: stats(ours), baseline: null, target: scenario.target };
  for (let i = 0; i < Math.min(options.warmup, 10); i++) await scenario.baseline(scenario.input());
  const baseline: number[] = [];
  let baselineSpent = 0;
  for (const input of inputs) {
    if (baseline.length >= options.baselineMinSamples && baselineSpent >= options.baselineBudgetMs) break;
    const t0 = performance.now();
    await scenario.baseline(input);
    const spent = performance.now() - t0;
    baseline.push(spent);
    baselineSpent += spent;
  }
  return { name: scenario.name, ours: stats(ours), baseline: stats(baseline), target: scenario.target };
}

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(value < 10 ? 3 : value < 100 ? 2 : 1) : '-');

/** A Markdown table: pasteable into docs/benchmarks.md as printed. */
export function formatTable(results: readonly ScenarioResult[], targetP99Ms: number): string {
  const header = [
    'scenario', 'ours p50', 'ours p99', 'ours mean', 'n', 'baseline p50', 'baseline p99', 'n',
    'ratio p50 (baseline/ours)', `p99 ≤ ${targetP99Ms} ms`,
  ];
  const rows = results.map((r) => [
    r.name,
    ms(r.ours.p50),
    ms(r.ours.p99),
    ms(r.ours.mean),
    String(r.ours.samples),
    r.baseline ? ms(r.baseline.p50) : '-',
    r.baseline ? ms(r.baseline.p99) : '-',
    r.baseline ? String(r.baseline.samples) : '-',
    r.baseline ? `${(r.baseline.p50 / r.ours.p50).toFixed(1)}×` : '-',
    r.target ? (r.ours.p99 <= targetP99Ms ? 'PASS' : 'FAIL') : '(info)',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}
