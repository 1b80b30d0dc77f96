import { describe, expect, it } from 'vitest';
import { AlertConfig, AlertRule, ChannelConfig, VerdictPoint } from '@/lib/alerts';
import { point } from './points';

describe('alert schemas', () => {
  it('fills rule defaults', () => {
    expect(AlertRule.parse({ name: 'all', channels: ['ops'] })).toEqual({
      name: 'all', channels: ['ops'], verdicts: ['drift', 'failing'], fire_after: 2, resolve_after: 3,
    });
  });

  it('rejects bad rules', () => {
    expect(AlertRule.safeParse({ name: 'a|b', channels: [] }).success).toBe(false);
    expect(AlertRule.safeParse({ name: 'a', channels: [], fire_after: 0 }).success).toBe(false);
    expect(AlertRule.safeParse({ name: 'a', channels: [], resolve_after: 1.5 }).success).toBe(false);
    expect(AlertRule.safeParse({ name: 'a', channels: [], verdicts: ['ok'] }).success).toBe(false);
    expect(AlertRule.safeParse({ name: 'a', channels: [], verdicts: [] }).success).toBe(false);
  });

  it('fills channel defaults and requires an http(s) url for webhook and slack', () => {
    expect(ChannelConfig.parse({ name: 'hook', type: 'webhook', url: 'https://example.com/hook' })).toEqual({
      name: 'hook', type: 'webhook', url: 'https://example.com/hook', timeout_ms: 5000, max_attempts: 5, backoff_ms: 500, max_backoff_ms: 30_000, round_budget_ms: 60_000,
    });
    expect(ChannelConfig.parse({ name: 'console', type: 'log' })).toEqual({ name: 'console', type: 'log' });
    expect(ChannelConfig.safeParse({ name: 'hook', type: 'webhook' }).success).toBe(false);
    expect(ChannelConfig.safeParse({ name: 's', type: 'slack', url: 'file:///etc/passwd' }).success).toBe(false);
    expect(ChannelConfig.safeParse({ name: 's', type: 'email', url: 'https://x' }).success).toBe(false);
  });

  it('checks rule and channel names against each other', () => {
    const result = AlertConfig.safeParse({
      rules: [{ name: 'r', channels: ['ops', 'missing'] }, { name: 'r', channels: [] }],
      channels: [{ name: 'ops', type: 'log' }],
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message)).toEqual(['rule name "r" is used more than once', 'rule "r" names unknown channel "missing"']);
  });

  it('validates verdict points', () => {
    expect(VerdictPoint.safeParse(point(0, 'drift')).success).toBe(true);
    expect(VerdictPoint.safeParse({ ...point(0, 'drift'), at: '2026-11-29 08:00' }).success).toBe(false);
    expect(VerdictPoint.safeParse({ ...point(0, 'drift'), value: Number.NaN }).success).toBe(false);
  });
});
