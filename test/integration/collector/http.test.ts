import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalStorage } from '@/lib/storage';
import { type Collector, collectorFixture, type CollectorFixture, event, MODEL, rawBatches, startCollector } from './http-harness';

/**
 * The collector's HTTP contract (issue #14, docs/capture.md), against the real CLI in a child
 * process: 202 with counts and reasons only once durable, quarantine with the original bytes,
 * gzip, 413 without buffering past the limit, 404/405, /metrics and /healthz.
 */
let dir: string;
let storeDir: string;
let storage: LocalStorage;
let cli: CollectorFixture['cli'];
let fixture: CollectorFixture;
let collector: Collector;

const post = (body: Uint8Array | string, headers: Record<string, string> = {}) => fetch(`${collector.url}/v1/events`, { method: 'POST', body: typeof body === 'string' ? body : new Blob([new Uint8Array(body)]), headers: { 'content-type': 'application/x-ndjson', ...headers } });

/** Wait for a condition of the store, checked every 50 ms (the collector writes in the background). */
async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Quarantined {
  key: string;
  reason: string;
  raw?: string;
  raw_base64?: string;
  file: string;
}

async function quarantined(prefix: string): Promise<Quarantined[]> {
  const out: Quarantined[] = [];
  for (const key of await storage.list(prefix)) {
    const [header, ...entries] = new TextDecoder().decode(await storage.read(key)).trim().split('\n');
    const file = (JSON.parse(header) as { file: string }).file;
    for (const e of entries) out.push({ key, file, ...(JSON.parse(e) as { reason: string; raw?: string; raw_base64?: string }) });
  }
  return out;
}

