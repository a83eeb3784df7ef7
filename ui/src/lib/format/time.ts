// Times arrive as RFC 3339 UTC strings. Tables show them relative to now in compact words
// ("3 min ago", "in 2 h"); the absolute UTC time goes in a tooltip, as users of peers asked.
import { TZDate } from '@date-fns/tz';
import { differenceInSeconds, format, isValid, parseISO } from 'date-fns';

export type Instant = string | Date | null | undefined;

function toDate(value: Instant): Date | null {
  if (value == null || value === '') return null;
  const date = typeof value === 'string' ? parseISO(value) : value;
  return isValid(date) ? date : null;
}

const UNITS: readonly [seconds: number, unit: string][] = [
  [365 * 24 * 3600, 'y'],
  [30 * 24 * 3600, 'mo'],
  [7 * 24 * 3600, 'w'],
  [24 * 3600, 'd'],
  [3600, 'h'],
  [60, 'min'],
];

/** "just now", "3 min ago", "in 2 h", "5 d ago"; "never" when there is no time. */
export function relative(value: Instant, now: Date = new Date(), never = 'never'): string {
  const date = toDate(value);
  if (!date) return never;
  const seconds = differenceInSeconds(date, now);
  const abs = Math.abs(seconds);
  if (abs < 45) return 'just now';
  for (const [size, unit] of UNITS) {
    if (abs >= size) {
      const n = Math.floor(abs / size);
      return seconds < 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`;
    }
  }
  // 45..59 s rounds to a minute.
  return seconds < 0 ? '1 min ago' : 'in 1 min';
}

/** "2026-12-02 13:05:09 UTC": the same string in every zone, to quote in a ticket. */
export function absoluteUtc(value: Instant): string {
  const date = toDate(value);
  if (!date) return '';
  return format(new TZDate(date, 'UTC'), "yyyy-MM-dd HH:mm:ss 'UTC'");
}

/** "2 Dec 2026, 14:05" in the user's zone (or `zone`, for tests). */
export function absoluteLocal(value: Instant, zone?: string): string {
  const date = toDate(value);
  if (!date) return '';
  return format(zone ? new TZDate(date, zone) : date, 'd MMM yyyy, HH:mm');
}

/** The tooltip: local time and UTC, so nobody has to convert. */
export function timeTitle(value: Instant, zone?: string): string {
  const date = toDate(value);
  if (!date) return '';
  return `${absoluteLocal(date, zone)} (your time) · ${absoluteUtc(date)}`;
}

/** A duration in compact words: "850 ms", "12 s", "3 min 4 s". */
export function duration(start: Instant, end: Instant): string {
  const a = toDate(start);
  const b = toDate(end);
  if (!a || !b) return '';
  const ms = b.getTime() - a.getTime();
  if (ms < 1000) return `${ms} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
}
