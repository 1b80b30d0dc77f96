import { describe, expect, it } from 'vitest';
import type { EvaluationRow } from '@/lib/format';
import { evaluationParquet, readEvaluationsOfFeature } from '@/lib/duckdb';
import { DAY_MS, HOUR_MS, layout } from '@/lib/format';
import { readEvaluationEntries, readEvaluationRange } from '@/lib/dashboard/store-reads';
import { MemoryStorage } from '@/lib/storage';

const DAY = Date.parse('2026-11-09T00:00:00Z');
const FEATURES = ['amount', 'country', 'wait'];

function rows(day: number, scale = 1): EvaluationRow[] {
  const out: EvaluationRow[] = [];
  for (let h = 1; h <= 24; h++) {
    const to = day + h * HOUR_MS;
    for (const [i, name] of FEATURES.entries()) {
      const categorical = name === 'country';
      out.push({
        model: 'm',
        reference: 'test',
        window_from: new Date(to - 12 * HOUR_MS).toISOString(),
        window_to: new Date(to).toISOString(),
        window_hours: 12,
        name,
        type: categorical ? 'categorical' : 'numeric',
        count: 1000 + h,
        failed_rate: 0.01 * i,
        reference_failed_rate: 0.01,
        metrics: categorical ? { js: 0.02 * scale, psi: 0.01, linf: null } : { area: 0.05 * scale * h, ks: 0.03, js: null },
        metric: categorical ? 'js' : 'area',
        value: categorical ? 0.02 * scale : 0.05 * scale * h,
        threshold: 0.1,
        threshold_source: 'reference',
        verdict: 0.05 * scale * h > 0.1 && !categorical ? 'drift' : 'ok',
        ...(categorical ? { unseen_categories: ['XX'], hint: 'new category not in the reference: XX' } : {}),
      });
    }
  }
  return out;
}

async function store(): Promise<MemoryStorage> {
  const s = new MemoryStorage('feature-read');
  for (const d of [DAY, DAY + DAY_MS]) await s.write(layout.evaluations('m', d), await evaluationParquet.encode(rows(d)));
  return s;
}

describe('reading one feature of stored evaluations', () => {
  it('decodes exactly the rows of that feature, file by file', async () => {
    const files = [await evaluationParquet.encode(rows(DAY)), await evaluationParquet.encode(rows(DAY + DAY_MS))];
    const got = await readEvaluationsOfFeature(files, 'country');
    expect(got).toEqual([rows(DAY).filter((r) => r.name === 'country'), rows(DAY + DAY_MS).filter((r) => r.name === 'country')]);
    expect(await readEvaluationsOfFeature(files, 'nothing')).toEqual([[], []]);
  });

  it('gives the trend the same rows as the whole files do, and sees a day rewritten', async () => {
    const s = await store();
    const from = DAY + 6 * HOUR_MS;
    const to = DAY + DAY_MS + 18 * HOUR_MS;
    for (const feature of FEATURES) {
      const one = await readEvaluationRange(s, 'm', from, to, feature);
      expect(one).toHaveLength(37);
      // Read whole (the model page's way) in another store object: no shared cache entry.
      const whole = (await readEvaluationRange(s, 'm', from, to)).filter((r) => r.name === feature);
      expect(one).toEqual(whole);
    }
    // A day evaluated again (late data): the next read shows the new rows.
    await s.write(layout.evaluations('m', DAY), await evaluationParquet.encode(rows(DAY, 3)));
    const after = await readEvaluationEntries(s, 'm', DAY, DAY + DAY_MS, 'amount');
    expect(after.map((e) => e.row.value)).toEqual(rows(DAY, 3).filter((r) => r.name === 'amount').map((r) => r.value));
  });
});
