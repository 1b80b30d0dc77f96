import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '@/lib/cli/store-context';
import { readSummaryParquetMany, writeSummaryParquet } from '@/lib/duckdb';
import { CONFIG_KEY, HOUR_MS, layout } from '@/lib/format';
import { cliOk, MODEL, START, writeEvents, writeReference } from './helpers';
import { putHourProfile } from '@/test/helpers/hour-profiles';

const FAR = Date.parse('2999-01-01T00:00:00Z');

/** Issue #10, case 1: one event dated 2999 made `evaluate` walk 8.5 million hours. */
describe('an hour dated 2999: evaluate anchors on plausible data and walks at most the catch-up limit', () => {
  let dir: string;
  let store: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'driftwatch-faults-catch-up-'));
    store = join(dir, 'store');
    await writeReference(join(dir, 'test.csv'));
    await writeEvents(join(dir, 'events.ndjson'), 0, 24);
    await cliOk(['init', '--store', store]);
    await cliOk(['reference', 'add', '--store', store, '--model', MODEL, '--name', 'test', '--file', join(dir, 'test.csv'), '--id-col', 'id', '--timestamp-col', 'ts']);
    await cliOk(['ingest', '--store', store, '--model', MODEL, '--file', join(dir, 'events.ndjson')]);
    await cliOk(['profile', '--store', store]);
    // The far-future hour, as profile wrote it before ingest quarantined such events: written directly.
    const { storage } = await openStore(store);
    const [pack] = await readSummaryParquetMany([(await storage.read(layout.hourlyProfile(MODEL, START + 5 * HOUR_MS)))!]);
    const rows = pack.filter((r) => r.period_start === START + 5 * HOUR_MS);
    await putHourProfile(storage, MODEL, FAR, rows.map((r) => ({ ...r, period_start: FAR, period_end: FAR + HOUR_MS })), { encode: writeSummaryParquet, decode: async (b) => (await readSummaryParquetMany([b]))[0] });
  }, 120_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('evaluate ends at the latest plausible hour and says it ignored the 2999 hour', async () => {
    const started = Date.now();
    const { stdout } = await cliOk(['evaluate', '--store', store]);
    expect(stdout).toContain(`${MODEL}: 1 profiled hour after now + 1h ignored (2999-01-01T00:00Z): timestamps in the future are a clock or unit error, not data to evaluate`);
    expect(stdout).toContain(`${MODEL}: 13 windows evaluated`);
    expect(Date.now() - started).toBeLessThan(60_000);
    const { storage } = await openStore(store);
    const state = JSON.parse(new TextDecoder().decode(await storage.read(layout.evaluationState(MODEL)))) as { last_window_end: number };
    expect(state.last_window_end).toBe(START + 24 * HOUR_MS);
  }, 120_000);

  it('evaluate --at 2999 walks at most evaluation.max_catch_up and says what it skipped', async () => {
    const { storage } = await openStore(store);
    const config = new TextDecoder().decode(await storage.read(CONFIG_KEY));
    const edited = config.replace(/^ {2}max_catch_up: .*$/m, '  max_catch_up: 6h');
    expect(edited).not.toBe(config);
    await writeFile(join(store, CONFIG_KEY), edited);
    const { stdout } = await cliOk(['evaluate', '--store', store, '--at', '2999-01-01T01:00:00Z']);
    const skipped = (FAR + HOUR_MS - 5 * HOUR_MS - (START + 25 * HOUR_MS)) / HOUR_MS;
    expect(stdout).toContain(`${MODEL}: skipped ${skipped.toLocaleString('en-US')} window ends before 2998-12-31T20:00Z: beyond the catch-up limit of 6h (evaluation.max_catch_up)`);
    expect(stdout).toContain(`${MODEL}: 6 windows evaluated`);
  }, 120_000);
});
