import { describe, expect, it } from 'vitest';
import { alertDeliveryKey } from '@/lib/compare';
import type { DashboardContext } from '@/lib/dashboard/context';
import { alertDelivery } from '@/lib/dashboard/views';
import { MemoryStorage } from '@/lib/storage';

const ok = { last_attempt_at: '2026-12-02T03:00:00.000Z', last_success_at: '2026-12-02T03:00:00.000Z', last_error: null, last_error_at: null, pending: 0, delivered_last_round: 2, failed_last_round: 0 };
const down = { last_attempt_at: '2026-12-02T03:00:00.000Z', last_success_at: null, last_error: 'HTTP 503 from webhook channel "ops-webhook": maintenance', last_error_at: '2026-12-02T03:00:00.000Z', pending: 3, delivered_last_round: 0, failed_last_round: 3 };

describe('alertDelivery (the alerts page and /api/alerts `delivery`)', () => {
  it('lists every channel of a model from state/alert-delivery.json, failing ones first', async () => {
    const storage = new MemoryStorage();
    await storage.write(alertDeliveryKey('m'), JSON.stringify({ version: 1, channels: { log: ok, 'ops-webhook': down } }));
    // alertDelivery reads only `storage` of the context.
    const ctx = { storage } as unknown as DashboardContext;
    expect(await alertDelivery(ctx, { model: 'm' })).toEqual([
      { model: 'm', channel: 'ops-webhook', ...down },
      { model: 'm', channel: 'log', ...ok },
    ]);
    expect(await alertDelivery(ctx, { model: 'other' })).toEqual([]);
  });
});

describe('alertDelivery with a damaged status file', () => {
  it('shows a row naming the key instead of failing the page', async () => {
    const storage = new MemoryStorage();
    await storage.write(alertDeliveryKey('m'), '{"version": 1, "chan');
    const ctx = { storage } as unknown as DashboardContext;
    const [row] = await alertDelivery(ctx, { model: 'm' });
    expect(row.channel).toBe('(status unreadable)');
    expect(row.last_error).toMatch(/^models\/m\/state\/alert-delivery\.json is damaged \(not valid JSON: .*\): run `driftwatch doctor/);
  });
});
