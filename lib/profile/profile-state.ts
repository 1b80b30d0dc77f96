import { z } from 'zod';
import { layout } from '../format';
import type { Storage } from '../storage/storage';
import { ProfileInputError } from './options';

/**
 * models/<model>/state/profile-state.json: for every profiled hour, the raw batch keys its
 * profile was computed from; days whose rollup is still due survive a crash in `pending_days`.
 */
export const ProfileState = z.object({
  version: z.literal(1),
  hours: z.record(z.string(), z.array(z.string())),
  pending_days: z.array(z.number().int()).default([]),
});
export type ProfileState = z.infer<typeof ProfileState>;

export async function readProfileState(storage: Storage, model: string): Promise<ProfileState> {
  const key = layout.profileState(model);
  const bytes = await storage.read(key);
  if (!bytes) return { version: 1, hours: {}, pending_days: [] };
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new ProfileInputError(`${key} is not valid JSON; delete it to re-profile every hour`);
  }
  const parsed = ProfileState.safeParse(json);
  if (!parsed.success) throw new ProfileInputError(`${key} is not a valid profile state (${parsed.error.issues[0]?.message}); delete it to re-profile every hour`);
  return parsed.data;
}

export async function writeProfileState(storage: Storage, model: string, state: ProfileState): Promise<void> {
  await storage.write(layout.profileState(model), JSON.stringify(state));
}

/** Same keys, in any order. */
export function sameKeys(a: readonly string[] | undefined, b: readonly string[]): boolean {
  if (!a || a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((k) => set.has(k));
}
