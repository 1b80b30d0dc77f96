import { readFileSync } from 'node:fs';

const dir = new URL('../fixtures/reference-metrics/', import.meta.url);

/** A fixture sample: raw little-endian float32 written by generate.py, widened to float64. */
export function readSample(family: string, sample: 'ref' | 'same' | 'drift'): Float64Array {
  const bytes = readFileSync(new URL(`${family}-${sample}.f32`, dir));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(bytes.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

export function readJson<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(name, dir), 'utf8')) as T;
}
