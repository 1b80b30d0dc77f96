import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '@/lib/cli/main';
import { openStore } from '@/lib/cli/store-context';
import { readAlertEvents } from '@/lib/compare';
import type { AlertEvent } from '@/lib/alerts';
import { DAY_MS, HOUR_MS } from '@/lib/format';

interface Fault {
  feature: string;
  kind: string;
  start: string;
  end: string;
}

describe('the demo, end to end (npm run demo without the dashboard)', () => {
  let dir: string;
  let faults: Fault[];
  let firing: AlertEvent[];
  const log: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'driftwatch-demo-'));
    const store = join(dir, 'store');
    const code = await main(['demo', '--store', store, '--no-serve'], { log: (l) => log.push(l), error: (l) => log.push(`ERROR ${l}`) });
    expect(code, log.join('\n')).toBe(0);
    faults = JSON.parse(await readFile(join(dir, 'store-data', 'faults.json'), 'utf8')) as Fault[];
    const { storage } = await openStore(store);
    const events: AlertEvent[] = [];
    for (let day = Date.parse('2026-11-01T00:00:00Z'); day <= Date.parse('2026-11-15T00:00:00Z'); day += DAY_MS) events.push(...(await readAlertEvents(storage, 'checkout-fraud', day)));
    firing = events.filter((e) => e.kind === 'firing').sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  }, 600_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const firstAlert = (feature: string, after: number) => firing.find((e) => e.feature === feature && Date.parse(e.at) > after);

  it('injects the four faults of issue #3', () => {
    expect(faults.map((f) => `${f.feature}:${f.kind}`).sort()).toEqual(['basket_value:gradual_drift', 'device_score:null_rate', 'payment_method:new_category', 'time_to_order:unit_change']);
  });

  it.each(['time_to_order', 'device_score', 'payment_method'])('flags the abrupt fault on %s within 3 evaluations of its start', (feature) => {
    const fault = faults.find((f) => f.feature === feature)!;
    const alert = firstAlert(feature, Date.parse(fault.start));
    expect(alert, `no alert on ${feature}`).toBeDefined();
    expect((Date.parse(alert!.at) - Date.parse(fault.start)) / HOUR_MS).toBeLessThanOrEqual(3);
  });

  it('says what the time_to_order fault looks like: ×1000, seconds sent as milliseconds', () => {
    const fault = faults.find((f) => f.feature === 'time_to_order')!;
    expect(firstAlert('time_to_order', Date.parse(fault.start))?.hint).toMatch(/×1000 larger: seconds sent as milliseconds\?$/);
  });

  it('calls the null-rate jump failing, and the new category by its name', () => {
    expect(firstAlert('device_score', 0)?.verdict).toBe('failing');
    expect(firstAlert('payment_method', 0)?.hint).toBe('new category not in the reference: crypto');
  });

  it('flags the slow drift of basket_value before it reaches a quarter of its course (+10%)', () => {
    const fault = faults.find((f) => f.feature === 'basket_value')!;
    const quarter = Date.parse(fault.start) + (Date.parse(fault.end) - Date.parse(fault.start)) / 4;
    const alert = firstAlert('basket_value', Date.parse(fault.start));
    expect(alert).toBeDefined();
    expect(Date.parse(alert!.at)).toBeLessThan(quarter);
  });

  it('raises no alert on a feature without a fault (the score may follow its inputs)', () => {
    const faulty = new Set(faults.map((f) => f.feature));
    expect(firing.filter((e) => !faulty.has(e.feature) && e.feature !== 'score').map((e) => `${e.feature} ${e.at}`)).toEqual([]);
    const score = firstAlert('score', 0);
    if (score) expect(Date.parse(score.at)).toBeGreaterThan(Math.min(...faults.map((f) => Date.parse(f.start))));
  });

  it('prints a summary of which alerts fired when', () => {
    expect(log.some((l) => /^demo: \d+ alerts fired/.test(l))).toBe(true);
    expect(log.filter((l) => l.startsWith('  ✓')).length).toBe(4);
  });
});
