import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '@/lib/cli/main';
import { reasonKind } from '@/lib/cli/commands/quarantine';
import { quarantineLine, quarantineObject } from '@/lib/collector/quarantine-writer';
import { openStorage } from '@/lib/storage/open-storage';
import { gunzipSync } from 'node:zlib';

describe('driftwatch quarantine', () => {
  let dir: string;
  let store: string;
  let out: string[];
  let err: string[];
  const run = (...args: string[]) => main([...args, '--store', store], { log: (l) => out.push(l), error: (l) => err.push(l) });
  const ts = new Date(Date.now() - 3 * 3_600_000).toISOString();

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'driftwatch-cli-quarantine-'));
    store = join(dir, 's');
    out = [];
    err = [];
    await run('init');
    out = [];
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('lists, shows and recovers rejected lines; an unknown file or line is a one-line error', async () => {
    const file = join(dir, 'in.ndjson');
    const bad = Buffer.concat([Buffer.from('{"model":"m","id":"x","ts":'), Buffer.from([0xc3, 0x28]), Buffer.from('}')]);
    await writeFile(file, Buffer.concat([Buffer.from(`${JSON.stringify({ model: 'm', id: 'a', ts, features: { x: 1 } })}\nnot json\n`), bad, Buffer.from('\n')]));
    expect(await run('ingest', '--model', 'm', '--file', file)).toBe(0);
    expect(out[0]).toMatch(/^m: .*in\.ndjson: 3 lines read = 1 accepted \+ 2 quarantined; stored in 1 hours \(1 new batches\)$/);
    out = [];
    expect(await run('quarantine', 'list', '--model', 'm')).toBe(0);
    expect(out).toEqual([expect.stringMatching(/^m: models\/m\/quarantine\/(\w+)\.ndjson: 2 lines from .*in\.ndjson \(events, ingested .*\): 2× invalid JSON$/)]);
    const batch = /quarantine\/(\w+)\.ndjson/.exec(out[0])![1];
    out = [];
    expect(await run('quarantine', 'show', '--model', 'm', '--batch', batch)).toBe(0);
    expect(out.slice(1)).toEqual([expect.stringMatching(/^line 2: invalid JSON/), '  not json', expect.stringMatching(/^line 3: invalid JSON/), `  [not UTF-8; base64] ${bad.toString('base64')}`]);
    const target = join(dir, 'line3');
    expect(await run('quarantine', 'show', '--model', 'm', '--line', '3', '--out', target)).toBe(0);
    expect((await readFile(target)).equals(bad)).toBe(true);
    expect(await run('quarantine', 'show', '--model', 'm', '--line', '9')).toBe(2);
    expect(err.at(-1)).toMatch(/^driftwatch quarantine show: models\/m\/quarantine\/\w+\.ndjson has no line 9 \(lines: 2, 3\)$/);
    expect(await run('quarantine', 'show', '--model', 'm', '--batch', 'nope')).toBe(2);
    expect(err.at(-1)).toMatch(/no quarantine file "nope" for m \(files: \w+\.ndjson\)/);
    out = [];
    expect(await run('quarantine', 'replay', '--model', 'm')).toBe(0);
    expect(out[0]).toMatch(/2 lines replayed: 0 landed and left the quarantine, 2 rejected again \(2 stay\)/);
  });

  it('says when there is nothing in quarantine, and groups reasons without their particulars', async () => {
    expect(await run('quarantine', 'list')).toBe(0);
    expect(out).toEqual(['nothing in quarantine']);
    expect(reasonKind('timestamp 2999-01-01T00:00:00Z is 973 years after the time of ingest (limit: 1h; config ingest.max_future_skew)')).toBe('timestamp … is … years after the time of ingest');
    expect(reasonKind('wrong model name "churn" (expected "m")')).toBe('wrong model name …');
    expect(reasonKind('oversized: line is 5000021 bytes, longer than 1048576')).toBe('oversized');
  });

  it('covers the collector quarantine (events of models unknown when they arrived): list, show, and replay once the model exists', async () => {
    const storage = openStorage(store);
    const line = (model: string, id: string) => JSON.stringify({ model, id, ts, features: { x: 1 } });
    const entries = [quarantineLine(1, 'unknown_model', 'unknown model "late"', Buffer.from(line('late', 'l1'))), quarantineLine(2, 'unknown_model', 'unknown model "ghost"', Buffer.from(line('ghost', 'g1'))), quarantineLine(3, 'unknown_model', 'unknown model "late"', Buffer.from(line('late', 'l2')))];
    const object = quarantineObject(undefined, 'http', entries, Date.now());
    await storage.write(object.key, object.data);
    expect(await run('quarantine', 'list')).toBe(0);
    expect(out).toEqual([expect.stringMatching(/^collector: collector\/quarantine\/day=\d{4}-\d{2}-\d{2}\/c-\w+-3\.ndjson: 3 lines from collector:http \(events, .*\): 3× unknown_model$/)]);
    out = [];
    expect(await run('quarantine', 'show', '--collector')).toBe(0);
    expect(out.slice(1)).toEqual([expect.stringMatching(/^line 1: unknown_model/), `  ${line('late', 'l1')}`, expect.stringMatching(/^line 2: unknown_model/), `  ${line('ghost', 'g1')}`, expect.stringMatching(/^line 3: unknown_model/), `  ${line('late', 'l2')}`]);
    // Before the model exists: everything stays.
    out = [];
    expect(await run('quarantine', 'replay', '--collector')).toBe(0);
    expect(out[0]).toMatch(/3 events replayed: 0 landed and left the quarantine, 3 rejected again \(3 stay\)/);
    // The model is created (an ingest); a replay moves its events into its raw area, the rest stays.
    const file = join(dir, 'late.ndjson');
    await writeFile(file, `${line('late', 'first')}\n`);
    expect(await run('ingest', '--model', 'late', '--file', file)).toBe(0);
    out = [];
    expect(await run('quarantine', 'replay', '--collector')).toBe(0);
    expect(out[0]).toMatch(/3 events replayed: 2 landed \(2 in late\) and left the quarantine, 1 rejected again \(1 stay\)/);
    const ids: string[] = [];
    for (const key of await storage.list('models/late/raw/')) for (const l of gunzipSync((await storage.read(key))!).toString('utf8').split('\n').filter(Boolean)) ids.push((JSON.parse(l) as { id: string }).id);
    expect(ids.sort()).toEqual(['first', 'l1', 'l2']);
    expect(await storage.list('models/late/quarantine/')).toEqual([]);
    out = [];
    expect(await run('quarantine', 'show', '--collector')).toBe(0);
    expect(out.slice(1)).toEqual([expect.stringMatching(/^line 2: unknown_model/), `  ${line('ghost', 'g1')}`]);
  });
});
