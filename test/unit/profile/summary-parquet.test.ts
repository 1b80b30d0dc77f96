import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sqlString, withConnection, withTempDir, readSummaryParquet, readSummaryParquetMany, SummaryFileError, writeSummaryParquet, writeSummaryParquetGroups } from '@/lib/duckdb';
import { summaryRowProblem, SummaryRow } from '@/lib/format';
import { categoricalSummary, numericSummary, summaryDigest } from '@/lib/summary';
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

  it('reads results that span several DuckDB chunks, long strings included', async () => {
    // 2,500 rows > one 2,048-row chunk; names and categories longer than 12 bytes are stored out of line.
    const many = Array.from({ length: 2500 }, (_, i) =>
      i % 2 === 0
        ? numericSummary({ ...key, feature: `a rather long feature name ${String(i).padStart(5, '0')}` }, Float64Array.from({ length: 50 }, (_, k) => i + k / 7), i % 3, 0)
        : categoricalSummary({ ...key, feature: `f${String(i).padStart(5, '0')}` }, new Map([[`category number ${i} with a long name`, i], ['DE', 1]]), 0, i % 5),
    );
    const [back] = await readSummaryParquetMany([await writeSummaryParquet(many)]);
    expect(back).toEqual(byName(many));
    // The decoded digest is the one the centroids describe.
    const row = back.find((r) => r.feature.endsWith('02000'))!;
    expect(Array.from(summaryDigest(row).means)).toEqual(row.means);
    expect(summaryDigest(row).count).toBe(50);
  });

  /** A profile file as another writer (a Spark job) might produce it, from SQL. */
  async function foreignFile(selectSql: string): Promise<Uint8Array> {
    return withTempDir('foreign', async (dir) => {
      const path = join(dir, 'f.parquet');
      await withConnection((c) => c.run(`COPY (${selectSql}) TO ${sqlString(path)} (FORMAT parquet)`));
      return new Uint8Array(await readFile(path));
    }, 'small');
  }
  const columns = (o: Record<string, string>) =>
    Object.entries({
      model: "'m'", feature: "'x'", kind: "'numeric'", period_start: '0::BIGINT', period_end: '3600000::BIGINT', chunk: '-1::INTEGER',
      rows: '3::BIGINT', nulls: '1::BIGINT', non_finite: '0::BIGINT', type_errors: '0::BIGINT', count: '2::BIGINT',
      min: '1.0::DOUBLE', max: '2.0::DOUBLE', sum: '3.0::DOUBLE', compression: '1000.0::DOUBLE',
      means: '[1.0, 2.0]::DOUBLE[]', weights: '[1.0, 1.0]::DOUBLE[]', categories: '[]::VARCHAR[]', category_counts: '[]::BIGINT[]',
      ...o,
    }).map(([k, v]) => `${v} AS "${k}"`).join(', ');

  it('reads a file from another writer, NULL lists as empty', async () => {
    const [row] = await readSummaryParquet(await foreignFile(`SELECT ${columns({ kind: "'categorical'", min: 'NULL::DOUBLE', max: 'NULL::DOUBLE', sum: 'NULL::DOUBLE', compression: 'NULL::DOUBLE', means: 'NULL::DOUBLE[]', weights: 'NULL::DOUBLE[]', categories: "['a', 'b']", category_counts: '[1, 1]::BIGINT[]' })}`));
    expect(row).toMatchObject({ feature: 'x', kind: 'categorical', means: [], weights: [], categories: ['a', 'b'], category_counts: [1, 1], min: null });
    expect(SummaryRow.safeParse(row).success).toBe(true);
  });

  it.each([
    [{ rows: '4::BIGINT' }, /"x" is invalid: rows must equal/],
    [{ weights: '[1.0]::DOUBLE[]' }, /"x" is invalid: means and weights/],
    [{ means: "[1.0, 'NaN'::DOUBLE]" }, /"x" is invalid: means\/weights: centroid 1/],
    [{ kind: "'text'" }, /"x" is invalid: kind/],
    [{ model: "'../etc'" }, /is invalid: model/],
    [{ categories: "['a']", category_counts: '[-1]::BIGINT[]' }, /"x" is invalid: category_counts/],
  ])('refuses a foreign row that breaks the rules (%o), naming feature and field', async (override, message) => {
    await expect(readSummaryParquet(await foreignFile(`SELECT ${columns(override)}`))).rejects.toThrow(message);
  });
});

describe('summaryRowProblem', () => {
  it('agrees with the SummaryRow schema on valid rows and on each kind of broken row', () => {
    const valid = rows();
    const broken: Record<string, unknown>[] = [
      { ...valid[0], rows: valid[0].rows + 1 },
      { ...valid[0], weights: valid[0].weights.slice(1) },
      { ...valid[0], means: [NaN, ...valid[0].means.slice(1)] },
      { ...valid[0], chunk: -2 },
      { ...valid[0], period_start: 0.5 },
      { ...valid[0], compression: 0 },
      { ...valid[0], min: 'a' },
      { ...valid[2], category_counts: valid[2].category_counts.map((c) => c + 0.5) },
      { ...valid[2], categories: valid[2].categories.slice(1) },
      { ...valid[2], feature: 'a\u0001b' },
      { ...valid[2], model: 'a/b' },
      { ...valid[2], kind: 'other' },
    ];
    for (const row of [...valid, ...broken]) {
      const problem = summaryRowProblem(row, row.means as number[], row.weights as number[]);
      expect(problem === null, `${JSON.stringify(row).slice(0, 80)}: ${problem}`).toBe(SummaryRow.safeParse(row).success);
    }
  });
});
