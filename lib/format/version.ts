import { z } from 'zod';

/** The store format this code reads and writes (docs/format.md). Minor versions only add. */
export const FORMAT_NAME = 'driftwatch-store';
export const FORMAT_VERSION = '2.0';

export const StoreManifest = z.object({
  format: z.literal(FORMAT_NAME),
  version: z.string().regex(/^\d+\.\d+$/),
  created_at: z.string(),
});
export type StoreManifest = z.infer<typeof StoreManifest>;

export class FormatVersionError extends Error {
  override readonly name = 'FormatVersionError';
}

/**
 * A reader meets another major version: stop, and say which versions are involved and what to
 * do. A 1.x store (one file per hour) is never read as 2.0: `driftwatch migrate` converts it.
 */
export function checkFormatVersion(found: string, options: { allowOlder?: boolean } = {}): void {
  const [major] = found.split('.').map(Number);
  const [ours] = FORMAT_VERSION.split('.').map(Number);
  if (!Number.isFinite(major) || major > ours) {
    throw new FormatVersionError(`this store is format ${found}, but this driftwatch reads format ${FORMAT_VERSION} (major ${ours}); upgrade driftwatch to read it`);
  }
  if (major < ours && !options.allowOlder) {
    throw new FormatVersionError(`this store is format ${found}, but this driftwatch reads format ${FORMAT_VERSION}: run \`driftwatch migrate\` to convert it (hour files are packed per day; nothing is lost)`);
  }
}

/** Major version of a manifest's version string. */
export function formatMajor(version: string): number {
  return Number(version.split('.')[0]);
}
