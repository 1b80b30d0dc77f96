import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mergeIntoOutbox, type AlertEvent, type AlertRule } from '@/lib/alerts';
import { addAction, emptyWorkflow, parseAlertId, silenceOf, silenceUntil, workflowState, workflowView } from '@/lib/alerts/workflow';
import { main } from '@/lib/cli/main';

const ID = 'drift-any|checkout-fraud|time_to_order|test';
const NOW = Date.parse('2026-12-07T10:00:00Z');

function event(rule = 'drift-any'): AlertEvent {
  return { id: `${rule}|checkout-fraud|time_to_order|test|firing|2026-12-07T09:00:00Z`, rule, model: 'checkout-fraud', feature: 'time_to_order', reference: 'test', kind: 'firing', at: '2026-12-07T09:00:00Z', window_from: '2026-12-06T21:00:00Z', window_to: '2026-12-07T09:00:00Z', verdict: 'drift', metric: 'psi', value: 0.5, threshold: 0.2, since: '2026-12-07T08:00:00Z', message: 'm' };
}
const RULES = [{ name: 'drift-any', channels: ['log'], verdicts: ['drift'], fire_after: 1, resolve_after: 1 }] as AlertRule[];

describe('alert workflow', () => {
  it('parses the alertKey as ALERT_ID, a feature may hold "|"', () => {
    expect(parseAlertId(ID)).toEqual({ rule: 'drift-any', model: 'checkout-fraud', feature: 'time_to_order', reference: 'test' });
    expect(parseAlertId('r|m|a|b|test')?.feature).toBe('a|b');
    expect(parseAlertId('r|m|test')).toBeUndefined();
  });

  it('keeps who and when; state is silenced over acknowledged over firing; a silence ends at its until', () => {
    let w = addAction(emptyWorkflow(), { type: 'ack', target: { alert: ID }, by: 'ana', at: '2026-12-07T09:30:00Z', note: 'looking' });
    w = addAction(w, { type: 'assign', target: { alert: ID }, by: 'ana', at: '2026-12-07T09:31:00Z', owner: 'bo' });
    w = addAction(w, { type: 'note', target: { alert: ID }, by: 'bo', at: '2026-12-07T09:32:00Z', text: 'upstream unit change' });
    const view = workflowView(w, ID, NOW);
    expect(view.acknowledged).toEqual({ by: 'ana', at: '2026-12-07T09:30:00Z', note: 'looking' });
    expect(view.owner).toEqual({ name: 'bo', by: 'ana', at: '2026-12-07T09:31:00Z' });
    expect(view.notes).toEqual([{ by: 'bo', at: '2026-12-07T09:32:00Z', text: 'upstream unit change' }]);
    expect(workflowState(true, view)).toBe('acknowledged');
    expect(workflowState(false, view)).toBe('resolved');
    w = addAction(w, { type: 'silence', target: { rule: 'drift-any' }, by: 'cy', at: '2026-12-07T09:40:00Z', until: '2026-12-07T22:00:00Z' });
    expect(workflowState(true, workflowView(w, ID, NOW))).toBe('silenced');
    expect(workflowView(w, ID, Date.parse('2026-12-07T22:00:00Z')).silenced).toBeNull();
  });

  it('a silenced rule does not notify: the outbox holds it back and says until when', () => {
    const w = addAction(emptyWorkflow(), { type: 'silence', target: { rule: 'drift-any' }, by: 'cy', at: '2026-12-07T09:40:00Z', until: '2026-12-08T00:00:00Z' });
    const merged = mergeIntoOutbox({ entries: [] }, [event()], RULES, 1000, silenceOf(w, NOW));
    expect(merged.outbox.entries).toEqual([]);
    expect(merged.silenced.map((s) => [s.channel, s.until])).toEqual([['log', '2026-12-08T00:00:00Z']]);
    const later = mergeIntoOutbox({ entries: [] }, [event()], RULES, 1000, silenceOf(w, Date.parse('2026-12-08T00:00:01Z')));
    expect(later.outbox.entries.map((e) => e.channel)).toEqual(['log']);
    expect(later.silenced).toEqual([]);
  });

  it('reads --until without seconds and --for durations', () => {
    expect(silenceUntil({ until: '2026-12-10T00:00Z' }, NOW)).toBe('2026-12-10T00:00:00.000Z');
    expect(silenceUntil({ for: '12h' }, NOW)).toBe('2026-12-07T22:00:00.000Z');
    expect(() => silenceUntil({ for: '-1h' }, NOW)).toThrow(/not a duration/);
    expect(() => silenceUntil({ until: '0000-01-01T00:00Z/../x' }, NOW)).toThrow(/not an ISO time/);
  });
});

describe('driftwatch alerts ack|silence|assign|note|list', () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('stores actions in models/<m>/state/alert-workflow.json and lists them', async () => {
    dir = await mkdtemp(join(tmpdir(), 'driftwatch-workflow-'));
    const store = join(dir, 'store');
    const out: string[] = [];
    const ctx = { log: (l: string) => out.push(l), error: (l: string) => out.push(`ERR ${l}`) };
    expect(await main(['init', '--store', store], ctx)).toBe(0);
    // No model yet: a clear error, nothing written.
    expect(await main(['alerts', 'ack', '--store', store, '--id', ID], ctx)).toBe(2);
    expect(out.at(-1)).toMatch(/ERR driftwatch alerts ack: no model "checkout-fraud" in the store/);
    const { openStorage } = await import('@/lib/storage');
    await openStorage(store).write('models/checkout-fraud/model.json', '{}');
    expect(await main(['alerts', 'ack', '--store', store, '--id', ID, '--by', 'ana', '--note', 'on it'], ctx)).toBe(0);
    expect(await main(['alerts', 'assign', '--store', store, '--id', ID, '--owner', 'bo', '--by', 'ana'], ctx)).toBe(0);
    expect(await main(['alerts', 'note', '--store', store, '--id', ID, '--text', 'unit change', '--by', 'bo'], ctx)).toBe(0);
    expect(await main(['alerts', 'silence', '--store', store, '--rule', 'drift-any', '--for', '12h', '--by', 'cy'], ctx)).toBe(0);
    expect(await main(['alerts', 'silence', '--store', store, '--id', 'drift-any', '--until', '2026-12-10T00:00Z', '--by', 'cy'], ctx)).toBe(0);
    expect(out.at(-1)).toMatch(/^silence rule drift-any until 2026-12-10T00:00:00.000Z by cy at .*; stored in models\/checkout-fraud\/state\/alert-workflow.json$/);
    expect(await main(['alerts', 'silence', '--store', store, '--id', ID, '--for', 'soon'], ctx)).toBe(2);
    expect(out.at(-1)).toMatch(/for: "soon" is not a duration like 30m, 12h/);
    const file = JSON.parse(await readFile(join(store, 'models/checkout-fraud/state/alert-workflow.json'), 'utf8')) as { actions: { type: string; by: string; at: string }[] };
    expect(file.actions.map((a) => [a.type, a.by])).toEqual([['ack', 'ana'], ['assign', 'ana'], ['note', 'bo'], ['silence', 'cy'], ['silence', 'cy']]);
    expect(file.actions.every((a) => Number.isFinite(Date.parse(a.at)))).toBe(true);
    out.length = 0;
    expect(await main(['alerts', 'list', '--store', store, '--state', 'nope'], ctx)).toBe(2);
    expect(out[0]).toMatch(/--state must be one of firing, acknowledged, silenced, resolved/);
  });
});
