import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { main } from '@/lib/cli/main';
import { launchChromium, SHOTS, startServe, type RunningServer } from './server';

/** The alerts page's workflow: an editor acknowledges, assigns and notes in Chromium; the URL filters by status and owner. */
let dir: string;
let server: RunningServer;
let browser: Browser;
let page: Page;
const ID = 'drift-any|checkout-fraud|basket_value|test';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'driftwatch-workflow-page-'));
  const store = join(dir, 'store');
  const code = await main(['demo', '--store', store, '--days', '3', '--no-serve'], { log: () => {}, error: () => {} });
  if (code !== 0) throw new Error(`demo exited with ${code}`);
  // The 3-day demo ends before its faults: two firing alerts of its rule, as evaluate stores them.
  const event = (feature: string) => ({ id: `drift-any|checkout-fraud|${feature}|test|firing|2026-11-03T10:00:00Z`, rule: 'drift-any', model: 'checkout-fraud', feature, reference: 'test', kind: 'firing', at: '2026-11-03T10:00:00Z', window_from: '2026-11-02T10:00:00Z', window_to: '2026-11-03T10:00:00Z', verdict: 'drift', metric: 'psi', value: 0.4, threshold: 0.2, since: '2026-11-03T09:00:00Z', message: `${feature} drifted` });
  await mkdir(join(store, 'models/checkout-fraud/alerts'), { recursive: true });
  await writeFile(join(store, 'models/checkout-fraud/alerts/day=2026-11-03.json'), JSON.stringify({ events: [event('basket_value'), event('time_to_order')] }));
  server = await startServe(store);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await mkdir(SHOTS, { recursive: true });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

const row = () => page.locator(`[data-testid="workflow-alert"][data-id="${ID}"]`);

describe('alerts page workflow', () => {
  it('acknowledges, assigns and notes an alert with the buttons; status and owner filter through the URL', async () => {
    await page.goto(`${server.url}/alerts`);
    expect(await page.locator('[data-testid="workflow-alert"]').count()).toBe(2);
    expect(await row().getAttribute('data-state')).toBe('firing');

    await row().getByTestId('ack').click();
    await expect.poll(() => row().getAttribute('data-state')).toBe('acknowledged');
    await row().getByTestId('owner-input').fill('bo');
    await row().getByTestId('assign').click();
    await expect.poll(() => row().getByTestId('workflow-owner').innerText()).toBe('bo');
    await row().getByTestId('note-input').fill('seconds sent as ms');
    await row().getByTestId('note').click();
    await expect.poll(() => row().getByTestId('workflow-note').count()).toBe(1);
    expect(await row().getByTestId('workflow-note').innerText()).toMatch(/^dashboard \(.+\): seconds sent as ms$/);
    await page.screenshot({ path: join(SHOTS, 'alerts-workflow.png'), fullPage: true });

    await page.goto(`${server.url}/alerts?status=acknowledged`);
    expect(await page.locator('[data-testid="workflow-alert"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')))).toEqual([ID]);
    await page.goto(`${server.url}/alerts?owner=bo`);
    expect(await page.locator('[data-testid="workflow-alert"]').count()).toBe(1);
    await page.goto(`${server.url}/alerts?status=firing`);
    expect(await page.locator('[data-testid="workflow-alert"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')))).toEqual(['drift-any|checkout-fraud|time_to_order|test']);

    await page.locator('[data-testid="workflow-alert"]').first().getByTestId('silence').click();
    await expect.poll(() => page.locator('[data-testid="workflow-alert"]').count()).toBe(0);
    await page.goto(`${server.url}/alerts?status=silenced`);
    expect(await page.locator('[data-testid="workflow-alert"]').first().getByTestId('workflow-detail').innerText()).toMatch(/^silenced until \d{4}-.+ by dashboard$/);
  });
});
