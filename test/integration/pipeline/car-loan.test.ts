import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '@/lib/cli/main';
import { compareModel, type CompareResult } from '@/lib/compare';
import { openStore } from '@/lib/cli/store-context';
import { readSummaryParquetMany } from '@/lib/duckdb';
import { DAY_MS } from '@/lib/format';
import { sharedData } from '@/test/helpers/shared-data';

// Data we did not write: NannyML's synthetic car-loan model (../shared/data/car-loan/README.md).
const DATA = sharedData('car-loan');
const MUST_FLAG = ['car_value', 'loan_length', 'salary_range', 'repaid_loan_on_prev_car', 'y_pred_proba'];
const MUST_STAY_QUIET = ['driver_tenure', 'size_of_downpayment'];
const flags = ['--model', 'car-loan', '--timestamp-col', 'timestamp', '--score-col', 'y_pred_proba', '--label-col', 'repaid', '--exclude', 'y_pred'];

describe('car-loan data: reference period as the test reference, monitoring period as live traffic', () => {
  let dir: string;
  const windows: CompareResult[] = [];
  const log: string[] = [];
  const ctx = { log: (l: string) => log.push(l), error: (l: string) => log.push(`ERROR ${l}`) };

  beforeAll(async () => {
    if (!existsSync(join(DATA, 'reference_synthetic_car_loan.parquet'))) throw new Error(`car-loan data incomplete in ${DATA}: reference_synthetic_car_loan.parquet is missing`);
    dir = await mkdtemp(join(tmpdir(), 'driftwatch-car-loan-'));
    const store = join(dir, 'store');
    expect(await main(['init', '--store', store], ctx)).toBe(0);
    expect(await main(['reference', 'add', '--store', store, '--name', 'test', '--file', join(DATA, 'reference_synthetic_car_loan.parquet'), ...flags], ctx)).toBe(0);
    expect(await main(['ingest', '--store', store, '--file', join(DATA, 'monitoring_synthetic_car_loan.parquet'), ...flags], ctx)).toBe(0);
    expect(await main(['profile', '--store', store], ctx)).toBe(0);
    const { storage, config } = await openStore(store);
    // 30-day windows over the monitoring period, 2018-10-30 … 2019-09-29.
    for (let from = Date.parse('2018-10-30T00:00:00Z'); from + 30 * DAY_MS <= Date.parse('2019-09-30T00:00:00Z'); from += 30 * DAY_MS) {
      windows.push(await compareModel({ storage, model: 'car-loan', fromMs: from, toMs: from + 30 * DAY_MS, reference: 'test', config, decode: readSummaryParquetMany }));
    }
  }, 600_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const verdicts = (w: CompareResult) => Object.fromEntries(w.features.map((f) => [f.name, f.verdict]));

  it('profiles every feature with the right kind', () => {
    expect(windows.length).toBe(11);
    const kinds = Object.fromEntries(windows[0].features.map((f) => [f.name, f.type]));
    expect(kinds).toEqual({
      car_value: 'numeric',
      debt_to_income_ratio: 'numeric',
      driver_tenure: 'numeric',
      loan_length: 'numeric',
      y_pred_proba: 'numeric',
      repaid_loan_on_prev_car: 'categorical',
      salary_range: 'categorical',
      size_of_downpayment: 'categorical',
    });
  });

  it('flags the drifting features in every window from 2019-03-31 on', () => {
    const after = windows.filter((w) => Date.parse(w.from) >= Date.parse('2019-03-31T00:00:00Z'));
    expect(after.length).toBeGreaterThanOrEqual(5);
    for (const w of after) {
      const v = verdicts(w);
      for (const f of MUST_FLAG) expect(`${w.from} ${f} ${v[f]}`).toBe(`${w.from} ${f} drift`);
    }
  });

  it('keeps driver_tenure and size_of_downpayment quiet in every window', () => {
    for (const w of windows) {
      const v = verdicts(w);
      for (const f of MUST_STAY_QUIET) expect(`${w.from} ${f} ${v[f]}`).toBe(`${w.from} ${f} ok`);
    }
  });

  it('is quiet before 2019-03 for all features but at most one', () => {
    const before = windows.filter((w) => Date.parse(w.to) <= Date.parse('2019-03-01T00:00:00Z'));
    expect(before.length).toBeGreaterThanOrEqual(4);
    for (const w of before) {
      const loud = w.features.filter((f) => f.verdict !== 'ok').map((f) => f.name);
      expect(loud.length, `${w.from}: ${loud.join(', ')}`).toBeLessThanOrEqual(1);
    }
  });
});
