import { describe, expect, it } from 'vitest';
import { readSummaryParquet, readSummaryParquetMany, SummaryFileError, writeSummaryParquet, writeSummaryParquetGroups } from '@/lib/duckdb';
import { categoricalSummary, numericSummary } from '@/lib/summary';
import { sample } from '@/test/helpers/random';

const key = { model: 'm', period_start: 1_767_225_600_000, period_end: 1_767_229_200_000 };

function rows() {
  return [
    numericSummary({ ...key, feature: 'amount' }, sample('lognormal', 20_000, 3), 7, 2),
    numericSummary({ ...key, feature: 'tiny' }, Float64Array.of(1e-310, -0, 5e300, Math.PI, NaN, Infinity), 0, 0),
    categoricalSummary({ ...key, feature: 'country' }, new Map([['DE', 5], ['FR', 3], ["it's \"quoted\"", 1], ['日本', 2]]), 4, 1),
    numericSummary({ ...key, feature: 'empty', chunk: 3 }, new Float64Array(0), 12, 0),
  ];
}

const byName = <T extends { feature: string }>(xs: T[]): T[] => [...xs].sort((a, b) => (a.feature < b.feature ? -1 : 1));

describe('summary Parquet', () => {
  it('round-trips every field exactly, lists included', async () => {
    const input = rows();
    const back = await readSummaryParquet(await writeSummaryParquet(input));
    // Files are read ordered by chunk, then feature.
    const expected = [...byName(input.filter((r) => r.chunk === -1)), ...input.filter((r) => r.chunk === 3)];
    expect(back).toEqual(expected);
    // -0 is stored as 0; subnormal and huge values survive.
    expect(back.find((r) => r.feature === 'tiny')!.means).toEqual([0, 1e-310, Math.PI, 5e300]);
  });

  it('writes a file with the schema and no rows for an empty profile', async () => {
    expect(await readSummaryParquet(await writeSummaryParquet([]))).toEqual([]);
  });

  it('writes and reads many files in one statement, each with its own rows', async () => {
    const groups = [0, 1, 2, 3, 4].map((h) => rows().map((r) => ({ ...r, period_start: key.period_start + h * 3_600_000, period_end: key.period_end + h * 3_600_000 })));
    groups[2] = [];
    const files = await writeSummaryParquetGroups(groups);
    const back = await readSummaryParquetMany(files);
    expect(back.map((g) => g.length)).toEqual([4, 4, 0, 4, 4]);
    expect(back[4].every((r) => r.period_start === key.period_start + 4 * 3_600_000)).toBe(true);
  });

  it('refuses rows that break the SummaryRow rules, naming the feature', async () => {
    const bad = { ...rows()[0], rows: 1 };
    await expect(writeSummaryParquet([bad])).rejects.toThrow(SummaryFileError);
    await expect(writeSummaryParquet([bad])).rejects.toThrow(/amount/);
  });

  it('refuses bytes that are not a profile file', async () => {
    await expect(readSummaryParquet(new TextEncoder().encode('not parquet'))).rejects.toThrow(SummaryFileError);
  });
});
