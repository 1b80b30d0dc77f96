import type { TDigest } from '../digest';
import { rocAucFromDigests } from './roc-auc';

/**
 * One-vs-rest macro ROC AUC: the unweighted mean over classes of the AUC of "this class" scores
 * (pos) against the other classes' scores for it (neg). Classes with no labelled members or no
 * others in the window have no AUC and are left out; null when none has one.
 */
export function macroRocAuc(perClass: ReadonlyArray<{ pos: TDigest; neg: TDigest }>): number | null {
  let sum = 0;
  let k = 0;
  for (const { pos, neg } of perClass) {
    if (!(pos.count > 0 && neg.count > 0)) continue;
    sum += rocAucFromDigests(pos, neg);
    k++;
  }
  return k > 0 ? sum / k : null;
}

/**
 * Macro F1 of a square confusion matrix, rows = actual class, columns = predicted class. A class
 * neither present nor predicted (2tp + fp + fn = 0) is left out, as scikit-learn does when labels
 * are inferred from the data; null when no class remains.
 */
export function macroF1(confusion: readonly (readonly number[])[]): number | null {
  const k = confusion.length;
  for (let i = 0; i < k; i++) {
    if (confusion[i].length !== k) throw new RangeError(`macroF1: confusion matrix must be square (${k}×${k}); row ${i} has ${confusion[i].length} entries`);
    for (const v of confusion[i]) if (!(Number.isFinite(v) && v >= 0)) throw new RangeError(`macroF1: counts must be finite and ≥ 0, got ${v} in row ${i}`);
  }
  let sum = 0;
  let classes = 0;
  for (let c = 0; c < k; c++) {
    const tp = confusion[c][c];
    let actual = 0;
    let predicted = 0;
    for (let j = 0; j < k; j++) {
      actual += confusion[c][j];
      predicted += confusion[j][c];
    }
    const den = actual + predicted;
    if (den === 0) continue;
    sum += (2 * tp) / den;
    classes++;
  }
  return classes > 0 ? sum / classes : null;
}
