/**
 * Reference outputs of the TypeScript digest and summaries for the Python port's tests
 * (jobs/spark/tests/test_digest.py, test_summary.py). Run: npx tsx jobs/spark/tests/make_fixtures.ts
 *
 * Inputs are not stored: both sides generate them from a spec with mulberry32 and only exactly
 * rounded operations (+ − × ÷, floor, sqrt), so Python regenerates the same doubles bit for bit;
 * each case carries the SHA-256 of its input so a mismatch is caught before any digest is compared.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDigest, mergeDigests, type TDigest } from '../../../lib/digest';
import { hourToken, type SummaryRow } from '../../../lib/format';
import { NULL_CATEGORY, TYPE_ERROR_CATEGORY } from '../../../lib/profile/feature-sql';
import { categoricalSummary, mergeSummaries, numericSummary, type SummaryKey } from '../../../lib/summary';

const OUT = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** mulberry32: the state is a counter, so numpy evaluates the stream without a loop. */
function uniforms(seed: number, n: number): Float64Array {
  const out = new Float64Array(n);
  let a = seed | 0;
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  return out;
}

/** Irwin–Hall(12) − 6: a bell curve from exactly rounded sums. */
function bell(seed: number, n: number): Float64Array {
  const u = uniforms(seed, 12 * n);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < 12; k++) s += u[12 * i + k];
    out[i] = s - 6;
  }
  return out;
}

export type Spec =
  | { gen: 'normal' | 'lognormal' | 'bimodal' | 'integers' | 'spike0' | 'booleans' | 'pareto' | 'clusters' | 'rounded'; n: number; seed: number }
  | { gen: 'constant'; n: number; value: number }
  | { gen: 'list'; values: Array<number | string> };

function generate(spec: Spec): Float64Array {
  if (spec.gen === 'list') return Float64Array.from(spec.values, (v) => (typeof v === 'number' ? v : Number(v === '-0' ? -0 : v)));
  if (spec.gen === 'constant') return new Float64Array(spec.n).fill(spec.value);
  const { n, seed } = spec;
  const z = bell(seed, n);
  const u = uniforms(seed + 1, n);
  const u2 = uniforms(seed + 2, n);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    switch (spec.gen) {
      case 'normal':
        out[i] = 10 + 2 * z[i];
        break;
      case 'lognormal': {
        // (1 + z/16)^16 by four squarings: a right-skewed, lognormal-like shape.
        let b = 1 + z[i] / 16;
        b *= b;
        b *= b;
        b *= b;
        b *= b;
        out[i] = b;
        break;
      }
      case 'bimodal':
        out[i] = u[i] < 0.4 ? z[i] : 8 + 0.5 * z[i];
        break;
      case 'integers':
        out[i] = Math.floor(u[i] * 50) + Math.floor(u2[i] * 50) - 20;
        break;
      case 'spike0':
        out[i] = u[i] < 0.3 ? 0 : 5 + z[i];
        break;
      case 'booleans':
        out[i] = u[i] < 0.37 ? 1 : 0;
        break;
      case 'pareto':
        out[i] = 1 / (1 - u[i]);
        break;
      case 'rounded':
        // A grid of 0.001: runs of equal values too light to be point masses, split by the weight rule.
        out[i] = Math.floor(z[i] * 1000 + 0.5) / 1000;
        break;
      case 'clusters':
        // Five clusters 1e6 apart with uneven sizes: gaps far wider than any spacing.
        out[i] = Math.floor(u[i] * u[i] * 5) * 1e6 + z[i];
        break;
    }
  }
  return out;
}

function sha(values: Float64Array): string {
  return createHash('sha256').update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength)).digest('hex');
}

const out = (d: TDigest) => ({
  means: Array.from(d.means),
  weights: Array.from(d.weights),
  min: d.count > 0 ? d.min : null,
  max: d.count > 0 ? d.max : null,
  count: d.count,
  compression: d.compression,
});

const QS = Array.from({ length: 99 }, (_, i) => (i + 1) / 100);

function queries(d: TDigest, values: Float64Array) {
  const finite = values.filter((v) => Number.isFinite(v));
  const xs = [finite[0], finite[Math.floor(finite.length / 3)], finite[Math.floor(finite.length / 2)], finite[finite.length - 1]].filter((x) => x !== undefined);
  return { quantiles: d.count > 0 ? QS.map((q) => d.quantile(q)) : [], cdf: d.count > 0 ? xs.map((x) => [x, d.cdf(x)]) : [] };
}

