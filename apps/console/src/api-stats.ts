import type { StatsReport } from '@frontdesk/protocol';
import type { Api } from './api.ts';
import { queryString, raw } from './api-contacts.ts';

/** A range of local days, `YYYY-MM-DD`, both included. */
export interface DayRange {
  readonly from: string;
  readonly to: string;
}

/** The statistics report and its CSV (docs/statistics.md); the server cuts days in the shop's zone. */
export function statsApi(api: Api) {
  return {
    report: (range: DayRange) => api.call<StatsReport>('GET', `/stats/report${queryString({ ...range })}`),
    csv: (range: DayRange) => raw(api, 'GET', `/stats/report.csv${queryString({ ...range })}`).then((r) => r.blob()),
  };
}

/** The local date of `at`, `YYYY-MM-DD`. */
export function localDate(at: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
}

/** The last `days` days up to today. */
export function lastDays(days: number, today = new Date()): DayRange {
  const from = new Date(today.getFullYear(), today.getMonth(), today.getDate() - (days - 1));
  return { from: localDate(from), to: localDate(today) };
}
