import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as performance } from '@/app/api/models/[model]/performance/route';
import { GET as compare } from '@/app/api/models/[model]/compare/route';
import { GET as models } from '@/app/api/models/route';
import { main } from '@/lib/cli/main';
import { performancePageProblem } from '@/lib/dashboard/performance-params';
import { params, request, restoreStoreEnv } from '@/test/helpers/route-calls';
import { END, LABELLED_MODEL, LABELLED_UNTIL, makeLabelledStore, START } from '@/test/integration/dashboard/labelled-store';

/** GET /api/models/{model}/performance called with a Request, on a small store with delayed labels made through the CLI. */
let dir: string;
let store: string;
const previous = process.env.DRIFTWATCH_STORE;
const DAY = 86_400_000;

beforeAll(async () => {
  ({ dir, store } = await makeLabelledStore('driftwatch-performance-route-'));
  process.env.DRIFTWATCH_STORE = store;
}, 120_000);

afterAll(async () => {
  restoreStoreEnv(previous);
  await rm(dir, { recursive: true, force: true });
});

interface Window {
  from: string;
  to: string;
  predictions: number;
  labelled: number;
  coverage: number | null;
  realised: { roc_auc: number } | null;
  estimated: { roc_auc: number; roc_auc_lower: number; roc_auc_upper: number } | null;
  realised_note?: string;
}
const get = async (query: string, model = LABELLED_MODEL) => {
  const response = await performance(request(`/api/models/${model}/performance${query}`), params({ model }));
  return { status: response.status, body: (await response.json()) as { error?: string; code?: string; windows: Window[]; model: string; reference: string; reference_roc_auc: number | null } };
};

describe('GET /api/models/{model}/performance', () => {
  it('answers what `driftwatch performance --json` prints for the same window and step', async () => {
    const lines: string[] = [];
    const range = `--from ${new Date(START).toISOString()} --to ${new Date(END).toISOString()} --step 1d`.split(' ');
    expect(await main(['performance', '--store', store, '--model', LABELLED_MODEL, ...range, '--json'], { log: (l) => lines.push(l), error: (l) => lines.push(l) })).toBe(0);
    const { status, body } = await get(`?from=${new Date(START).toISOString()}&to=${new Date(END).toISOString()}&step=1d`);
    expect(status).toBe(200);
    expect(body).toEqual(JSON.parse(lines.join('\n')));
    expect(body.windows).toHaveLength(10);
    // All labelled before LABELLED_UNTIL: realised; one in five after it: an estimate only, and why.
    for (const w of body.windows) {
      if (Date.parse(w.to) <= LABELLED_UNTIL) {
        expect(w.coverage).toBe(1);
        expect(w.realised!.roc_auc).toBeGreaterThan(0.75);
      } else {
        expect(w.coverage).toBeCloseTo(0.2, 6);
        expect(w.realised).toBeNull();
        expect(w.realised_note).toMatch(/20\.0% of the predictions are labelled; realised figures need 50%/);
      }
      expect(w.estimated!.roc_auc_lower).toBeLessThanOrEqual(w.estimated!.roc_auc);
      expect(w.estimated!.roc_auc_upper).toBeGreaterThanOrEqual(w.estimated!.roc_auc);
    }
    expect(body.reference_roc_auc).toBeGreaterThan(0.75);
  });

  it('defaults to the last 30 days of data as one window, and `window` ends at the latest data', async () => {
    const whole = await get('');
    expect(whole.status).toBe(200);
    expect(whole.body.windows).toHaveLength(1);
    expect(whole.body.windows[0]).toMatchObject({ from: new Date(END - 30 * DAY).toISOString(), to: new Date(END).toISOString(), predictions: 7200 });
    const week = await get('?window=3d&step=1d&metric=f1&reference=test');
    expect(week.status).toBe(200);
    expect(week.body.windows.map((w) => w.from)).toEqual([3, 2, 1].map((d) => new Date(END - d * DAY).toISOString()));
  });

  it.each([
    ['?window=banana', /^window: must be a whole number of hours, days or weeks/],
    ['?from=yesterday&to=2026-10-02T00:00:00Z', /^from: not a timestamp/],
    ['?from=2026-10-02T00:00:00Z&to=2026-10-01T00:00:00Z', /^to: must be after from/],
    ['?window=3d&from=2026-10-02T00:00:00Z&to=2026-10-03T00:00:00Z', /^window: give either a window or from/],
    ['?window=500d', /^window: a window may span at most 400 days/],
    ['?step=90m', /^step: must be a whole number of hours, days or weeks, e\.g\. 1d; got "90m"/],
    ['?step=banana', /^step: /],
    ['?window=400d&step=1h', /^step: 9600 windows requested, at most 2000/],
    ['?metric=ks', /^metric: must be one of roc_auc, accuracy, precision, recall, f1, average_precision, log_loss, brier; got "ks"/],
    ['?reference=../x', /^reference: /],
    ['?form=2026-10-01T00:00:00Z', /^form: unknown parameter; this route takes window, from, to, step, reference, metric/],
    ['?step=1d&step=2d', /^step: given 2 times, expected once/],
  ])('%s → 400 naming the parameter', async (query, message) => {
    const { status, body } = await get(query);
    expect({ status, code: body.code }).toEqual({ status: 400, code: 'bad_request' });
    expect(body.error).toMatch(message);
  });

  it('answers 404 for an unknown model or reference, 400 for a bad model name', async () => {
    expect(await get('', 'ghost').then((r) => [r.status, r.body.error])).toEqual([404, `no model "ghost" in this store (models: ${LABELLED_MODEL})`]);
    expect(await get('?reference=golden').then((r) => [r.status, r.body.error])).toEqual([404, `model "${LABELLED_MODEL}" has no reference "golden" (references: test)`]);
    const bad = await performance(request('/api/models/x/performance'), params({ model: '../x' }));
    expect(bad.status).toBe(400);
  });

  it('puts the latest estimate and realised ROC AUC on the overview and the model page', async () => {
    const overview = (await (await models(request('/api/models'))).json()) as { models: { model: string; performance: { estimated: { to: string; roc_auc: number } | null; realised: { to: string; roc_auc: number; coverage: number } | null } | null }[] };
    const perf = overview.models.find((m) => m.model === LABELLED_MODEL)!.performance!;
    expect(perf.estimated).toMatchObject({ to: new Date(END).toISOString() });
    expect(perf.realised).toMatchObject({ to: new Date(LABELLED_UNTIL).toISOString(), coverage: 1 });
    const day = await get(`?from=${new Date(LABELLED_UNTIL - DAY).toISOString()}&to=${new Date(LABELLED_UNTIL).toISOString()}`);
    expect(perf.realised!.roc_auc).toBe(day.body.windows[0].realised!.roc_auc);
    const view = (await (await compare(request(`/api/models/${LABELLED_MODEL}/compare?window=24h`), params({ model: LABELLED_MODEL }))).json()) as { performance: typeof perf };
    expect(view.performance).toEqual(perf);
  });
});

describe('performance page URLs (for proxy.ts)', () => {
  it('accepts performance metrics and steps, refuses drift metrics and bad steps with the API message', () => {
    expect(performancePageProblem(new URLSearchParams('window=30d&step=1d&metric=f1&reference=test'))).toBeUndefined();
    expect(performancePageProblem(new URLSearchParams('metric=ks'))).toMatch(/^metric: must be one of roc_auc/);
    expect(performancePageProblem(new URLSearchParams('step=90m'))).toMatch(/^step: must be a whole number/);
    expect(performancePageProblem(new URLSearchParams('window=banana'))).toMatch(/^window: /);
  });
});
