/** Seeded generators for tests and benchmarks: the same seed gives the same data on any machine. */
import { mulberry32 } from '@/lib/demo/random';

export type Rng = () => number;

/** The demo's generator: one mulberry32 for the whole project. */
export { mulberry32 } from '@/lib/demo/random';

export function standardNormal(rng: Rng): () => number {
  return () => {
    const u = rng() || Number.MIN_VALUE;
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
  };
}

export type Family = 'normal' | 'lognormal' | 'bimodal' | 'pareto' | 'int0to5' | 'spike30';
export const FAMILIES: readonly Family[] = ['normal', 'lognormal', 'bimodal', 'pareto', 'int0to5', 'spike30'];

/** A sampler of one test family: continuous, heavy-tailed, multimodal and discrete shapes. */
export function sampler(family: Family, seed: number): () => number {
  const u = mulberry32(seed);
  const z = standardNormal(u);
  switch (family) {
    case 'normal':
      return () => 100 + 15 * z();
    case 'lognormal':
      return () => Math.exp(5 + z());
    case 'bimodal':
      return () => (u() < 0.6 ? -2 + 0.5 * z() : 3 + z());
    case 'pareto':
      return () => 10 * Math.pow(1 - u(), -1 / 1.5);
    case 'int0to5': {
      const cumulative = [0.3, 0.55, 0.75, 0.87, 0.95, 1];
      return () => {
        const r = u();
        return cumulative.findIndex((c) => r < c);
      };
    }
    case 'spike30':
      return () => (u() < 0.3 ? 0 : 50 + 10 * z());
  }
}

export function sample(family: Family, n: number, seed: number): Float64Array {
  const next = sampler(family, seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = next();
  return out;
}
