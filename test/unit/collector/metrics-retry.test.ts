import { describe, expect, it, vi } from 'vitest';
import { MetricsRegistry } from '@/lib/collector/metrics';
import { backoffMs, withRetry } from '@/lib/collector/retry';

describe('MetricsRegistry', () => {
  it('renders counters and gauges with HELP, TYPE, prefixed names and escaped labels', () => {
    const m = new MetricsRegistry();
    m.inc('events_received_total', { source: 'http' });
    m.inc('events_received_total', { source: 'http' }, 4);
    m.inc('events_received_total', { source: 'redis' });
    m.set('buffered_bytes', 1234);
    m.inc('driftwatch_collector_queue_dead_total', { queue: 'a"b\\c\nd' });
    expect(m.render()).toBe(
      [
        '# HELP driftwatch_collector_buffered_bytes Bytes of events held in memory, not yet written.',
        '# TYPE driftwatch_collector_buffered_bytes gauge',
        'driftwatch_collector_buffered_bytes 1234',
        '# HELP driftwatch_collector_events_received_total Events received (non-blank lines), by source.',
        '# TYPE driftwatch_collector_events_received_total counter',
        'driftwatch_collector_events_received_total{source="http"} 5',
        'driftwatch_collector_events_received_total{source="redis"} 1',
        '# HELP driftwatch_collector_queue_dead_total driftwatch collector queue dead total',
        '# TYPE driftwatch_collector_queue_dead_total counter',
        'driftwatch_collector_queue_dead_total{queue="a\\"b\\\\c\\nd"} 1',
        '',
      ].join('\n'),
    );
    expect(m.get('events_received_total', { source: 'http' })).toBe(5);
    expect(m.total('events_received_total')).toBe(6);
    expect(() => m.inc('bad name')).toThrow(/invalid metric name/);
  });
});

describe('withRetry', () => {
  it('backs off with full jitter under an exponential ceiling capped at capMs', () => {
    expect([0, 1, 2, 3, 10].map((a) => backoffMs(a, 100, 1_000, () => 0.999999))).toEqual([99, 199, 399, 799, 999]);
    expect(backoffMs(5, 100, 1_000, () => 0)).toBe(0);
  });

  it('retries until it succeeds, reporting each retry', async () => {
    let calls = 0;
    const onRetry = vi.fn();
    const value = await withRetry(
      async () => {
        if (++calls < 4) throw new Error(`fail ${calls}`);
        return 'done';
      },
      { baseMs: 1, capMs: 2, onRetry },
    );
    expect([value, calls, onRetry.mock.calls.map((c) => c[0])]).toEqual(['done', 4, [1, 2, 3]]);
  });

  it('rethrows the last error once the signal aborts', async () => {
    const controller = new AbortController();
    let calls = 0;
    const run = withRetry(
      async () => {
        calls++;
        if (calls === 3) controller.abort();
        throw new Error(`fail ${calls}`);
      },
      { baseMs: 1, capMs: 2, signal: controller.signal },
    );
    await expect(run).rejects.toThrow('fail 3');
    expect(calls).toBe(3);
  });
});
