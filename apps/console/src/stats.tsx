/** Statistics (owner, admin): inquiries per day and per agent, as bar charts. */
import { useEffect, useState } from 'preact/hooks';
import type { Agent, AgentStatistics, DayStatistics } from '@frontdesk/protocol';
import type { Api } from './api.ts';
import type { Strings } from './i18n.ts';

/** The period's inquiries by channel, most first. */
function channelTotals(days: readonly DayStatistics[]): Array<[string, number]> {
  const totals = new Map<string, number>();
  for (const day of days) for (const [channel, n] of Object.entries(day.byChannel)) totals.set(channel, (totals.get(channel) ?? 0) + n);
  return [...totals].sort((a, b) => b[1] - a[1]);
}

export function Stats({ api, agents, t }: { api: Api; agents: Agent[]; t: Strings }) {
  const [daily, setDaily] = useState<{ days: DayStatistics[] } | null>(null);
  const [perAgent, setPerAgent] = useState<AgentStatistics[]>([]);
  useEffect(() => {
    const to = new Date();
    const from = new Date(to.getTime() - 30 * 86_400_000);
    api.daily(from, to).then(setDaily, () => {});
    api.agentStats(from, to).then(setPerAgent, () => {});
  }, []);
  const names = new Map(agents.map((a) => [a.staffId, a.name]));
  const days = daily?.days ?? [];
  return (
    <main class="stats">
      <h1>
        {t.stats} <small>{t.last30}</small>
      </h1>
      <figure>
        <figcaption>{t.inquiriesPerDay}</figcaption>
        <BarChart bars={days.map((d) => ({ label: d.day.slice(5), value: d.inquiries }))} />
      </figure>
      <figure>
        <figcaption>{t.firstResponseTime}</figcaption>
        <BarChart bars={days.map((d) => ({ label: d.day.slice(5), value: d.medianFirstResponseMs === null ? 0 : Math.round(d.medianFirstResponseMs / 600) / 100 }))} />
      </figure>
      <figure>
        <figcaption>{t.inquiriesByChannel}</figcaption>
        <BarChart horizontal bars={channelTotals(days).map(([channel, value]) => ({ label: t.channels[channel] ?? channel, value }))} />
      </figure>
      <figure>
        <figcaption>{t.loadPerAgent}</figcaption>
        <BarChart
          horizontal
          bars={agents.map((a) => ({
            label: a.name,
            value: a.openInquiries,
            max: a.capacity || undefined,
            note: `${t.load(a.openInquiries, a.capacity)} · ${perAgent.find((p) => p.staffId === a.staffId)?.inquiries ?? 0} / 30d`,
          }))}
        />
      </figure>
      <table class="grid">
        <thead>
          <tr>
            <th>{t.staff}</th>
            <th>{t.inquiries}</th>
            <th>{t.closedInquiries}</th>
            <th>{t.avgFirstResponse}</th>
          </tr>
        </thead>
        <tbody>
          {perAgent.map((p) => (
            <tr key={p.staffId}>
              <td>{names.get(p.staffId) ?? p.staffId}</td>
              <td>{p.inquiries}</td>
              <td>{p.closed}</td>
              <td>{p.avgFirstResponseMs === null ? '—' : `${Math.round(p.avgFirstResponseMs / 1000)} s`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </main>
  );
}

/** A plain SVG bar chart with a text alternative (the values as a list for screen readers). */
function BarChart({ bars, horizontal = false }: { bars: Array<{ label: string; value: number; max?: number | undefined; note?: string }>; horizontal?: boolean }) {
  const top = Math.max(1, ...bars.map((b) => b.max ?? b.value));
  if (horizontal) {
    return (
      <div class="hbars">
        {bars.map((b) => (
          <div class="hbar" key={b.label}>
            <span class="label">{b.label}</span>
            <svg viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
              <rect x="0" y="0" width="100" height="10" fill="#e5e7eb" />
              <rect x="0" y="0" width={(100 * b.value) / top} height="10" fill="#2563eb" />
            </svg>
            <span class="value">{b.note ?? b.value}</span>
          </div>
        ))}
      </div>
    );
  }
  const width = Math.max(bars.length, 1) * 12;
  return (
    <>
      <svg class="bars" viewBox={`0 0 ${width} 100`} preserveAspectRatio="none" role="img" aria-label={bars.map((b) => `${b.label}: ${b.value}`).join(', ')}>
        {bars.map((b, i) => {
          const h = (90 * b.value) / top;
          return <rect key={b.label} x={i * 12 + 2} y={100 - h} width="8" height={h} fill="#2563eb" />;
        })}
      </svg>
      <div class="axis" aria-hidden="true">
        <span>{bars[0]?.label}</span>
        <span>max {top}</span>
        <span>{bars.at(-1)?.label}</span>
      </div>
    </>
  );
}
