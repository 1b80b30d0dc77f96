import { readFile, rm } from 'node:fs/promises';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABELLED_MODEL, makeLabelledStore } from './labelled-store';
import { launchChromium, startServe, type RunningServer } from './server';

/** Issue #13's chart download on the performance page (a store with labels: ./labelled-store.ts). */
let dir: string;
let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  const made = await makeLabelledStore('driftwatch-chart-download-perf-');
  dir = made.dir;
  server = await startServe(made.store);
  browser = await launchChromium();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('performance chart download in Chromium', () => {
  it('downloads the performance chart as a PNG named after the model and metric', async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(String(e)));
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text());
    });
    await page.goto(`${server.url}/models/${LABELLED_MODEL}/performance`);
    const chart = page.getByTestId('performance-chart');
    await chart.locator('svg.recharts-surface path').first().waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), chart.getByTestId('download-png').click()]);
    expect(download.suggestedFilename()).toBe(`${LABELLED_MODEL}-performance-roc_auc.png`);
    const bytes = await readFile(await download.path());
    expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(bytes.length).toBeGreaterThan(5_000);
    expect(problems).toEqual([]);
    await context.close();
  });
});
