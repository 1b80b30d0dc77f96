import { describe, expect, it } from 'vitest';
import { pageProblem } from '@/proxy';

/** proxy.ts answers bad page URLs with the API's 400; it must not refuse what the API accepts. */
describe('page URL checks', () => {
  it('accepts `from` alone in the current hour: the window runs to the latest data, which only the view knows', () => {
    const hour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000).toISOString();
    expect(pageProblem('/models/checkout-fraud', new URLSearchParams({ from: hour }))).toBeUndefined();
  });

  it('names the parameter at fault, as the API does', () => {
    expect(pageProblem('/models/checkout-fraud', new URLSearchParams({ window: 'banana' }))).toMatch(/^window: must be a whole number/);
    expect(pageProblem('/models/checkout-fraud', new URLSearchParams({ from: 'yesterday' }))).toMatch(/^from: not a timestamp/);
    expect(pageProblem('/models/checkout-fraud', new URLSearchParams({ from: '2026-11-09T00:00:00Z', to: '2026-11-08T00:00:00Z' }))).toMatch(/^to: must be after from/);
    expect(pageProblem('/models/checkout-fraud', new URLSearchParams({ tz: 'mars' }))).toBe('tz: must be utc or local; got "mars"');
  });
});
