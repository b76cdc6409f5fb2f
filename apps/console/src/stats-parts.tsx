/** The statistics page's pieces: durations, the figures tables, horizontal bars, the CSAT panel. */
import type { CsatComment, Percentiles, ReportFigures, StatsReport } from '@frontdesk/protocol';
import type { Strings } from './i18n.ts';

/** A duration as people read it: 45 s, 12 min, 3.5 h, 2.1 d; — for none. */
export function duration(ms: number | null, t: Strings): string {
  if (ms === null) return '—';
  const s = ms / 1000;
  const one = (n: number) => Math.round(n * 10) / 10;
  if (s < 60) return t.durationShort.s(Math.round(s));
  if (s < 3600) return t.durationShort.min(one(s / 60));
  if (s < 86_400) return t.durationShort.h(one(s / 3600));
  return t.durationShort.d(one(s / 86_400));
}

export const medianAndP90 = (p: Percentiles, t: Strings) => t.medianAndP90(duration(p.p50, t), duration(p.p90, t));

/** A table of figures, one row per agent or channel; scrolls sideways on a phone. */
export function FiguresTable({ caption, keyLabel, rows, t, csat }: { caption: string; keyLabel: string; rows: Array<{ key: string; label: string; figures: ReportFigures; csat?: { count: number; average: number | null } }>; t: Strings; csat?: boolean }) {
  return (
    <div class="scroll" tabIndex={0} role="region" aria-label={caption}>
      <table class="grid">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{keyLabel}</th>
            <th scope="col">{t.inquiries}</th>
            <th scope="col">{t.closedInquiries}</th>
            <th scope="col">{t.firstResponseP50}</th>
            <th scope="col">{t.firstResponseP90}</th>
            <th scope="col">{t.resolutionP50}</th>
            <th scope="col">{t.resolutionP90}</th>
            {csat && <th scope="col">{t.csatColumn}</th>}
          </tr>
        </thead>
        <tbody>
          {rows.map(({ key, label, figures: f, csat: rated }) => (
            <tr key={key}>
              <th scope="row">{label}</th>
              <td>{f.inquiries}</td>
              <td>{f.closed}</td>
              <td>{duration(f.firstResponseMs.p50, t)}</td>
              <td>{duration(f.firstResponseMs.p90, t)}</td>
              <td>{duration(f.resolutionMs.p50, t)}</td>
              <td>{duration(f.resolutionMs.p90, t)}</td>
              {csat && <td>{rated && rated.average !== null ? `${rated.average.toFixed(2)} (${rated.count})` : '—'}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Horizontal bars with their values in text (the SVG is decoration). */
export function HBars({ bars }: { bars: Array<{ label: string; value: number; max?: number | undefined; note?: string }> }) {
  const top = Math.max(1, ...bars.map((b) => b.max ?? b.value));
  return (
    <div class="hbars">
      {bars.map((b) => (
        <div class="hbar" key={b.label}>
          <span class="label">{b.label}</span>
          <svg viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
            <rect class="track" x="0" y="0" width="100" height="10" />
            <rect class="fill" x="0" y="0" width={(100 * b.value) / top} height="10" />
          </svg>
          <span class="value">{b.note ?? b.value}</span>
        </div>
      ))}
    </div>
  );
}

/** The range's ratings: average, distribution and the latest comments (text escaped by Preact). */
export function CsatPanel({ csat, names, t, locale }: { csat: StatsReport['csat']; names: Map<string, string>; t: Strings; locale: string }) {
  const who = (c: CsatComment) => (c.agentId === null ? t.unassigned : (names.get(c.agentId) ?? t.unassigned));
  return (
    <section class="csat-panel" aria-labelledby="csat-panel-title">
      <h2 id="csat-panel-title">{t.satisfaction}</h2>
      {csat.count === 0 || csat.average === null ? (
        <p class="empty">{t.noRatings}</p>
      ) : (
        <>
          <p class="csat-average" data-figure="csat">
            {t.csatAverage(csat.average, csat.count)}
          </p>
          <figure>
            <figcaption>{t.ratingDistribution}</figcaption>
            <HBars bars={[5, 4, 3, 2, 1].map((n) => ({ label: t.stars(n), value: csat.distribution[n - 1] ?? 0 }))} />
          </figure>
        </>
      )}
      <h3>{t.latestComments}</h3>
      {csat.comments.length === 0 ? (
        <p class="empty">{t.noComments}</p>
      ) : (
        <ul class="comments">
          {csat.comments.map((c) => (
            <li key={c.inquiryId}>
              <p class="comment">{c.comment}</p>
              <p class="meta">{t.ratedBy(c.rating, who(c), new Date(c.submittedAt).toLocaleString(locale))}</p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
