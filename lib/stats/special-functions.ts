/**
 * Special functions for the drift tests: normal, chi-square and Kolmogorov tail
 * probabilities, log-gamma and the regularized incomplete gamma function.
 *
 * Pure TypeScript, no I/O. Checked against scipy values in
 * test/fixtures/reference-metrics/special-functions.json (relative error <= 1e-9).
 */

const SQRT_PI_INV = 0.5641895835477563; // 1/sqrt(pi)
const HALF_LOG_2PI = 0.9189385332046728; // log(sqrt(2*pi))
const SQRT_2PI = 2.5066282746310007; // sqrt(2*pi)
const EPS = 1e-16;
const TINY = 1e-300;
const MAX_ITERATIONS = 100_000;

function requireNumber(fn: string, name: string, value: number): void {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new RangeError(`${fn}: argument ${name} must be a number, got ${String(value)}`);
  }
}

// W. J. Cody, "Rational Chebyshev approximations for the error function",
// Math. Comp. 23 (1969) 631-638; coefficients of his SPECFUN routine CALERF, written as the
// nearest doubles (the 18-digit originals round to exactly these values).
const ERF_A = [3.1611237438705655, 113.86415415105016, 377.485237685302, 3209.3775891384694, 0.18577770618460315];
const ERF_B = [23.601290952344122, 244.02463793444417, 1282.6165260773723, 2844.236833439171];
const ERFC_C = [
  0.5641884969886701, 8.883149794388377, 66.11919063714163, 298.6351381974001, 881.952221241769,
  1712.0476126340707, 2051.0783778260716, 1230.3393547979972, 2.1531153547440383e-8,
];
const ERFC_D = [
  15.744926110709835, 117.6939508913125, 537.1811018620099, 1621.3895745666903, 3290.7992357334597,
  4362.619090143247, 3439.3676741437216, 1230.3393548037495,
];
const ERFC_P = [
  0.30532663496123236, 0.36034489994980445, 0.12578172611122926, 0.016083785148742275,
  0.0006587491615298378, 0.016315387137302097,
];
const ERFC_Q = [2.568520192289822, 1.8729528499234604, 0.5279051029514285, 0.06051834131244132, 0.0023352049762686918];
const ERF_THRESHOLD = 0.46875;

/** erf(y) for 0 <= y <= 0.46875 (Cody's first interval). */
function erfSmall(y: number): number {
  const ysq = y * y;
  let num = ERF_A[4] * ysq;
  let den = ysq;
  for (let i = 0; i < 3; i++) {
    num = (num + ERF_A[i]) * ysq;
    den = (den + ERF_B[i]) * ysq;
  }
  return (y * (num + ERF_A[3])) / (den + ERF_B[3]);
}

/** erfcx(y) = exp(y^2) * erfc(y) for y > 0.46875 (Cody's second and third intervals). */
function erfcxLarge(y: number): number {
  if (y <= 4) {
    let num = ERFC_C[8] * y;
    let den = y;
    for (let i = 0; i < 7; i++) {
      num = (num + ERFC_C[i]) * y;
      den = (den + ERFC_D[i]) * y;
    }
    return (num + ERFC_C[7]) / (den + ERFC_D[7]);
  }
  const ysq = 1 / (y * y);
  let num = ERFC_P[5] * ysq;
  let den = ysq;
  for (let i = 0; i < 4; i++) {
    num = (num + ERFC_P[i]) * ysq;
    den = (den + ERFC_Q[i]) * ysq;
  }
  const r = (ysq * (num + ERFC_P[4])) / (den + ERFC_Q[4]);
  return (SQRT_PI_INV - r) / y;
}

/** exp(-x^2/2) for x >= 0 without the error of rounding x^2: split x = xs + (x - xs), xs a multiple of 1/16. */
function expMinusHalfSquare(x: number): number {
  const xs = Math.trunc(x * 16) / 16;
  const del = (x - xs) * (x + xs);
  return Math.exp((-xs * xs) / 2) * Math.exp(-del / 2);
}

/**
 * Upper tail P(Z > x) of the standard normal, 0.5 * erfc(x / sqrt(2)), via W. J. Cody's
 * rational Chebyshev approximations (Math. Comp. 1969, SPECFUN CALERF) with exp(-x^2/2)
 * taken from x itself. Any real x; ~1e-15 relative accuracy, underflows to 0 past x ~ 38.5.
 */
export function normalSf(x: number): number {
  requireNumber('normalSf', 'x', x);
  if (x === Infinity) return 0;
  if (x === -Infinity) return 1;
  const ax = Math.abs(x);
  const y = ax * Math.SQRT1_2;
  if (y <= ERF_THRESHOLD) {
    const half = 0.5 * erfSmall(y);
    return x >= 0 ? 0.5 - half : 0.5 + half;
  }
  const tail = 0.5 * expMinusHalfSquare(ax) * erfcxLarge(y);
  return x > 0 ? tail : 1 - tail;
}

// Lanczos approximation, g = 7, n = 9 (coefficients as given by P. Godfrey; ~1e-15 relative for Gamma).
const LANCZOS_G = 7;
const LANCZOS = [
  0.9999999999998099, 676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.6150291621406,
  12.507343278686905, -0.13857109526572012, 0.000009984369578019572, 1.5056327351493116e-7,
];

/**
 * ln Gamma(x) for x > 0 by the Lanczos approximation (g = 7, n = 9), with
 * Gamma(x) = Gamma(x + 1) / x below 0.5. Absolute error ~1e-15 near the zeros at 1 and 2,
 * relative error ~1e-15 elsewhere; Infinity at Infinity.
 */