function digestCases() {
  const builds: Array<{ name: string; spec: Spec; compression?: number }> = [];
  const add = (name: string, spec: Spec, compression?: number) => builds.push({ name, spec, compression });
  for (const n of [1, 2, 3, 5, 25, 26, 50, 51, 100, 1142, 1143, 1144, 5000, 100_000]) add(`normal-${n}`, { gen: 'normal', n, seed: 11 + n });
  add('normal-1e6', { gen: 'normal', n: 1_000_000, seed: 7 });
  for (const gen of ['lognormal', 'bimodal', 'integers', 'spike0', 'booleans', 'pareto', 'clusters'] as const) {
    for (const n of [1143, 10_000, 200_000]) add(`${gen}-${n}`, { gen, n, seed: 100 + n });
  }
  add('integers-1e6', { gen: 'integers', n: 1_000_000, seed: 5 });
  add('lognormal-1e6', { gen: 'lognormal', n: 1_000_000, seed: 6 });
  add('normal-20000-delta100', { gen: 'normal', n: 20_000, seed: 3 }, 100);
  add('bimodal-50000-delta300', { gen: 'bimodal', n: 50_000, seed: 4 }, 300);
  add('constant-5000', { gen: 'constant', n: 5000, value: 3.25 });
  add('constant-1', { gen: 'constant', n: 1, value: -2.5 });
  add('empty', { gen: 'list', values: [] });
  add('only-non-finite', { gen: 'list', values: ['NaN', 'Infinity', '-Infinity', 'NaN'] });
  add('negatives-zeros', {
    gen: 'list',
    values: ['-0', 0, '-0', -3.5, 'NaN', 2, -1e-300, 1e300, -1e300, 'Infinity', '-Infinity', '-Infinity', 0, '-0', 7, -7, 5e-324, 0.1, 0.2, 0.30000000000000004],
  });
  add('huge-gaps', { gen: 'list', values: [...Array.from({ length: 600 }, (_, i) => i * 1e-9), ...Array.from({ length: 600 }, (_, i) => 1e12 + i), 1e200, -1e200] });

  const digestOf = new Map<string, { digest: TDigest; values: Float64Array }>();
  const buildOut = builds.map(({ name, spec, compression }) => {
    const values = generate(spec);
    const built = buildDigest(values, compression);
    digestOf.set(name, { digest: built.digest, values });
    return { name, spec, compression: compression ?? 1000, input_sha256: sha(values), nan: built.nan, pos_inf: built.posInf, neg_inf: built.negInf, digest: out(built.digest), ...queries(built.digest, values) };
  });

  // Merges: parts are built from specs (the Python side builds them with its own build_digest).
  const merges: Array<{ name: string; parts: Spec[]; compression: number }> = [];
  const hours = (gen: 'normal' | 'spike0' | 'integers' | 'lognormal', count: number, n: number) => Array.from({ length: count }, (_, i) => ({ gen, n, seed: 1000 + i }) as Spec);
  merges.push({ name: 'merge-24-normal-hours', parts: hours('normal', 24, 5000), compression: 1000 });
  merges.push({ name: 'merge-24-spike0-hours', parts: hours('spike0', 24, 3000), compression: 1000 });
  merges.push({ name: 'merge-12-integers-hours', parts: hours('integers', 12, 4000), compression: 1000 });
  merges.push({ name: 'merge-mixed', parts: [{ gen: 'normal', n: 800, seed: 1 }, { gen: 'bimodal', n: 20_000, seed: 2 }, { gen: 'constant', n: 300, value: 10 }, { gen: 'list', values: [] }, { gen: 'pareto', n: 5000, seed: 3 }], compression: 1000 });
  merges.push({ name: 'merge-small-exact', parts: [{ gen: 'normal', n: 300, seed: 1 }, { gen: 'normal', n: 400, seed: 2 }], compression: 1000 });
  merges.push({ name: 'merge-recompress-200', parts: [{ gen: 'lognormal', n: 50_000, seed: 9 }], compression: 200 });
  // 100 hours of ~700+ centroids: above 65,536 centroids, the two-level batch merge.
  merges.push({ name: 'merge-100-hours-batched', parts: hours('lognormal', 100, 20_000), compression: 1000 });
  const mergeOut = merges.map(({ name, parts, compression }) => {
    const digests = parts.map((spec) => buildDigest(generate(spec)).digest);
    const merged = mergeDigests(digests, compression);
    return { name, parts, compression, part_sizes: digests.map((d) => d.size), digest: out(merged), ...queries(merged, merged.means) };
  });
  return { builds: buildOut, merges: mergeOut, sweep: sweepCases() };
}

