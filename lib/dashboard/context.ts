import 'server-only';
import { parseConfig, ProfileCache, ReferenceCache, type Config } from '../compare';
import { readSummaryParquetMany } from '../duckdb';
import { checkFormatVersion, CONFIG_KEY, MANIFEST_KEY, StoreManifest } from '../format';
import { openStorage, type Storage } from '../storage';
import { ApiError } from './params';
import { checkCurrentRequest } from './auth/request';
import { CachedListingStorage } from './cached-listing';
import type { TrendAnswer, TrendTask, WindowAnswer, WindowTask } from './compute';
import { HeavyWork } from './heavy-work';
import { ResultCache } from './result-cache';
import { VersionedFiles } from './versioned-file';

/** The store the dashboard reads: DRIFTWATCH_STORE, else ./driftwatch-store (as the CLI). */
export function dashboardStoreLocation(env: NodeJS.ProcessEnv = process.env): string {
  return env.DRIFTWATCH_STORE ?? './driftwatch-store';
}

export interface DashboardContext {
  storage: Storage;
  config: Config;
  decode: typeof readSummaryParquetMany;
  references: ReferenceCache;
  profiles: ProfileCache;
  results: ResultCache;
  files: VersionedFiles;
  /** Heavy computations: shared while in flight, queued (bounded) to worker threads. */
  compute: {
    window: (task: WindowTask) => Promise<WindowAnswer>;
    trend: (task: TrendTask) => Promise<TrendAnswer>;
  };
}

/** How long a listing is reused (a 30-day model has ~900 profile files): new files show up within it. */
export const LISTING_TTL_MS = 5_000;

interface Shared {
  location: string;
  storage: Storage;
  references: ReferenceCache;
  profiles: ProfileCache;
  results: ResultCache;
  files: VersionedFiles;
  heavy: HeavyWork;
}

let shared: Shared | undefined;

/**
 * One storage client and one set of caches per server process. Cached things are keyed by the
 * storage versions of the files they came from (a re-added reference, a new config.yaml, a
 * re-profiled hour are picked up on the next request). A missing or newer-format store is a 503
 * that says what to do.
 */
export async function dashboardContext(location = dashboardStoreLocation()): Promise<DashboardContext> {
  if (!shared || shared.location !== location) {
    void shared?.heavy.close();
    shared = { location, storage: new CachedListingStorage(openStorage(location), LISTING_TTL_MS), references: new ReferenceCache({ storeCalibration: false }), profiles: new ProfileCache({ checkVersions: true }), results: new ResultCache(), files: new VersionedFiles(), heavy: new HeavyWork(location) };
  }
  const { storage, files } = shared;
  // Identity first, before anything of the store is read for the answer (docs/security.md).
  await checkCurrentRequest(storage);
  await files.get(storage, MANIFEST_KEY, (manifest) => {
    if (manifest === undefined) throw new ApiError(503, `${storage.url} is not a driftwatch store: set DRIFTWATCH_STORE, or run \`npm run demo\` to make one`);
    const parsed = StoreManifest.safeParse(JSON.parse(new TextDecoder().decode(manifest)));
    if (!parsed.success) throw new ApiError(503, `${storage.url}/${MANIFEST_KEY} is not a driftwatch store manifest`);
    try {
      checkFormatVersion(parsed.data.version);
    } catch (error) {
      throw new ApiError(503, (error as Error).message);
    }
    return parsed.data;
  });
  const config = await files.get(storage, CONFIG_KEY, (bytes) => parseConfig(bytes === undefined ? '' : new TextDecoder().decode(bytes), `${storage.url}/${CONFIG_KEY}`));
  const { references, profiles, results, heavy } = shared;
  const deps = { storage, config, decode: readSummaryParquetMany, references, profiles };
  return { ...deps, results, files, compute: { window: (task) => heavy.window(deps, task), trend: (task) => heavy.trend(deps, task) } };
}
