/** A time-series chart on uPlot (a charting library made for live series): the Operations view's charts. */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { uiLocale } from './locale.ts';

const COUNT_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 1_000_000];
const TIME_STEPS = [1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600];
const clockTime = (seconds: number) => new Date(seconds * 1000).toLocaleTimeString(uiLocale(), { hour: '2-digit', minute: '2-digit', ...(seconds % 60 !== 0 && { second: '2-digit' }) });

/** Axis text and grid lines in the palette's colours, so the chart reads in dark mode too (theme.css). */
function axisColours(): { text: string; grid: string } {
  const css = getComputedStyle(document.documentElement);
  return { text: css.getPropertyValue('--muted').trim() || '#4b5563', grid: css.getPropertyValue('--divider').trim() || 'rgba(0,0,0,.07)' };
}
/** Day steps for a chart of days (statistics): 1 day … a month. */
const DAY_STEPS = [1, 2, 7, 14, 30].map((d) => d * 86_400);
// In the console's language (the page's lang), not the browser's.
const calendarDay = (seconds: number) => new Date(seconds * 1000).toLocaleDateString(uiLocale(), { month: 'short', day: 'numeric' });

export interface Series {
  readonly label: string;
  readonly color: string;
}

/**
 * `data` is [times in seconds, ...one array of values per series]. The chart follows its box's
 * width (down to a 360 px phone) and is described for screen readers by `summary`.
 */
export function TimeChart({ series, data, summary, timeLabel, bars = false, height = 200, days = false }: { series: readonly Series[]; data: uPlot.AlignedData; summary: string; timeLabel: string; bars?: boolean; height?: number; days?: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const el = box.current!;
    const colours = axisColours();
    const axis = { stroke: colours.text, grid: { stroke: colours.grid }, ticks: { stroke: colours.grid } };
    const paths = bars ? uPlot.paths.bars!({ size: [0.8, 40] }) : undefined;
    plot.current = new uPlot(
      {
        width: Math.max(200, el.clientWidth),
        height,
        legend: { show: true },
        cursor: { drag: { x: false, y: false } },
        // Days: half a day of room on each side, so the first and last bars are whole.
        scales: { x: { time: true, ...(days && { range: (_u, min, max) => [min - 43_200, max + 43_200] }) }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
        axes: [
          // Whole seconds at the finest (uPlot would go down to milliseconds over a short span), as clock times.
          days
            ? { ...axis, space: 60, incrs: DAY_STEPS, values: (_u, splits) => splits.map(calendarDay) }
            : { ...axis, space: 70, incrs: TIME_STEPS, values: (_u, splits) => splits.map(clockTime) },
          // Counts: whole numbers (no 0.25 message), wide enough for "10,000".
          { ...axis, size: 60, incrs: COUNT_STEPS },
        ],
        series: [{ label: timeLabel }, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, ...(bars && { fill: `${s.color}99`, paths }), points: { show: days && !bars } }))],
      },
      data,
      el,
    );
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(200, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [series.map((s) => s.label).join('|'), timeLabel, bars, height, days]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  return <div class="chart" ref={box} role="img" aria-label={summary} />;
}