/** Many random inputs, compared by a hash of the centroid arrays (means then weights, float64 LE). */
function sweepCases() {
  const gens = ['normal', 'lognormal', 'bimodal', 'integers', 'spike0', 'booleans', 'pareto', 'clusters', 'rounded'] as const;
  const compressions = [1000, 1000, 1000, 100, 300, 2000];
  const u = uniforms(4242, 8000);
  const centroidHash = (d: TDigest) => sha(Float64Array.from([...d.means, ...d.weights]));
  const specOf = (j: number): Spec => {
    const gen = gens[Math.floor(u[3 * j] * gens.length)];
    // Sizes from 1 to ~300k, log-uniform.
    const n = Math.floor(Math.exp(u[3 * j + 1] * Math.log(300_000))) + 1;
    return { gen, n, seed: 5000 + j };
  };
  const builds = Array.from({ length: 300 }, (_, j) => {
    const spec = specOf(j);
    const compression = compressions[Math.floor(u[3 * j + 2] * compressions.length)];
    const built = buildDigest(generate(spec), compression);
    return { spec, compression, size: built.digest.size, hash: centroidHash(built.digest) };
  });
  const merges = Array.from({ length: 40 }, (_, j) => {
    const parts = Array.from({ length: 2 + Math.floor(u[7000 + j] * 30) }, (_, k) => specOf(300 + 40 * j + k));
    const compression = compressions[Math.floor(u[7500 + j] * compressions.length)];
    const merged = mergeDigests(parts.map((p) => buildDigest(generate(p), compression).digest), compression);
    return { parts, compression, size: merged.size, hash: centroidHash(merged) };
  });
  return { builds, merges };
}

/** V8's Math.asin / Math.sin at nextLimit's arguments: the port must give the same doubles. */
function trigCases() {
  const u = uniforms(99, 12_000);
  const special = [0, 1e-9, -1e-9, 0.5, -0.5, 0.4999999999999999, 0.975, 0.9749999999999999, -0.975, 1, -1, 0.999999999999, 0.78125, 0.3];
  const asinArgs = [...special, ...Array.from({ length: 2000 }, (_, i) => 2 * u[i] - 1), ...Array.from({ length: 1000 }, (_, i) => 1 - u[4000 + i] * 1e-3)];
  const angles = [...special.map((x) => x * 1.5707963267948966), 1.5707963267948966 - 1e-12, -1.5707963267948966 + 0.00628, ...Array.from({ length: 3000 }, (_, i) => (2 * u[6000 + i] - 1) * 1.5707963267948966)];
  return { asin: asinArgs.map((x) => [x, Math.asin(x)]), sin: angles.map((x) => [x, Math.sin(x)]) };
}

