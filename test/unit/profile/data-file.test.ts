import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataFormatOf, DataFileError, describeDataFile, openDataFile, sqlString, streamChunks, streamRowObjects, withConnection } from '@/lib/duckdb';
import { tempDir, writeCsv, writeNdjson } from './helpers';

let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => ({ dir, remove } = await tempDir()));
afterAll(() => remove());

describe('data files through DuckDB', () => {
  it('knows formats by name and refuses others', () => {
    expect(['a.csv', 'b.parquet', 'c.ndjson', 'd.jsonl.gz', 'e.NDJSON.GZ'].map(dataFormatOf)).toEqual(['csv', 'parquet', 'ndjson', 'ndjson', 'ndjson']);
    expect(() => dataFormatOf('x.xlsx')).toThrow(DataFileError);
  });

  it('describes CSV, NDJSON(.gz) and Parquet with DuckDB types, and streams typed chunks', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => [i, i % 7 === 0 ? '' : i / 4, i % 2 ? 'short' : 'a label longer than twelve bytes']);
    const csv = await writeCsv(join(dir, 'd.csv'), ['i', 'x', 's'], rows);
    const nd = await writeNdjson(join(dir, 'd.ndjson.gz'), rows.map(([i, x, s]) => ({ i, x: x === '' ? null : x, s })));
    const parquet = join(dir, 'd.parquet');
    await withConnection((c) => c.run(`COPY (SELECT * FROM read_csv(${sqlString(csv)})) TO ${sqlString(parquet)} (FORMAT parquet)`));
    for (const path of [csv, nd, parquet]) {
      await withConnection(async (c) => {
        const file = await openDataFile(c, path);
        expect(file.columns.map((col) => [col.name, col.typeClass])).toEqual([['i', 'number'], ['x', 'number'], ['s', 'text']]);
        let n = 0;
        let sum = 0;
        let nulls = 0;
        let long = 0;
        for await (const chunk of streamChunks(c, `SELECT CAST(x AS DOUBLE) AS x, s FROM ${file.relation}`)) {
          const x = chunk.float64(0);
          const valid = chunk.validity(0);
          const s = chunk.strings(1);
          for (let r = 0; r < chunk.rowCount; r++) {
            if (valid && (valid[r >> 3] & (1 << (r & 7))) === 0) nulls++;
            else sum += x[r];
            if (s[r] === 'a label longer than twelve bytes') long++;
          }
          n += chunk.rowCount;
        }
        expect([n, nulls, long]).toEqual([5000, Math.ceil(5000 / 7), 2500]);
        expect(sum).toBe(rows.reduce((a, r) => a + (r[1] === '' ? 0 : Number(r[1])), 0));
      });
    }
  });

  it('streams rows as plain objects and names the file it cannot read', async () => {
    const nd = await writeNdjson(join(dir, 'o.ndjson'), [{ a: 1, b: 'x' }, { a: 2, b: 'y' }]);
    const got = await withConnection(async (c) => {
      const out: unknown[] = [];
      for await (const batch of streamRowObjects(c, `SELECT CAST(a AS DOUBLE) AS a, b FROM read_json(${sqlString(nd)})`)) out.push(...batch);
      return out;
    });
    expect(got).toEqual([{ a: 1, b: 'x' }, { a: 2, b: 'y' }]);
    const bad = await writeNdjson(join(dir, 'bad.parquet'), ['not parquet']);
    await expect(withConnection((c) => describeDataFile(c, bad))).rejects.toThrow(/bad\.parquet: cannot be read as parquet/);
  });
});
