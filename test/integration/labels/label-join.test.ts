import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { HOUR_MS, layout } from '@/lib/format';
import { addLabels, performanceSeries, profilePerformance } from '@/lib/labels';
import { ingest, profileModel } from '@/lib/profile';
import { MemoryStorage } from '@/lib/storage';
import { mulberry32 } from '@/test/helpers/random';

/**
 * The label join (issue #12): labels arrive before or after their predictions, twice, corrected,
 * or for predictions that do not exist; each case ends in the figures an exact join gives.
 */
const START = Date.UTC(2026, 9, 5, 0);
const N = 600;

let dir: string;
let storage: MemoryStorage;

/** N predictions over 6 hours: id p<i>, score rising with the (known) outcome of i. */
function predictions(): { id: string; ts: string; score: number; y: number }[] {
  const rng = mulberry32(7);
  return Array.from({ length: N }, (_, i) => {
    const y = rng() < 0.3 ? 1 : 0;
    const score = Math.min(0.999, Math.max(0.001, (y ? 0.65 : 0.35) + (rng() - 0.5) * 0.6));
    return { id: `p${i}`, ts: new Date(START + (i % 6) * HOUR_MS + i * 1000).toISOString(), score: Math.round(score * 1000) / 1000, y };
  });
}
const rows = predictions();

async function csv(name: string, header: string, lines: string[]): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `${header}\n${lines.join('\n')}\n`);
  return path;
}

async function ingestPredictions(): Promise<void> {
  const file = await csv('preds.csv', 'id,ts,x,score', rows.map((r) => `${r.id},${r.ts},${r.score * 10},${r.score}`));
  await ingest({ storage, model: 'm', file, idCol: 'id', timestampCol: 'ts', scoreCol: 'score' });
  await profileModel({ storage, model: 'm' });
}

async function addLabelFile(name: string, pick: (r: (typeof rows)[number], i: number) => string | null, ts = '2026-10-20T00:00:00Z'): Promise<ReturnType<typeof addLabels>> {
  const lines = rows.flatMap((r, i) => {
    const label = pick(r, i);
    return label === null ? [] : [`${r.id},${label},${ts}`];
  });
  return addLabels({ storage, model: 'm', file: await csv(name, 'id,label,ts', lines) });
}

const window = async () => (await performanceSeries({ storage, model: 'm', fromMs: START, toMs: START + 6 * HOUR_MS, reference: 'test', threshold: 0.5, minCoverage: 0.5 })).windows[0];

/** Exact ROC AUC of (score, label) pairs, ties half. */
function exactAuc(pairs: { score: number; y: number }[]): number {
  const pos = pairs.filter((p) => p.y === 1).map((p) => p.score);
  const neg = pairs.filter((p) => p.y === 0).map((p) => p.score);
  let wins = 0;
  for (const a of pos) for (const b of neg) wins += a > b ? 1 : a === b ? 0.5 : 0;
  return wins / (pos.length * neg.length);
}

