import { z } from 'zod';
import { hourLabel, layout, ProfileState, type DayState } from '../format';
import type { Storage } from '../storage/storage';
import { MigrateInputError } from './merge-files';

/** The 1.x profile state: per hour label, the raw batch file names it was profiled from. */
export const ProfileStateV1 = z.object({
  version: z.literal(1),
  hours: z.record(z.string(), z.array(z.string())),
  pending_days: z.array(z.number().int()).default([]),
});
export type ProfileStateV1 = z.infer<typeof ProfileStateV1>;

/**
 * Where migrate keeps the 1.x profile state once it has written the 2.0 one: a re-run after a
 * crash in between still needs the 1.x state to tell which days were up to date.
 */
export const v1StateBackupKey = (model: string): string => layout.profileState(model).replace(/profile-state\.json$/, 'migrate-1.x-profile-state.json');

function parseJson(key: string, bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new MigrateInputError(key, `not valid JSON: ${(error as Error).message.split('\n')[0]}`);
  }
}

/**
 * The model's 1.x profile state: profile-state.json while it is still 1.x, else the copy an
 * interrupted migrate kept. No state at all (never profiled) is an empty one: every day is profiled again.
 */
export async function readV1State(storage: Storage, model: string): Promise<{ state: ProfileStateV1; found: 'state' | 'backup' | 'none' }> {
  for (const [key, found] of [[layout.profileState(model), 'state'], [v1StateBackupKey(model), 'backup']] as const) {
    const bytes = await storage.read(key);
    if (!bytes) continue;
    const json = parseJson(key, bytes);
    if ((json as { version?: unknown } | null)?.version !== 1) continue;
    const parsed = ProfileStateV1.safeParse(json);
    if (!parsed.success) throw new MigrateInputError(key, `not a valid 1.x profile state: ${parsed.error.issues[0]?.message}`);
    return { state: parsed.data, found };
  }
  return { state: { version: 1, hours: {}, pending_days: [] }, found: 'none' };
}

/** The same batch names, in any order. */
function sameNames(a: readonly string[] | undefined, b: readonly string[]): boolean {
  if (a === undefined) return false;
  const [sa, sb] = [new Set(a), new Set(b)];
  return sa.size === sb.size && [...sa].every((name) => sb.has(name));
}

export interface DayFacts {
  /** Raw batch file names per hour label (1.x), from the keys listed. */
  rawByHour: ReadonlyMap<string, readonly string[]>;
  /** The 2.0 raw day file names per day label. */
  batchesByDay: ReadonlyMap<string, readonly string[]>;
  /** Token of each hour's hourly summaries, per hour label (hours with an hourly profile). */
  tokens: ReadonlyMap<string, string>;
}

/**
 * The 2.0 profile state. A day is kept only when each of its hours was up to date in 1.x (the
 * state lists exactly the hour's raw batches, and its profile exists); other days are left out,
 * so the next `profile` recomputes them from the raw day files instead of trusting stale hours.
 */
export function convertProfileState(old: ProfileStateV1, facts: DayFacts): { state: ProfileState; reprofile: string[] } {
  const hoursByDay = new Map<string, Set<string>>();
  for (const label of [...facts.rawByHour.keys(), ...Object.keys(old.hours)]) {
    const day = label.slice(0, 10);
    hoursByDay.set(day, (hoursByDay.get(day) ?? new Set()).add(label));
  }
  const days: Record<string, DayState> = {};
  const reprofile: string[] = [];
  for (const [day, labels] of [...hoursByDay].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const upToDate = [...labels].every((h) => sameNames(old.hours[h], facts.rawByHour.get(h) ?? []) && facts.tokens.has(h));
    if (!upToDate) {
      reprofile.push(day);
      continue;
    }
    const hours: Record<string, string> = {};
    for (const h of [...labels].sort()) hours[h] = facts.tokens.get(h) as string;
    days[day] = { batches: [...(facts.batchesByDay.get(day) ?? [])].sort(), hours };
  }
  return { state: ProfileState.parse({ version: 2, days, pending_days: old.pending_days }), reprofile };
}

/**
 * The evaluation state with `profile_versions` holding 2.0 hour tokens: an hour recorded in 1.x
 * gets its token, an hour without one (its day is profiled again) is dropped, so the late-data
 * check sees no change where the data did not change. Other fields are kept as they are.
 * Idempotent: it only reads the recorded hour labels, not their values.
 */
export async function convertEvaluationState(storage: Storage, model: string, tokens: ReadonlyMap<number, string>): Promise<string | undefined> {
  const key = layout.evaluationState(model);
  const bytes = await storage.read(key);
  if (!bytes) return undefined;
  const json = parseJson(key, bytes);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new MigrateInputError(key, 'not a JSON object');
  const state = json as Record<string, unknown>;
  const recorded = state.profile_versions;
  if (recorded === undefined) return JSON.stringify(state);
  if (typeof recorded !== 'object' || recorded === null) throw new MigrateInputError(key, '`profile_versions` is not an object');
  const next: Record<string, string> = {};
  for (const label of Object.keys(recorded)) {
    const ms = Date.parse(`${label}:00:00Z`);
    const token = Number.isFinite(ms) ? tokens.get(ms) : undefined;
    if (token !== undefined) next[hourLabel(ms)] = token;
  }
  return JSON.stringify({ ...state, profile_versions: next });
}

