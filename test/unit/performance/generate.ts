/** Seeded score generators for the performance tests (beta, normal, mixtures, tied scores). */
import { mulberry32, standardNormal, type Rng } from '@/test/helpers/random';

export { mulberry32 };

/** Marsaglia–Tsang gamma(shape, 1); shape < 1 by the u^(1/shape) boost. */
export function gamma(rng: Rng, shape: number): () => number {
  const z = standardNormal(rng);
  const boost = shape < 1;
  const a = boost ? shape + 1 : shape;
  const d = a - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  return () => {
    for (;;) {
      const x = z();
      const v = (1 + c * x) ** 3;
      if (v <= 0) continue;
      const u = rng() || Number.MIN_VALUE;
      if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) {
        const g = d * v;
        return boost ? g * Math.pow(rng() || Number.MIN_VALUE, 1 / shape) : g;
      }
    }
  };
}

export function beta(rng: Rng, a: number, b: number): () => number {
  const ga = gamma(rng, a);
  const gb = gamma(rng, b);
  return () => {
    const x = ga();
    return x / (x + gb());
  };
}

export type ScoreShape = 'beta' | 'normal' | 'mixture' | 'rounded2' | 'mostly01';
export const SHAPES: readonly ScoreShape[] = ['beta', 'normal', 'mixture', 'rounded2', 'mostly01'];

/**
 * Scores of one class; `shift` moves the class (0 for both classes = identical distributions,
 * large = separated). Each shape keeps scores in [0, 1] except 'normal'.
 */
export function scores(shape: ScoreShape, n: number, shift: number, seed: number): Float64Array {
  const rng = mulberry32(seed);
  const z = standardNormal(rng);
  const out = new Float64Array(n);
  const sigmoid = (t: number) => 1 / (1 + Math.exp(-t));
  let next: () => number;
  switch (shape) {
    case 'beta': {
      const b = beta(rng, 2 + 4 * Math.max(0, shift), 2 + 4 * Math.max(0, -shift));
      next = b;
      break;
    }
    case 'normal':
      next = () => shift + z();
      break;
    case 'mixture':
      next = () => sigmoid(rng() < 0.7 ? shift - 1 + 0.5 * z() : shift + 2 + z());
      break;
    case 'rounded2':
      next = () => Math.round(100 * sigmoid(shift + 1.5 * z())) / 100;
      break;
    case 'mostly01':
      // 90% of scores are exactly 0 or 1, the rest continuous.
      next = () => {
        const u = rng();
        const hi = sigmoid(2 * shift);
        if (u < 0.9) return rng() < hi ? 1 : 0;
        return sigmoid(shift + z());
      };
      break;
  }
  for (let i = 0; i < n; i++) out[i] = next();
  return out;
}
