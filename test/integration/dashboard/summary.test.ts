import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '@/lib/cli/main';
import type { ModelSummary } from '@/lib/dashboard/summary';
import { FaultSchedule } from '@/lib/demo/faults';
import { launchChromium, SHOTS, startServe, type RunningServer } from './server';

/**
 * Health in plain language on the demo store (`driftwatch demo --no-serve --days 14`, faults at
 * known hours: lib/demo/faults.ts): GET /api/models/{model}/summary finds one incident per
 * injected fault, starting within the alert latency, with the cause named; the overview's first
 * screen shows the headline in Chromium.
 */
const MODEL = 'checkout-fraud';
const START = Date.parse('2026-11-01T00:00:00Z');
const END = Date.parse('2026-11-15T00:00:00Z');
const H = 3_600_000;
/** The evaluations run hourly: an abrupt fault shows in the first windows after its start (the demo's alerts fire 1–2 evaluations after). */
const ALERT_LATENCY_MS = 3 * H;
/** basket_value rises linearly over 11 days: it crosses its threshold about two days in (the demo's alert: 42 evaluations). */
const GRADUAL_LATENCY_MS = 48 * H;
const faults = new FaultSchedule(START, END).faults;
const faultOf = (feature: string) => {
  const f = faults.find((x) => x.feature === feature);
  if (!f) throw new Error(`no fault on ${feature}`);
  return Date.parse(f.start);
};

let dir: string;
let server: RunningServer;
let browser: Browser | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'driftwatch-summary-'));
  const log: string[] = [];
  const code = await main(['demo', '--store', join(dir, 'store'), '--no-serve', '--days', '14'], { log: (l) => log.push(l), error: (l) => log.push(`ERROR ${l}`) });
  if (code !== 0) throw new Error(`demo exited with ${code}:\n${log.join('\n')}`);
  server = await startServe(join(dir, 'store'));
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

const summary = async (query: string): Promise<ModelSummary> => {
  const response = await fetch(`${server.url}/api/models/${MODEL}/summary${query}`);
  expect(response.status).toBe(200);
  return (await response.json()) as ModelSummary;
};

describe('GET /api/models/{model}/summary on the demo store', () => {
  it('finds one incident per injected fault, at its start, with its cause in plain words', async () => {
    const s = await summary(`?to=${new Date(END).toISOString()}`);
    expect(Object.keys(s)).toEqual(expect.arrayContaining(['model', 'status', 'headline', 'since', 'performance', 'incidents', 'changes_7d', 'links']));
    expect(s.model).toBe(MODEL);
    const byFeature = (feature: string) => {
      const found = s.incidents.filter((i) => i.features.includes(feature));
      expect(found, feature).toHaveLength(1);
      return found[0];
    };
    const within = (feature: string, latency: number) => {
      const i = byFeature(feature);
      const lag = Date.parse(i.since) - faultOf(feature);
      expect(lag, `${feature}: ${i.since}`).toBeGreaterThanOrEqual(0);
      expect(lag, `${feature}: ${i.since}`).toBeLessThanOrEqual(latency);
      expect(i.until).toBeNull();
      return i;
    };
    const unit = within('time_to_order', ALERT_LATENCY_MS);
    expect(unit.cause).toContain('×1000 larger');
    expect(unit.cause).toContain('seconds sent as milliseconds');
    expect(unit.severity).toBe('high');
    const nulls = within('device_score', ALERT_LATENCY_MS);
    expect(nulls.cause).toMatch(/device_score is missing or invalid in (8\d|9\d)% of predictions \(\d+× more than usual\)/);
    expect(nulls.severity).toBe('high');
    const category = within('payment_method', ALERT_LATENCY_MS);
    expect(category.cause).toContain("new value never seen before: 'crypto'");
    within('score', ALERT_LATENCY_MS);
    within('basket_value', GRADUAL_LATENCY_MS);
    // No incident on an input without a fault.
    const faulty = new Set(faults.map((f) => f.feature as string));
    expect(s.incidents.flatMap((i) => i.features).filter((f) => !faulty.has(f))).toEqual([]);

    expect(s.status).toBe('broken');
    expect(s.since).toBe(byFeature('score').since);
    expect(s.headline).toMatch(/^broken since 5 Nov 0[2-3]:00 UTC: the model's scores differ from usual/);
    expect(s.headline).toContain('(and 4 more problems)');
    // The time_to_order and crypto incidents started in the last 7 days.
    expect(s.changes_7d.map((c) => c.incident)).toEqual(expect.arrayContaining([unit.id, category.id]));
    expect(s.performance.text).toMatch(/^estimated ROC AUC 0\.\d\d on 14 Nov .*0\.90 on the reference: 0\.1\d lower/);
    expect(s.links.features.time_to_order).toMatch(/^\/models\/checkout-fraud\/features\/time_to_order\?/);
  });

  it('is as of the window’s end: before the faults healthy, on 8 Nov without the later faults', async () => {
    const before = await summary('?to=2026-11-04T00:00:00Z');
    expect(before.status).toBe('healthy');
    expect(before.incidents).toEqual([]);
    expect(before.headline).toBe('healthy: all 20 inputs look as usual in the 24h before 4 Nov 00:00 UTC');

    const mid = await summary('?to=2026-11-08T00:00:00Z');
    expect(mid.incidents.map((i) => i.features[0]).sort()).toEqual(['basket_value', 'device_score', 'score']);
    expect(mid.status).toBe('broken');
  });

  it('answers 400 for a bad parameter and 404 for an unknown model, and is in openapi.json', async () => {
    expect((await fetch(`${server.url}/api/models/${MODEL}/summary?window=banana`)).status).toBe(400);
    expect((await fetch(`${server.url}/api/models/${MODEL}/summary?feature=x`)).status).toBe(400);
    expect((await fetch(`${server.url}/api/models/nope/summary`)).status).toBe(404);
    const doc = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as { paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };
    expect(doc.paths['/api/models/{model}/summary']).toBeDefined();
    expect(doc.components.schemas.ModelSummary).toBeDefined();
  });

  it('the overview’s first screen shows each model’s headline', async () => {
    browser = await launchChromium();
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const response = await page.goto(`${server.url}/?to=2026-11-15T00:00:00Z`);
    expect(response?.status()).toBe(200);
    const card = page.locator(`[data-testid="model-health"][data-model="${MODEL}"]`);
    const headline = card.getByTestId('headline');
    await headline.waitFor({ timeout: 30_000 });
    expect(await headline.innerText()).toMatch(/^broken since 5 Nov 0[2-3]:00 UTC: the model's scores differ from usual/);
    expect(await card.getAttribute('data-status')).toBe('broken');
    expect(await card.getByTestId('incidents').innerText()).toContain('seconds sent as milliseconds');
    // On the first screen: above the fold of an 800-pixel window, above the models table.
    const box = await headline.boundingBox();
    expect(box && box.y + box.height).toBeLessThan(800);
    const table = await page.getByTestId('models').boundingBox();
    expect(box && table && box.y < table.y).toBe(true);
    // A technical term has its tooltip.
    expect(await card.locator('abbr[title]').count()).toBeGreaterThan(0);
    await mkdir(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, 'overview-summary.png') });
    expect(errors).toEqual([]);
  }, 60_000);
});
