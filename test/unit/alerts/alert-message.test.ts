import { describe, expect, it } from 'vitest';
import { alertMessage, describeVerdict, formatNumber, formatTime } from '@/lib/alerts';
import { hourIso, point } from './points';

describe('alert messages', () => {
  it('firing drift: metric, threshold, since and hint in one sentence', () => {
    const p = point(10, 'drift', { hint: 'values look ×1000 larger: seconds sent as milliseconds?' });
    expect(alertMessage('firing', p, hourIso(8))).toBe(
      'checkout-fraud · time_to_order: drift (area 0.97 ≥ 0.12) since 2026-11-29 08:00 UTC — values look ×1000 larger: seconds sent as milliseconds?',
    );
  });

  it('firing failing: the failed-value rate, no hint dash without a hint', () => {
    expect(alertMessage('firing', point(3, 'failing', { failed_rate: 0.4123 }), hourIso(2))).toBe(
      'checkout-fraud · time_to_order: failing (41.2% failed values) since 2026-11-29 02:00 UTC',
    );
    expect(describeVerdict(point(3, 'failing', { failed_rate: null }))).toBe('failing');
  });

  it('resolved: the clear value and when it had fired', () => {
    expect(alertMessage('resolved', point(14, 'ok', { value: 0.0412 }), hourIso(12), hourIso(9))).toBe(
      'checkout-fraud · time_to_order: back to ok (area 0.0412 < 0.12) since 2026-11-29 12:00 UTC; had been firing since 2026-11-29 09:00 UTC',
    );
  });

  it('names a non-default reference', () => {
    expect(alertMessage('firing', point(1, 'drift', { reference: 'train' }), hourIso(0))).toMatch(/^checkout-fraud · time_to_order \(vs train\): drift/);
  });

  it('prints the actual relation, also when low is bad (p-values) or a number is missing', () => {
    expect(describeVerdict(point(0, 'drift', { metric: 'ks_pvalue', value: 0.0004, threshold: 0.01 }))).toBe('drift (ks_pvalue 4.00e-4 < 0.01)');
    expect(describeVerdict(point(0, 'drift', { threshold: null }))).toBe('drift (area 0.97)');
    expect(describeVerdict(point(0, 'drift', { value: null }))).toBe('drift (area n/a)');
  });

  it('formats numbers and times for people', () => {
    expect([0, 0.97, 0.12345, 12.345, 1234.6, -0.5, 2.5e7, 1e-5].map(formatNumber)).toEqual(['0', '0.97', '0.123', '12.3', '1235', '-0.5', '2.50e+7', '1.00e-5']);
    expect(formatTime('2026-11-29T08:00:00Z')).toBe('2026-11-29 08:00 UTC');
    expect(formatTime('2026-11-29T09:30:00+01:00')).toBe('2026-11-29 08:30 UTC');
  });
});
