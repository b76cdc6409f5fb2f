import type { DayStatistics } from '@frontdesk/protocol';
import type { DomainDeps } from './domain.ts';
import { fail } from './errors.ts';
import type { Principal } from './records.ts';
import { requireRole } from './staff.ts';

const DAY_MS = 86_400_000;
/** A quarter: the median is computed here, over every answered inquiry of the period. */
const DAILY_MAX_DAYS = 92;

/** The period rule of every statistics route: `from` before `to`, and not too long when bounded. */
export function checkPeriod(from: number, to: number, maxDays = Infinity): void {
  if (!(from < to)) fail('VALIDATION_FAILED', '"from" must be before "to".');
  if (to - from > maxDays * DAY_MS) fail('VALIDATION_FAILED', `The period may be at most ${maxDays} days long.`);
}

/** Reception statistics by day (owners and admins). */
export function createStats({ store }: DomainDeps) {
  return {
    /**
     * One entry per day of [from, to) in the UTC offset given (east positive: UTC+08:00 is 480),
     * days without inquiries included; each counts the inquiries created on it.
     */
    async daily(principal: Principal, from: number, to: number, tzOffsetMinutes: number): Promise<DayStatistics[]> {
      const staff = requireRole(principal, 'admin');
      checkPeriod(from, to, DAILY_MAX_DAYS);
      const period = { from, to, offsetMs: tzOffsetMinutes * 60_000 };
      const [counts, times, channels] = await Promise.all([
        store.stats.dailyCounts(staff.shopId, period),
        store.stats.firstResponseTimes(staff.shopId, period),
        store.stats.channelCounts(staff.shopId, period),
      ]);
      const channelsByDay = new Map<number, Record<string, number>>();
      for (const { day, channel, inquiries } of channels) channelsByDay.set(day, { ...channelsByDay.get(day), [channel]: inquiries });
      const countsByDay = new Map(counts.map((c) => [c.day, c]));
      const timesByDay = new Map<number, number[]>();
      for (const { day, ms } of times) {
        const list = timesByDay.get(day);
        if (list) list.push(ms);
        else timesByDay.set(day, [ms]);
      }

      const days: DayStatistics[] = [];
      const first = Math.floor((from + period.offsetMs) / DAY_MS);
      const last = Math.floor((to - 1 + period.offsetMs) / DAY_MS);
      for (let day = first; day <= last; day++) {
        const c = countsByDay.get(day);
        days.push({
          day: new Date(day * DAY_MS).toISOString().slice(0, 10),
          inquiries: c?.inquiries ?? 0,
          closed: c?.closed ?? 0,
          answered: c?.answered ?? 0,
          medianFirstResponseMs: median(timesByDay.get(day) ?? []),
          byChannel: channelsByDay.get(day) ?? {},
        });
      }
      return days;
    },
  };
}

/** The middle value (the mean of the two middle ones for an even count, rounded); null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
}
