import type { CsatComment, Percentiles, ReportFigures, StatsReport, StatsReportQuery } from '@frontdesk/protocol';
import type { CsatRecord, CsatStore } from './csat-ports.ts';
import type { DomainDeps } from './domain.ts';
import { fail } from './errors.ts';
import { dayIndex, dayNumber, dayStarts, dayString, isTimeZone } from './local-days.ts';
import type { InquiryTimings } from './ports.ts';
import type { Principal } from './records.ts';
import { requireRole } from './staff.ts';

/** A quarter at most, like the daily statistics. */
export const REPORT_MAX_DAYS = 92;
/** The scan's bound: a range with more inquiries is refused rather than read into memory. */
export const REPORT_MAX_INQUIRIES = 250_000;
const COMMENTS = 50;

/**
 * The nearest-rank percentile: the smallest value with at least p % of the values at or below it
 * (of 10 values, p90 is the 9th). Always one of the values; null for none.
 */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function percentiles(values: number[]): Percentiles {
  const sorted = values.sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p90: percentile(sorted, 90), p95: percentile(sorted, 95) };
}

function figures(rows: readonly InquiryTimings[]): ReportFigures {
  const responses: number[] = [];
  const resolutions: number[] = [];
  let closed = 0;
  for (const row of rows) {
    if (row.firstResponseAt !== null) responses.push(Math.max(0, row.firstResponseAt - row.createdAt));
    if (row.closed) {
      closed++;
      if (row.closedAt !== null) resolutions.push(Math.max(0, row.closedAt - row.createdAt));
    }
  }
  return { inquiries: rows.length, closed, answered: responses.length, firstResponseMs: percentiles(responses), resolutionMs: percentiles(resolutions) };
}

function csatSummary(ratings: readonly CsatRecord[]) {
  const sum = ratings.reduce((total, r) => total + r.rating, 0);
  return { count: ratings.length, average: ratings.length === 0 ? null : Math.round((sum / ratings.length) * 100) / 100 };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string | null): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === null) continue;
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/**
 * The statistics report (docs/statistics.md): inquiries created in a range of local days of a time
 * zone, with first-response and resolution percentiles overall, by day, agent and channel, and the
 * ratings first submitted in the range. Owners and admins.
 */
export function createStatsReport({ store }: DomainDeps, ratings: CsatStore) {
  async function range(principal: Principal, query: StatsReportQuery) {
    const staff = requireRole(principal, 'admin');
    const first = dayNumber(query.from);
    const last = dayNumber(query.to);
    if (Number.isNaN(first) || Number.isNaN(last)) fail('VALIDATION_FAILED', '"from" and "to" must be calendar dates (YYYY-MM-DD).');
    if (last < first) fail('VALIDATION_FAILED', '"to" must not be before "from".');
    if (last - first + 1 > REPORT_MAX_DAYS) fail('VALIDATION_FAILED', `The range may be at most ${REPORT_MAX_DAYS} days long.`);
    const shop = await store.shops.find(staff.shopId);
    const timezone = query.timezone ?? shop?.settings.businessHours?.timezone ?? 'UTC';
    if (!isTimeZone(timezone)) fail('VALIDATION_FAILED', `Unknown time zone "${timezone}".`);
    return { shopId: staff.shopId, first, last, timezone, starts: dayStarts(timezone, first, last) };
  }

  return {
    async report(principal: Principal, query: StatsReportQuery): Promise<StatsReport> {
      const { shopId, first, last, timezone, starts } = await range(principal, query);
      const from = starts[0]!;
      const to = starts.at(-1)!;
      const [rows, rated] = await Promise.all([store.stats.timings(shopId, from, to, REPORT_MAX_INQUIRIES + 1), ratings.inRange(shopId, from, to)]);
      if (rows.length > REPORT_MAX_INQUIRIES) fail('VALIDATION_FAILED', `The range holds more than ${REPORT_MAX_INQUIRIES} inquiries: choose a shorter one.`);

      const byDay = groupBy(rows, (row) => String(dayIndex(starts, row.createdAt)));
      const days = [];
      for (let i = 0; i <= last - first; i++) days.push({ day: dayString(first + i), ...figures(byDay.get(String(i)) ?? []) });

      const byAgent = groupBy(rows, (row) => row.assigneeId);
      const ratedByAgent = groupBy(rated, (r) => r.agentId);
      const agentIds = [...new Set([...byAgent.keys(), ...ratedByAgent.keys()])];
      const agents = agentIds
        .map((staffId) => ({ staffId, ...figures(byAgent.get(staffId) ?? []), csat: csatSummary(ratedByAgent.get(staffId) ?? []) }))
        .sort((a, b) => b.inquiries - a.inquiries || a.staffId.localeCompare(b.staffId));
      const channels = [...groupBy(rows, (row) => row.channel)]
        .map(([channel, list]) => ({ channel, ...figures(list) }))
        .sort((a, b) => b.inquiries - a.inquiries || a.channel.localeCompare(b.channel));

      const distribution = [0, 0, 0, 0, 0];
      for (const r of rated) distribution[r.rating - 1]!++;
      const comments: CsatComment[] = rated
        .filter((r) => r.comment !== null)
        .slice(0, COMMENTS)
        .map((r) => ({ inquiryId: r.inquiryId, conversationId: r.conversationId, agentId: r.agentId, rating: r.rating, comment: r.comment!, submittedAt: new Date(r.submittedAt).toISOString() }));

      return {
        from: dayString(first),
        to: dayString(last),
        timezone,
        totals: figures(rows),
        days,
        agents,
        channels,
        csat: { ...csatSummary(rated), distribution, comments },
      };
    },

    /** The names of the shop's staff, for the export's agent rows. */
    async staffNames(principal: Principal): Promise<Map<string, string>> {
      const staff = requireRole(principal, 'admin');
      return new Map((await store.staff.list(staff.shopId)).map((s) => [s.id, s.name]));
    },
  };
}
