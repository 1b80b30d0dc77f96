import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '@/lib/cli/main';
import { pageProblem } from '@/proxy';
import { END, LABELLED_MODEL, LABELLED_UNTIL, makeLabelledStore, START } from './labelled-store';
import { launchChromium, SHOTS, startServe, type RunningServer } from './server';

/**
 * The performance page of issue #12 in Debian's Chromium, on a small store made through the CLI
 * with delayed labels (./labelled-store.ts): the chart draws realised and estimated lines, the
 * table agrees with the API, a click on a window shows its confusion matrix, and a copied link
 * reopens the same view. Screenshots go to test-artifacts/screenshots/.
 */
const PAGE = `/models/${LABELLED_MODEL}/performance`;
const UNLABELLED = 'plain-score';
const DAY = 86_400_000;

let dir: string;
let server: RunningServer;
let browser: Browser;
let page: Page;
const errors: string[] = [];

interface ApiWindow {
  from: string;
  realised: { roc_auc: number } | null;
  estimated: { roc_auc: number } | null;
}

beforeAll(async () => {
  const made = await makeLabelledStore('driftwatch-performance-page-');
  dir = made.dir;
  // A second model with a score but no labels anywhere: the page's empty states.
  const log: string[] = [];
  const flags = ['--model', UNLABELLED, '--timestamp-col', 'ts', '--score-col', 'score'];
  for (const args of [['reference', 'add', '--name', 'test', '--file', join(dir, 'reference.csv'), '--exclude', 'label', ...flags], ['ingest', '--file', join(dir, 'predictions.csv'), '--id-col', 'id', ...flags], ['profile']]) {
    expect(await main([...args, '--store', made.store], { log: (l) => log.push(l), error: (l) => log.push(l) }), log.join('\n')).toBe(0);
  }
  server = await startServe(made.store);
  await mkdir(SHOTS, { recursive: true });
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
  page.on('pageerror', (e) => errors.push(String(e)));
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

const api = async (query: string): Promise<{ windows: ApiWindow[]; reference_roc_auc: number | null }> => {
  const response = await fetch(`${server.url}/api/models/${LABELLED_MODEL}/performance?${query}`);
  expect(response.status).toBe(200);
  return (await response.json()) as { windows: ApiWindow[]; reference_roc_auc: number | null };
};

/** The `d` of a recharts line's curve: a drawn line has at least one segment. */
const curve = (target: Page, line: string) => target.locator(`[data-testid="performance-chart"] .${line} path.recharts-line-curve`).first().getAttribute('d');

describe('the performance page', () => {
  it('draws realised and estimated lines, the band and coverage, for the last 30 days by day', async () => {
    const response = await page.goto(`${server.url}${PAGE}`);
    expect(response?.status()).toBe(200);
    await page.getByTestId('performance-chart').waitFor();
    expect(await curve(page, 'line-realised')).toMatch(/^M[\d.,-]+L/);
    expect(await curve(page, 'line-estimated')).toMatch(/^M[\d.,-]+L/);
    expect(await page.locator('[data-testid="performance-chart"] .area-band path.recharts-area-area').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="performance-chart"] .area-coverage path.recharts-area-area').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="performance-chart"] .recharts-reference-line').count()).toBe(1);
    // 30 days by day, ending at the latest data: 20 empty days, 7 fully labelled, 3 labelled one in five.
    expect(await page.locator('[data-testid="performance-table"] tbody tr').count()).toBe(30);
    await page.screenshot({ path: join(SHOTS, 'performance-1400.png'), fullPage: true });
  });

  it('shows in the table the realised ROC AUC the API returns, to 3 decimals', async () => {
    const { windows } = await api('window=30d&step=1d');
    const realised = windows.filter((w) => w.realised !== null);
    expect(realised).toHaveLength(7);
    for (const w of windows) {
      const row = page.locator(`[data-testid="performance-table"] tbody tr[data-from="${w.from}"]`);
      expect(await row.getByTestId('realised').innerText()).toBe(w.realised ? w.realised.roc_auc.toFixed(3) : '–');
      expect((await row.getByTestId('estimated').innerText()).split(' ')[0]).toBe(w.estimated ? w.estimated.roc_auc.toFixed(3) : '–');
    }
    // Without labels enough, the row says why.
    const late = page.locator(`[data-testid="performance-table"] tbody tr[data-from="${new Date(END - DAY).toISOString()}"]`);
    expect(await late.locator('td.notes').innerText()).toMatch(/20\.0% of the predictions are labelled; realised figures need 50%/);
  });

  it('selects the latest window with realised figures by default; a click on a row or a point shows that window', async () => {
    const latestRealised = new Date(LABELLED_UNTIL - DAY).toISOString();
    expect(await page.getByTestId('window-detail').getAttribute('data-window-from')).toBe(latestRealised);
    // A row with realised figures: both matrices, counts adding up to the labelled predictions.
    const first = new Date(START).toISOString();
    await page.locator(`[data-testid="performance-table"] tbody tr[data-from="${first}"]`).click();
    await page.waitForURL((url) => url.searchParams.get('selected') === first);
    // The URL changes first, then React renders the selection.
    await expect.poll(() => page.getByTestId('window-detail').getAttribute('data-window-from')).toBe(first);
    const cells = await page.locator('[data-testid="confusion-realised"] tbody td').allInnerTexts();
    const counts = cells.map((c) => Number(c.split(' ')[0].replace(/,/g, '')));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(720);
    expect(await page.getByTestId('confusion-expected').count()).toBe(1);
    expect(await curve(page, 'line-estimated')).not.toBeNull();
    expect(await page.locator('[data-testid="calibration-curve"] .line-calibration path.recharts-line-curve').getAttribute('d')).toMatch(/^M/);
    // A point of the chart: the last window (estimate only) says why it has no realised figures.
    // Mouse coordinates are the viewport's: bring the chart into view, and hover first, as a person does.
    const grid = page.locator('[data-testid="performance-chart"] .recharts-cartesian-grid');
    await grid.scrollIntoViewIfNeeded();
    const box = (await grid.boundingBox())!;
    await page.mouse.move(box.x + box.width - 40, box.y + box.height / 2);
    await page.mouse.move(box.x + box.width - 8, box.y + box.height / 2, { steps: 4 });
    await page.waitForTimeout(100);
    await page.mouse.down();
    await page.mouse.up();
    const last = new Date(END - DAY).toISOString();
    await page.waitForURL((url) => url.searchParams.get('selected') === last);
    await expect.poll(() => page.getByTestId('window-detail').getAttribute('data-window-from')).toBe(last);
    expect(await page.getByTestId('no-realised').innerText()).toMatch(/^No realised figures: 20\.0% of the predictions are labelled/);
    expect(await page.getByTestId('confusion-expected').count()).toBe(1);
    await page.screenshot({ path: join(SHOTS, 'performance-selected-1400.png'), fullPage: true });
  });

  it('a copied link reopens the same view in a fresh browser context', async () => {
    await page.goto(`${server.url}${PAGE}?window=7d&step=6h`);
    const chosen = new Date(START + 5 * DAY + 12 * 3_600_000).toISOString();
    await page.locator(`[data-testid="performance-table"] tbody tr[data-from="${chosen}"]`).click();
    await page.waitForURL((url) => url.searchParams.get('selected') === chosen);
    await expect.poll(() => page.getByTestId('window-detail').getAttribute('data-window-from')).toBe(chosen);
    const shownRows = await page.locator('[data-testid="performance-table"] tbody tr').allInnerTexts();
    expect(shownRows).toHaveLength(28);
    await page.getByTestId('copy-link').click();
    const link = new URL(await page.getByTestId('copied-link').inputValue());
    expect(Object.fromEntries(link.searchParams)).toEqual({ from: new Date(END - 7 * DAY).toISOString(), to: new Date(END).toISOString(), step: '6h', reference: 'test', metric: 'roc_auc', selected: chosen, tz: 'utc' });
    // The proxy checks page URLs with the drift metrics until it knows this page (lib/dashboard/performance-params.ts).
    if (pageProblem(PAGE, new URLSearchParams('metric=roc_auc')) !== undefined) link.searchParams.delete('metric');
    const fresh = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    try {
      const tab = await fresh.newPage();
      tab.on('pageerror', (e) => errors.push(String(e)));
      expect((await tab.goto(link.toString()))?.status()).toBe(200);
      await tab.getByTestId('performance-chart').waitFor();
      expect(await tab.locator('[data-testid="performance-table"] tbody tr').allInnerTexts()).toEqual(shownRows);
      expect(await tab.getByTestId('window-detail').getAttribute('data-window-from')).toBe(chosen);
      expect(await tab.locator('select[aria-label="step"]').inputValue()).toBe('6h');
    } finally {
      await fresh.close();
    }
  });

  it('the metric is in the URL: F1 plots realised and estimated F1, no band', async () => {
    // The proxy lets performance metrics through on this page (a drift metric check refused them once).
    expect(pageProblem(PAGE, new URLSearchParams('metric=f1'))).toBeUndefined();
    await page.goto(`${server.url}${PAGE}?metric=f1`);
    await page.getByTestId('performance-chart').waitFor();
    expect(await page.locator('[data-testid="performance-chart"] .area-band').count()).toBe(0);
    const { windows } = await api('window=30d&step=1d');
    const w = windows.find((x) => x.realised !== null)! as ApiWindow & { realised: { f1: number } };
    expect(await page.locator(`[data-testid="performance-table"] tbody tr[data-from="${w.from}"]`).getByTestId('realised').innerText()).toBe(w.realised.f1.toFixed(3));
  });

  it('the metric picker changes the plotted metric without a reload', async () => {
    await page.goto(`${server.url}${PAGE}`);
    await page.locator('select[aria-label="metric"]').selectOption('accuracy');
    await page.waitForURL((url) => url.searchParams.get('metric') === 'accuracy');
    // The URL changes first, then React renders the new metric.
    await expect.poll(() => page.locator('[data-testid="performance-table"] thead').innerText()).toMatch(/Realised accuracy/);
    expect(await page.locator('[data-testid="performance-chart"] .area-band').count()).toBe(0);
    expect(await curve(page, 'line-realised')).toMatch(/^M/);
  });

  it('the overview and the model page show the latest estimate and realised ROC AUC, linking here', async () => {
    const summary = await api(`from=${new Date(END - DAY).toISOString()}&to=${new Date(END).toISOString()}`);
    await page.goto(`${server.url}/`);
    const cell = page.locator(`tr[data-model="${LABELLED_MODEL}"]`).getByTestId('performance-figure');
    expect(await cell.getByTestId('estimated-roc-auc').innerText()).toMatch(new RegExp(`^est\\. ${summary.windows[0].estimated!.roc_auc.toFixed(3)} \\[`));
    await cell.click();
    await page.waitForURL((url) => url.pathname === PAGE);
    await page.getByTestId('performance-chart').waitFor();
    await page.goto(`${server.url}/models/${LABELLED_MODEL}`);
    expect(await page.getByTestId('performance-figure').innerText()).toMatch(/^ROC AUC est\. \d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\].*realised \d\.\d{3}/);
  });

  it('an empty range says there are no predictions, in plain words', async () => {
    await page.goto(`${server.url}${PAGE}?from=2026-08-01T00:00:00Z&to=2026-08-03T00:00:00Z`);
    expect(await page.getByTestId('empty-no-predictions').innerText()).toMatch(/^No predictions in this range/);
    expect(await page.getByTestId('performance-chart').count()).toBe(0);
  });

  it('a model without labels says how to add them, and how to add a reference with labels', async () => {
    expect((await page.goto(`${server.url}/models/${UNLABELLED}/performance`))?.status()).toBe(200);
    expect(await page.getByTestId('empty-no-labels-added').innerText()).toMatch(new RegExp(`^No labels have been added for ${UNLABELLED} yet.*driftwatch labels add --model ${UNLABELLED}`));
    expect(await page.getByTestId('empty-no-reference-labels').innerText()).toMatch(/^Reference "test" has no labels.*driftwatch reference add --model plain-score --name test .*--label-col/);
    // No table of empty windows: without performance profiles the windows would wrongly show 0 predictions.
    expect(await page.getByTestId('performance-table').count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'performance-no-labels-1400.png'), fullPage: true });
    await page.goto(`${server.url}/`);
    expect(await page.locator(`tr[data-model="${UNLABELLED}"] td`).last().innerText()).toBe('no labels');
  });

  it('raised no page errors', () => {
    expect(errors).toEqual([]);
  });
});
