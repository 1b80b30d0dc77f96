import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { params, request, restoreStoreEnv } from '@/test/helpers/route-calls';
import { GET as alerts } from '@/app/api/alerts/route';
import { GET as compare } from '@/app/api/models/[model]/compare/route';
import { GET as models } from '@/app/api/models/route';
import { GET as trend } from '@/app/api/models/[model]/trend/route';
import { main } from '@/lib/cli/main';
import { LISTING_TTL_MS } from '@/lib/dashboard/context';

/**
 * Issue #10, "damage is contained and named": a corrupt file in each area of a 3-day demo store
 * fails only the views that read it, with a 503 naming its store key; `doctor` lists exactly the
 * damaged files, and `doctor --repair` rebuilds the derivable ones to what they were.
 */
let dir: string;
let store: string;
const previous = process.env.DRIFTWATCH_STORE;
const M = 'models/checkout-fraud';

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await main(args, { log: (l) => lines.push(l), error: (l) => lines.push(l) });
  return { code, out: lines.join('\n') };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'driftwatch-damage-'));
  store = join(dir, 'store');
  const demo = await cli('demo', '--store', store, '--days', '3', '--no-serve');
  expect(demo.code, demo.out).toBe(0);
  // A second, healthy model (a reference only), and an alerts day to damage (3 demo days fire none).
  const second = await cli('reference', 'add', '--store', store, '--model', 'second-model', '--name', 'test', '--file', join(dir, 'store-data', 'test.csv'), '--id-col', 'id', '--timestamp-col', 'ts', '--score-col', 'score', '--label-col', 'label');
  expect(second.code, second.out).toBe(0);
  await mkdir(join(store, M, 'alerts'), { recursive: true });
  await writeFile(join(store, M, 'alerts', 'day=2026-11-02.json'), '{"events":[]}\n');
  process.env.DRIFTWATCH_STORE = store;
}, 180_000);

afterAll(async () => {
  restoreStoreEnv(previous);
  await rm(dir, { recursive: true, force: true });
});

const answer = async (response: Promise<Response>) => {
  const r = await response;
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
};

const views = {
  models: () => answer(models(request('/api/models'))),
  compare: (query: string, model = 'checkout-fraud') => answer(compare(request(`/api/models/${model}/compare?${query}`), params({ model }))),
  trend: (query: string) => answer(trend(request(`/api/models/checkout-fraud/trend?feature=basket_value&${query}`), params({ model: 'checkout-fraud' }))),
  alerts: () => answer(alerts(request('/api/alerts'))),
};

/** Replace a file by its first half, atomically (a new inode: readers see a new version). */
async function truncate(key: string, replacement?: string): Promise<Buffer> {
  const path = join(store, key);
  const original = await readFile(path);
  await writeFile(`${path}.new`, replacement ?? original.subarray(0, Math.floor(original.length / 2)));
  await rename(`${path}.new`, path);
  return original;
}

async function restore(key: string, bytes: Buffer): Promise<void> {
  const path = join(store, key);
  await writeFile(`${path}.new`, bytes);
  await rename(`${path}.new`, path);
}

function expect503(view: { status: number; body: Record<string, unknown> }, key: string): void {
  expect(view.status, JSON.stringify(view.body)).toBe(503);
  const message = String(view.body.error);
  // config.yaml is people's file: its message says what is wrong in it (ConfigError), and names it.
  if (key === 'config.yaml') expect(message).toMatch(/config\.yaml is not valid YAML/);
  else {
    expect(message).toContain(`${key} is damaged`);
    expect(message).toContain('driftwatch doctor');
  }
  expect(message).not.toMatch(/driftwatch-[a-z]+-read|\/dev\/shm|server log/);
}

const day2 = 'from=2026-11-02T00:00:00Z&to=2026-11-02T12:00:00Z';
const early = 'from=2026-11-01T12:00:00Z&to=2026-11-01T18:00:00Z';

interface Case {
  area: string;
  key: string;
  /** Views that read the file: 503 naming the key. */
  failing: (() => Promise<{ status: number; body: Record<string, unknown> }>)[];
  /** Views that do not: 200. */
  working: (() => Promise<{ status: number; body: Record<string, unknown> }>)[];
  /** The overview marks checkout-fraud damaged with this key (else it lists it with no damage, or fails: manifest/config). */
  overview: 'marked' | 'clean' | 'fails';
  /** A CLI command that reads the file, and names its key. */
  cli?: string[];
  /** What to write instead of the first half of the file (half a YAML file is often valid YAML). */
  content?: string;
}