/** Summary rows, merges and hour tokens (test_summary.py); rows are referred to by index. */
function summaryCases() {
  const key = (feature: string, hour: number, chunk?: number): SummaryKey => ({ model: 'm1', feature, period_start: 1_764_547_200_000 + hour * 3_600_000, period_end: 1_764_547_200_000 + (hour + 1) * 3_600_000, ...(chunk === undefined ? {} : { chunk }) });
  const numeric: Array<{ key: SummaryKey; spec: Spec; nulls: number; type_errors: number; row: SummaryRow }> = [];
  const addNumeric = (k: SummaryKey, spec: Spec, nulls: number, typeErrors: number) => numeric.push({ key: k, spec, nulls, type_errors: typeErrors, row: numericSummary(k, generate(spec), nulls, typeErrors) });
  for (let h = 0; h < 6; h++) addNumeric(key('amount', h), { gen: 'lognormal', n: 3000 + 500 * h, seed: 40 + h }, h, h % 2);
  for (let h = 0; h < 3; h++) addNumeric(key('age', h), { gen: 'integers', n: 2000, seed: 50 + h }, 0, 0);
  addNumeric(key('score', 0), { gen: 'normal', n: 500, seed: 60 }, 3, 0);
  addNumeric(key('empty', 0), { gen: 'list', values: [] }, 7, 2);
  addNumeric(key('failed', 0), { gen: 'list', values: ['NaN', 'Infinity', '-Infinity'] }, 1, 1);
  addNumeric(key('extremes', 0, 0), { gen: 'list', values: [1e21, 1.5e-7, -1e-7, 1.2345678901234568e20, 0.1, '-0', 'NaN', 5e-324, 1e-6] }, 0, 3);
  addNumeric({ ...key('epoch0', 0), period_start: 0, period_end: 0 }, { gen: 'spike0', n: 4000, seed: 61 }, 0, 0);

  const categorical: Array<{ key: SummaryKey; counts: Array<[string, number]>; nulls: number; type_errors: number; row: SummaryRow }> = [];
  const addCategorical = (k: SummaryKey, counts: Array<[string, number]>, nulls: number, typeErrors: number) =>
    categorical.push({ key: k, counts, nulls, type_errors: typeErrors, row: categoricalSummary(k, new Map(counts), nulls, typeErrors) });
  const unicode: Array<[string, number]> = [['é', 5], ['中文', 5], ['😀', 5], ['\uff5e', 5], ['Ω', 9], ['a', 5], ['B', 5], ['', 2], [NULL_CATEGORY, 4], [TYPE_ERROR_CATEGORY, 1], ['zero', 0]];
  addCategorical(key('country', 0), unicode, 4, 1);
  addCategorical(key('country', 1), [['é', 7], ['__other__', 3], ['x', 7]], 0, 0);
  const many = (offset: number): Array<[string, number]> => Array.from({ length: 1500 }, (_, i) => [`c${(i * 7919) % 1500}`, 1 + ((i * 31 + offset) % 97)]);
  addCategorical(key('merchant', 0), many(0), 0, 0);
  addCategorical(key('merchant', 1), many(13), 2, 0);
  addCategorical(key('merchant', 2), [['c1', 50], ['__other__', 400]], 0, 5);
  addCategorical(key('nothing', 0), [], 9, 0);

  const rows = [...numeric.map((c) => c.row), ...categorical.map((c) => c.row)];
  const index = (feature: string) => rows.flatMap((r, i) => (r.feature === feature ? [i] : []));
  const mergeKey = (feature: string): SummaryKey => ({ model: 'm1', feature, period_start: 1_764_547_200_000, period_end: 1_764_633_600_000 });
  const merges = ['amount', 'age', 'merchant', 'country'].map((feature) => ({ key: mergeKey(feature), rows: index(feature), row: mergeSummaries(mergeKey(feature), index(feature).map((i) => rows[i])) }));
  merges.push({ key: mergeKey('amount'), rows: index('amount').slice(0, 2), row: mergeSummaries(mergeKey('amount'), index('amount').slice(0, 2).map((i) => rows[i])) });
  const withEmpty = [index('score')[0], index('empty')[0]];
  merges.push({ key: mergeKey('score'), rows: withEmpty, row: mergeSummaries(mergeKey('score'), withEmpty.map((i) => rows[i])) });

  // Hour tokens: rows given out of feature order; feature names whose UTF-16 order differs from code point order.
  const renamed = (i: number, feature: string): SummaryRow => ({ ...rows[i], feature });
  const extra = [renamed(0, 'a\uff5e'), renamed(1, 'a😀'), renamed(2, 'Z'), renamed(3, 'ä')];
  const all = [...rows, ...extra];
  const groups = [
    all.map((_, i) => i).reverse(),
    [index('merchant')[0], index('amount')[0], index('age')[0], index('country')[0], index('empty')[0], index('failed')[0], index('extremes')[0]],
    [rows.length, rows.length + 1, rows.length + 2, rows.length + 3],
    [rows.length + 1, rows.length + 3, rows.length, rows.length + 2],
    [index('nothing')[0]],
    [],
  ];
  const tokens = groups.map((g) => ({ rows: g, token: hourToken(g.map((i) => all[i])) }));

  const strings = [0.1, 0.2, 0.1 + 0.2, 1, 1000, 1e20, 1e21, 1.5e21, 1.2345678901234568e20, 2 ** 53 + 2, 5e-324, 1.7976931348623157e308, 1e-6, 1.5e-6, 1e-7, 1.5e-7, -2.5e-8, 100, 0.000123, 123.456, -0.5, 1e300, 4.35];
  const u = uniforms(77, 400);
  for (let i = 0; i < 200; i++) strings.push((u[2 * i] - 0.5) * 10 ** Math.floor(u[2 * i + 1] * 60 - 30));
  return { numeric, categorical, merges, extra_rows: extra, tokens, js_strings: strings.map((x) => [x, String(x)]) };
}

mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, 'summary_cases.json'), JSON.stringify(summaryCases()));
writeFileSync(join(OUT, 'digest_cases.json'), JSON.stringify({ ...digestCases(), trig: trigCases() }));
