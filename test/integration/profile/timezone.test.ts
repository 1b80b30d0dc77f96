import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Before anything loads DuckDB: the process runs in New York. Every stored time must still be UTC.
process.env.TZ = 'America/New_York';

const { readSummaryParquetMany } = await import('@/lib/duckdb');
const { layout, HOUR_MS, dayLabel } = await import('@/lib/format');
const { ingest, profileModel } = await import('@/lib/profile');
const { availableProfiles } = await import('@/lib/compare');
const { addLabels, profilePerformance } = await import('@/lib/labels');
const { MemoryStorage } = await import('@/lib/storage');
const { isDamagedFileError } = await import('@/lib/storage/damaged-file');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'driftwatch-tz-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const DAY = Date.UTC(2024, 0, 1);

describe('times are UTC whatever the process time zone (TZ=America/New_York)', () => {
  it('rows just after midnight UTC land in their UTC day, zoneless times are UTC, and a later batch loses no hour', async () => {
    const storage = new MemoryStorage();
    const rows = Array.from({ length: 24 }, (_, h) => `o${h},${new Date(DAY + h * HOUR_MS + 60_000).toISOString()},${h}`);
    await writeFile(join(dir, 'a.csv'), `id,ts,x\n${rows.join('\n')}\n`);
    await ingest({ storage, model: 'm', file: join(dir, 'a.csv'), idCol: 'id', timestampCol: 'ts', nowMs: DAY + 40 * HOUR_MS });
    expect((await storage.list(layout.rawPredictionsPrefix('m'))).map((k) => /day=([\d-]+)/.exec(k)![1])).toEqual([dayLabel(DAY)]);
    await profileModel({ storage, model: 'm' });
    // A second batch for the same day: the day is profiled again from both, all 24 hours kept.
    await writeFile(join(dir, 'b.csv'), 'id,ts,x\nz1,2024-01-01T12:30:00,5\n');
    await ingest({ storage, model: 'm', file: join(dir, 'b.csv'), idCol: 'id', timestampCol: 'ts', nowMs: DAY + 40 * HOUR_MS });
    await profileModel({ storage, model: 'm' });
    const hours = [...(await availableProfiles(storage, 'm')).hours].sort((a, b) => a - b);
    expect(hours).toEqual(Array.from({ length: 24 }, (_, h) => DAY + h * HOUR_MS));
    // The zoneless 12:30 is 12:30 UTC: hour 12 holds two rows.
    const [pack] = await readSummaryParquetMany([(await storage.read(layout.hourlyProfile('m', DAY)))!]);
    expect(pack.find((r) => r.feature === 'x' && r.period_start === DAY + 12 * HOUR_MS)!.rows).toBe(2);
  });
});

describe('fixes from review', () => {
  it('a truncated NDJSON raw batch is named by its key; the other days are profiled', async () => {
    const storage = new MemoryStorage();
    const events = (day: number, n: number) => Array.from({ length: n }, (_, i) => JSON.stringify({ model: 'm', id: `d${day}-${i}`, ts: new Date(DAY + day * 24 * HOUR_MS + i * 60_000).toISOString(), features: { x: i } })).join('\n');
    for (const day of [0, 1, 2]) await storage.write(layout.rawPredictions('m', DAY + day * 24 * HOUR_MS, `b${day}`, 'ndjson.gz'), gzipSync(`${events(day, 50)}\n`));
    const broken = gzipSync(`${events(1, 50)}\n`);
    const key = layout.rawPredictions('m', DAY + 24 * HOUR_MS, 'b1', 'ndjson.gz');
    await storage.write(key, broken.subarray(0, Math.floor(broken.length / 2)));
    const error = await profileModel({ storage, model: 'm' }).catch((e: unknown) => e);
    expect(isDamagedFileError(error)).toBe(true);
    expect((error as Error).message).toContain(key);
    const hours = [...(await availableProfiles(storage, 'm')).hours];
    expect(hours.some((h) => h < DAY + 24 * HOUR_MS)).toBe(true);
    expect(hours.some((h) => h >= DAY + 48 * HOUR_MS)).toBe(true);
    expect(hours.some((h) => h >= DAY + 24 * HOUR_MS && h < DAY + 48 * HOUR_MS)).toBe(false);
  });

  it('labels for a model without a score are stored and do not break the join', async () => {
    const storage = new MemoryStorage();
    await writeFile(join(dir, 'noscore.csv'), 'id,ts,x\np1,2024-01-01T01:00:00Z,1\np2,2024-01-01T02:00:00Z,2\n');
    await ingest({ storage, model: 'm', file: join(dir, 'noscore.csv'), idCol: 'id', timestampCol: 'ts', nowMs: DAY + 40 * HOUR_MS });
    await writeFile(join(dir, 'labels.csv'), 'id,label\np1,1\np2,0\n');
    expect(await addLabels({ storage, model: 'm', file: join(dir, 'labels.csv') })).toMatchObject({ accepted: 2, batches: 1 });
    expect(await profilePerformance(storage, 'm')).toMatchObject({ days: 0 });
  });

  it('a day whose rollups are still due is read from its hours, not from its older day or week files', async () => {
    const storage = new MemoryStorage();
    await writeFile(join(dir, 'pending.csv'), `id,ts,x\n${Array.from({ length: 10 }, (_, h) => `q${h},${new Date(DAY + h * HOUR_MS).toISOString()},${h}`).join('\n')}\n`);
    await ingest({ storage, model: 'm', file: join(dir, 'pending.csv'), idCol: 'id', timestampCol: 'ts', nowMs: DAY + 40 * HOUR_MS });
    await profileModel({ storage, model: 'm' });
    expect((await availableProfiles(storage, 'm')).days.has(DAY)).toBe(true);
    // As a profile run leaves it between saving the hours and rolling the day up.
    const state = JSON.parse(new TextDecoder().decode(await storage.read(layout.profileState('m'))));
    state.pending_days = [DAY];
    await storage.write(layout.profileState('m'), JSON.stringify(state));
    const available = await availableProfiles(storage, 'm');
    expect([available.days.has(DAY), available.weeks.size, available.hours.size]).toEqual([false, 0, 10]);
  });
});
