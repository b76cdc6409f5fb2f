/**
 * Local days of an IANA time zone as instants: where each day of a range starts, daylight-saving
 * changes included (a day may last 23 or 25 hours).
 */
const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Throws a RangeError for a zone the runtime does not know. */
function formatter(timezone: string): Intl.DateTimeFormat {
  let format = formatters.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timezone, format);
  }
  return format;
}

export function isTimeZone(timezone: string): boolean {
  try {
    formatter(timezone);
    return true;
  } catch {
    return false;
  }
}

/** The zone's offset at `t` (local minus UTC), ms. */
function offsetAt(timezone: string, t: number): number {
  const parts: Record<string, number> = {};
  for (const part of formatter(timezone).formatToParts(t)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  const local = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour! % 24, parts.minute!, parts.second!);
  return local - (t - (((t % 1000) + 1000) % 1000));
}

/** `YYYY-MM-DD` as days since the epoch; NaN when it is no calendar date (2026-02-30). */
export function dayNumber(date: string): number {
  const t = Date.parse(`${date}T00:00:00Z`);
  return Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== date ? Number.NaN : t / DAY_MS;
}

export const dayString = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** The instant the local day `day` (days since the epoch) starts in the zone. */
export function startOfDay(timezone: string, day: number): number {
  const wall = day * DAY_MS;
  const first = wall - offsetAt(timezone, wall);
  return wall - offsetAt(timezone, first);
}

/** The instant the local day holding `t` started in the zone. */
export function startOfDayAt(timezone: string, t: number): number {
  const day = Math.floor((t + offsetAt(timezone, t)) / DAY_MS);
  const start = startOfDay(timezone, day);
  // A clock moved back across midnight can put `t` before its own day's computed start.
  return start <= t ? start : startOfDay(timezone, day - 1);
}

/** The starts of days first..last+1 (the last entry ends the range). */
export function dayStarts(timezone: string, first: number, last: number): number[] {
  const starts: number[] = [];
  for (let day = first; day <= last + 1; day++) starts.push(startOfDay(timezone, day));
  return starts;
}

/** The index of the day holding `t` among `starts` (dayStarts), by bisection; -1 outside. */
export function dayIndex(starts: readonly number[], t: number): number {
  if (t < starts[0]! || t >= starts.at(-1)!) return -1;
  let low = 0;
  let high = starts.length - 1;
  while (high - low > 1) {
    const mid = (low + high) >> 1;
    if (starts[mid]! <= t) low = mid;
    else high = mid;
  }
  return low;
}