const cases: Case[] = [
  { area: 'manifest', key: 'driftwatch.json', failing: [views.models, () => views.compare(day2)], working: [], overview: 'fails', cli: ['compare', '--model', 'checkout-fraud', '--window', '12h'] },
  { area: 'config', key: 'config.yaml', failing: [], working: [], overview: 'fails', cli: ['compare', '--model', 'checkout-fraud', '--window', '12h'], content: 'evaluation:\n  window: [12h\n' },
  { area: 'model.json', key: `${M}/model.json`, failing: [() => views.compare(day2)], working: [() => views.compare('window=12h', 'second-model')], overview: 'marked' },
  {
    area: 'reference profile',
    key: `${M}/references/train/profile.parquet`,
    failing: [() => views.compare(`${day2}&reference=train`)],
    working: [() => views.compare(`${day2}&reference=test`), views.models],
    overview: 'clean',
    cli: ['compare', '--model', 'checkout-fraud', '--from', '2026-11-02T00:00:00Z', '--to', '2026-11-02T12:00:00Z', '--reference', 'train'],
  },
  {
    // Format 2.0: the hourly summaries of a day are one pack, so the damage is the day's: every
    // hour of 2026-11-02 read from it fails (05 and 17 here), the other days' hours and the
    // rollups that cover the day do not.
    area: 'hourly profile',
    key: `${M}/profiles/hourly/day=2026-11-02.parquet`,
    failing: [() => views.compare('from=2026-11-02T05:00:00Z&to=2026-11-02T06:00:00Z'), () => views.compare('from=2026-11-02T17:00:00Z&to=2026-11-02T18:00:00Z')],
    working: [() => views.compare('from=2026-11-03T05:00:00Z&to=2026-11-03T06:00:00Z'), () => views.compare(day2)],
    overview: 'clean',
    cli: ['compare', '--model', 'checkout-fraud', '--from', '2026-11-02T05:00:00Z', '--to', '2026-11-02T06:00:00Z'],
  },
  {
    area: 'rollup',
    key: `${M}/profiles/daily/day=2026-11-03.parquet`,
    failing: [() => views.compare('from=2026-11-03T00:00:00Z&to=2026-11-04T00:00:00Z')],
    working: [() => views.compare('from=2026-11-02T00:00:00Z&to=2026-11-03T00:00:00Z'), () => views.compare(day2)],
    overview: 'clean',
    cli: ['compare', '--model', 'checkout-fraud', '--from', '2026-11-03T00:00:00Z', '--to', '2026-11-04T00:00:00Z'],
  },
  {
    area: 'evaluation day',
    key: `${M}/evaluations/day=2026-11-02.parquet`,
    failing: [() => views.trend('from=2026-11-02T06:00:00Z&to=2026-11-02T18:00:00Z')],
    working: [() => views.trend('from=2026-11-03T06:00:00Z&to=2026-11-03T18:00:00Z'), () => views.compare(early)],
    overview: 'marked',
  },
  { area: 'alerts day', key: `${M}/alerts/day=2026-11-02.json`, failing: [views.alerts], working: [() => views.compare(day2)], overview: 'marked' },
  { area: 'alert state', key: `${M}/state/alert-state.json`, failing: [], working: [() => views.compare(day2), () => views.compare('window=12h'), views.alerts], overview: 'clean' },
  {
    // Format 2.0: the profile state is also the index of a model's hours (docs/format.md), so the
    // views of that model read it (1.x: only `profile` did): they answer 503 naming it, the other
    // model's views 200, and the overview marks the model, as for a damaged model.json.
    area: 'profile state',
    key: `${M}/state/profile-state.json`,
    failing: [() => views.compare(day2)],
    working: [() => views.compare('window=12h', 'second-model')],
    overview: 'marked',
    cli: ['profile', '--model', 'checkout-fraud'],
  },
];

