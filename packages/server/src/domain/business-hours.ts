import type { BusinessHours, Weekday } from '@frontdesk/protocol';

export const weekdays: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/**
 * Formatters by time zone: building one costs far more than using it. Only zones that passed
 * `businessHoursProblem` get here, so the map is bounded by the zones the runtime knows.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timezone: string): Intl.DateTimeFormat {
  let format = formatters.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: timezone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timezone, format);
  }
  return format;
}

/**
 * The weekday and minute of the day a wall clock in `timezone` shows at `t`. The zone's rules
 * decide, daylight-saving changes included: in the hour skipped in spring no instant maps to a
 * wall time, and in the hour repeated in autumn two instants map to each.
 */
function wallClock(timezone: string, t: number): { day: Weekday; minute: number } {
  const parts = new Map(formatter(timezone).formatToParts(t).map((p) => [p.type, p.value]));
  return {
    day: parts.get('weekday')!.toLowerCase() as Weekday,
    minute: Number(parts.get('hour')) * 60 + Number(parts.get('minute')),
  };
}

/** "HH:MM" (or "24:00", the end of the day) as minutes since midnight. */
function minutes(time: string): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}

/** Whether the shop is open at `t`: always without business hours; else within a range of that day, start included, end excluded. */
export function isOpenAt(hours: BusinessHours | null, t: number): boolean {
  if (hours === null) return true;
  const { day, minute } = wallClock(hours.timezone, t);
  return (hours.days[day] ?? []).some(([start, end]) => minutes(start) <= minute && minute < minutes(end));
}

/** What is wrong with business hours the schema let through (their shape is checked there), if anything. */
export function businessHoursProblem(hours: BusinessHours): string | undefined {
  try {
    formatter(hours.timezone);
  } catch {
    return `"${hours.timezone}" is not an IANA time zone like Europe/Berlin.`;
  }
  for (const day of weekdays) {
    for (const [start, end] of hours.days[day] ?? []) {
      if (!(minutes(start) < minutes(end))) return `businessHours.days.${day}: ${start}–${end} does not start before it ends.`;
    }
  }
  return undefined;
}

const MINUTE = 60_000;

/**
 * When the shop opens next after `t`, or null when it is open at `t`, has no hours, or opens on no
 * day of the coming week. Each range start of the next eight days is a candidate instant, placed
 * by the wall clock at `t` and then corrected once by what the zone's clock really shows there
 * (a daylight-saving change in between moves it by that change).
 */
export function nextOpeningAt(hours: BusinessHours | null, t: number): number | null {
  if (hours === null || isOpenAt(hours, t)) return null;
  const now = wallClock(hours.timezone, t);
  const today = weekdays.indexOf(now.day);
  const base = Math.floor(t / MINUTE) * MINUTE;
  for (let offset = 0; offset <= 7; offset += 1) {
    const day = weekdays[(today + offset) % 7]!;
    const starts = (hours.days[day] ?? []).map(([start]) => minutes(start)).sort((a, b) => a - b);
    for (const start of starts) {
      const naive = base + (offset * 1440 + start - now.minute) * MINUTE;
      const shown = wallClock(hours.timezone, naive);
      const corrected = shown.day === day && shown.minute !== start ? naive + (start - shown.minute) * MINUTE : naive;
      if (corrected > t && isOpenAt(hours, corrected)) return corrected;
      // A start inside the hour skipped in spring: the shop opens when the clock jumps, between the two.
      if (corrected < naive && naive > t && isOpenAt(hours, naive)) {
        let [closed, open] = [Math.max(corrected, t), naive];
        while (open - closed > MINUTE) {
          const middle = closed + Math.floor((open - closed) / 2 / MINUTE) * MINUTE;
          if (isOpenAt(hours, middle)) open = middle;
          else closed = middle;
        }
        return open;
      }
    }
  }
  return null;
}
