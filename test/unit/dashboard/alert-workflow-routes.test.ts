import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, restoreStoreEnv } from '@/test/helpers/route-calls';
import { POST as ack } from '@/app/api/alerts/ack/route';
import { POST as assign } from '@/app/api/alerts/assign/route';
import { POST as note } from '@/app/api/alerts/note/route';
import { POST as silence } from '@/app/api/alerts/silence/route';
import { GET as workflow } from '@/app/api/alerts/workflow/route';
import { main } from '@/lib/cli/main';

/** The alert workflow routes on a 3-day demo store: act as an editor, then list by state and owner. */
let dir: string;
let store: string;
const previous = process.env.DRIFTWATCH_STORE;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'driftwatch-workflow-routes-'));
  store = join(dir, 'store');
  const log: string[] = [];
  const code = await main(['demo', '--store', store, '--days', '3', '--no-serve'], { log: (l) => log.push(l), error: (l) => log.push(`ERROR ${l}`) });
  expect(code, log.join('\n')).toBe(0);
  process.env.DRIFTWATCH_STORE = store;
  // The 3-day demo ends before its faults: two firing alerts of its rule, as evaluate stores them.
  const event = (feature: string) => ({ id: `drift-any|checkout-fraud|${feature}|test|firing|2026-11-20T10:00:00Z`, rule: 'drift-any', model: 'checkout-fraud', feature, reference: 'test', kind: 'firing', at: '2026-11-20T10:00:00Z', window_from: '2026-11-19T10:00:00Z', window_to: '2026-11-20T10:00:00Z', verdict: 'drift', metric: 'psi', value: 0.4, threshold: 0.2, since: '2026-11-20T09:00:00Z', message: `${feature} drifted` });
  await mkdir(join(store, 'models/checkout-fraud/alerts'), { recursive: true });
  await writeFile(join(store, 'models/checkout-fraud/alerts/day=2026-11-20.json'), JSON.stringify({ events: [event('basket_value'), event('time_to_order')] }));
}, 120_000);

afterAll(async () => {
  restoreStoreEnv(previous);
  await rm(dir, { recursive: true, force: true });
});

const post = (path: string, body: unknown) => new Request(`http://localhost${path}`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } });
const json = async (response: Response) => ({ status: response.status, body: (await response.json()) as Record<string, unknown> & { error?: string } });
type Row = { id: string; state: string; workflow: { owner: { name: string } | null; notes: { text: string; by: string }[]; acknowledged: { by: string } | null } };

describe('alert workflow routes', () => {
  it('acks, assigns, notes and silences an alert; the list filters by state and owner', async () => {
    const listed = await json(await workflow(request('/api/alerts/workflow')));
    expect(listed.status).toBe(200);
    const rows = listed.body.alerts as Row[];
    const firing = rows.filter((r) => r.state === 'firing');
    expect(firing.length).toBeGreaterThan(1);
    const [a, b] = firing;
    expect(a.id.split('|')).toHaveLength(4);

    expect((await json(await ack(post('/api/alerts/ack', { id: a.id, by: 'ana', note: 'looking' })))).status).toBe(200);
    expect((await json(await assign(post('/api/alerts/assign', { id: a.id, owner: 'bo', by: 'ana' })))).status).toBe(200);
    expect((await json(await note(post('/api/alerts/note', { id: a.id, text: 'seconds sent as ms', by: 'bo' })))).status).toBe(200);
    expect((await json(await silence(post('/api/alerts/silence', { id: b.id, for: '12h', by: 'cy' })))).status).toBe(200);

    const acked = (await json(await workflow(request('/api/alerts/workflow?state=acknowledged')))).body.alerts as Row[];
    expect(acked.map((r) => r.id)).toEqual([a.id]);
    expect(acked[0].workflow.notes).toEqual([expect.objectContaining({ by: 'bo', text: 'seconds sent as ms' })]);
    const owned = (await json(await workflow(request('/api/alerts/workflow?owner=bo')))).body.alerts as Row[];
    expect(owned.map((r) => r.id)).toEqual([a.id]);
    const silenced = (await json(await workflow(request('/api/alerts/workflow?state=silenced')))).body.alerts as Row[];
    expect(silenced.map((r) => r.id)).toEqual([b.id]);

    const file = JSON.parse(await readFile(join(store, 'models/checkout-fraud/state/alert-workflow.json'), 'utf8')) as { actions: { type: string; by: string }[] };
    expect(file.actions.map((x) => `${x.type}:${x.by}`)).toEqual(['ack:ana', 'assign:ana', 'note:bo', 'silence:cy']);
  });

  it('answers bad input with a 400 naming the field', async () => {
    const cases: [Promise<Response>, RegExp][] = [
      [ack(post('/api/alerts/ack', 'not json')), /^body: not JSON/],
      [ack(post('/api/alerts/ack', { id: 'x' })), /is not an alert id/],
      [ack(post('/api/alerts/ack', { id: 'r|../../etc|f|test' })), /no model "..\/..\/etc"/],
      [ack(post('/api/alerts/ack', { id: 'r|checkout-fraud|f|test', evil: 1 })), /^evil: unknown field/],
      [assign(post('/api/alerts/assign', { id: 'r|checkout-fraud|f|test' })), /^owner: required/],
      [silence(post('/api/alerts/silence', { rule: 'drift-any', until: 'tomorrow' })), /^until: "tomorrow" is not an ISO time/],
      [silence(post('/api/alerts/silence', { id: 'r|checkout-fraud|f|test', rule: 'x', for: '1h' })), /^id or rule: give one/],
      [note(post('/api/alerts/note', { id: 'r|checkout-fraud|f|test', text: 'x'.repeat(20_000) })), /^body: at most 16384 bytes/],
      [workflow(request('/api/alerts/workflow?state=open')), /^state: must be one of firing, acknowledged, silenced, resolved/],
    ];
    for (const [response, message] of cases) {
      const { status, body } = await json(await response);
      expect(status === 400 || status === 413, `${status} ${body.error}`).toBe(true);
      expect(body.error).toMatch(message);
    }
  });
});
