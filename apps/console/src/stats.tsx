/**
 * Statistics (owner, admin; docs/statistics.md): a range of days (7/30/90 or chosen), its figures
 * with first-response and resolution percentiles, uPlot charts per day, tables per agent and per
 * channel, customer satisfaction, a CSV export; and the agents' load now.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Agent, StatsReport } from '@frontdesk/protocol';
import type { FrontdeskClient } from '@frontdesk/sdk';
import { ApiError, type Api } from './api.ts';
import { lastDays, statsApi, type DayRange } from './api-stats.ts';
import { TimeChart } from './chart.tsx';
import type { Strings } from './i18n.ts';
import { errorText } from './i18n-errors.ts';
import { CsatPanel, FiguresTable, HBars, duration, medianAndP90 } from './stats-parts.tsx';
import { Tiles } from './ui.tsx';

const PRESETS = [7, 30, 90] as const;
const MINUTE = 60_000;

/** A local day's midnight in seconds: uPlot's time axis cuts days in the browser's zone. */
const daySeconds = (day: string) => {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y!, m! - 1, d!).getTime() / 1000;
};
const minutes = (ms: number | null) => (ms === null ? null : Math.round((ms / MINUTE) * 100) / 100);

/** The server's words, but a range it refuses in the reader's language. */
const problem = (e: unknown, t: Strings) => (e instanceof ApiError && e.code === 'VALIDATION_FAILED' ? t.rangeInvalid : errorText(e, t));

export function Stats({ api, agents, t, client = null }: { api: Api; agents: Agent[]; t: Strings; client?: FrontdeskClient | null }) {
  const sapi = useMemo(() => statsApi(api), [api]);
  const [range, setRange] = useState<DayRange>(() => lastDays(30));
  const [preset, setPreset] = useState<number | null>(30);
  const [report, setReport] = useState<StatsReport | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  /** A preset chosen again loads again: the figures of now. */
  const [asked, setAsked] = useState(0);

  useEffect(() => {
    let current = true;
    setBusy(true);
    setFailure(null);
    sapi.report(range).then(
      (next) => current && (setReport(next), setBusy(false)),
      (e: unknown) => current && (setFailure(problem(e, t)), setReport(null), setBusy(false)),
    );
    return () => void (current = false);
  }, [sapi, range.from, range.to, asked]);

  // A new rating arrives live (the `csat` frame): the figures are read again.
  useEffect(() => client?.on('csat', () => setAsked((n) => n + 1)), [client]);

  const names = new Map(agents.map((a) => [a.staffId, a.name]));
  const locale = document.documentElement.lang || 'en';
  const volume = useMemo(() => (report ? ([report.days.map((d) => daySeconds(d.day)), report.days.map((d) => d.inquiries)] as [number[], number[]]) : null), [report]);
  const times = useMemo(
    () =>
      report
        ? ([
            report.days.map((d) => daySeconds(d.day)),
            report.days.map((d) => minutes(d.firstResponseMs.p50)),
            report.days.map((d) => minutes(d.firstResponseMs.p90)),
            report.days.map((d) => minutes(d.resolutionMs.p50)),
          ] as [number[], Array<number | null>, Array<number | null>, Array<number | null>])
        : null,
    [report],
  );

  function choose(days: number) {
    setPreset(days);
    setRange(lastDays(days));
    setAsked((n) => n + 1);
  }
  function edit(field: keyof DayRange, value: string) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return;
    setPreset(null);
    setRange((r) => ({ ...r, [field]: value }));
  }
  async function download() {
    try {
      const blob = await sapi.csv(range);
      const link = document.createElement('a');
      link.href = URL.createObjectURL(blob);
      link.download = `statistics-${range.from}-${range.to}.csv`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 1000);
    } catch (e) {
      setFailure(problem(e, t));
    }
  }

  const totals = report?.totals;
  const tiles: Array<[string, string, string]> = totals
    ? [
        ['inquiries', t.inquiries, String(totals.inquiries)],
        ['answered', t.answered, String(totals.answered)],
        ['closed', t.closedInquiries, String(totals.closed)],
        ['first-response', t.firstResponseTitle, medianAndP90(totals.firstResponseMs, t)],
        ['resolution', t.resolution, medianAndP90(totals.resolutionMs, t)],
        ['csat', t.satisfaction, report.csat.average === null ? '—' : `${report.csat.average.toFixed(2)} / 5`],
      ]
    : [];

  return (
    <main class="stats" aria-busy={busy}>
      <h1>{t.stats}</h1>
      <div class="range" role="group" aria-label={t.statsRange}>
        {PRESETS.map((days) => (
          <button type="button" key={days} aria-pressed={preset === days} onClick={() => choose(days)}>
            {t.lastDays(days)}
          </button>
        ))}
        <label>
          {t.fromDate}
          <input type="date" value={range.from} max={range.to} onChange={(e) => edit('from', e.currentTarget.value)} />
        </label>
        <label>
          {t.toDate}
          <input type="date" value={range.to} min={range.from} onChange={(e) => edit('to', e.currentTarget.value)} />
        </label>
        <button type="button" class="primary" onClick={() => void download()}>
          {t.downloadCsv}
        </button>
      </div>
      {report && <p class="hint">{t.daysIn(report.timezone)}</p>}
      {failure && (
        <p class="error" role="alert">
          {failure}
        </p>
      )}
      {report && volume && times && (
        <>
          <Tiles tiles={tiles} />
          <figure>
            <figcaption>{t.inquiriesPerDay}</figcaption>
            <TimeChart days bars timeLabel={t.day} series={[{ label: t.inquiries, color: '#2563eb' }]} data={volume} summary={`${t.inquiriesPerDay}: ${report.days.map((d) => `${d.day} ${d.inquiries}`).join(', ')}`} />
          </figure>
          <figure>
            <figcaption>{t.responseTimesPerDay}</figcaption>
            <TimeChart
              days
              timeLabel={t.day}
              series={[
                { label: t.firstResponseP50, color: '#2563eb' },
                { label: t.firstResponseP90, color: '#d97706' },
                { label: t.resolutionP50, color: '#16a34a' },
              ]}
              data={times}
              summary={`${t.firstResponseTitle}: ${medianAndP90(report.totals.firstResponseMs, t)}; ${t.resolution}: ${medianAndP90(report.totals.resolutionMs, t)}`}
            />
          </figure>
          <FiguresTable
            caption={t.byAgent}
            keyLabel={t.agentColumn}
            csat
            t={t}
            rows={report.agents.map((a) => ({ key: a.staffId, label: names.get(a.staffId) ?? a.staffId, figures: a, csat: a.csat }))}
          />
          <figure>
            <figcaption>{t.inquiriesByChannel}</figcaption>
            <HBars bars={report.channels.map((c) => ({ label: t.channels[c.channel] ?? c.channel, value: c.inquiries, note: `${c.inquiries} · ${duration(c.firstResponseMs.p50, t)}` }))} />
          </figure>
          <FiguresTable caption={t.byChannel} keyLabel={t.channelColumn} t={t} rows={report.channels.map((c) => ({ key: c.channel, label: t.channels[c.channel] ?? c.channel, figures: c }))} />
          <CsatPanel csat={report.csat} names={names} t={t} locale={locale} />
        </>
      )}
      <figure>
        <figcaption>{t.loadPerAgent}</figcaption>
        <HBars bars={agents.map((a) => ({ label: a.name, value: a.openInquiries, max: a.capacity || undefined, note: t.load(a.openInquiries, a.capacity) }))} />
      </figure>
    </main>
  );
}