function metricValue(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

beforeAll(async () => {
  fixture = await collectorFixture('http');
  ({ dir, storeDir, storage, cli } = fixture);
  collector = await startCollector(cli.path, ['--store', storeDir, '--spool', join(dir, 'spool'), '--max-age', '200ms', '--status-every', '1s']);
});

afterAll(async () => {
  if (collector && collector.child.exitCode === null) await collector.stop();
  await fixture?.cleanup();
});

describe('POST /v1/events', () => {
  it('answers 202 with counts and reasons for a body mixing good and bad lines; the bad lines are quarantined with their bytes', async () => {
    const lines: (string | Buffer)[] = [
      event('mix-1'),
      '{"model":"m","id":"broken",',
      event('mix-2'),
      JSON.stringify({ model: 'no-such-model', id: 'u-1', ts: new Date().toISOString(), features: { x: 1 } }),
      JSON.stringify({ model: MODEL, id: 'bad-ts', ts: 'yesterday', features: { x: 1 } }),
      JSON.stringify({ model: MODEL, id: 'feat-not-object', ts: new Date().toISOString(), features: [1, 2] }),
      // Beyond the store's ingest.max_future_skew (1h): an implausible time, as `ingest` judges it.
      event('future', Date.now() + 48 * 3_600_000),
      // NaN inside features is a feature failure the profile counts, not a rejection.
      `{"model":"m","id":"mix-nan","ts":"${new Date().toISOString()}","features":{"x":NaN,"c":"b"}}`,
      '',
      event('mix-3'),
    ];
    const body = Buffer.concat(lines.flatMap((l) => [Buffer.isBuffer(l) ? l : Buffer.from(l), Buffer.from('\n')]));
    const res = await post(body);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 4, rejected: 5, reasons: { malformed_json: 1, unknown_model: 1, invalid_event: 3 }, duplicates: 0 });

    const ids = await until('the four accepted events in a raw batch', async () => {
      const all = [...(await rawBatches(storage)).values()].flat();
      return ['mix-1', 'mix-2', 'mix-3', 'mix-nan'].every((id) => all.includes(id)) ? all : undefined;
    });
    expect(ids.filter((id) => id.startsWith('mix-')).sort()).toEqual(['mix-1', 'mix-2', 'mix-3', 'mix-nan']);

    const known = await until('the quarantine of m', async () => {
      const q = await quarantined(`models/${MODEL}/quarantine/`);
      return q.length >= 4 ? q : undefined;
    });
    expect(known.map((q) => [q.reason, q.raw])).toEqual(
      expect.arrayContaining([
        [expect.stringContaining('malformed_json'), '{"model":"m","id":"broken",'],
        [expect.stringContaining('invalid_event'), lines[4]],
        [expect.stringContaining('invalid_event'), lines[5]],
        [expect.stringContaining('invalid_event'), lines[6]],
      ]),
    );
    expect(new Set(known.map((q) => q.file))).toEqual(new Set(['collector:http']));
    const unknown = await until('the store-level quarantine', async () => {
      const q = await quarantined('collector/quarantine/');
      return q.length >= 1 ? q : undefined;
    });
    expect(unknown.map((q) => q.raw)).toEqual([lines[3]]);
  });

  it('quarantines invalid UTF-8 with its original bytes', async () => {
    const bad = Buffer.concat([Buffer.from(`{"model":"m","id":"bad-utf8","ts":"${new Date().toISOString()}","features":{"c":"`), Buffer.from([0xc3, 0x28]), Buffer.from('"}}')]);
    const res = await post(Buffer.concat([bad, Buffer.from('\n'), Buffer.from(event('utf8-ok')), Buffer.from('\n')]));
    expect(res.status).toBe(202);
    const answer = (await res.json()) as { accepted: number; rejected: number; reasons: Record<string, number> };
    // The envelope is valid: the bad bytes are inside a feature value, so either the line is kept (a failed value) or rejected as invalid_utf8.
    expect(answer.accepted + answer.rejected).toBe(2);
    if (answer.rejected === 1) {
      expect(answer.reasons).toEqual({ invalid_utf8: 1 });
      const q = await until('the invalid UTF-8 line', async () => (await quarantined(`models/${MODEL}/quarantine/`)).find((e) => e.raw_base64 !== undefined));
      expect(Buffer.from(q.raw_base64!, 'base64').equals(bad)).toBe(true);
    }
  });

  it('takes gzip bodies and counts duplicates', async () => {
    const body = gzipSync([event('gz-1'), event('gz-2'), event('gz-2'), event('gz-3')].join('\n') + '\n');
    const res = await post(body, { 'content-encoding': 'gzip' });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 4, rejected: 0, reasons: {}, duplicates: 1 });
    const ids = await until('the gzip events', async () => {
      const all = [...(await rawBatches(storage)).values()].flat().filter((id) => id.startsWith('gz-'));
      return all.length >= 3 ? all : undefined;
    });
    expect(ids.sort()).toEqual(['gz-1', 'gz-2', 'gz-3']);

    const broken = await post(Buffer.from('not gzip at all'), { 'content-encoding': 'gzip' });
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: string }).error).toBe('bad_request');
    const unsupported = await post('x', { 'content-encoding': 'br' });
    expect(unsupported.status).toBe(415);
  });

  it('answers 413 for a body over 64 MiB, declared, streamed or inflated, and keeps nothing of it', async () => {
    const line = event('big-x', Date.now(), 'y'.repeat(1000)) + '\n';
    const big = Buffer.from(line.repeat(Math.ceil((65 << 20) / line.length)));
    const declared = await post(big);
    expect(declared.status).toBe(413);
    const answer = (await declared.json()) as { error: string; message: string };
    expect(answer.error).toBe('too_large');
    expect(answer.message).not.toMatch(/\/work|\/tmp|at .*\.ts/);
    // Streamed (chunked, no Content-Length): refused once the bytes read pass the limit.
    const chunk = new Uint8Array(big.subarray(0, 1 << 20));
    let sentChunks = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sentChunks++ < 66) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const streamed = await fetch(`${collector.url}/v1/events`, { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    expect(streamed.status).toBe(413);
    // A gzip bomb: 65 MiB of zeros in ~65 KiB, refused once the inflated bytes pass the limit.
    const bomb = gzipSync(Buffer.alloc(65 << 20, 0x20));
    expect(bomb.length).toBeLessThan(1 << 20);
    const inflated = await post(bomb, { 'content-encoding': 'gzip' });
    expect(inflated.status).toBe(413);
    // The collector is still answering.
    const after = await post(event('after-413') + '\n');
    expect(after.status).toBe(202);
    const ids = await until('after-413', async () => {
      const all = [...(await rawBatches(storage)).values()].flat();
      return all.includes('after-413') ? all : undefined;
    });
    expect(ids).not.toContain('big-x');
  });

  it('keeps a connection alive across many requests', async () => {
    const answers = [];
    for (let i = 0; i < 50; i++) answers.push((await post(event(`ka-${i}`) + '\n')).status);
    expect(answers).toEqual(Array(50).fill(202));
  });
});

