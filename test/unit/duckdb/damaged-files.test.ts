import { describe, expect, it } from 'vitest';
import { EvaluationFileError, evaluationParquet, readEvaluationsOfFeature, readSummaryParquetMany, SummaryFileError, writeSummaryParquetGroups } from '@/lib/duckdb';
import type { EvaluationRow } from '@/lib/format';
import { DamagedFileError, damageReason, withoutTempPaths } from '@/lib/storage/damaged-file';
import { numericSummary } from '@/lib/summary';
import { sample } from '@/test/helpers/random';

const HOUR = 3_600_000;
const start = 1_767_225_600_000;
const half = (bytes: Uint8Array) => bytes.slice(0, Math.floor(bytes.length / 2));

const evaluation = (hour: number): EvaluationRow => ({
  model: 'm', reference: 'test', window_from: new Date(start + hour * HOUR - 12 * HOUR).toISOString(), window_to: new Date(start + hour * HOUR).toISOString(), window_hours: 12,
  name: 'amount', type: 'numeric', count: 100, failed_rate: 0, reference_failed_rate: 0, metrics: { area: 0.1 }, metric: 'area', value: 0.1, threshold: 0.2, threshold_source: 'floor', verdict: 'ok',
});

describe('damaged Parquet files', () => {
  it('a truncated file among many fails the read and is named by its index, never dropped silently with the rows after it', async () => {
    const groups = Array.from({ length: 24 }, (_, h) => [numericSummary({ model: 'm', feature: 'amount', period_start: start + h * HOUR, period_end: start + (h + 1) * HOUR }, sample('normal', 2_000, h), 0, 0)]);
    const files = await writeSummaryParquetGroups(groups);
    expect((await readSummaryParquetMany(files)).map((rows) => rows.length)).toEqual(files.map(() => 1));
    const damaged = files.map((f, i) => (i === 17 ? half(f) : f));
    const error = await readSummaryParquetMany(damaged).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SummaryFileError);
    expect((error as SummaryFileError).fileIndex).toBe(17);
    expect((error as SummaryFileError).reason).toMatch(/^not a readable Parquet file/);
    expect((error as Error).message).not.toMatch(/\/dev\/shm|driftwatch-summary-read|\/tmp\//);
  });

  it('evaluation files: one decoded alone, or several for one feature, name the bad one', async () => {
    const files = await Promise.all([1, 2, 3].map((d) => evaluationParquet.encode([evaluation(d * 24), evaluation(d * 24 - 1)])));
    const alone = await evaluationParquet.decode(half(files[1])).catch((e: unknown) => e);
    expect(alone).toBeInstanceOf(EvaluationFileError);
    expect((alone as EvaluationFileError).fileIndex).toBe(0);
    const many = await readEvaluationsOfFeature([files[0], half(files[1]), files[2]], 'amount').catch((e: unknown) => e);
    expect((many as EvaluationFileError).fileIndex).toBe(1);
    expect((many as Error).message).not.toMatch(/\/dev\/shm|driftwatch-evaluations-read|\/tmp\//);
  });
});

describe('DamagedFileError', () => {
  it('names the store key and what to run', () => {
    const e = new DamagedFileError('models/m/model.json', 'not valid JSON: Unexpected end of JSON input', '/srv/store');
    expect(e.message).toBe('models/m/model.json is damaged (not valid JSON: Unexpected end of JSON input): run `driftwatch doctor --store /srv/store` to list and repair damaged files');
    expect(e.key).toBe('models/m/model.json');
  });

  it('reasons carry no temporary path', () => {
    expect(withoutTempPaths(`Invalid Input Error: No magic bytes found at end of file '/dev/shm/driftwatch-summary-read-AbC123/3.parquet'\nmore`)).toBe('Invalid Input Error: No magic bytes found at end of file');
    let syntax: unknown;
    try {
      JSON.parse('{"a": ');
    } catch (e) {
      syntax = e;
    }
    expect(damageReason(syntax)).toMatch(/^not valid JSON: /);
  });
});
