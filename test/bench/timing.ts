/** Timing helpers for `npm run bench`: medians over repetitions, after warm-up runs. */

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function timeIt<T>(fn: () => T, reps: number, warmup = 1): { result: T; medianMs: number; timesMs: number[] } {
  let result = fn();
  for (let i = 1; i < warmup; i++) result = fn();
  const timesMs: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    result = fn();
    timesMs.push(performance.now() - t0);
  }
  return { result, medianMs: median(timesMs), timesMs };
}