describe('other routes', () => {
  it('answers 404 and 405 in JSON, with Allow', async () => {
    const missing = await fetch(`${collector.url}/v1/nope`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: string }).error).toBe('not_found');
    const wrong = await fetch(`${collector.url}/v1/events`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    expect(((await wrong.json()) as { error: string }).error).toBe('method_not_allowed');
    const wrongMetrics = await fetch(`${collector.url}/metrics`, { method: 'POST', body: 'x' });
    expect(wrongMetrics.status).toBe(405);
    expect(wrongMetrics.headers.get('allow')).toBe('GET, HEAD');
  });

  it('/healthz answers 200 ok', async () => {
    const res = await fetch(`${collector.url}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(((await res.json()) as { status: string }).status).toBe('ok');
  });

  it('/metrics has the documented names, and values that match what was sent', async () => {
    // Start from a quiet collector: what earlier tests sent is written.
    const before = await until('nothing buffered', async () => {
      const t = await (await fetch(`${collector.url}/metrics`)).text();
      return metricValue(t, 'driftwatch_collector_buffered_events') === 0 ? t : undefined;
    });
    const received0 = metricValue(before, 'driftwatch_collector_events_received_total', 'source="http"');
    const written0 = metricValue(before, 'driftwatch_collector_events_written_total', `model="${MODEL}"`);
    const malformed0 = metricValue(before, 'driftwatch_collector_events_quarantined_total', 'reason="malformed_json"');
    const res = await post([event('met-1'), event('met-2'), event('met-3'), '{oops'].join('\n') + '\n');
    expect(res.status).toBe(202);
    const text = await until('the metrics to count the write', async () => {
      const t = await (await fetch(`${collector.url}/metrics`)).text();
      return metricValue(t, 'driftwatch_collector_events_written_total', `model="${MODEL}"`) >= written0 + 3 ? t : undefined;
    });
    const res2 = await fetch(`${collector.url}/metrics`);
    expect(res2.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(metricValue(text, 'driftwatch_collector_events_received_total', 'source="http"') - received0).toBe(4);
    expect(metricValue(text, 'driftwatch_collector_events_written_total', `model="${MODEL}"`) - written0).toBe(3);
    expect(metricValue(text, 'driftwatch_collector_events_quarantined_total', 'reason="malformed_json"') - malformed0).toBe(1);
    for (const name of ['events_received_total', 'events_written_total', 'events_quarantined_total', 'batches_written_total', 'buffered_events', 'spool_bytes']) {
      expect(text).toContain(`# TYPE driftwatch_collector_${name} `);
    }
  });
});

describe('start-up errors', () => {
  it('refuses an address or a spool in use with one line', async () => {
    await expect(startCollector(cli.path, ['--store', storeDir, '--spool', join(dir, 'spool-other'), '--listen', `127.0.0.1:${collector.port}`])).rejects.toThrow(
      `collect exited (1) before listening: driftwatch collect: cannot listen on 127.0.0.1:${collector.port}: the address is in use (another collector?); choose another with --listen`,
    );
    await expect(startCollector(cli.path, ['--store', storeDir, '--spool', join(dir, 'spool')])).rejects.toThrow(
      new RegExp(`driftwatch collect: spool .*spool is in use by process ${collector.child.pid}: two collectors cannot share a spool \\(give each its own --spool\\)`),
    );
  });
});

describe('shutdown', () => {
  it('SIGTERM writes what is buffered and exits 0', async () => {
    const c = await startCollector(cli.path, ['--store', storeDir, '--spool', join(dir, 'spool-term'), '--max-age', '1h']);
    const ids = Array.from({ length: 300 }, (_, i) => `term-${i}`);
    const res = await fetch(`${c.url}/v1/events`, { method: 'POST', body: ids.map((id) => event(id)).join('\n') });
    expect(res.status).toBe(202);
    expect(((await res.json()) as { accepted: number }).accepted).toBe(300);
    const stored = () => rawBatches(storage).then((b) => [...b.values()].flat().filter((id) => id.startsWith('term-')));
    expect(await stored()).toEqual([]);
    const exit = await c.stop();
    expect(exit).toEqual({ code: 0, signal: null });
    expect((await stored()).sort()).toEqual([...ids].sort());
    expect(c.lines.some((l) => /collect: stopped; everything buffered was written/.test(l))).toBe(true);
  });

  it('prints a status line with the counts of the last period', async () => {
    await until('a status line', async () => collector.lines.find((l) => /collect: last 1 s: [\d,]+ received, [\d,]+ written, [\d,]+ quarantined/.test(l)));
  });
});
