/**
 * How far apart row-ordered and random chunk statistics fall on references with no trend over
 * their rows (docs/metrics.md, "Row order"): two independent chunkings of 20 × 500 draws from one
 * population, per family and metric, give the null range of `inflationRatio` and of the mean gap z.
 * Run: npx tsx test/experiments/stationarity-null.ts
 */
import { chunkStatistics, inflationRatio, metricsOfKind } from '@/lib/compare';
import type { SummaryRow } from '@/lib/format';
import { categoricalSummary, numericSummary } from '@/lib/summary';
import { FAMILIES, mulberry32, sampler } from '@/test/helpers/random';

const CHUNKS = 20;
const CHUNK_ROWS = 500;
const SEEDS = 12;

function chunkings(family: string, seed: number): SummaryRow[] {
  return Array.from({ length: CHUNKS }, (_, c) => {
    const key = { model: 'm', feature: 'f', period_start: 0, period_end: 0 };
    if (family === 'categorical') {
      const rng = mulberry32(seed * 100 + c);
      const counts = new Map<string, number>();
      for (let i = 0; i < CHUNK_ROWS; i++) {
        const k = String(Math.floor(-Math.log(rng()) * 2));
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      return { ...categoricalSummary(key, counts, 0, 0), chunk: c };
    }
    const draw = sampler(family as (typeof FAMILIES)[number], seed * 100 + c);
    return { ...numericSummary(key, Array.from({ length: CHUNK_ROWS }, draw), 0, 0), chunk: c };
  });
}

const ratios = new Map<string, number[]>();
const zs = new Map<string, number[]>();
for (const family of [...FAMILIES, 'categorical']) {
  const metrics = metricsOfKind(family === 'categorical' ? 'categorical' : 'numeric');
  for (let seed = 1; seed <= SEEDS; seed++) {
    const ordered = chunkStatistics(chunkings(family, seed), metrics);
    const random = chunkStatistics(chunkings(family, seed + 1000), metrics);
    for (const metric of metrics) {
      const o = ordered.get(metric);
      const r = random.get(metric);
      const ratio = inflationRatio(o, r, metric, 3);
      if (!o || !r || ratio === null) continue;
      const key = `${family === 'categorical' ? 'categorical' : 'numeric'} ${metric}`;
      ratios.set(key, [...(ratios.get(key) ?? []), ratio]);
      zs.set(key, [...(zs.get(key) ?? []), (o.chunk_mean - r.chunk_mean) / Math.sqrt(o.chunk_sd ** 2 / o.chunks + r.chunk_sd ** 2 / r.chunks)]);
    }
  }
}
console.log('| metric | comparisons | ratio min | ratio median | ratio max | z min | z max |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const [key, list] of ratios) {
  const sorted = [...list].sort((a, b) => a - b);
  const z = zs.get(key) ?? [];
  console.log(`| ${key} | ${list.length} | ${sorted[0].toFixed(2)} | ${sorted[sorted.length >> 1].toFixed(2)} | ${sorted[sorted.length - 1].toFixed(2)} | ${Math.min(...z).toFixed(2)} | ${Math.max(...z).toFixed(2)} |`);
}
