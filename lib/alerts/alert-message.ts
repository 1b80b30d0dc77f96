import type { AlertEventKind, VerdictPoint } from './schemas';

/** The reference most comparisons use; naming it in every message would only add noise. */
const DEFAULT_REFERENCE = 'test';

/** Three significant digits, but whole numbers from 100 up: a person reads "1234", not "1.23e+3". */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e6 || magnitude < 1e-3) return value.toExponential(2);
  if (magnitude >= 100) return String(Math.round(value));
  return String(Number(value.toPrecision(3)));
}

/** "2026-11-29 08:00 UTC": minutes are enough for hourly evaluations. */
export function formatTime(iso: string): string {
  return `${new Date(Date.parse(iso)).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * The relation is printed as it is (≥ or <), not assumed from the verdict, because for some
 * metrics (p-values) a low value is the bad one.
 */
function comparison(point: VerdictPoint): string {
  if (point.value === null) return `${point.metric} n/a`;
  if (point.threshold === null) return `${point.metric} ${formatNumber(point.value)}`;
  const relation = point.value >= point.threshold ? '≥' : '<';
  return `${point.metric} ${formatNumber(point.value)} ${relation} ${formatNumber(point.threshold)}`;
}

export function describeVerdict(point: VerdictPoint): string {
  if (point.verdict === 'failing') {
    return point.failed_rate === null ? 'failing' : `failing (${formatNumber(point.failed_rate * 100)}% failed values)`;
  }
  if (point.verdict === 'not_monitored') return 'not monitored';
  return `${point.verdict} (${comparison(point)})`;
}

function subject(point: VerdictPoint): string {
  const reference = point.reference === DEFAULT_REFERENCE ? '' : ` (vs ${point.reference})`;
  return `${point.model} · ${point.feature}${reference}`;
}

/**
 * One sentence a person can act on from a phone notification, e.g.
 * "checkout-fraud · time_to_order: drift (area 0.97 ≥ 0.12) since 2026-11-29 08:00 UTC — values look ×1000 larger".
 */
export function alertMessage(kind: AlertEventKind, point: VerdictPoint, since: string, firedAt?: string): string {
  if (kind === 'firing') {
    const hint = point.hint ? ` — ${point.hint}` : '';
    return `${subject(point)}: ${describeVerdict(point)} since ${formatTime(since)}${hint}`;
  }
  const fired = firedAt ? `; had been firing since ${formatTime(firedAt)}` : '';
  return `${subject(point)}: back to ${describeVerdict(point)} since ${formatTime(since)}${fired}`;
}
