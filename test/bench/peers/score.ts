/** Scoring of flagged (window, feature) cells against a dataset's truth; pure. */

export interface Cell {
  window: number;
  feature: string;
}

export interface DatasetMeta {
  name: string;
  title: string;
  numeric: string[];
  categorical: string[];
  windows: Array<{ from: string; to: string }>;
  truth: { drift: Cell[]; ambiguous: Cell[]; source: string };
  reference_rows: number;
  monitoring_rows: number;
}

export interface Score {
  /** Truth cells flagged. */
  right: number;
  /** Truth cells not flagged. */
  missed: number;
  /** Flags on features that drift in no window (stable features). */
  false_stable: number;
  /** Flags on drifting features outside their drift windows. */
  false_other: number;
  /** Quiet windows (no drift anywhere) with at least one flag, and how many quiet windows there are. */
  quiet_windows_flagged: number;
  quiet_windows: number;
  truth_cells: number;
}

const key = (c: Cell): string => `${c.window}\u0000${c.feature}`;

export function scoreFlags(meta: DatasetMeta, flags: Cell[]): Score {
  const truth = new Set(meta.truth.drift.map(key));
  const ambiguous = new Set(meta.truth.ambiguous.map(key));
  const unsettled = new Set([...meta.truth.drift, ...meta.truth.ambiguous].map((c) => c.feature));
  const busyWindows = new Set([...meta.truth.drift, ...meta.truth.ambiguous].map((c) => c.window));
  const flagged = new Set(flags.map(key));
  const s: Score = { right: 0, missed: 0, false_stable: 0, false_other: 0, quiet_windows_flagged: 0, quiet_windows: 0, truth_cells: truth.size };
  for (const t of truth) {
    if (flagged.has(t)) s.right++;
    else s.missed++;
  }
  const flaggedQuiet = new Set<number>();
  for (const f of flags) {
    const k = key(f);
    if (truth.has(k) || ambiguous.has(k)) continue;
    if (unsettled.has(f.feature)) s.false_other++;
    else s.false_stable++;
    if (!busyWindows.has(f.window)) flaggedQuiet.add(f.window);
  }
  s.quiet_windows = meta.windows.filter((_, i) => !busyWindows.has(i)).length;
  s.quiet_windows_flagged = flaggedQuiet.size;
  return s;
}

/** Flags as cells, deduplicated. */
export function toCells(pairs: Array<[number, string]>): Cell[] {
  const seen = new Map<string, Cell>();
  for (const [window, feature] of pairs) seen.set(key({ window, feature }), { window, feature });
  return [...seen.values()];
}
