import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { params, request, restoreStoreEnv } from '@/test/helpers/route-calls';
import { GET as alerts } from '@/app/api/alerts/route';
import { GET as compare } from '@/app/api/models/[model]/compare/route';
import { GET as feature } from '@/app/api/models/[model]/features/[feature]/route';
import { GET as models } from '@/app/api/models/route';
import { GET as trend } from '@/app/api/models/[model]/trend/route';
import { main } from '@/lib/cli/main';
import { resultCacheTestHooks } from '@/lib/dashboard/result-cache';

/** The route handlers called directly with a Request, on a 3-day demo store (DRIFTWATCH_STORE). */
let dir: string;
const previous = process.env.DRIFTWATCH_STORE;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'driftwatch-routes-'));
  const log: string[] = [];
  const code = await main(['demo', '--store', join(dir, 'store'), '--days', '3', '--no-serve'], { log: (l) => log.push(l), error: (l) => log.push(`ERROR ${l}`) });
  expect(code, log.join('\n')).toBe(0);
  process.env.DRIFTWATCH_STORE = join(dir, 'store');
}, 120_000);

afterAll(async () => {
  restoreStoreEnv(previous);
  await rm(dir, { recursive: true, force: true });
});

const json = async (response: Response) => ({ status: response.status, body: (await response.json()) as Record<string, unknown> });

