/** A time-series chart on uPlot (a charting library made for live series): the Operations view's charts. */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface Series {
  readonly label: string;
  readonly color: string;
}

/**
 * `data` is [times in seconds, ...one array of values per series]. The chart follows its box's
 * width (down to a 360 px phone) and is described for screen readers by `summary`.
 */
export function TimeChart({ series, data, summary, timeLabel, bars = false, height = 200 }: { series: readonly Series[]; data: uPlot.AlignedData; summary: string; timeLabel: string; bars?: boolean; height?: number }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const el = box.current!;
    const paths = bars ? uPlot.paths.bars!({ size: [0.8, 40] }) : undefined;
    plot.current = new uPlot(
      {
        width: Math.max(200, el.clientWidth),
        height,
        legend: { show: true },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
        axes: [{ stroke: '#4b5563' }, { stroke: '#4b5563', size: 44 }],
        series: [{ label: timeLabel }, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, ...(bars && { fill: `${s.color}99`, paths }), points: { show: false } }))],
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
  }, [series.map((s) => s.label).join('|'), timeLabel, bars, height]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  return <div class="chart" ref={box} role="img" aria-label={summary} />;
}
