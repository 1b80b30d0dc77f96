import type { ColumnInfo } from '../duckdb';
import type { FeatureKind, ModelMeta } from '../format';
import { ProfileInputError, type ColumnFlags } from './options';

/** How the columns of a wide table (CSV, Parquet, flat NDJSON) are used. */
export interface TablePlan {
  id: ColumnInfo | null;
  timestamp: ColumnInfo | null;
  label: ColumnInfo | null;
  score: ColumnInfo | null;
  /** Feature columns, the score column not among them. */
  features: ColumnInfo[];
}

function pick(file: string, columns: readonly ColumnInfo[], name: string | undefined, flag: string): ColumnInfo | null {
  if (name === undefined) return null;
  const found = columns.find((c) => c.name === name);
  if (!found) throw new ProfileInputError(`${file}: column "${name}" given as ${flag} is not in the file (columns: ${columns.map((c) => c.name).join(', ')})`);
  return found;
}

/** A column remembered in model.json is used again when the file has it and no flag says otherwise. */
function remembered(columns: readonly ColumnInfo[], name: string | null | undefined): string | undefined {
  return name && columns.some((c) => c.name === name) ? name : undefined;
}

export function planTableColumns(file: string, columns: readonly ColumnInfo[], flags: ColumnFlags, known?: ModelMeta['columns']): TablePlan {
  const autoTimestamp = columns.find((c) => c.name === 'timestamp' || c.name === 'ts')?.name;
  const plan: TablePlan = {
    id: pick(file, columns, flags.idCol ?? remembered(columns, known?.id), '--id-col'),
    timestamp: pick(file, columns, flags.timestampCol ?? remembered(columns, known?.timestamp) ?? autoTimestamp, '--timestamp-col'),
    label: pick(file, columns, flags.labelCol ?? remembered(columns, known?.label), '--label-col'),
    score: pick(file, columns, flags.scoreCol ?? remembered(columns, known?.score), '--score-col'),
    features: [],
  };
  for (const name of flags.exclude ?? []) pick(file, columns, name, '--exclude');
  const special = new Set([plan.id, plan.timestamp, plan.label, plan.score].filter((c) => c !== null).map((c) => c.name));
  const excluded = new Set(flags.exclude ?? []);
  plan.features = columns.filter((c) => !special.has(c.name) && !excluded.has(c.name));
  return plan;
}

/**
 * The user's --numeric/--categorical as a map, checked against the features the data has
 * (`available`): naming a column that is not a feature is an error, not a silent no-op.
 */
export function kindOverrides(file: string, flags: ColumnFlags, available: readonly string[]): Map<string, FeatureKind> {
  const out = new Map<string, FeatureKind>();
  const names = new Set(available);
  for (const [list, kind, flag] of [[flags.numeric, 'numeric', '--numeric'], [flags.categorical, 'categorical', '--categorical']] as const) {
    for (const name of list ?? []) {
      if (!names.has(name)) throw new ProfileInputError(`${file}: ${flag} names "${name}", which is not a feature of the file (features: ${available.join(', ')})`);
      if (out.has(name) && out.get(name) !== kind) throw new ProfileInputError(`${file}: "${name}" is given both as --numeric and as --categorical`);
      out.set(name, kind);
    }
  }
  return out;
}
