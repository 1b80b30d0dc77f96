import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDigest } from '@/lib/digest';
import { estimateBinary, fitIsotonic } from '@/lib/performance';
import { beta, mulberry32 } from '@/test/unit/performance/generate';

/**
 * The reference implementation lives in the peers' venv, which `.ci/run` creates
 * (scripts/peers/setup-venv.sh) before the suite: without it this test fails, it does not skip.
 */
const PYTHON = join(process.cwd(), '.cache', 'peers', 'venv', 'bin', 'python');

const CHUNK = 5000;
const REFERENCE_ROWS = 30_000;
const ANALYSIS_CHUNKS = 6;

const SCRIPT = `
import json, sys, warnings
import pandas as pd, nannyml as nml
warnings.simplefilter('ignore')
ref = pd.read_csv(sys.argv[1]); ana = pd.read_csv(sys.argv[2])
est = nml.CBPE(y_pred_proba='y_pred_proba', y_pred='y_pred', y_true='y_true',
               problem_type='classification_binary', metrics=['roc_auc'], chunk_size=${CHUNK})
est.fit(ref)
df = est.estimate(ana).filter(period='analysis').to_df()
print(json.dumps({'rocAuc': df[('roc_auc', 'value')].tolist(),
                  'samplingError': df[('roc_auc', 'sampling_error')].tolist(),
                  'calibrated': bool(est.needs_calibration)}))
`;

/** Raw scores Beta(a, b) with P(y = 1 | s) = s², so both sides must calibrate. */
function rows(n: number, seed: number, a: number, b: number) {
  const rng = mulberry32(seed);
  const draw = beta(rng, a, b);
  const scores = new Float64Array(n);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    scores[i] = draw();
    labels[i] = rng() < scores[i] ** 2 ? 1 : 0;
  }
  return { scores, labels };
}

function csv(scores: Float64Array, labels: Uint8Array): string {
  const lines = ['y_pred_proba,y_pred,y_true'];
  for (let i = 0; i < scores.length; i++) lines.push(`${scores[i]},${scores[i] >= 0.5 ? 1 : 0},${labels[i]}`);
  return lines.join('\n');
}

describe('CBPE against nannyml (peers venv)', () => {
  it('has the peers venv with nannyml', () => {
    expect(existsSync(PYTHON), `${PYTHON} is missing: run scripts/peers/setup-venv.sh`).toBe(true);
  });

  const dir = mkdtempSync(join(tmpdir(), 'driftwatch-cbpe-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('estimates each chunk’s ROC AUC within 0.01 of nannyml’s CBPE', () => {
    const reference = rows(REFERENCE_ROWS, 1, 2, 3);
    // Analysis drifts chunk by chunk (covariate shift only): Beta(2,3) → Beta(4.5,2).
    const chunks = Array.from({ length: ANALYSIS_CHUNKS }, (_, k) => rows(CHUNK, 100 + k, 2 + k / 2, 3 - k / 5));
    const analysisScores = new Float64Array(CHUNK * ANALYSIS_CHUNKS);
    const analysisLabels = new Uint8Array(CHUNK * ANALYSIS_CHUNKS);
    chunks.forEach((c, k) => {
      analysisScores.set(c.scores, k * CHUNK);
      analysisLabels.set(c.labels, k * CHUNK);
    });
    writeFileSync(join(dir, 'reference.csv'), csv(reference.scores, reference.labels));
    writeFileSync(join(dir, 'analysis.csv'), csv(analysisScores, analysisLabels));
    writeFileSync(join(dir, 'cbpe.py'), SCRIPT);
    const out = execFileSync(PYTHON, [join(dir, 'cbpe.py'), join(dir, 'reference.csv'), join(dir, 'analysis.csv')], {
      encoding: 'utf8',
      timeout: 120_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const theirs = JSON.parse(out.trim().split('\n').at(-1)!) as { rocAuc: number[]; samplingError: number[]; calibrated: boolean };
    expect(theirs.calibrated).toBe(true);
    expect(theirs.rocAuc).toHaveLength(ANALYSIS_CHUNKS);

    const map = fitIsotonic(reference.scores, reference.labels);
    const ours = chunks.map((c) => estimateBinary(map, buildDigest(c.scores).digest, 0.5).rocAuc!);
    const diffs = ours.map((v, k) => Math.abs(v - theirs.rocAuc[k]));
    console.log(`CBPE ROC AUC per chunk, ours vs nannyml: ${ours.map((v, k) => `${v.toFixed(4)}/${theirs.rocAuc[k].toFixed(4)}`).join(', ')}; max |Δ| ${Math.max(...diffs).toFixed(4)} (nannyml sampling error ≈ ${theirs.samplingError[0].toFixed(4)})`);
    for (const d of diffs) expect(d).toBeLessThanOrEqual(0.01);
  });
});
