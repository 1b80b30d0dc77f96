/**
 * Issue #10, "A bad line is a bad line", for CSV: rows DuckDB cannot split (too few fields, too
 * many, an unterminated quote) are quarantined with their file line and original bytes; the rest
 * of the file lands, and accepted + quarantined = lines read.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { queryRows, withConnection } from '@/lib/duckdb';
import { HOUR_MS, hourStart, layout } from '@/lib/format';
import { decodeIds } from '@/lib/profile/id-index';
import { parseQuarantine } from '@/lib/profile/quarantine';
import { openStorage } from '@/lib/storage';
import { accounting, cliStore } from './ingest-helpers';

const t = cliStore('csv');
const H = hourStart(Date.now()) - 48 * HOUR_MS;
const FLAGS = ['--id-col', 'id', '--timestamp-col', 'ts'];
const BAD = {
  short: `short,${new Date(H).toISOString()},1.5`,
  long: `long,${new Date(H).toISOString()},1.5,"DE",extra`,
  quote: `quote,${new Date(H).toISOString()},1.5,"DE`,
};

/** 1,000 good rows (every other one quoted), the three bad lines at file lines 201, 502 and 803. */
function csvText(crlf = false): string {
  const lines = ['id,ts,amount,country'];
  for (let i = 0; i < 1000; i++) lines.push(`r${i},${new Date(H + i * 3_000).toISOString()},${i / 10},${i % 2 ? '"DE, Berlin"' : 'FR'}`);
  lines.splice(200, 0, BAD.short);
  lines.splice(501, 0, BAD.long);
  lines.splice(802, 0, BAD.quote);
  return lines.join(crlf ? '\r\n' : '\n') + (crlf ? '\r\n' : '\n');
}

async function quarantined() {
  const storage = openStorage(t.store);
  const [key] = await storage.list(layout.quarantinePrefix('m'));
  return parseQuarantine(key, (await storage.read(key))!).entries;
}

async function storedIds(): Promise<string[]> {
  const storage = openStorage(t.store);
  const ids: string[] = [];
  for (const key of await storage.list(layout.idsPrefix('m'))) ids.push(...decodeIds((await storage.read(key))!));
  return ids;
}

describe('fault injection: CSV rows DuckDB rejects', () => {
  it('a short row, a long row and an unterminated quote among 1,000 good rows: 3 quarantined by file line, the rest lands', async () => {
    const file = join(t.dir, 'bad-rows.csv');
    await writeFile(file, csvText());
    expect(await t.run('ingest', '--model', 'm', '--file', file, ...FLAGS), t.err.join('\n')).toBe(0);
    expect(accounting(t.out)).toEqual({ read: 1003, accepted: 1000, quarantined: 3 });
    const entries = await quarantined();
    expect(entries.map((e) => [e.line, e.raw])).toEqual([[201, BAD.short], [502, BAD.long], [803, BAD.quote]]);
    expect(entries.map((e) => e.reason.split(':')[0])).toEqual(['csv missing columns', 'csv too many columns', 'csv unquoted value']);
    const ids = await storedIds();
    expect(ids.length).toBe(1000);
    expect(new Set(ids)).toEqual(new Set(Array.from({ length: 1000 }, (_, i) => `r${i}`)));

    t.clear();
    expect(await t.run('quarantine', 'show', '--model', 'm')).toBe(0);
    const shown = t.out.join('\n');
    for (const [line, text] of [[201, BAD.short], [502, BAD.long], [803, BAD.quote]] as const) {
      expect(shown).toContain(`line ${line}: csv`);
      expect(shown).toContain(`  ${text}`);
    }
    const recovered = join(t.dir, 'line-803.csv');
    expect(await t.run('quarantine', 'show', '--model', 'm', '--line', '803', '--out', recovered)).toBe(0);
    expect(await readFile(recovered, 'utf8')).toBe(BAD.quote);

    // Not rows: replay leaves them, with their reasons, until the file is fixed at the source.
    t.clear();
    expect(await t.run('quarantine', 'replay', '--model', 'm')).toBe(0);
    expect(t.out.join('\n')).toMatch(/0 lines replayed: 0 landed and left the quarantine, 0 rejected again, 3 CSV lines that could not be split stay until fixed at the source \(3 stay\)/);
    expect((await quarantined()).map((e) => e.reason.split(':')[0])).toEqual(['csv missing columns', 'csv too many columns', 'csv unquoted value']);
  });

  it('line numbers of later bad rows count the rejected lines before them (a bad timestamp after the rejects)', async () => {
    const file = join(t.dir, 'mixed.csv');
    await writeFile(file, csvText().replace(`r900,${new Date(H + 900 * 3_000).toISOString()}`, 'r900,not a time'));
    expect(await t.run('ingest', '--model', 'm', '--file', file, ...FLAGS)).toBe(0);
    expect(accounting(t.out)).toEqual({ read: 1003, accepted: 999, quarantined: 4 });
    const entries = await quarantined();
    // r900 is data row 901 of the good rows, after 3 rejected lines and the header: file line 905.
    expect(entries.map((e) => e.line).sort((a, b) => a - b)).toEqual([201, 502, 803, 905]);
    expect(entries.find((e) => e.line === 905)?.reason).toMatch(/timestamp/);
  });

  it('the same in a .csv.gz with CRLF line ends', async () => {
    const file = join(t.dir, 'bad-rows.csv.gz');
    await writeFile(file, gzipSync(csvText(true)));
    expect(await t.run('ingest', '--model', 'm', '--file', file, ...FLAGS), t.err.join('\n')).toBe(0);
    expect(accounting(t.out)).toEqual({ read: 1003, accepted: 1000, quarantined: 3 });
    expect((await quarantined()).map((e) => [e.line, e.raw])).toEqual([[201, BAD.short], [502, BAD.long], [803, BAD.quote]]);
    expect((await storedIds()).length).toBe(1000);
  });

  it('a clean CSV is read as before: quoted values unquoted, no quarantine', async () => {
    const file = join(t.dir, 'clean.csv');
    await writeFile(file, csvText().split('\n').filter((l) => !Object.values(BAD).includes(l)).join('\n'));
    expect(await t.run('ingest', '--model', 'm', '--file', file, ...FLAGS)).toBe(0);
    expect(accounting(t.out)).toEqual({ read: 1000, accepted: 1000, quarantined: 0 });
    expect(await openStorage(t.store).list(layout.quarantinePrefix('m'))).toEqual([]);
    const [key] = await openStorage(t.store).list(layout.rawPredictionsPrefix('m'));
    const rows = await withConnection((c) => queryRows(c, `SELECT DISTINCT features.country AS country FROM read_parquet('${join(t.store, key)}') ORDER BY 1`));
    expect(rows.map((r) => r.country)).toEqual(['DE, Berlin', 'FR']);
  });
});
