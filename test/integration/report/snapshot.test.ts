import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '@/lib/cli/main';
import { dashboardContext, LISTING_TTL_MS, modelView, type DashboardContext } from '@/lib/dashboard';
import { deleteSnapshotRoute, getSnapshot, getSnapshots, postSnapshot } from '@/lib/report/snapshot-routes';
import type { Snapshot } from '@/lib/report/snapshots';

/**
 * A snapshot keeps its numbers: made on a small CLI-built store, then late data for its window and
 * new days are ingested, profiled and evaluated, so the live view changes; the snapshot (its JSON,
 * its report) does not. Routes are called as handlers with a Request; the CLI as a user runs it.
 */
process.env.DRIFTWATCH_WORKERS = '0';
const MODEL = 'loan-risk';
const START = Date.parse('2026-10-01T00:00:00Z');
const HOUR = 3_600_000;
const ROWS_PER_HOUR = 40;
let dir: string;
let store: string;
let ctx: DashboardContext;
const log: string[] = [];
const cli = { log: (l: string) => log.push(l), error: (l: string) => log.push(`ERROR ${l}`) };

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = random(7);
const line = (at: number, scale: number) => `${new Date(at).toISOString()},${(100 * scale * (0.5 + rand())).toFixed(2)},${rand() < 0.5 ? 'web' : 'app'},${rand().toFixed(4)}`;

/** Predictions for hours [fromHour, toHour) after START, `amount` multiplied by `scale`. */
async function predictions(name: string, fromHour: number, toHour: number, scale: number): Promise<string> {
  const rows = ['ts,amount,channel,score'];
  for (let h = fromHour; h < toHour; h++) for (let k = 0; k < ROWS_PER_HOUR; k++) rows.push(line(START + h * HOUR + Math.floor((k * HOUR) / ROWS_PER_HOUR), scale));
  const file = join(dir, name);
  await writeFile(file, `${rows.join('\n')}\n`);
  return file;
}

async function run(...args: string[]): Promise<void> {
  const code = await main([...args, '--store', store], cli);
  if (code !== 0) throw new Error(`driftwatch ${args.join(' ')} exited with ${code}:\n${log.join('\n')}`);
}

const columns = ['--model', MODEL, '--timestamp-col', 'ts', '--numeric', 'amount', '--categorical', 'channel', '--score-col', 'score'];
const post = (body: unknown) => postSnapshot(new Request('http://localhost/api/snapshots', { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }), ctx);
const get = async (id: string, format = '') => getSnapshot(new Request(`http://localhost/api/snapshots/${id}${format}`), id, ctx);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'driftwatch-snapshot-'));
  store = join(dir, 'store');
  const reference = ['ts,amount,channel,score'];
  for (let i = 0; i < 4000; i++) reference.push(line(START - 20 * 24 * HOUR + i * 300_000, 1));
  await writeFile(join(dir, 'reference.csv'), `${reference.join('\n')}\n`);
  await run('init');
  await run('reference', 'add', '--name', 'test', '--file', join(dir, 'reference.csv'), ...columns);
  await run('ingest', '--file', await predictions('first.csv', 0, 72, 1), ...columns);
  await run('profile');
  await run('evaluate');
  ctx = await dashboardContext(store);
}, 300_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('snapshots', () => {
  let frozen: Snapshot;
  let html: string;
  let id: string;
  let cliId: string;

  it('POST freezes the view of the last 24 h (201, its id and link)', async () => {
    const response = await post({ model: MODEL, window: '24h' });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { id: string; created_at: string; url: string };
    expect(body.id).toMatch(/^[0-9a-f]{16}$/);
    expect(body.url).toBe(`/snapshots/${body.id}`);
    id = body.id;
    frozen = (await (await get(id)).json()) as Snapshot;
    expect(frozen.created_at).toBe(body.created_at);
    expect(frozen.data.view.window.from).toBe('2026-10-03T00:00:00.000Z');
    expect(frozen.data.view.window.to).toBe('2026-10-04T00:00:00.000Z');
    expect(frozen.data.view.rows).toBe(24 * ROWS_PER_HOUR);
    expect(frozen.data.view.features.find((f) => f.name === 'amount')?.verdict).toBe('ok');
    const report = await get(id, '?format=html');
    expect(report.headers.get('content-type')).toBe('text/html; charset=utf-8');
    html = await report.text();
    expect(html).toContain(`driftwatch snapshot ${id}`);
  });

  it('the CLI makes and lists snapshots too', async () => {
    log.length = 0;
    await run('snapshot', 'create', '--model', MODEL, '--from', '2026-10-03T00:00:00Z', '--to', '2026-10-04T00:00:00Z', '--json');
    cliId = (JSON.parse(log.at(-1) ?? '{}') as { id: string }).id;
    expect(cliId).toMatch(/^[0-9a-f]{16}$/);
    log.length = 0;
    await run('snapshot', 'list');
    expect(log.join('\n')).toContain(id);
    expect(log.join('\n')).toContain(cliId);
  });

  it('late data and new days change the live view, not the snapshot', async () => {
    // Late rows inside the snapshot's window (amount ×4) and two new drifted days.
    await run('ingest', '--file', await predictions('late.csv', 48, 72, 4), ...columns);
    await run('ingest', '--file', await predictions('next.csv', 72, 120, 4), ...columns);
    await run('profile');
    await run('evaluate');
    // The dashboard's listings are reused for LISTING_TTL_MS: wait them out, as a reader would.
    await new Promise((r) => setTimeout(r, LISTING_TTL_MS + 500));
    const sameWindow = await modelView(ctx, MODEL, { from: frozen.data.view.window.from, to: frozen.data.view.window.to, reference: 'test' });
    expect(sameWindow.rows).toBe(48 * ROWS_PER_HOUR);
    expect(sameWindow.features.find((f) => f.name === 'amount')?.verdict).toBe('drift');
    const latest = await modelView(ctx, MODEL, { window: '24h', reference: 'test' });
    expect(latest.window.to).toBe('2026-10-06T00:00:00.000Z');

    const again = (await (await get(id)).json()) as Snapshot;
    expect(again).toEqual(frozen);
    expect(again.data.view.rows).toBe(24 * ROWS_PER_HOUR);
    expect(again.data.view.features.find((f) => f.name === 'amount')?.verdict).toBe('ok');
    expect(await (await get(id, '?format=html')).text()).toBe(html);
  });

  it('lists newest first, deletes, and answers 404 and 400 as the API does', async () => {
    const listed = (await (await getSnapshots(new Request('http://localhost/api/snapshots'), ctx)).json()) as { snapshots: { id: string; model: string }[] };
    expect(listed.snapshots.map((s) => s.id)).toEqual([cliId, id]);
    const deleted = await deleteSnapshotRoute(new Request(`http://localhost/api/snapshots/${id}`, { method: 'DELETE' }), id, ctx);
    expect(deleted.status).toBe(204);
    expect((await get(id)).status).toBe(404);
    expect((await deleteSnapshotRoute(new Request(`http://localhost/api/snapshots/${id}`, { method: 'DELETE' }), id, ctx)).status).toBe(404);
    expect((await get('..%2Fconfig')).status).toBe(400);
    expect((await post({ model: MODEL, window: '24h', extra: 1 })).status).toBe(400);
    expect((await post({ model: 'nope' })).status).toBe(404);
    log.length = 0;
    await run('snapshot', 'delete', '--id', cliId);
    const after = (await (await getSnapshots(new Request('http://localhost/api/snapshots'), ctx)).json()) as { snapshots: unknown[] };
    expect(after.snapshots).toEqual([]);
  });
});
