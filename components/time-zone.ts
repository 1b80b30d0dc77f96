import { formatTime } from './format';
import type { TimeZoneMode } from './url-state';

const pad = (n: number) => String(n).padStart(2, '0');

/** "2026-11-09 10:00 UTC", or the same instant in the browser's zone ("… UTC+1"): components/format.ts. */
export const formatTimeIn = (iso: string | null | undefined, tz: TimeZoneMode): string => formatTime(iso, tz);

/** "10:42" in the zone shown. */
export function formatClock(ms: number, tz: TimeZoneMode): string {
  const d = new Date(ms);
  return tz === 'utc' ? `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC` : `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A `datetime-local` input's value for an instant, in the zone shown. */
export function toInputValue(iso: string, tz: TimeZoneMode): string {
  if (tz === 'utc') return iso.slice(0, 16);
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The instant (ISO, UTC) a `datetime-local` value names in the zone shown; undefined if it is not one. */
export function fromInputValue(value: string, tz: TimeZoneMode): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return undefined;
  // A date-time string without a zone is local time to Date (ECMA-262 Date.parse).
  const ms = tz === 'utc' ? Date.parse(`${value.slice(0, 16)}:00Z`) : new Date(value.slice(0, 16)).getTime();
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** "2026-11-08 11:00 – 2026-11-09 11:00 UTC": one zone label for both ends. */
export function formatRangeIn(from: string, to: string, tz: TimeZoneMode): string {
  const strip = (s: string) => s.replace(/ \S+$/, '');
  return `${strip(formatTimeIn(from, tz))} – ${formatTimeIn(to, tz)}`;
}
