import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '@/lib/cli/main';

/**
 * A small store with delayed labels, made through the CLI as a user would (init, reference add
 * with --score-col/--label-col, ingest with ids, profile, labels add), for the performance route
 * and page tests. The score is calibrated by construction (y ~ Bernoulli(score)), so the reference
 * calibration is trusted and estimates exist; the last LABELLED_UNTIL..END days are only 20%
 * labelled, so they have an estimate and no realised figure.
 */
export const LABELLED_MODEL = 'card-risk';
export const START = Date.parse('2026-10-01T00:00:00Z');
export const DAYS = 10;
export const END = START + DAYS * 86_400_000;
/** Predictions before this are all labelled; after it, one in five. */
export const LABELLED_UNTIL = START + 7 * 86_400_000;
const ROWS_PER_HOUR = 30;

/** mulberry32: a seeded generator, so every run makes the same store. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A score and its label; `shift` moves the live score, as a drifted population would. */
function row(rand: () => number, shift = 0): { score: number; label: number; amount: number } {
  const score = Math.min(0.999, Math.max(0.001, rand() ** (1 + shift)));
  return { score: Number(score.toFixed(5)), label: rand() < score ? 1 : 0, amount: Number((50 + 400 * rand() * (1 + score)).toFixed(2)) };
}

export async function makeLabelledStore(prefix: string): Promise<{ dir: string; store: string; log: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const store = join(dir, 'store');
  const rand = random(12);
  const reference = ['ts,amount,score,label'];
  for (let i = 0; i < 5000; i++) {
    const r = row(rand);
    reference.push(`${new Date(START - 30 * 86_400_000 + i * 360_000).toISOString()},${r.amount},${r.score},${r.label}`);
  }
  const predictions = ['id,ts,amount,score'];
  const labels = ['id,label,ts'];
  let id = 1;
  for (let h = 0; h < DAYS * 24; h++) {
    const hour = START + h * 3_600_000;
    for (let k = 0; k < ROWS_PER_HOUR; k++, id++) {
      // The last three days drift: scores pushed down, labels still Bernoulli(score).
      const r = row(rand, hour >= LABELLED_UNTIL ? 0.6 : 0);
      const at = hour + Math.floor((k * 3_600_000) / ROWS_PER_HOUR);
      predictions.push(`${id},${new Date(at).toISOString()},${r.amount},${r.score}`);
      if (hour < LABELLED_UNTIL || k % 5 === 0) labels.push(`${id},${r.label},${new Date(at + 9 * 86_400_000).toISOString()}`);
    }
  }
  await writeFile(join(dir, 'reference.csv'), `${reference.join('\n')}\n`);
  await writeFile(join(dir, 'predictions.csv'), `${predictions.join('\n')}\n`);
  await writeFile(join(dir, 'labels.csv'), `${labels.join('\n')}\n`);
  const log: string[] = [];
  const ctx = { log: (l: string) => log.push(l), error: (l: string) => log.push(`ERROR ${l}`) };
  const model = ['--model', LABELLED_MODEL, '--timestamp-col', 'ts', '--score-col', 'score'];
  for (const args of [
    ['init'],
    ['reference', 'add', '--name', 'test', '--file', join(dir, 'reference.csv'), ...model, '--label-col', 'label'],
    ['ingest', '--file', join(dir, 'predictions.csv'), ...model, '--id-col', 'id'],
    ['profile'],
    ['labels', 'add', '--model', LABELLED_MODEL, '--file', join(dir, 'labels.csv'), '--id-col', 'id', '--label-col', 'label', '--timestamp-col', 'ts'],
  ]) {
    const code = await main([...args, '--store', store], ctx);
    if (code !== 0) throw new Error(`driftwatch ${args.join(' ')} exited with ${code}:\n${log.join('\n')}`);
  }
  return { dir, store, log };
}
