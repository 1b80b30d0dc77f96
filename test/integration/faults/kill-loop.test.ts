import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertEvent } from '@/lib/alerts';
import { openStore } from '@/lib/cli/store-context';
import { readEvaluations } from '@/lib/compare';
import { evaluationParquet, readSummaryParquetMany } from '@/lib/duckdb';
import { DAY_MS, layout, type EvaluationRow, type SummaryRow } from '@/lib/format';
import type { Storage } from '@/lib/storage';
import { mulberry32 } from '@/test/helpers/random';
import { cli, cliOk, events, MODEL, ndjson, START, writeEvents, writeReference } from './helpers';
import { writeFile } from 'node:fs/promises';

/** Kill -9 at least this many times. */
const KILLS = 54;
/** Stop killing (and only complete the steps) after this long, so the suite ends by itself. */
const KILL_BUDGET_MS = 150_000;

interface Logical {
  raw: string[];
  profiles: Record<string, SummaryRow[]>;
  rows: EvaluationRow[];
  events: AlertEvent[];
}

/** What the store means, not its bytes: file names carry no time, contents are decoded and sorted. */
async function logical(storage: Storage): Promise<Logical> {
  const keys = await storage.list(`models/${MODEL}/`);
  const profiles: Record<string, SummaryRow[]> = {};
  for (const key of keys.filter((k) => k.includes('/profiles/'))) {
    const [rows] = await readSummaryParquetMany([(await storage.read(key))!]);
    profiles[key] = [...rows].sort((a, b) => a.feature.localeCompare(b.feature));
  }
  const rows: EvaluationRow[] = [];
  const events: AlertEvent[] = [];
  for (let day = START; day <= START + 4 * DAY_MS; day += DAY_MS) {
    rows.push(...(await readEvaluations(storage, MODEL, day, evaluationParquet)));
    const bytes = await storage.read(layout.alertEvents(MODEL, day));
    if (bytes) events.push(...(JSON.parse(new TextDecoder().decode(bytes)) as { events: AlertEvent[] }).events);
  }
  rows.sort((a, b) => `${a.window_to}|${a.reference}|${a.name}`.localeCompare(`${b.window_to}|${b.reference}|${b.name}`));
  events.sort((a, b) => a.id.localeCompare(b.id));
  return { raw: keys.filter((k) => k.includes('/raw/')), profiles, rows, events };
}

/**
 * The "done means" of issue #10: a kill -9 loop over ingest, profile and evaluate, run as real
 * processes, ends with the store of a clean run. Each step is killed several times at random points
 * of its run, then run to completion (as cron would run it again), then the next step.
 */
describe('kill -9 loop over ingest, profile and evaluate', () => {
  let dir: string;
  const steps: { name: string; args: (store: string) => string[] }[] = [];
  /** How long the CLI takes to start: most kills should land after it, in the command's work. */
  let startupMs = 0;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'driftwatch-faults-kill-'));
    await writeReference(join(dir, 'test.csv'));
    // Round one: 48 hours in three files, x ×1000 in hours 40–43 (alerts fire and resolve).
    const scale = (h: number) => (h >= 40 && h < 44 ? 1000 : 1);
    for (const [i, [from, to]] of [[0, 16], [16, 32], [32, 48]].entries()) await writeEvents(join(dir, `part-${i}.ndjson`), from, to, scale);
    // Round two: 12 more hours, and late rows for hour 20 (already evaluated): re-evaluation and an alert replay.
    await writeEvents(join(dir, 'part-3.ndjson'), 48, 60, scale);
    await writeFile(join(dir, 'late.ndjson'), ndjson(events(999, 20, 300, 'late', 1000)));
    const ingest = (file: string) => ({ name: `ingest ${file}`, args: (store: string) => ['ingest', '--store', store, '--model', MODEL, '--file', join(dir, file)] });
    const profile = { name: 'profile', args: (store: string) => ['profile', '--store', store] };
    const evaluate = { name: 'evaluate', args: (store: string) => ['evaluate', '--store', store] };
    steps.push(ingest('part-0.ndjson'), ingest('part-1.ndjson'), ingest('part-2.ndjson'), profile, evaluate, ingest('part-3.ndjson'), ingest('late.ndjson'), profile, evaluate);
    await cliOk(['help']); // builds the CLI bundle once, outside the loop
    const started = Date.now();
    await cliOk(['help']);
    startupMs = Date.now() - started;
  }, 120_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function prepare(store: string): Promise<void> {
    await cliOk(['init', '--store', store]);
    await cliOk(['reference', 'add', '--store', store, '--model', MODEL, '--name', 'test', '--file', join(dir, 'test.csv'), '--id-col', 'id', '--timestamp-col', 'ts']);
  }

  it(`ends identical to a clean run after ≥ ${KILLS} kills at random points`, async () => {
    const clean = join(dir, 'clean');
    await prepare(clean);
    const durations: number[] = [];
    for (const step of steps) {
      const started = Date.now();
      await cliOk(step.args(clean));
      durations.push(Date.now() - started);
    }

    const killed = join(dir, 'killed');
    await prepare(killed);
    const random = mulberry32(10);
    const perStep = Math.ceil(KILLS / steps.length);
    const loopStart = Date.now();
    let kills = 0;
    let finishedBeforeKill = 0;
    for (const [i, step] of steps.entries()) {
      let stepKills = 0;
      // A run that finishes before its kill (this run was faster than the clean one) is checked, and
      // the next delays shrink, so every step is killed perStep times within the time budget.
      let span = durations[i];
      for (let attempt = 0; stepKills < perStep && attempt < 40 && Date.now() - loopStart < KILL_BUDGET_MS; attempt++) {
        // Mostly in the command's work (after half the start-up time), up to the clean run's end.
        const from = Math.min(startupMs / 2, span / 2);
        const delay = Math.floor(from + random() * (span - from));
        const run = cli(step.args(killed));
        const timer = setTimeout(() => run.child.kill('SIGKILL'), delay);
        const exit = await run.done;
        clearTimeout(timer);
        if (exit.signal === 'SIGKILL') {
          kills++;
          stepKills++;
        } else {
          finishedBeforeKill++;
          span *= 0.7;
          expect(exit.code, `${step.name}: ${exit.stderr}`).toBe(0);
        }
      }
      await cliOk(step.args(killed));
    }
    expect(kills).toBeGreaterThanOrEqual(50);

    const [a, b] = await Promise.all([openStore(clean), openStore(killed)]);
    const expected = await logical(a.storage);
    const actual = await logical(b.storage);
    expect(expected.events.length).toBeGreaterThan(0);
    expect(expected.rows.length).toBeGreaterThan(0);
    expect(actual.raw).toEqual(expected.raw);
    expect(Object.keys(actual.profiles)).toEqual(Object.keys(expected.profiles));
    for (const key of Object.keys(expected.profiles)) expect(actual.profiles[key], key).toEqual(expected.profiles[key]);
    expect(actual.rows).toEqual(expected.rows);
    expect(actual.events).toEqual(expected.events);
    // A second complete pass changes nothing.
    await cliOk(['profile', '--store', killed]);
    await cliOk(['evaluate', '--store', killed]);
    expect(await logical(b.storage)).toEqual(actual);
    console.log(`kill loop: ${kills} kills, ${finishedBeforeKill} runs finished first, start-up ${startupMs} ms, ${Math.round((Date.now() - loopStart) / 1000)} s`);
  }, 290_000);
});
