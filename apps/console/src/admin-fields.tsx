/** Administration in human units (issue 22, item 8): sizes in MB, durations in minutes, weekday names in the UI's language, a new staff member's password as a panel to copy. */
import type { Weekday } from '@frontdesk/protocol';
import type { Strings } from './i18n.ts';
import { SecretOnce } from './webhooks.tsx';
import { uiLocale } from './locale.ts';

const MB = 1024 * 1024;
const hundredths = (value: number) => Math.round(value * 100) / 100;

export const toMegabytes = (bytes: number): number => hundredths(bytes / MB);
/** The server takes at least 1 KiB (ShopSettings.maxAttachmentBytes). */
export const fromMegabytes = (mb: string): number => Math.max(1024, Math.round(Number(mb) * MB));
export const toMinutes = (seconds: number): number => hundredths(seconds / 60);
export const fromMinutes = (minutes: string): number => Math.round(Number(minutes) * 60);

// 1 January 2024 was a Monday.
const DAY_INDEX: Record<Weekday, number> = { mon: 0, tue: 1, wed: 2, thu: 3, fri: 4, sat: 5, sun: 6 };
export function weekdayName(day: Weekday): string {
  return new Date(Date.UTC(2024, 0, 1 + DAY_INDEX[day])).toLocaleDateString(uiLocale(), { weekday: 'short', timeZone: 'UTC' });
}

/** The password the server generated for a new staff member: news to pass on, shown once, never an error. */
export function StaffPassword({ name, password, t, onDone }: { name: string; password: string; t: Strings; onDone: () => void }) {
  return <SecretOnce label={t.oneTimePassword} about={name} secret={password} note={t.passwordOnceNote(name)} t={t} onDone={onDone} />;
}
