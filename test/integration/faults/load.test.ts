import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDemoStore, startServe, type RunningServer } from '@/test/integration/dashboard/server';

/**
 * Issue #10, under load: `driftwatch serve` (next start) on the demo store with one worker thread
 * and a queue of 2 (DRIFTWATCH_WORKERS, DRIFTWATCH_QUEUE), hit by ~100 concurrent loopback
 * requests. Identical requests are computed once, a full queue answers 503 with Retry-After, no
 * other 5xx, and /api/models answers meanwhile. Needs `npm run build`.
 */
let dir: string;
let server: RunningServer;
const saved = { workers: process.env.DRIFTWATCH_WORKERS, queue: process.env.DRIFTWATCH_QUEUE };
const model = 'checkout-fraud';
const HOUR = 3_600_000;

beforeAll(async () => {
  ({ dir } = await makeDemoStore('driftwatch-load-'));
  process.env.DRIFTWATCH_WORKERS = '1';
  process.env.DRIFTWATCH_QUEUE = '2';
  try {
    server = await startServe(`${dir}/store`);
  } finally {
    for (const [name, value] of [['DRIFTWATCH_WORKERS', saved.workers], ['DRIFTWATCH_QUEUE', saved.queue]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}, 240_000);

afterAll(async () => {
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Answer {
  path: string;
  status: number;
  computed: string | null;
  retryAfter: string | null;
  body: Record<string, unknown>;
  ms: number;
}

async function get(path: string): Promise<Answer> {
  const t0 = performance.now();
  const response = await fetch(`${server.url}${path}`);
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { html: text };
  }
  return { path, status: response.status, computed: response.headers.get('x-driftwatch-computed'), retryAfter: response.headers.get('retry-after'), body, ms: performance.now() - t0 };
}

const iso = (ms: number) => new Date(ms).toISOString();

describe('the dashboard under load (issue #10)', () => {
  it('computes identical concurrent requests once, answers 503 + Retry-After when the queue is full, and keeps /api/models answering', async () => {
    const overview = await get('/api/models');
    expect(overview.status).toBe(200);
    const latest = Date.parse(((overview.body.models as { window: { latest_data: string } }[])[0]).window.latest_data);
    // 30 identical requests for a window nobody asked for yet …
    const same = `/api/models/${model}/compare?from=${iso(latest - 30 * HOUR)}&to=${iso(latest - 6 * HOUR)}`;
    // … 50 for windows all different (more than one worker and a queue of 2 can take) …
    const different = Array.from({ length: 50 }, (_, i) => `/api/models/${model}/compare?from=${iso(latest - (60 + i) * HOUR)}&to=${iso(latest - (36 + i) * HOUR)}`);
    // … and 10 recomputed trends (a 6-hour window is not stored), two distinct ones.
    const trends = Array.from({ length: 10 }, (_, i) => `/api/models/${model}/trend?feature=${i % 2 ? 'basket_value' : 'time_to_order'}&window=6h&step=6h&range=3d`);
    const load = Promise.all([...Array.from({ length: 30 }, () => same), ...different, ...trends].map(get));
    // The cheap route, while the load runs.
    const cheap: Answer[] = [];
    for (let i = 0; i < 10; i++) {
      cheap.push(await get('/api/models'));
      await new Promise((r) => setTimeout(r, 50));
    }
    const answers = await load;
    expect(answers).toHaveLength(90);

    // Nothing but 200 and 503 (no 500 from the load), and every 503 says when to come back.
    const statuses = new Set(answers.map((a) => a.status));
    expect([...statuses].filter((s) => s !== 200 && s !== 503)).toEqual([]);
    const busy = answers.filter((a) => a.status === 503);
    expect(busy.length).toBeGreaterThan(0);
    for (const a of busy) {
      expect(Number(a.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(a.body).toMatchObject({ code: 'unavailable', error: expect.stringMatching(/^the dashboard is busy: /) });
    }

    // The 30 identical requests: one computed it, the others awaited that computation (or, arriving
    // after it finished, its cached answer). A request refused before it could share is a 503.
    const identical = answers.filter((a) => a.path === same && a.status === 200);
    expect(identical.filter((a) => a.computed === 'computed')).toHaveLength(1);
    expect(identical.every((a) => ['computed', 'shared', 'cached'].includes(a.computed ?? ''))).toBe(true);
    expect(identical.filter((a) => a.computed === 'shared').length).toBeGreaterThan(0);
    const [first] = identical;
    for (const a of identical) expect(a.body.features).toEqual(first.body.features);
    // Two distinct trends: at most two computations per round of them.
    const trendOk = answers.filter((a) => a.path.includes('/trend?') && a.status === 200);
    expect(trendOk.every((a) => a.body.source === 'summaries')).toBe(true);
    expect(trendOk.filter((a) => a.computed === 'computed').length).toBeLessThanOrEqual(2);

    // The overview never waited for the queue.
    expect(cheap.every((a) => a.status === 200)).toBe(true);
    expect(Math.max(...cheap.map((a) => a.ms))).toBeLessThan(5_000);

    // After the load, the refused requests succeed on retry.
    const retried = await get(busy[0].path);
    expect(retried.status).toBe(200);
  });

  it('answers malformed requests with 400 naming the real reason, for the API and for pages', async () => {
    const api = await get(`/api/models/%c0%ae%c0%ae%2f/compare`);
    expect(api.status).toBe(400);
    expect(api.body).toEqual({ error: 'path: "%c0%ae%c0%ae%2f" is not valid percent-encoding (malformed UTF-8 or a stray %)', code: 'bad_request' });
    const page = await get(`/models/%c0%ae%c0%ae%2f`);
    expect(page.status).toBe(400);
    expect(page.body.html).toContain('path: &#34;%c0%ae%c0%ae%2f&#34; is not valid percent-encoding');
    const feature = await get(`/models/${model}/features/%E0%A4%A`);
    expect(feature.status).toBe(400);
    const tooLong = await get(`/api/models/${model}/compare?window=876000h`);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error).toMatch(/400 days/);
    expect((await get(`/models/${model}?window=876000h`)).status).toBe(400);
  });
});