describe('a damaged file in each store area', () => {
  for (const c of cases) {
    it(`${c.area}: the views that read it answer 503 naming ${c.key}, the others 200; doctor lists exactly it`, async () => {
      const before = await cli('doctor', '--store', store, '--quiet');
      expect(before.code, before.out).toBe(0);
      const original = await truncate(c.key, c.content);
      try {
        for (const view of c.failing) expect503(await view(), c.key);
        for (const view of c.working) {
          const r = await view();
          expect(r.status, JSON.stringify(r.body)).toBe(200);
        }
        if (c.overview === 'fails') expect503(await views.models(), c.key);
        else {
          const { status, body } = await views.models();
          expect(status).toBe(200);
          const byName = new Map((body.models as { model: string; damaged: string[] }[]).map((m) => [m.model, m]));
          expect(byName.get('second-model')?.damaged).toEqual([]);
          expect(byName.get('checkout-fraud')?.damaged).toEqual(c.overview === 'marked' ? [c.key] : []);
        }
        if (c.cli) {
          const r = await cli(...c.cli, '--store', store);
          expect(r.code, r.out).not.toBe(0);
          expect(r.out).toContain(c.key);
          expect(r.out).not.toMatch(/\/dev\/shm|driftwatch-[a-z]+-read/);
        }
        const doctor = await cli('doctor', '--store', store, '--quiet');
        expect(doctor.code, doctor.out).toBe(1);
        const listed = doctor.out.split('\n').filter((l) => /^ {2}\S/.test(l)).map((l) => l.trim().split(': ')[0]);
        expect(listed).toEqual([c.key]);
      } finally {
        await restore(c.key, original);
      }
    }, 120_000);
  }

  it('a damaged evaluation day or alerts file leaves the compare view up, naming it in the warnings', async () => {
    const key = `${M}/evaluations/day=2026-11-02.parquet`;
    const original = await truncate(key);
    try {
      const { status, body } = await views.compare(day2);
      expect(status).toBe(200);
      expect(body.damaged).toEqual([key]);
      expect((body.warnings as string[]).some((w) => w.startsWith(`${key} is damaged`))).toBe(true);
    } finally {
      await restore(key, original);
    }
  }, 60_000);
});

describe('doctor --repair', () => {
  it('rebuilds hourly profiles, rollups, evaluations, calibration and profile state to what they were; views answer as before', async () => {
    const derivable = [
      // Format 2.0: the day packs of 2026-11-02 (its hours, its 6-hour blocks), not one hour's files.
      `${M}/profiles/hourly/day=2026-11-02.parquet`,
      `${M}/profiles/6-hourly/day=2026-11-02.parquet`,
      `${M}/profiles/daily/day=2026-11-03.parquet`,
      `${M}/profiles/weekly/week=2026-11-02.parquet`,
      `${M}/evaluations/day=2026-11-02.parquet`,
      `${M}/references/train/calibration.json`,
      `${M}/state/profile-state.json`,
      `${M}/state/evaluation-state.json`,
    ];
    const asked = [
      () => views.compare('from=2026-11-02T05:00:00Z&to=2026-11-02T06:00:00Z'),
      () => views.compare('from=2026-11-02T00:00:00Z&to=2026-11-04T00:00:00Z&reference=train'),
      () => views.trend('from=2026-11-02T06:00:00Z&to=2026-11-02T18:00:00Z'),
      () => views.trend('from=2026-11-02T06:00:00Z&to=2026-11-03T18:00:00Z&window=6h&step=2h'),
    ];
    const before = await Promise.all(asked.map((view) => view()));
    for (const r of before) expect(r.status).toBe(200);
    for (const key of derivable) await truncate(key);
    const found = await cli('doctor', '--store', store, '--quiet');
    expect(found.code).toBe(1);
    expect(found.out.split('\n').filter((l) => /^ {2}\S/.test(l)).map((l) => l.trim().split(': ')[0])).toEqual([...derivable].sort());
    expect(found.out.match(/ {4}derivable:/g)).toHaveLength(derivable.length);

    const repaired = await cli('doctor', '--store', store, '--quiet', '--repair');
    expect(repaired.code, repaired.out).toBe(0);
    const again = await cli('doctor', '--store', store, '--quiet');
    expect(again.out).toContain('no damaged files');
    const after = await Promise.all(asked.map((view) => view()));
    after.forEach((r, i) => {
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body).toEqual(before[i].body);
    });
  }, 180_000);

  it('moves what cannot be derived aside with a note, so the views that needed it recover', async () => {
    const key = `${M}/alerts/day=2026-11-02.json`;
    await truncate(key);
    expect503(await views.alerts(), key);
    const repaired = await cli('doctor', '--store', store, '--quiet', '--repair');
    expect(repaired.code).toBe(1);
    expect(repaired.out).toMatch(new RegExp(`moved ${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} aside to damaged/`));
    await new Promise((resolve) => setTimeout(resolve, LISTING_TTL_MS + 100));
    expect((await views.alerts()).status).toBe(200);
    const { body } = await views.models();
    expect((body.models as { model: string; damaged: string[] }[]).every((m) => m.damaged.length === 0)).toBe(true);
    expect((await cli('doctor', '--store', store, '--quiet')).code).toBe(0);
  }, 60_000);
});
