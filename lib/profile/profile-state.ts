import { layout, parseProfileState, ProfileStateError, type ProfileState } from '../format';
import type { Storage } from '../storage/storage';
import { ProfileInputError } from './options';

export { emptyProfileState, hourToken, profiledHours, ProfileState, type DayState } from '../format';

/** The model's profile state (docs/format.md, lib/format/profile-state.ts); a damaged one is a ProfileInputError. */
export async function readProfileState(storage: Storage, model: string): Promise<ProfileState> {
  const key = layout.profileState(model);
  try {
    return parseProfileState(await storage.read(key), key);
  } catch (error) {
    throw error instanceof ProfileStateError ? new ProfileInputError(error.message) : error;
  }
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
