import 'server-only';
import { randomBytes } from 'node:crypto';
import { ApiError, type DashboardContext, type ViewQuery } from '../dashboard';
import { reportData, type ReportData } from './report-data';
import { renderReport } from './render-report';

/** Store keys: `snapshots/<id>.json` (the frozen view and report data) and `snapshots/<id>.html` (the report as made then). */
export const SNAPSHOTS_PREFIX = 'snapshots/';
export const snapshotKey = (id: string): string => `${SNAPSHOTS_PREFIX}${id}.json`;
export const snapshotReportKey = (id: string): string => `${SNAPSHOTS_PREFIX}${id}.html`;

/** 16 lower-case hex digits: random (an id is not guessable from another) and safe as a key segment. */
const ID = /^[0-9a-f]{16}$/;

export function snapshotIdParam(value: string): string {
  if (!ID.test(value)) throw new ApiError(400, 'id: a snapshot id is 16 hexadecimal digits');
  return value;
}

/** The view a snapshot was asked for, as given (a relative window is kept, and resolved at creation). */
export interface SnapshotQuery {
  window?: string;
  from?: string;
  to?: string;
  reference?: string;
  metric?: string;
}

export interface Snapshot {
  id: string;
  created_at: string;
  model: string;
  query: SnapshotQuery;
  /** The model view and the report's data at `created_at`: the numbers never recomputed. */
  data: ReportData;
}

export type SnapshotListItem = Pick<Snapshot, 'id' | 'created_at' | 'model' | 'query'> & { status_window: { from: string; to: string }; reference: string };

/** Freeze a view: compute it now, store its numbers and its report; new data never changes them. */
export async function createSnapshot(ctx: DashboardContext, model: string, query: ViewQuery, asked: SnapshotQuery, nowMs = Date.now()): Promise<Snapshot> {
  const data = await reportData(ctx, model, query, nowMs);
  const id = randomBytes(8).toString('hex');
  const snapshot: Snapshot = { id, created_at: data.generated_at, model, query: asked, data };
  // The report first: a listed snapshot (its .json) always has its report.
  await ctx.storage.write(snapshotReportKey(id), renderReport(data, `driftwatch snapshot ${id}: ${model}`));
  if (!(await ctx.storage.writeIfAbsent(snapshotKey(id), JSON.stringify(snapshot)))) throw new ApiError(500, 'snapshot id collision; try again');
  return snapshot;
}

export async function readSnapshot(ctx: DashboardContext, id: string): Promise<Snapshot> {
  const bytes = await ctx.storage.read(snapshotKey(snapshotIdParam(id)));
  if (bytes === undefined) throw new ApiError(404, `no snapshot "${id}" in this store`);
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as Snapshot;
  } catch {
    throw new ApiError(503, `${snapshotKey(id)} is damaged (not valid JSON): delete it and make the snapshot again`);
  }
}

export async function readSnapshotReport(ctx: DashboardContext, id: string): Promise<string> {
  const bytes = await ctx.storage.read(snapshotReportKey(snapshotIdParam(id)));
  if (bytes === undefined) throw new ApiError(404, `no snapshot "${id}" in this store`);
  return new TextDecoder().decode(bytes);
}

/** Every snapshot, newest first; a damaged file is left out (its delete still works). */
export async function listSnapshots(ctx: DashboardContext): Promise<SnapshotListItem[]> {
  const ids = (await ctx.storage.list(SNAPSHOTS_PREFIX)).map((k) => k.slice(SNAPSHOTS_PREFIX.length)).filter((k) => k.endsWith('.json') && ID.test(k.slice(0, -5))).map((k) => k.slice(0, -5));
  const items = await Promise.all(
    ids.map(async (id): Promise<SnapshotListItem | undefined> => {
      try {
        const s = await readSnapshot(ctx, id);
        return { id: s.id, created_at: s.created_at, model: s.model, query: s.query, reference: s.data.view.reference, status_window: { from: s.data.view.window.from, to: s.data.view.window.to } };
      } catch (error) {
        if (error instanceof ApiError) return undefined;
        throw error;
      }
    }),
  );
  return items.filter((s): s is SnapshotListItem => s !== undefined).sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0));
}

/** Remove a snapshot; a missing one is a 404 (the caller asked for something that is not there). */
export async function deleteSnapshot(ctx: DashboardContext, id: string): Promise<void> {
  const key = snapshotKey(snapshotIdParam(id));
  if (!(await ctx.storage.exists(key))) throw new ApiError(404, `no snapshot "${id}" in this store`);
  await ctx.storage.delete(key);
  await ctx.storage.delete(snapshotReportKey(id));
}