describe('route handlers', () => {
  it('GET /api/models lists the model with its status and feature count', async () => {
    const { status, body } = await json(await models(request('/api/models')));
    expect(status).toBe(200);
    const [m] = body.models as { model: string; features: number; status: string }[];
    expect(m).toMatchObject({ model: 'checkout-fraud', features: 21 });
    expect(['ok', 'drift', 'failing']).toContain(m.status);
  });

  it('GET compare answers every feature for the window it was asked, sorted worst first', async () => {
    const { status, body } = await json(await compare(request('/api/models/checkout-fraud/compare?from=2026-11-02T00:00:00Z&to=2026-11-03T00:00:00Z&reference=train'), params({ model: 'checkout-fraud' })));
    expect(status).toBe(200);
    expect(body).toMatchObject({ model: 'checkout-fraud', reference: 'train', from: '2026-11-02T00:00:00.000Z', to: '2026-11-03T00:00:00.000Z', references: ['test', 'train'] });
    const features = body.features as { name: string; verdict: string }[];
    expect(features).toHaveLength(21);
    const rank = { failing: 0, drift: 1, ok: 2, not_monitored: 3 } as Record<string, number>;
    for (let i = 1; i < features.length; i++) expect(rank[features[i].verdict]).toBeGreaterThanOrEqual(rank[features[i - 1].verdict]);
  });

  it('GET feature gives CDFs ending at 1 and statistics whose counts add up', async () => {
    const { status, body } = await json(await feature(request('/api/models/checkout-fraud/features/basket_value?window=24h'), params({ model: 'checkout-fraud', feature: 'basket_value' })));
    expect(status).toBe(200);
    for (const s of body.sources as { cdf: [number, number][]; stats: { rows: number; count: number; failed: number } }[]) {
      expect(s.cdf.at(-1)![1]).toBe(1);
      expect(s.stats.rows).toBe(s.stats.count + s.stats.failed);
    }
  });

  it('GET feature with a metric applies it to every reference of the view', async () => {
    const { status, body } = await json(await feature(request('/api/models/checkout-fraud/features/basket_value?window=24h&reference=train&metric=ks'), params({ model: 'checkout-fraud', feature: 'basket_value' })));
    expect(status).toBe(200);
    const byRef = new Map((body.comparisons as { reference: string; metric: string; value: number; metrics: { ks: number }; metric_note?: string }[]).map((c) => [c.reference, c]));
    expect(byRef.get('train')!.metric).toBe('ks');
    expect(byRef.get('train')!.value).toBe(byRef.get('train')!.metrics.ks);
    expect(byRef.get('test')!.metric).toBe('ks');
    expect(byRef.get('test')!.value).toBe(byRef.get('test')!.metrics.ks);
    expect(byRef.get('test')!.metric_note).toBeUndefined();
  });

  it('GET feature says where a metric override does not apply (ks on a categorical feature)', async () => {
    const { status, body } = await json(await feature(request('/api/models/checkout-fraud/features/payment_method?window=24h&metric=ks'), params({ model: 'checkout-fraud', feature: 'payment_method' })));
    expect(status).toBe(200);
    for (const c of body.comparisons as { metric: string; metric_note?: string }[]) {
      expect(c.metric).toBe('js');
      expect(c.metric_note).toBe('ks is not defined for categorical features: js (its configured metric) is shown');
    }
  });

  it('GET trend from summaries has one point per step, and refuses a non-hour step', async () => {
    const ok = await json(await trend(request('/api/models/checkout-fraud/trend?feature=basket_value&window=6h&step=3h&from=2026-11-02T00:00:00Z&to=2026-11-03T00:00:00Z'), params({ model: 'checkout-fraud' })));
    expect(ok.status).toBe(200);
    expect((ok.body.points as unknown[]).length).toBe(8);
    const bad = await json(await trend(request('/api/models/checkout-fraud/trend?feature=basket_value&step=90m'), params({ model: 'checkout-fraud' })));
    expect(bad).toEqual({ status: 400, body: { error: expect.stringMatching(/^step: must be a whole number/), code: 'bad_request' } });
  });

  it('refuses trend windows past 400 days or past any sane number, instead of walking them', async () => {
    for (const window of ['10000w', `${'9'.repeat(400)}h`]) {
      const { status, body } = await json(await trend(request(`/api/models/checkout-fraud/trend?feature=basket_value&window=${window}`), params({ model: 'checkout-fraud' })));
      expect(status).toBe(400);
      expect(body.error).toMatch(/^window: /);
    }
  });

  it('applies a metric override only to the features it is defined for', async () => {
    const { body } = await json(await compare(request('/api/models/checkout-fraud/compare?window=24h&metric=ks'), params({ model: 'checkout-fraud' })));
    const features = body.features as { type: string; metric: string; value: number | null }[];
    expect(new Set(features.filter((f) => f.type === 'numeric').map((f) => f.metric))).toEqual(new Set(['ks']));
    expect(new Set(features.filter((f) => f.type === 'categorical').map((f) => f.metric))).toEqual(new Set(['js']));
    expect(features.every((f) => f.value !== null)).toBe(true);
  });

  it('reads the stored evaluation that ends exactly at midnight, from the day file before it', async () => {
    const { readEvaluationRange } = await import('@/lib/dashboard/store-reads');
    const { openStorage } = await import('@/lib/storage');
    const midnight = Date.parse('2026-11-03T00:00:00Z');
    const rows = await readEvaluationRange(openStorage(join(dir, 'store')), 'checkout-fraud', midnight, midnight);
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((r) => r.window_to))).toEqual(new Set(['2026-11-03T00:00:00.000Z']));
  });

  it('CLI and API read a relative window alike: same from, to, latest data and values', async () => {
    const lines: string[] = [];
    const code = await main(['compare', '--store', join(dir, 'store'), '--model', 'checkout-fraud', '--window', '12h', '--json'], { log: (l) => lines.push(l), error: (l) => lines.push(l) });
    expect(code, lines.join('\n')).toBe(0);
    const cli = JSON.parse(lines.join('\n')) as { from: string; to: string; window: string; latest_data: string; features: { name: string; value: number | null; verdict: string }[] };
    const { status, body } = await json(await compare(request('/api/models/checkout-fraud/compare?window=12h'), params({ model: 'checkout-fraud' })));
    expect(status).toBe(200);
    const api = body as { from: string; to: string; window: { from: string; to: string; latest_data: string; as_of: string }; features: { name: string; value: number | null; verdict: string }[] };
    // The demo's 3 days end at 2026-11-04T00:00Z: the relative window ends at the latest data, 12 h long.
    expect(cli).toMatchObject({ from: '2026-11-03T12:00:00.000Z', to: '2026-11-04T00:00:00.000Z', window: '12h', latest_data: '2026-11-04T00:00:00.000Z' });
    expect(api.window).toMatchObject({ from: cli.from, to: cli.to, as_of: cli.to, latest_data: cli.latest_data });
    expect(api.features.map((f) => [f.name, f.value, f.verdict])).toEqual(cli.features.map((f) => [f.name, f.value, f.verdict]));
  });

  it('reads `from` alone as up to the latest data in the CLI too, and a trend\'s `to` alone with its range', async () => {
    const lines: string[] = [];
    const code = await main(['compare', '--store', join(dir, 'store'), '--model', 'checkout-fraud', '--from', '2026-11-03T12:00:00Z', '--json'], { log: (l) => lines.push(l), error: (l) => lines.push(l) });
    expect(code, lines.join('\n')).toBe(0);
    expect(JSON.parse(lines.join('\n'))).toMatchObject({ from: '2026-11-03T12:00:00.000Z', to: '2026-11-04T00:00:00.000Z' });
    const { status, body } = await json(await trend(request('/api/models/checkout-fraud/trend?feature=basket_value&to=2026-11-03T00:00:00Z&range=2d'), params({ model: 'checkout-fraud' })));
    expect(status).toBe(200);
    expect(body).toMatchObject({ from: '2026-11-01T00:00:00.000Z', to: '2026-11-03T00:00:00.000Z' });
  });

  it('GET /api/models answers as of the window end it is given', async () => {
    const asOf = '2026-11-02T06:00:00Z';
    const { status, body } = await json(await models(request(`/api/models?to=${asOf}&window=12h`)));
    expect(status).toBe(200);
    const [m] = body.models as { last_evaluation: string; worst_ratio: { at: string }[]; window: { to: string; as_of: string } }[];
    expect(m.window).toMatchObject({ to: '2026-11-02T06:00:00.000Z', as_of: '2026-11-02T06:00:00.000Z' });
    expect(m.last_evaluation).toBe('2026-11-02T06:00:00.000Z');
    expect(m.worst_ratio.length).toBeGreaterThan(0);
    for (const p of m.worst_ratio) expect(Date.parse(p.at)).toBeLessThanOrEqual(Date.parse(asOf));
    expect((await json(await models(request('/api/models?window=banana')))).status).toBe(400);
  });

  it('GET compare gives the window\'s coverage: every hour with rows, none empty in the demo', async () => {
    const { body } = await json(await compare(request('/api/models/checkout-fraud/compare?from=2026-11-02T00:00:00Z&to=2026-11-02T12:00:00Z'), params({ model: 'checkout-fraud' })));
    const coverage = body.coverage as { hours: { at: string; rows: number }[]; rows: number; empty_hours: number };
    expect(coverage.hours).toHaveLength(12);
    expect(coverage.empty_hours).toBe(0);
    expect(coverage.rows).toBe(body.rows);
    const empty = await json(await compare(request('/api/models/checkout-fraud/compare?from=2026-10-01T00:00:00Z&to=2026-10-02T00:00:00Z'), params({ model: 'checkout-fraud' })));
    expect(empty.status).toBe(200);
    expect(empty.body.warnings).toContain('no predictions between 2026-10-01T00:00:00.000Z and 2026-10-02T00:00:00.000Z (latest data ends 2026-11-04T00:00:00.000Z)');
  });

  it('maps bad input to 400 and unknown names to 404, with the error code', async () => {
    expect(await json(await compare(request('/api/models/x/compare'), params({ model: '../x' })))).toEqual({ status: 400, body: { error: expect.stringMatching(/^model: /), code: 'bad_request' } });
    expect(await json(await compare(request('/api/models/ghost/compare'), params({ model: 'ghost' })))).toEqual({ status: 404, body: { error: 'no model "ghost" in this store (models: checkout-fraud)', code: 'not_found' } });
    expect((await json(await alerts(request('/api/alerts?state=maybe')))).status).toBe(400);
  });

  it('names a malformed percent-encoding in the path (400), not a URIError (500)', async () => {
    const reason = 'path: "%c0%ae%c0%ae%2f" is not valid percent-encoding (malformed UTF-8 or a stray %)';
    expect(await json(await compare(request('/api/models/%c0%ae%c0%ae%2f/compare'), params({ model: '%c0%ae%c0%ae%2f' })))).toEqual({ status: 400, body: { error: reason, code: 'bad_request' } });
    expect((await json(await trend(request('/api/models/%c0%ae%c0%ae%2f/trend?feature=x'), params({ model: '%c0%ae%c0%ae%2f' })))).body.error).toBe(reason);
    expect((await json(await feature(request('/api/models/checkout-fraud/features/a%E0%A4%A'), params({ model: 'checkout-fraud', feature: 'a%E0%A4%A' })))).status).toBe(400);
  });

  it('refuses window=876000h for the 400-day limit, not as a malformed duration', async () => {
    const { status, body } = await json(await compare(request('/api/models/checkout-fraud/compare?window=876000h'), params({ model: 'checkout-fraud' })));
    expect(status).toBe(400);
    expect(body.error).toMatch(/400 days/);
  });

  it('says whether a heavy answer was computed, shared with an identical request, or cached', async () => {
    const path = '/api/models/checkout-fraud/compare?from=2026-11-02T05:00:00Z&to=2026-11-02T17:00:00Z';
    // The first computation starts only once all four requests have reached the cache: the other three share it.
    let release!: () => void;
    const lookups = new Map<string, number>();
    resultCacheTestHooks.gate = new Promise<void>((resolve) => (release = resolve));
    resultCacheTestHooks.onGet = (id) => {
      lookups.set(id, (lookups.get(id) ?? 0) + 1);
      if (lookups.get(id) === 4) release();
    };
    const answers = await Promise.all(Array.from({ length: 4 }, () => compare(request(path), params({ model: 'checkout-fraud' })))).finally(() => {
      delete resultCacheTestHooks.gate;
      delete resultCacheTestHooks.onGet;
    });
    expect(Math.max(...lookups.values())).toBe(4);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(answers.map((a) => a.headers.get('x-driftwatch-computed')).sort()).toEqual(['computed', 'shared', 'shared', 'shared']);
    expect((await compare(request(path), params({ model: 'checkout-fraud' }))).headers.get('x-driftwatch-computed')).toBe('cached');
  });

  it('says what to do when the store is missing', async () => {
    process.env.DRIFTWATCH_STORE = join(dir, 'nowhere');
    try {
      const { status, body } = await json(await models(request('/api/models')));
      expect(status).toBe(503);
      expect(body.error).toMatch(/is not a driftwatch store: set DRIFTWATCH_STORE, or run `npm run demo`/);
    } finally {
      process.env.DRIFTWATCH_STORE = join(dir, 'store');
    }
  });
});
