import type { TimeZoneMode } from './url-state';

/** Numbers for tables: 3–4 significant digits, exponent for very large or small magnitudes; never "-0". */
export function formatNumber(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  const a = Math.abs(x);
  // Below 1e-12 is float residue (0.1 + 0.2 − 0.3, axis ticks near 0), not a measured value.
  if (a < 1e-12) return '0';
  if (a >= 1e6 || a < 1e-3) return x.toExponential(2);
  const out = Number(x.toPrecision(digits)).toLocaleString('en-US', { maximumFractionDigits: 6 });
  return out === '-0' ? '0' : out;
}

export function formatPercent(x: number | null | undefined): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  const out = `${(x * 100).toFixed(x < 0.001 && x > 0 ? 2 : 1)}%`;
  // A tiny negative (a rounding residue) would print "-0.0%".
  return /^-0(\.0+)?%$/.test(out) ? out.slice(1) : out;
}

/** A change of a rate in percentage points, "+1.2 pts" / "-0.4 pts"; a change that rounds to 0 is "0.0 pts". */
export function formatPointChange(from: number | null | undefined, to: number | null | undefined): string {
  if (from === null || from === undefined || to === null || to === undefined || Number.isNaN(from) || Number.isNaN(to)) return '–';
  const out = ((to - from) * 100).toFixed(1);
  if (/^-?0\.0$/.test(out)) return '0.0 pts';
  return `${out.startsWith('-') ? '' : '+'}${out} pts`;
}

/** "UTC", "UTC+1", "UTC−5:30": the offset of the browser's zone at `ms`, for "local" labels. */
export function utcOffsetLabel(ms: number): string {
  const minutes = -new Date(ms).getTimezoneOffset();
  if (minutes === 0) return 'UTC';
  const a = Math.abs(minutes);
  return `UTC${minutes > 0 ? '+' : '−'}${Math.floor(a / 60)}${a % 60 ? `:${String(a % 60).padStart(2, '0')}` : ''}`;
}

/** Calendar fields of an instant as shown in `tz` (the browser's zone for "local"). */
export function wallClock(ms: number, tz: TimeZoneMode): { year: number; month: number; day: number; hour: number; minute: number } {
  const d = new Date(ms);
  return tz === 'utc'
    ? { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes() }
    : { year: d.getFullYear(), month: d.getMonth() + 1, day: d.getDate(), hour: d.getHours(), minute: d.getMinutes() };
}

const two = (n: number) => String(n).padStart(2, '0');

/** "2026-11-09 10:00 UTC", or in the browser's zone "2026-11-09 11:00 UTC+1". */
export function formatTime(iso: string | null | undefined, tz: TimeZoneMode = 'utc'): string {
  if (!iso) return '–';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const w = wallClock(ms, tz);
  return `${w.year}-${two(w.month)}-${two(w.day)} ${two(w.hour)}:${two(w.minute)} ${tz === 'utc' ? 'UTC' : utcOffsetLabel(ms)}`;
}

export function formatAge(hours: number | null): string {
  if (hours === null) return 'never';
  if (hours < 1) return `${Math.round(hours * 60)} min ago`;
  if (hours < 48) return `${hours.toFixed(0)} h ago`;
  return `${(hours / 24).toFixed(0)} days ago`;
}