export function logGamma(x: number): number {
  requireNumber('logGamma', 'x', x);
  if (!(x > 0)) throw new RangeError(`logGamma: argument x must be > 0, got ${x}`);
  if (x === Infinity) return Infinity;
  if (x < 0.5) return logGamma(x + 1) - Math.log(x);
  const z = x - 1;
  let sum = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i] / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return HALF_LOG_2PI + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

// Stirling series for ln Gamma(a) - [(a - 1/2) ln a - a + ln sqrt(2 pi)]: B_2k / (2k (2k-1) a^(2k-1)).
const STIRLING = [1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156, -3617 / 122400];

/** The Stirling-series remainder of ln Gamma(a); below 1e-16 absolute error for a >= 10. */
function stirlingCorrection(a: number): number {
  const inv2 = 1 / (a * a);
  let sum = 0;
  for (let i = STIRLING.length - 1; i >= 0; i--) sum = sum * inv2 + STIRLING[i];
  return sum / a;
}

/**
 * ln( x^a e^-x / Gamma(a) ), the common prefactor of P(a, x) and Q(a, x). For a >= 10 the
 * terms a ln x, x and ln Gamma(a) nearly cancel, so it is formed as
 * a (log1p(t) - t) + ln sqrt(a / 2 pi) - stirling(a), t = (x - a) / a (Temme's form).
 */
function logGammaPrefactor(a: number, x: number): number {
  if (a < 10) return a * Math.log(x) - x - logGamma(a);
  const t = (x - a) / a;
  return a * (Math.log1p(t) - t) + 0.5 * Math.log(a / (2 * Math.PI)) - stirlingCorrection(a);
}

/** Lower regularized gamma P(a, x) by its power series (x < a + 1). */
function lowerGammaSeries(a: number, x: number): number {
  let ap = a;
  let term = 1 / a;
  let sum = term;
  for (let n = 0; n < MAX_ITERATIONS; n++) {
    ap += 1;
    term *= x / ap;
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * EPS) break;
  }
  return sum * Math.exp(logGammaPrefactor(a, x));
}

/** Upper regularized gamma Q(a, x) by its continued fraction, modified Lentz (x >= a + 1). */
function upperGammaContinuedFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return Math.exp(logGammaPrefactor(a, x)) * h;
}

/**
 * Upper regularized incomplete gamma Q(a, x) = Gamma(a, x) / Gamma(a) for a > 0, x >= 0:
 * power series for P = 1 - Q when x < a + 1, Legendre's continued fraction otherwise
 * (Numerical Recipes, 3rd ed., 6.2). Relative error <= ~1e-13 for 0.01 <= a <= 1e3; for tiny a
 * with x < 1 (Q itself tiny, computed as 1 - P) the error is ~1e-15 absolute instead.
 */
export function regularizedGammaQ(a: number, x: number): number {
  requireNumber('regularizedGammaQ', 'a', a);
  requireNumber('regularizedGammaQ', 'x', x);
  if (!(a > 0) || a === Infinity) {
    throw new RangeError(`regularizedGammaQ: argument a must be finite and > 0, got ${a}`);
  }
  if (x < 0) throw new RangeError(`regularizedGammaQ: argument x must be >= 0, got ${x}`);
  if (x === 0) return 1;
  if (x === Infinity) return 0;
  if (x < a + 1) return 1 - lowerGammaSeries(a, x);
  return upperGammaContinuedFraction(a, x);
}

/**
 * Survival function P(X > x) of the chi-square distribution with `dof` degrees of freedom,
 * = Q(dof/2, x/2). dof may be any finite positive real; x <= 0 gives 1.
 */
export function chiSquareSf(x: number, dof: number): number {
  requireNumber('chiSquareSf', 'x', x);
  requireNumber('chiSquareSf', 'dof', dof);
  if (!(dof > 0) || dof === Infinity) {
    throw new RangeError(`chiSquareSf: argument dof must be finite and > 0, got ${dof}`);
  }
  if (x <= 0) return 1;
  return regularizedGammaQ(dof / 2, x / 2);
}

/** Below this lambda the Jacobi theta form converges fast and 1 - CDF keeps >= 0.12 of the value. */
const KOLMOGOROV_SWITCH = 1.18;

/**
 * Survival function of the asymptotic Kolmogorov distribution (scipy's kstwobign.sf):
 * 2 * sum_{k>=1} (-1)^(k-1) exp(-2 k^2 lambda^2) for lambda >= 1.18, and 1 minus the
 * Jacobi-theta form of the CDF, sqrt(2 pi)/lambda * sum_{k>=1} exp(-(2k-1)^2 pi^2 / (8 lambda^2)),
 * below. Any lambda; 1 for lambda <= 0.
 */
export function kolmogorovSf(lambda: number): number {
  requireNumber('kolmogorovSf', 'lambda', lambda);
  if (lambda <= 0) return 1;
  if (lambda === Infinity) return 0;
  if (lambda < KOLMOGOROV_SWITCH) {
    const w = (-Math.PI * Math.PI) / (8 * lambda * lambda);
    let sum = 0;
    for (let k = 1; k < 1000; k++) {
      const odd = 2 * k - 1;
      const term = Math.exp(w * odd * odd);
      sum += term;
      if (term <= sum * EPS) break;
    }
    return 1 - (SQRT_2PI / lambda) * sum;
  }
  const l2 = -2 * lambda * lambda;
  let sum = 0;
  for (let k = 1; k < 1000; k++) {
    const term = Math.exp(l2 * k * k);
    sum += k % 2 === 1 ? term : -term;
    if (term <= Math.abs(sum) * EPS) break;
  }
  return 2 * sum;
}
