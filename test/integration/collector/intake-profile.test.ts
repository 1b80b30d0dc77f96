import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntake } from '@/lib/collector';
import { checkStore, storeFiles } from '@/lib/cli/doctor-checks';
import { initStore } from '@/lib/cli/commands/init';
import { readSummaryParquetMany } from '@/lib/duckdb';
import { DAY_MS, hourStart, layout } from '@/lib/format';
import { profileModel } from '@/lib/profile';
import { updateModelMeta, writeModelMeta } from '@/lib/profile/model-store';
import { parseQuarantine } from '@/lib/profile/quarantine';
import { LocalStorage } from '@/lib/storage';
import { mulberry32 } from '../../helpers/random';

/**
 * Capture end to end (issue #14): 20,000 events over 3 UTC days, sent in messages of random sizes
 * with 5% resent duplicates and a few bad lines, through the intake (spool and queue durability)
 * into a local store; `profile` then counts exactly the distinct ids of each hour and doctor finds
 * nothing wrong.
 */
const EVENTS = 20_000;
const START = Date.UTC(2026, 10, 28);
const MODEL = 'checkout';

let dir: string;
let storage: LocalStorage;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'driftwatch-capture-'));
  await initStore(join(dir, 'store'), () => undefined);
  storage = new LocalStorage(join(dir, 'store'));
  const found = new Map([
    ['amount', 'numeric'],
    ['country', 'categorical'],
  ] as const);
  await writeModelMeta(storage, updateModelMeta(undefined, MODEL, { found, score: 'score' }).meta);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('collector intake → profile', () => {
  it('stores every distinct event once: profiled rows per hour equal the distinct ids sent', async () => {
    const rng = mulberry32(14);
    const lines: string[] = [];
    const hourOf = new Map<string, number>();
    for (let i = 0; i < EVENTS; i++) {
      const ms = START + Math.floor(rng() * 3 * DAY_MS);
      const id = `ev-${i}`;
      hourOf.set(id, hourStart(ms));
      const amount = rng() < 0.01 ? 'NaN' : (rng() * 100).toFixed(2);
      lines.push(`{"model":"${MODEL}","id":"${id}","ts":"${new Date(ms).toISOString()}","features":{"amount":${amount},"country":"${['DE', 'FR', 'IT'][i % 3]}"},"score":${rng().toFixed(4)}}`);
    }
    // 5% duplicates: earlier events sent again, at random places.
    for (let i = 0; i < EVENTS / 20; i++) {
      const at = Math.floor(rng() * lines.length);
      lines.splice(at + 1, 0, lines[Math.floor(rng() * (at + 1))]);
    }
    const bad = ['{"model":"checkout","id":', `{"model":"nobody","id":"x","ts":"2026-11-28T00:00:00Z","features":{}}`];
    for (const b of bad) lines.splice(Math.floor(rng() * lines.length), 0, b);

    const intake = createIntake({ storage, spoolDir: join(dir, 'spool'), limits: { maxEvents: 997, maxBytes: 64 << 10, maxAgeMs: 60_000 } });
    await intake.start();
    let durable = 0;
    let messages = 0;
    let accepted = 0;
    let rejected = 0;
    for (let at = 0; at < lines.length; ) {
      const size = 1 + Math.floor(rng() * 300);
      const message = Buffer.from(`${lines.slice(at, at + size).join('\n')}\n`);
      at += size;
      messages++;
      const result = await intake.accept(message, { source: 'test', durability: messages % 2 === 0 ? 'spool' : 'queue', onDurable: () => durable++ });
      accepted += result.accepted;
      rejected += result.rejected;
    }
    expect([accepted, rejected]).toEqual([EVENTS + EVENTS / 20, 2]);
    await intake.flush();
    expect(durable).toBe(messages);
    await intake.close();
    expect((await readdir(join(dir, 'spool'))).filter((n) => n.endsWith('.spool'))).toEqual([]);

    const expected = new Map<number, number>();
    for (const hour of hourOf.values()) expected.set(hour, (expected.get(hour) ?? 0) + 1);
    const profiled = await profileModel({ storage, model: MODEL });
    expect(profiled.days).toBe(3);
    const packs = await Promise.all([0, 1, 2].map(async (d) => (await storage.read(layout.hourlyProfile(MODEL, START + d * DAY_MS)))!));
    const rows = (await readSummaryParquetMany(packs)).flat().filter((r) => r.feature === 'amount');
    const got = new Map(rows.map((r) => [r.period_start, r.rows]));
    expect(got).toEqual(expected);
    expect([...got.values()].reduce((a, b) => a + b, 0)).toBe(EVENTS);
    const nan = rows.reduce((a, r) => a + r.non_finite, 0);
    expect(nan).toBeGreaterThan(0);

    // The two bad lines: one in the model's quarantine, one (unknown model) in the collector's.
    const quarantined = [...(await storage.list(layout.quarantinePrefix(MODEL))), ...(await storage.list(layout.collectorQuarantinePrefix()))];
    const entries = (await Promise.all(quarantined.map(async (k) => parseQuarantine(k, (await storage.read(k))!).entries))).flat();
    expect(entries.map((e) => e.raw).sort()).toEqual([...bad].sort());

    const findings = await checkStore(storage, await storeFiles(storage));
    expect(findings).toEqual([]);
  }, 120_000);
});
