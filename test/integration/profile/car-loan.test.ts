import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { queryRows, readSummaryParquetMany, sqlString, withConnection } from '@/lib/duckdb';
import { DAY_MS, layout, ModelMeta, type SummaryRow } from '@/lib/format';
import { addReference, ingest, profileModel } from '@/lib/profile';
import { mergeSummaries, summaryDigest } from '@/lib/summary';
import { maxCdfError } from '@/test/helpers/exact';
import { sharedData } from '@/test/helpers/shared-data';
import { byFeature, profileRows, TestStorage } from '@/test/unit/profile/helpers';

/**
 * The NannyML synthetic car-loan data (shared/data/car-loan beside the repository, see its README):
 * a real outside dataset, 50,000 reference and 50,000 monitoring predictions, one every 8 min 43 s.
 */
const DATA = sharedData('car-loan');
const REFERENCE = `${DATA}/reference_synthetic_car_loan.parquet`;
const MONITORING = `${DATA}/monitoring_synthetic_car_loan.parquet`;
const FLAGS = { timestampCol: 'timestamp', scoreCol: 'y_pred_proba', labelCol: 'repaid', exclude: ['y_pred'] };

const sql = (q: string) => withConnection((c) => queryRows(c, q));

describe('car-loan data', () => {
  const storage = new TestStorage();

  it('finds the data beside the repository', () => {
    expect(existsSync(REFERENCE), `car-loan data not found at ${REFERENCE}`).toBe(true);
  });

  it('profiles the reference: kinds, row counts and statistics that DuckDB computes directly', async () => {
    const { reference, model, rows } = await addReference({ storage, model: 'car-loan', name: 'test', file: REFERENCE, ...FLAGS });
    expect(Object.fromEntries(model.features.map((f) => [f.name, f.kind]))).toEqual({
      car_value: 'numeric',
      salary_range: 'categorical',
      debt_to_income_ratio: 'numeric',
      loan_length: 'numeric',
      repaid_loan_on_prev_car: 'categorical',
      size_of_downpayment: 'categorical',
      driver_tenure: 'numeric',
      y_pred_proba: 'numeric',
    });
    expect(model.score).toBe('y_pred_proba');
    expect(reference).toMatchObject({ rows: 50_000, chunks: 20, chunk_rows: 2500, period_start: Date.UTC(2018, 0, 1) });
    const whole = byFeature(rows.filter((r) => r.chunk === -1));
    expect([...whole.values()].every((r) => r.rows === 50_000)).toBe(true);
    expect(rows.filter((r) => r.chunk >= 0 && r.feature === 'car_value').map((r) => r.rows)).toEqual(Array(20).fill(2500));

    const src = `read_parquet(${sqlString(REFERENCE)})`;
    const [exact] = await sql(
      `SELECT CAST(count(car_value) AS DOUBLE) AS n, min(car_value) AS lo, max(car_value) AS hi, sum(car_value) AS total, ` +
        `min(driver_tenure) AS dt_lo, max(driver_tenure) AS dt_hi, CAST(count(*) FILTER (repaid_loan_on_prev_car) AS DOUBLE) AS prev_true FROM ${src}`,
    );
    const car = whole.get('car_value')!;
    expect([car.count, car.nulls, car.min, car.max]).toEqual([exact.n, 0, exact.lo, exact.hi]);
    expect(car.sum! / Number(exact.total)).toBeCloseTo(1, 12);
    expect([whole.get('driver_tenure')!.min, whole.get('driver_tenure')!.max]).toEqual([exact.dt_lo, exact.dt_hi]);
    const prev = whole.get('repaid_loan_on_prev_car')!;
    expect(prev.category_counts[prev.categories.indexOf('true')]).toBe(exact.prev_true);

    const salary = await sql(`SELECT salary_range AS c, CAST(count(*) AS DOUBLE) AS n FROM ${src} GROUP BY 1`);
    const s = whole.get('salary_range')!;
    expect(Object.fromEntries(s.categories.map((c, i) => [c, s.category_counts[i]]))).toEqual(Object.fromEntries(salary.map((r) => [r.c, r.n])));

    const values = Float64Array.from((await sql(`SELECT debt_to_income_ratio AS x FROM ${src} ORDER BY x`)).map((r) => Number(r.x)));
    const digest = summaryDigest(whole.get('debt_to_income_ratio')!);
    expect(maxCdfError(values, (x) => digest.cdf(x), (x) => digest.cdfBelow(x))).toBeLessThanOrEqual(1e-3);
  });

  it('ingests the monitoring table (row numbers as ids) and profiles it into hours and days', async () => {
    // No id column in this file: ids are row numbers; 50,000 + row matches the labels' ids (README).
    const result = await ingest({ storage, model: 'car-loan', file: MONITORING, ...FLAGS, idStart: 50_000 });
    const src = `read_parquet(${sqlString(MONITORING)})`;
    const [{ hours, days }] = await sql(
      `SELECT CAST(count(DISTINCT date_trunc('hour', CAST(timestamp AS TIMESTAMP))) AS DOUBLE) AS hours, CAST(count(DISTINCT CAST(CAST(timestamp AS TIMESTAMP) AS DATE)) AS DOUBLE) AS days FROM ${src}`,
    );
    // One raw file per day (format 2.0), the hours it spans reported.
    expect(result).toMatchObject({ accepted: 50_000, quarantined: 0, batches: days, duplicateBatches: 0 });
    expect(result.hours).toHaveLength(Number(hours));
    expect(ModelMeta.parse(JSON.parse(storage.text(layout.model('car-loan')))).features.length).toBe(8);

    const profiled = await profileModel({ storage, model: 'car-loan' });
    expect([profiled.hours, profiled.days]).toEqual([hours, days]);

    const dayKeys = await storage.list(layout.dailyProfilesPrefix('car-loan'));
    const daily = (await readSummaryParquetMany(await Promise.all(dayKeys.map(async (k) => (await storage.read(k))!)))).flat();
    const car = daily.filter((r) => r.feature === 'car_value');
    expect(car.reduce((s, r) => s + r.rows, 0)).toBe(50_000);
    const salary = mergeSummaries({ model: 'car-loan', feature: 'salary_range', period_start: 0, period_end: 0 }, daily.filter((r) => r.feature === 'salary_range'));
    const exactSalary = await sql(`SELECT salary_range AS c, CAST(count(*) AS DOUBLE) AS n FROM ${src} GROUP BY 1`);
    expect(Object.fromEntries(salary.categories.map((c, i) => [c, salary.category_counts[i]]))).toEqual(Object.fromEntries(exactSalary.map((r) => [r.c, r.n])));

    // One hour, exactly: its car values against DuckDB's.
    const hour = Date.UTC(2018, 10, 5, 13);
    const h = byFeature((await profileRows(storage, layout.hourlyProfile('car-loan', hour))).filter((r) => r.period_start === hour)).get('car_value')!;
    const [exactHour] = await sql(`SELECT CAST(count(*) AS DOUBLE) AS n, min(car_value) AS lo, max(car_value) AS hi FROM ${src} WHERE date_trunc('hour', CAST(timestamp AS TIMESTAMP)) = TIMESTAMP '2018-11-05 13:00:00'`);
    expect([h.rows, h.min, h.max]).toEqual([exactHour.n, exactHour.lo, exactHour.hi]);

    // The documented drift: car_value's mean jumps from about 29.9k to 48.7k from 2019-03-31 on.
    const mean = (rows: SummaryRow[]) => rows.reduce((s, r) => s + (r.sum ?? 0), 0) / rows.reduce((s, r) => s + r.count, 0);
    const cut = Date.UTC(2019, 2, 31);
    expect(mean(car.filter((r) => r.period_start + DAY_MS <= cut))).toBeCloseTo(29_900, -3);
    expect(mean(car.filter((r) => r.period_start >= cut))).toBeCloseTo(48_700, -3);
  });
});
