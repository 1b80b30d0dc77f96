// Types for the `tdigest` npm package (0.1.x), which ships none: only what driftwatch calls.
declare module 'tdigest' {
  interface Centroid {
    mean: number;
    n: number;
  }
  class TDigest {
    constructor(delta?: number | false, K?: number, CX?: number);
    n: number;
    push(x: number | number[], n?: number): void;
    push_centroid(c: Centroid | Centroid[]): void;
    compress(): void;
    size(): number;
    toArray(everything?: boolean): Centroid[];
    p_rank(x: number): number;
    p_rank(x: number[]): number[];
    percentile(p: number): number;
    percentile(p: number[]): number[];
  }
  const tdigest: { TDigest: typeof TDigest };
  export default tdigest;
  export { TDigest };
}
