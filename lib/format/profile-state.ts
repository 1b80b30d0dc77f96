import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { SummaryRow } from './summary';

/**
 * models/<model>/state/profile-state.json (format 2.0): per UTC day, the raw batch files its
 * hours were profiled from and, per profiled hour, a token of the hour's summaries (a hash of
 * their content: the same data gives the same token, so profiling a day again changes the tokens
 * of only the hours whose data changed). It is also the index of the hours a model has: readers
 * take the set of hours from it instead of listing one file per hour. Days whose rollup is still
 * due survive a crash in `pending_days`.
 */
export const DayState = z.object({
  batches: z.array(z.string()),
  hours: z.record(z.string(), z.string()),
});
export type DayState = z.infer<typeof DayState>;

export const ProfileState = z.object({
  version: z.literal(2),
  days: z.record(z.string(), DayState),
  pending_days: z.array(z.number().int()).default([]),
});
export type ProfileState = z.infer<typeof ProfileState>;

export const emptyProfileState = (): ProfileState => ({ version: 2, days: {}, pending_days: [] });

export class ProfileStateError extends Error {
  override readonly name = 'ProfileStateError';
}

/** The state in `bytes` (undefined: none yet, the empty state); a clear error naming `key` otherwise. */
export function parseProfileState(bytes: Uint8Array | undefined, key: string): ProfileState {
  if (!bytes) return emptyProfileState();
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new ProfileStateError(`${key} is not valid JSON; delete it to re-profile every day`);
  }
  if (typeof json === 'object' && json !== null && (json as { version?: unknown }).version === 1) {
    throw new ProfileStateError(`${key} is a format 1.x profile state (one entry per hour); run \`driftwatch migrate\``);
  }
  const parsed = ProfileState.safeParse(json);
  if (!parsed.success) throw new ProfileStateError(`${key} is not a valid profile state (${parsed.error.issues[0]?.message}); delete it to re-profile every day`);
  return parsed.data;
}

/**
 * The token of one hour's summaries: a hash of their content, independent of row order. The
 * late-data check compares tokens, so an hour profiled again from the same data is unchanged.
 */
export function hourToken(rows: readonly SummaryRow[]): string {
  const hash = createHash('sha256');
  for (const row of [...rows].sort((a, b) => (a.feature < b.feature ? -1 : a.feature > b.feature ? 1 : 0))) {
    // Fixed fields as text, centroids as two position-weighted checksums: hashing every centroid
    // (or stringifying the row) cost more than profiling a sparse hour.
    const { feature, kind, period_start, period_end, chunk, rows: n, nulls, non_finite, type_errors, count, min, max, sum, compression } = row;
    hash.update([feature, kind, period_start, period_end, chunk, n, nulls, non_finite, type_errors, count, min, max, sum, compression, row.means.length, checksum(row.means), checksum(row.weights)].join('|'));
    hash.update(`|${row.categories.join('\u0001')}|${row.category_counts.join(',')}\n`);
  }
  return hash.digest('hex').slice(0, 20);
}

function checksum(values: readonly number[]): number {
  let a = 0;
  let b = 0;
  for (let i = 0; i < values.length; i++) {
    a += values[i];
    b += values[i] * (i + 1);
  }
  return a * 31 + b;
}

/** Hour start (epoch ms) → token, for every profiled hour of the state. */
export function profiledHours(state: ProfileState): Map<number, string> {
  const out = new Map<number, string>();
  for (const day of Object.values(state.days)) {
    for (const [label, token] of Object.entries(day.hours)) {
      const ms = Date.parse(`${label}:00:00Z`);
      if (Number.isFinite(ms)) out.set(ms, token);
    }
  }
  return out;
}
