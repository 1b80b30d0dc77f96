import { z } from 'zod';

/** The store format this code reads and writes (docs/format.md). Minor versions only add. */
export const FORMAT_NAME = 'driftwatch-store';
export const FORMAT_VERSION = '1.3';

export const StoreManifest = z.object({
  format: z.literal(FORMAT_NAME),
  version: z.string().regex(/^\d+\.\d+$/),
  created_at: z.string(),
});
export type StoreManifest = z.infer<typeof StoreManifest>;

export class FormatVersionError extends Error {
  override readonly name = 'FormatVersionError';
}

/** A reader meets a newer major version: stop, and say which versions are involved. */
export function checkFormatVersion(found: string): void {
  const [major] = found.split('.').map(Number);
  const [ours] = FORMAT_VERSION.split('.').map(Number);
  if (!Number.isFinite(major) || major > ours) {
    throw new FormatVersionError(`this store is format ${found}, but this driftwatch reads format ${FORMAT_VERSION} (major ${ours}); upgrade driftwatch to read it`);
  }
}
