import { describe, expect, it } from 'vitest';
import { queryRows, sqlString, withConnection } from '@/lib/duckdb';
import { parseTimestamp } from '@/lib/format';
import { timestampMsSql } from '@/lib/profile/timestamp-sql';

const TEXTS = [
  '2018-01-01 00:00:00.000',
  '2018-10-30 18:08:43.152',
  '2018-01-01T05:06:07.123456789',
  '2018-01-01',
  '2018-01-01T05:06',
  '2018-01-01T00:00:00Z',
  '2018-01-01T00:00:00.1239z',
  '2018-01-01 00:00:00+05:30',
  '2018-01-01T00:00:00-0800',
  ' 2018-01-01T00:00:00Z ',
  '1514764800',
  '1514764800123',
  '1514764800.5',
  '99999999999',
  '2019-02-30 00:00:00',
  '2018-13-01',
  '2018-01-01T25:00:00',
  'yesterday',
  '',
  '-5',
];

describe('timestampMsSql', () => {
  it('agrees with parseTimestamp on text timestamps, valid and not', async () => {
    const rows = await withConnection((c) =>
      queryRows(c, `SELECT s, CAST(${timestampMsSql('s', 'text')} AS DOUBLE) AS ms FROM (SELECT unnest([${TEXTS.map(sqlString).join(', ')}]) AS s)`),
    );
    for (const row of rows) expect([row.s, row.ms ?? undefined]).toEqual([row.s, parseTimestamp(row.s)]);
  });

  it('reads epoch numbers (seconds below 1e11, else ms) and TIMESTAMP columns', async () => {
    const [row] = await withConnection((c) =>
      queryRows(
        c,
        `SELECT CAST(${timestampMsSql('1514764800', 'number')} AS DOUBLE) AS s, CAST(${timestampMsSql('1514764800123', 'number')} AS DOUBLE) AS ms, ` +
          `CAST(${timestampMsSql(`TIMESTAMP '2018-01-01 01:02:03.456'`, 'temporal')} AS DOUBLE) AS ts, CAST(${timestampMsSql(`JSON '"2018-01-01T00:00:00Z"'`, 'json')} AS DOUBLE) AS j`,
      ),
    );
    expect(row).toEqual({ s: 1_514_764_800_000, ms: 1_514_764_800_123, ts: Date.UTC(2018, 0, 1, 1, 2, 3, 456), j: 1_514_764_800_000 });
  });
});
