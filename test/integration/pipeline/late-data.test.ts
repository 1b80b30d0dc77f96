import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertEvent } from '@/lib/alerts';
import { main } from '@/lib/cli/main';
import { openStore } from '@/lib/cli/store-context';
import { availableProfiles, planWindow, readAlertEvents, readEvaluations } from '@/lib/compare';
import type { EvaluationRow } from '@/lib/format';
import { evaluationParquet } from '@/lib/duckdb';
import { DAY_MS, HOUR_MS, layout } from '@/lib/format';
import type { Storage } from '@/lib/storage';
import { mulberry32, standardNormal } from '@/test/helpers/random';

const MODEL = 'late-model';
const START = Date.parse('2026-11-01T00:00:00Z');
const HOURS = 48;
/** An hour evaluated by the first run (windows ending 31:00 … 42:00 contain it), sent late. */
const LATE_HOUR = 30;
const iso = (h: number) => new Date(START + h * HOUR_MS).toISOString();

interface Event {
  id: string;
  ts: string;
  x: number | null;
  c: string;
}

/** `x` lognormal seconds, `c` one of three categories; `scale` multiplies x, `nullShare` empties it. */
function events(seed: number, hour: number, n: number, prefix: string, fault: { scale?: number; nullShare?: number } = {}): Event[] {
  const u = mulberry32(seed);
  const z = standardNormal(u);
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}-${hour}-${i}`,
    ts: new Date(START + hour * HOUR_MS + Math.floor((i / n) * HOUR_MS)).toISOString(),
    x: u() < (fault.nullShare ?? 0) ? null : (fault.scale ?? 1) * Math.exp(5 + 0.5 * z()),
    c: ['a', 'b', 'c'][Math.floor(u() * 3)],
  }));
}

const ndjson = (rows: Event[]) => rows.map((r) => JSON.stringify({ model: MODEL, id: r.id, ts: r.ts, features: { x: r.x, c: r.c } })).join('\n') + '\n';

async function writeReference(path: string): Promise<void> {
  const rows = events(1, -24 * 30, 30_000, 'ref').map((r, i) => ({ ...r, ts: new Date(START - 30 * DAY_MS + i * 10_000).toISOString() }));
  await writeFile(path, ['id,ts,x,c', ...rows.map((r) => `${r.id},${r.ts},${r.x},${r.c}`)].join('\n') + '\n');
}

async function allRows(storage: Storage): Promise<EvaluationRow[]> {
  const out: EvaluationRow[] = [];
  for (let day = START; day <= START + 2 * DAY_MS; day += DAY_MS) out.push(...(await readEvaluations(storage, MODEL, day, evaluationParquet)));
  return out;
}

async function allEvents(storage: Storage): Promise<AlertEvent[]> {
  const out: AlertEvent[] = [];
  for (let day = START; day <= START + 2 * DAY_MS; day += DAY_MS) out.push(...(await readAlertEvents(storage, MODEL, day)));
  return out;
}

/** Run the CLI, expect success, and return the lines this run printed (all of them collect in `log`). */
function cliRunner(log: string[]): (...args: string[]) => Promise<string[]> {
  return async (...args) => {
    const from = log.length;
    const code = await main(args, { log: (l) => log.push(l), error: (l) => log.push(`ERROR ${l}`) });
    expect(code, log.join('\n')).toBe(0);
    return log.slice(from);
  };
}

describe('late data reaches an already evaluated window, its trend and its alert', () => {
  let dir: string;
  let store: string;
  const log: string[] = [];
  const run = cliRunner(log);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'driftwatch-late-'));
    store = join(dir, 'store');
    await writeReference(join(dir, 'test.csv'));
    const onTime: Event[] = [];
    for (let h = 0; h < HOURS; h++) onTime.push(...events(100 + h, h, 120, 'p'));
    await writeFile(join(dir, 'on-time.ndjson'), ndjson(onTime));
    // Half the late rows have no x (failing), the others are ×1000 (the drift metric moves too).
    await writeFile(join(dir, 'late.ndjson'), ndjson(events(999, LATE_HOUR, 1500, 'late', { scale: 1000, nullShare: 0.5 })));
    await run('init', '--store', store);
    await run('reference', 'add', '--store', store, '--model', MODEL, '--name', 'test', '--file', join(dir, 'test.csv'), '--id-col', 'id', '--timestamp-col', 'ts');
    await run('ingest', '--store', store, '--model', MODEL, '--file', join(dir, 'on-time.ndjson'));
    await run('profile', '--store', store);
  }, 300_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('re-evaluates exactly the windows containing the late hour, through the refreshed rollups, and updates trend and alerts', async () => {
    const { storage } = await openStore(store);
    const first = await run('evaluate', '--store', store);
    // Whole 12-hour windows (the default) ending at 12:00 … 48:00.
    expect(first).toContain(`${MODEL}: 37 windows evaluated`);
    const before = await allRows(storage);
    expect(before.filter((r) => r.name === 'x')).toHaveLength(37);
    expect(before.filter((r) => r.verdict !== 'ok').map((r) => `${r.name} ${r.window_to} ${r.verdict}`)).toEqual([]);
    expect(await allEvents(storage)).toEqual([]);
    const blockKey = layout.sixHourProfile(MODEL, START + LATE_HOUR * HOUR_MS);
    const blockVersion = await storage.version(blockKey);

    await run('ingest', '--store', store, '--model', MODEL, '--file', join(dir, 'late.ndjson'));
    const profiled = await run('profile', '--store', store);
    expect(profiled).toEqual([`${MODEL}: 1 hourly profiles written; 1 days rolled up (6-hourly, daily and weekly rollups)`]);
    // The window [30:00, 42:00) is read from the 6-hour rollups, not the hours: the rollup was rewritten.
    expect(await storage.version(blockKey)).not.toBe(blockVersion);
    const plan = planWindow(START + LATE_HOUR * HOUR_MS, START + (LATE_HOUR + 12) * HOUR_MS, await availableProfiles(storage, MODEL));
    expect(plan.blocks).toEqual([START + LATE_HOUR * HOUR_MS, START + (LATE_HOUR + 6) * HOUR_MS]);

    const second = await run('evaluate', '--store', store);
    expect(second[0]).toBe(`${MODEL}: 0 windows evaluated, 12 re-evaluated (late data in 1 hour: 2026-11-02T06:00Z)`);
    expect(second).toContain(`${MODEL}: alerts recomputed from 2026-11-02T00:00:00.000Z over the re-evaluated windows: 2 new events`);

    const after = await allRows(storage);
    expect(after).toHaveLength(before.length);
    const x = (rows: EvaluationRow[], h: number) => rows.find((r) => r.name === 'x' && r.window_to === iso(h))!;
    const affected = Array.from({ length: 12 }, (_, i) => LATE_HOUR + 1 + i);
    for (const h of affected) {
      expect(x(after, h).verdict, `window ending ${iso(h)}`).toBe('failing');
      expect(x(after, h).count).toBe(x(before, h).count + 1500);
      expect(x(after, h).value).toBeGreaterThan(x(before, h).value! + 0.1);
      expect(x(after, h).failed_rate).toBeGreaterThan(0.2);
    }
    // Windows just outside (hour, hour + 12 h] are untouched; the late rows' other feature (c,
    // unchanged in distribution) gains their count in the affected windows and stays ok.
    for (const h of [LATE_HOUR, LATE_HOUR + 13]) expect(x(after, h)).toEqual(x(before, h));
    const c = (rows: EvaluationRow[]) => rows.filter((r) => r.name === 'c').sort((a, b) => a.window_to.localeCompare(b.window_to));
    const shifted = new Set(affected.map(iso));
    expect(c(after).map((r) => [r.window_to, r.count, r.verdict])).toEqual(c(before).map((r) => [r.window_to, r.count + (shifted.has(r.window_to) ? 1500 : 0), 'ok']));

    // The default `failing` rule (fire_after 1, resolve_after 3) fires at the first failing window
    // and resolves at the third clear one after the last.
    const events = await allEvents(storage);
    expect(events.map((e) => `${e.rule} ${e.feature} ${e.kind} ${e.at}`)).toEqual([`failing x firing ${iso(LATE_HOUR + 1)}`, `failing x resolved ${iso(LATE_HOUR + 15)}`]);
    expect(second.some((l) => l.includes(`${MODEL} · x: failing`))).toBe(true);
    // The trend the dashboard reads agrees with the event: failing exactly from the event on.
    const failing = after.filter((r) => r.name === 'x' && r.verdict === 'failing').map((r) => r.window_to).sort();
    expect(failing).toEqual(affected.map(iso));

    // The state holds one profile version per hour (well inside the 30-day look-back) and no pending replay.
    const state = JSON.parse(new TextDecoder().decode(await storage.read(layout.evaluationState(MODEL)))) as { last_window_end: number; profile_versions: Record<string, string>; alerts_replay_from: number | null };
    expect(state.last_window_end).toBe(START + HOURS * HOUR_MS);
    expect(Object.keys(state.profile_versions)).toHaveLength(HOURS);
    expect(state.alerts_replay_from).toBeNull();

    const third = await run('evaluate', '--store', store);
    expect(third).toEqual([`${MODEL}: 0 windows evaluated`]);
    expect(await allEvents(storage)).toEqual(events);
  });
});

describe('a new store alerts out of the box', () => {
  let dir: string;
  const log: string[] = [];
  const run = cliRunner(log);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'driftwatch-init-rules-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const FAULT_HOUR = 24;

  it('fires on a fault with the rules `init` wrote, without editing config.yaml', async () => {
    const store = join(dir, 'store');
    await writeReference(join(dir, 'test.csv'));
    const rows: Event[] = [];
    // From FAULT_HOUR on, x arrives ×1000 (seconds sent as milliseconds).
    for (let h = 0; h < 30; h++) rows.push(...events(200 + h, h, 300, 'p', { scale: h >= FAULT_HOUR ? 1000 : 1 }));
    await writeFile(join(dir, 'predictions.ndjson'), ndjson(rows));
    await run('init', '--store', store);
    await run('reference', 'add', '--store', store, '--model', MODEL, '--name', 'test', '--file', join(dir, 'test.csv'), '--id-col', 'id', '--timestamp-col', 'ts');
    await run('ingest', '--store', store, '--model', MODEL, '--file', join(dir, 'predictions.ndjson'));
    await run('profile', '--store', store);
    const out = await run('evaluate', '--store', store);
    expect(out.some((l) => l.startsWith('no alert rules'))).toBe(false);
    const { storage } = await openStore(store);
    const firing = (await allEvents(storage)).filter((e) => e.kind === 'firing');
    expect(firing.map((e) => `${e.rule} ${e.feature}`)).toEqual(['drift x']);
    // fire_after 2: at the second window that holds the fault, both drifting.
    const drifting = (await allRows(storage)).filter((r) => r.name === 'x' && r.verdict === 'drift').map((r) => r.window_to).sort();
    expect(drifting.filter((at) => at > iso(FAULT_HOUR))).toEqual(Array.from({ length: 30 - FAULT_HOUR }, (_, i) => iso(FAULT_HOUR + 1 + i)));
    expect(firing[0].at).toBe(iso(FAULT_HOUR + 2));
    expect(out.some((l) => l.includes(firing[0].message))).toBe(true);
  });
});
