import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '@/lib/cli/main';
import { dashboardContext } from '@/lib/dashboard';
import { reportResponse } from '@/lib/report/report-route';
import { launchChromium } from '../dashboard/server';

/**
 * `driftwatch report` on the 14-day demo store: one HTML file that opens in Chromium with every
 * network request refused (only the file itself may load), shows the summary and SVG charts, and
 * carries no script and no external URL. The route answers the same report as an attachment.
 */
process.env.DRIFTWATCH_WORKERS = '0';
const MODEL = 'checkout-fraud';
let dir: string;
let store: string;
let html: string;
let file: string;
const log: string[] = [];
const ctx = { log: (l: string) => log.push(l), error: (l: string) => log.push(`ERROR ${l}`) };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'driftwatch-report-'));
  store = join(dir, 'store');
  expect(await main(['demo', '--store', store, '--days', '14', '--no-serve'], ctx)).toBe(0);
  file = join(dir, 'report.html');
  expect(await main(['report', '--store', store, '--model', MODEL, '--out', file], ctx)).toBe(0);
  html = await readFile(file, 'utf8');
}, 600_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('driftwatch report', () => {
  it('prints where it wrote and what it charted', () => {
    const line = log.find((l) => l.startsWith('report: '));
    expect(line).toContain(file);
    expect(line).toContain('time_to_order (drift)');
  });

  it('has no script, no external URL and nothing to fetch', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<(link|img|iframe|object|embed|use)\b/i);
    expect(html).not.toMatch(/url\(|@import|@font-face/i);
    // No http(s) URL anywhere in markup: not in an attribute, not in the CSS (plain text has none either).
    expect(html.match(/https?:\/\//gi) ?? []).toEqual([]);
  });

  it('opens offline in Chromium with the summary and the charts', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const url = pathToFileURL(file).href;
      const refused: string[] = [];
      await page.route('**/*', (route) => {
        if (route.request().url() === url) return route.continue();
        refused.push(route.request().url());
        return route.abort();
      });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('requestfailed', (r) => refused.push(r.url()));
      await page.goto(url);
      const summary = await page.getByTestId('report-summary').innerText();
      expect(summary).toContain(MODEL);
      expect(summary).toMatch(/failing/);
      expect(summary).toContain('device_score is failing since');
      expect(summary).toContain('time_to_order has drifted from test since');
      expect(await page.getByTestId('report-status').innerText()).toBe('failing');
      expect(await page.getByTestId('report-performance').innerText()).toContain('estimated ROC AUC');
      // Every troubled feature has its CDF (or category bars) and its distance over time, drawn as paths.
      const sections = page.getByTestId('report-feature');
      expect(await sections.count()).toBe(5);
      expect(await page.locator('section[data-feature="time_to_order"] svg').count()).toBe(2);
      const cdf = page.locator('section[data-feature="time_to_order"] svg').first();
      expect(await cdf.locator('path.series').count()).toBe(3);
      expect(await cdf.locator('path[data-source="live"]').getAttribute('d')).toMatch(/^M[\d.]+ [\d.]+(L[\d.]+ [\d.]+){20,}/);
      const svgPaths = await page.locator('svg path.series').evaluateAll((paths) => paths.filter((p) => (p.getAttribute('d') ?? '').length > 10).length);
      expect(svgPaths).toBeGreaterThan(10);
      // The SVG is laid out (not empty boxes): the chart has a size on the page.
      const box = await cdf.boundingBox();
      expect(box?.width).toBeGreaterThan(300);
      expect(await page.getByTestId('report-features').locator('tr[data-feature]').count()).toBe(21);
      // The store by its directory's name: a report that travels does not carry the server's paths.
      const footer = await page.getByTestId('report-footer').innerText();
      expect(footer).toContain(`from the store ${basename(store)} `);
      expect(footer).not.toContain(store);
      // A4 print: one page for summary and table, then one per charted feature (at least).
      await page.emulateMedia({ media: 'print' });
      const pdf = await page.pdf({ format: 'A4', printBackground: true });
      const pages = pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g)?.length ?? 0;
      expect(pages).toBeGreaterThanOrEqual(6);
      expect(refused).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('the route answers the same report as an HTML attachment, and 400/404 as JSON', async () => {
    const context = await dashboardContext(store);
    const response = await reportResponse(new Request(`http://localhost/api/models/${MODEL}/report?window=24h&reference=train`), MODEL, context);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="driftwatch-checkout-fraud-2026-11-15-0000\.html"$/);
    const body = await response.text();
    expect(body).toContain('against <b>train</b>');
    expect(body).not.toMatch(/<script/i);
    const bad = await reportResponse(new Request(`http://localhost/api/models/${MODEL}/report?windw=24h`), MODEL, context);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain('windw: unknown parameter');
    const missing = await reportResponse(new Request('http://localhost/api/models/nope/report'), 'nope', context);
    expect(missing.status).toBe(404);
  });

  it('the CLI names a missing --out or model in one line', async () => {
    const errors: string[] = [];
    const quiet = { log: () => undefined, error: (l: string) => errors.push(l) };
    expect(await main(['report', '--store', store, '--model', MODEL], quiet)).not.toBe(0);
    expect(await main(['report', '--store', store, '--model', 'nope', '--out', join(dir, 'x.html')], quiet)).not.toBe(0);
    expect(errors.join('\n')).toContain('--out is required');
    expect(errors.join('\n')).toMatch(/nope/);
  });
});
