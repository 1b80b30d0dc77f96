/** Column flags shared by `reference add` and `ingest` (the CLI's --numeric, --score-col, …). */
export interface ColumnFlags {
  /** Force these features numeric (non-numbers become type errors). */
  numeric?: readonly string[];
  /** Force these features categorical. */
  categorical?: readonly string[];
  /** The model's score: profiled as a feature under its own name. */
  scoreCol?: string;
  /** The label (target): never a feature. */
  labelCol?: string;
  /** The prediction id: never a feature. */
  idCol?: string;
  /** The prediction time: never a feature. */
  timestampCol?: string;
  /** Columns to leave out altogether (e.g. a thresholded prediction). */
  exclude?: readonly string[];
}

export interface Progress {
  stage: string;
  done: number;
  total?: number;
}

export type ProgressFn = (progress: Progress) => void;

export class ProfileInputError extends Error {
  override readonly name = 'ProfileInputError';
}