beforeEach(async () => {
  dir ??= await mkdtemp(join(tmpdir(), 'driftwatch-labels-'));
  storage = new MemoryStorage();
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the label join', () => {
  it('labels before their predictions are kept unmatched, then join when the predictions arrive', async () => {
    const added = await addLabelFile('early.csv', (r) => String(r.y));
    expect(added).toMatchObject({ linesRead: N, accepted: N, quarantined: 0, batches: 1 });
    // No predictions yet: nothing to join, the labels wait.
    expect(await profilePerformance(storage, 'm')).toMatchObject({ days: 0 });
    await ingestPredictions();
    const joined = await profilePerformance(storage, 'm');
    expect(joined).toMatchObject({ days: 1, labels: N, matched: N, corrected: 0 });
    const w = await window();
    expect([w.predictions, w.labelled, w.coverage]).toEqual([N, N, 1]);
    expect(w.realised!.roc_auc).toBeCloseTo(exactAuc(rows), 6);
    expect(w.realised!.confusion.tp + w.realised!.confusion.fn).toBe(rows.filter((r) => r.y === 1).length);
  });

  it('the same file twice changes nothing; a repeated id in a file keeps its latest label', async () => {
    await ingestPredictions();
    await addLabelFile('once.csv', (r) => String(r.y));
    await profilePerformance(storage, 'm');
    const before = await window();
    const again = await addLabelFile('once.csv', (r) => String(r.y));
    expect([again.batches, again.duplicateBatches]).toEqual([0, 1]);
    expect(await profilePerformance(storage, 'm')).toMatchObject({ days: 0, labels: N, matched: N });
    expect(await window()).toEqual(before);
    const file = await csv('repeat.csv', 'id,label,ts', ['p0,0,2026-10-20T00:00:00Z', 'p0,1,2026-10-21T00:00:00Z', 'p1,1,2026-10-20T00:00:00Z']);
    const repeated = await addLabels({ storage, model: 'm', file });
    expect(repeated).toMatchObject({ linesRead: 3, accepted: 3, repeatedInFile: 1 });
  });

  it('a corrected label replaces the earlier one and is counted', async () => {
    await ingestPredictions();
    await addLabelFile('first.csv', (r) => String(r.y), '2026-10-20T00:00:00Z');
    await profilePerformance(storage, 'm');
    // The first 100 labels were wrong: the later file flips them.
    const flipped = rows.map((r, i) => ({ ...r, y: i < 100 ? 1 - r.y : r.y }));
    await addLabelFile('fix.csv', (r, i) => (i < 100 ? String(1 - r.y) : null), '2026-10-25T00:00:00Z');
    const joined = await profilePerformance(storage, 'm');
    expect(joined).toMatchObject({ labels: N, matched: N, corrected: 100 });
    const w = await window();
    expect(w.realised!.positive_rate).toBeCloseTo(flipped.filter((r) => r.y === 1).length / N, 10);
    expect(w.realised!.roc_auc).toBeCloseTo(exactAuc(flipped), 6);
  });

  it('labels for unknown predictions are counted, not joined; bad rows are quarantined with the reason', async () => {
    await ingestPredictions();
    const file = await csv('mixed.csv', 'id,label,ts', ['p0,1,2026-10-20T00:00:00Z', 'ghost-1,0,2026-10-20T00:00:00Z', 'ghost-2,1,2026-10-20T00:00:00Z', ',1,2026-10-20T00:00:00Z', 'p2,,2026-10-20T00:00:00Z', 'p3,1,not a time']);
    const added = await addLabels({ storage, model: 'm', file });
    expect(added).toMatchObject({ linesRead: 6, accepted: 3, quarantined: 3 });
    const quarantine = new TextDecoder().decode(await storage.read(added.quarantineKeys[0]));
    expect(quarantine).toMatch(/"line":5,"reason":"missing id"/);
    expect(quarantine).toMatch(/"line":6,"reason":"missing label"/);
    expect(quarantine).toMatch(/"line":7,"reason":"bad timestamp not a time"/);
    expect(await profilePerformance(storage, 'm')).toMatchObject({ labels: 3, matched: 1 });
    expect((await window()).labelled).toBe(1);
  });

  it('shows realised figures only where coverage reaches the minimum, and says why not', async () => {
    await ingestPredictions();
    await addLabelFile('some.csv', (r, i) => (i % 10 < 3 ? String(r.y) : null));
    await profilePerformance(storage, 'm');
    const low = await window();
    expect(low.coverage).toBeCloseTo(0.3, 10);
    expect(low.realised).toBeNull();
    expect(low.realised_note).toBe('30.0% of the predictions are labelled; realised figures need 50% (performance.min_coverage)');
    await addLabelFile('more.csv', (r, i) => (i % 10 >= 3 && i % 10 < 6 ? String(r.y) : null));
    await profilePerformance(storage, 'm');
    const high = await window();
    expect(high.coverage).toBeCloseTo(0.6, 10);
    const labelled = rows.filter((_, i) => i % 10 < 6);
    expect(high.realised!.roc_auc).toBeCloseTo(exactAuc(labelled), 6);
    // Without a reference performance profile there is no estimate, and the note says how to get one.
    expect(high.estimated).toBeNull();
    expect(high.estimate_note).toMatch(/--label-col/);
    expect(await storage.list(layout.performanceProfilesPrefix('m'))).toHaveLength(1);
  });

  it('a regression model (numeric labels): MAE, RMSE and MAPE of the score, exactly', async () => {
    const rng = mulberry32(11);
    const sales = rows.map((r, i) => ({ id: r.id, ts: r.ts, predicted: 100 + i, actual: i % 50 === 0 ? 0 : Math.round((100 + i) * (0.8 + 0.4 * rng())) }));
    const file = await csv('regression.csv', 'id,ts,x,score', sales.map((r) => `${r.id},${r.ts},${r.predicted / 10},${r.predicted}`));
    await ingest({ storage, model: 'm', file, idCol: 'id', timestampCol: 'ts', scoreCol: 'score' });
    await profileModel({ storage, model: 'm' });
    await addLabels({ storage, model: 'm', file: await csv('actuals.csv', 'id,label', sales.map((r) => `${r.id},${r.actual}`)) });
    await profilePerformance(storage, 'm');
    const w = await window();
    expect([w.task, w.labelled, w.coverage, w.realised]).toEqual(['regression', N, 1, null]);
    const errors = sales.map((r) => Math.abs(r.predicted - r.actual));
    const pct = sales.filter((r) => r.actual !== 0).map((r) => Math.abs(r.predicted - r.actual) / Math.abs(r.actual));
    expect(w.realised_regression!.mae).toBeCloseTo(errors.reduce((a, b) => a + b, 0) / N, 9);
    expect(w.realised_regression!.rmse).toBeCloseTo(Math.sqrt(errors.reduce((a, b) => a + b * b, 0) / N), 9);
    expect(w.realised_regression!.mape).toBeCloseTo(pct.reduce((a, b) => a + b, 0) / pct.length, 9);
  });
});
