import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '@/lib/cli/main';
import { launchChromium, SHOTS, startServe, type RunningServer } from '../dashboard/server';

/**
 * The model page's "Download report" and "Share snapshot", through `driftwatch serve` in
 * Chromium: the link downloads the report as an HTML attachment of the page's view, and the
 * snapshot link opens the frozen view with its creation time. Needs `npm run build`.
 */
const MODEL = 'checkout-fraud';
const VIEW = 'from=2026-11-10T00:00:00Z&to=2026-11-11T00:00:00Z&reference=train';
let dir: string;
let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'driftwatch-dashboard-report-'));
  const log: string[] = [];
  expect(await main(['demo', '--store', join(dir, 'store'), '--days', '14', '--no-serve'], { log: (l) => log.push(l), error: (l) => log.push(l) })).toBe(0);
  server = await startServe(join(dir, 'store'));
  browser = await launchChromium();
  await mkdir(SHOTS, { recursive: true });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('report and snapshot from the model page', () => {
  it('"Download report" downloads the view as one HTML attachment', async () => {
    const page = await browser.newPage({ acceptDownloads: true });
    await page.goto(`${server.url}/models/${MODEL}?${VIEW}`);
    const link = page.getByTestId('download-report');
    expect(await link.getAttribute('href')).toBe(`/api/models/${MODEL}/report?from=2026-11-10T00%3A00%3A00Z&to=2026-11-11T00%3A00%3A00Z&reference=train`);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('driftwatch-checkout-fraud-2026-11-11-0000.html');
    const response = await fetch(`${server.url}/api/models/${MODEL}/report?${VIEW}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toContain('attachment');
    const html = await response.text();
    expect(html).toContain('against <b>train</b>');
    expect(html).toMatch(/<svg class="chart"/);
    await page.close();
  });

  it('"Share snapshot" freezes the view; its link shows it with its creation time', async () => {
    const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${server.url}/models/${MODEL}?${VIEW}`);
    await page.getByTestId('share-snapshot').click();
    const link = page.getByTestId('snapshot-link');
    await link.waitFor();
    const href = (await link.getAttribute('href')) ?? '';
    expect(href).toMatch(/^\/snapshots\/[0-9a-f]{16}$/);
    const opened = await page.goto(`${server.url}${href}`);
    expect(opened?.status()).toBe(200);
    const created = await page.getByTestId('snapshot-created').innerText();
    expect(created).toMatch(/Frozen at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    expect(created).toContain('2026-11-10T00:00:00.000Z – 2026-11-11T00:00:00.000Z');
    expect(await page.getByTestId('snapshot-features').locator('tr[data-feature], tbody tr').count()).toBeGreaterThan(10);
    expect(await page.locator('.snapshot-report svg path.series').count()).toBeGreaterThan(3);
    await page.screenshot({ path: join(SHOTS, 'snapshot-page.png'), fullPage: true });
    const listed = (await (await fetch(`${server.url}/api/snapshots`)).json()) as { snapshots: { id: string }[] };
    expect(listed.snapshots.map((s) => `/snapshots/${s.id}`)).toEqual([href]);
    expect((await fetch(`${server.url}/api/snapshots/${href.split('/').pop()}`, { method: 'DELETE' })).status).toBe(204);
    expect((await page.goto(`${server.url}${href}`))?.status()).toBe(404);
    expect(errors).toEqual([]);
    await page.close();
  });
});
