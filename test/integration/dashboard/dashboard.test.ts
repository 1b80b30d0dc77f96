import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, makeDemoStore, SHOTS, startServe, type RunningServer } from './server';

/**
 * The dashboard on the demo store, through `driftwatch serve` (next start) on loopback: the API
 * routes with good and bad input, then the five browser scenarios of issue #4 in Debian's
 * Chromium. Screenshots go to test-artifacts/screenshots/.
 */
const MODEL = 'checkout-fraud';

let dir: string;
let server: RunningServer;

beforeAll(async () => {
  const demo = await makeDemoStore('driftwatch-dashboard-');
  dir = demo.dir;
  server = await startServe(demo.store);
  await mkdir(SHOTS, { recursive: true });
}, 600_000);

afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

const api = async (path: string) => {
  const response = await fetch(`${server.url}${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> & { error?: string } };
};

describe('API routes', () => {
  it('lists the demo model as failing, with the faulty features', async () => {
    const { status, body } = await api('/api/models');
    expect(status).toBe(200);
    const [m] = body.models as { model: string; status: string; failing: string[]; drifting: string[]; stale: boolean }[];
    expect(m.model).toBe(MODEL);
    expect(m.status).toBe('failing');
    expect(m.failing).toContain('device_score');
    expect(m.drifting).toEqual(expect.arrayContaining(['time_to_order', 'payment_method', 'basket_value']));
    // The demo's data ended on 2026-11-15: weeks old, so the overview must call it stale.
    expect(m.stale).toBe(true);
  });

  it('compares any window: before the ×1000 switch time_to_order is ok, after it drifts with the hint', async () => {
    const before = await api(`/api/models/${MODEL}/compare?from=2026-11-08T10:00:00Z&to=2026-11-09T10:00:00Z&reference=test`);
    const after = await api(`/api/models/${MODEL}/compare?from=2026-11-09T10:00:00Z&to=2026-11-10T10:00:00Z&reference=test`);
    const ttoOf = (b: Record<string, unknown>) => (b.features as { name: string; verdict: string; hint?: string; value: number }[]).find((f) => f.name === 'time_to_order')!;
    expect(before.status).toBe(200);
    expect(ttoOf(before.body).verdict).toBe('ok');
    expect(ttoOf(after.body).verdict).toBe('drift');
    expect(ttoOf(after.body).hint).toMatch(/×1000 larger: seconds sent as milliseconds\?/);
    expect((before.body.window as { from: string }).from).toBe('2026-11-08T10:00:00.000Z');
  });

  it('serves CDF points and shared-bin histograms for live and both references', async () => {
    const { status, body } = await api(`/api/models/${MODEL}/features/time_to_order?window=12h`);
    expect(status).toBe(200);
    const sources = body.sources as { name: string; cdf: [number, number][]; stats: { p50: number } }[];
    expect(sources.map((s) => s.name)).toEqual(['live', 'test', 'train']);
    for (const s of sources) {
      expect(s.cdf.length).toBeGreaterThan(50);
      expect(s.cdf.length).toBeLessThanOrEqual(500);
      expect(s.cdf.at(-1)![1]).toBe(1);
    }
    // Live is ×1000 the references, at the median too.
    expect(sources[0].stats.p50 / sources[1].stats.p50).toBeGreaterThan(500);
    const histogram = body.histogram as { edges: number[]; proportions: number[][] };
    for (const p of histogram.proportions) {
      expect(p).toHaveLength(histogram.edges.length - 1);
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    }
  });

  it('recomputes a trend from summaries for a window and step the evaluations do not have', async () => {
    const { status, body } = await api(`/api/models/${MODEL}/trend?feature=time_to_order&window=6h&step=2h&from=2026-11-08T00:00:00Z&to=2026-11-11T00:00:00Z`);
    expect(status).toBe(200);
    expect(body.source).toBe('summaries');
    const points = body.points as { at: string; verdict: string }[];
    expect(points).toHaveLength(36);
    expect(points.find((p) => p.at === '2026-11-09T08:00:00.000Z')!.verdict).toBe('ok');
    expect(points.find((p) => p.at === '2026-11-09T16:00:00.000Z')!.verdict).toBe('drift');
  });

  it.each([
    ['/api/models/checkout-fraud/compare?window=banana', 400, /^window: /],
    ['/api/models/checkout-fraud/compare?from=2026-11-08T00:00:00Z&window=12h', 400, /^window: give either a window or from/],
    ['/api/models/checkout-fraud/compare?from=2026-11-09T00:00:00Z&to=2026-11-08T00:00:00Z', 400, /^to: must be after from/],
    ['/api/models/checkout-fraud/compare?window=500d', 400, /^window: a window may span at most 400 days/],
    ['/api/models/checkout-fraud/compare?metric=accuracy', 400, /^metric: must be one of/],
    ['/api/models/checkout-fraud/compare?windw=12h', 400, /^windw: unknown parameter/],
    ['/api/models/checkout-fraud/compare?window=12h&window=24h', 400, /^window: given 2 times/],
    ['/api/models/checkout-fraud/compare?reference=..%2F..%2Fetc', 400, /^reference: /],
    ['/api/models/checkout-fraud/trend?feature=time_to_order&step=1h&from=2026-01-01T00:00:00Z&to=2026-11-01T00:00:00Z', 400, /^step: \d+ windows requested, at most 2000/],
    ['/api/models/checkout-fraud/trend?window=12h', 400, /^feature: required/],
    ['/api/alerts?state=open', 400, /^state: must be firing or resolved/],
    ['/api/models/nope/compare', 404, /no model "nope" in this store \(models: checkout-fraud\)/],
    ['/api/models/checkout-fraud/features/nope', 404, /has no feature "nope"/],
    ['/api/models/checkout-fraud/compare?reference=golden', 404, /has no reference "golden" \(references: test, train\)/],
    ['/api/models/%2E%2E/compare', 400, /^model: /],
    ['/api/models/..%2F..%2Fetc/compare', 400, /^model: /],
    ['/api/models/checkout-fraud%2F..%2F..%2Fx/compare', 400, /^model: /],
  ])('%s → %i with a message naming the problem', async (path, status, message) => {
    const response = await fetch(`${server.url}${path}`);
    const text = await response.text();
    // Encoded separators that the router itself refuses count as refused too, never as a read.
    if (response.status === 404 && status === 400) return expect(text).not.toMatch(/"features"/);
    expect(response.status, text).toBe(status);
    expect((JSON.parse(text) as { error: string }).error).toMatch(message);
  });

  it('documents every route in /api/openapi.json', async () => {
    const { status, body } = await api('/api/openapi.json');
    expect(status).toBe(200);
    expect(Object.keys(body.paths as object).sort()).toEqual(['/api/alerts', '/api/alerts/ack', '/api/alerts/assign', '/api/alerts/note', '/api/alerts/silence', '/api/alerts/workflow', '/api/models', '/api/models/{model}/compare', '/api/models/{model}/features/{feature}', '/api/models/{model}/performance', '/api/models/{model}/report', '/api/models/{model}/summary', '/api/models/{model}/trend', '/api/openapi.json', '/api/share', '/api/snapshots', '/api/snapshots/{id}']);
  });
});

describe('in Chromium', () => {
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    page = await context.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const verdictText = (reference: string) => page.getByTestId(`verdict-${reference}`).innerText();

  it('1. the overview shows the demo model failing; its page puts the failing feature first, then time_to_order with the ×1000 hint', async () => {
    await page.goto(server.url);
    const row = page.locator(`tr[data-model="${MODEL}"]`);
    await expect.poll(() => row.locator('.badge').first().innerText()).toBe('failing');
    await shot('1-overview');
    await row.getByRole('link', { name: MODEL }).click();
    await page.getByTestId('feature-table').waitFor();
    const rows = page.locator('[data-testid="feature-table"] tbody tr');
    expect(await rows.first().getAttribute('data-feature')).toBe('device_score');
    // After the failing feature, the drifting ones by distance ÷ threshold: time_to_order is the worst.
    expect(await rows.nth(1).getAttribute('data-feature')).toBe('time_to_order');
    expect(await rows.nth(1).getByTestId('hint').innerText()).toMatch(/×1000 larger: seconds sent as milliseconds\?/);
    await shot('1-model');
  });

  it('2. time_to_order: live far from test and train; a window before the switch is ok again', async () => {
    await page.locator('[data-testid="feature-table"] tr[data-feature="time_to_order"]').getByRole('link').first().click();
    await page.getByTestId('cdf-chart').waitFor();
    expect(await verdictText('test')).toBe('drift');
    expect(await verdictText('train')).toBe('drift');
    expect(Number(await page.getByTestId('value-test').innerText())).toBeGreaterThan(0.9);
    // Three CDF curves drawn.
    await expect.poll(() => page.locator('[data-testid="cdf-chart"] path.recharts-curve').count()).toBe(3);
    await shot('2-feature-after-switch');
    await page.getByLabel('from (UTC)').fill('2026-11-08T10:00');
    await page.getByLabel('to (UTC)').fill('2026-11-09T10:00');
    await page.getByRole('button', { name: 'Apply range' }).click();
    await page.waitForURL(/from=2026-11-08T10/);
    await expect.poll(() => verdictText('test')).toBe('ok');
    expect(await verdictText('train')).toBe('ok');
    // The curves overlap: the area between live and test CDFs is below its threshold.
    expect(Number(await page.getByTestId('value-test').innerText())).toBeLessThan(0.08);
    await shot('2-feature-before-switch');
  });

  it('3. a copied link reopens the same view with the same numbers', async () => {
    const statsBefore = await page.getByTestId('stats').innerText();
    const verdictsBefore = await page.getByTestId('verdicts').innerText();
    await page.getByTestId('copy-link').click();
    await expect.poll(() => page.getByTestId('copied-link').inputValue()).toMatch(/^http/);
    const link = await page.getByTestId('copied-link').inputValue();
    expect(link).toContain('from=2026-11-08T10');
    const other = await page.context().newPage();
    await other.goto(link);
    await other.getByTestId('stats').waitFor();
    expect(await other.getByTestId('stats').innerText()).toBe(statsBefore);
    expect(await other.getByTestId('verdicts').innerText()).toBe(verdictsBefore);
    await other.screenshot({ path: join(SHOTS, '3-copied-link.png'), fullPage: true });
    await other.close();
  });

  it('4. the failed-features table shows the null-spike feature first', async () => {
    await page.goto(`${server.url}/models/${MODEL}?window=24h`);
    const first = page.locator('[data-testid="failed-table"] tbody tr').first();
    expect(await first.getAttribute('data-feature')).toBe('device_score');
    expect(await first.innerText()).toMatch(/failing/);
    await page.getByTestId('failed-table').scrollIntoViewIfNeeded();
    await shot('4-failed-table');
  });

  it('5. an alert links to the feature view at its window', async () => {
    await page.goto(`${server.url}/alerts?state=firing`);
    const row = page.locator('[data-testid="alerts"] tr[data-feature="time_to_order"]').first();
    await shot('5-alerts');
    await row.getByTestId('alert-link').click();
    await page.getByTestId('verdicts').waitFor();
    const url = new URL(page.url());
    expect(url.pathname).toBe(`/models/${MODEL}/features/time_to_order`);
    const from = url.searchParams.get('from')!;
    const to = url.searchParams.get('to')!;
    expect(Date.parse(to) - Date.parse(from)).toBe(24 * 3_600_000);
    expect(Date.parse(to)).toBe(Date.parse('2026-11-09T11:00:00Z'));
    expect(await page.getByTestId('window-shown').innerText()).toContain('2026-11-08 11:00 – 2026-11-09 11:00 UTC');
    expect(await verdictText('test')).toBe('drift');
    await shot('5-alert-feature-view');
    expect(errors).toEqual([]);
  });
});
