import { layout, ModelMeta, MODELS_PREFIX, ModelName, type FeatureKind } from '../format';
import type { Storage } from '../storage/storage';
import { ProfileInputError } from './options';

/** Models of a store (those with a model.json), by name. */
export async function listModels(storage: Storage): Promise<string[]> {
  const names = new Set<string>();
  for (const key of await storage.list(MODELS_PREFIX)) {
    const m = /^models\/([^/]+)\/model\.json$/.exec(key);
    if (m && ModelName.safeParse(m[1]).success) names.add(m[1]);
  }
  return [...names].sort();
}

export async function readModelMeta(storage: Storage, model: string): Promise<ModelMeta | undefined> {
  const key = layout.model(model);
  const bytes = await storage.read(key);
  if (!bytes) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new ProfileInputError(`${key} is not valid JSON`);
  }
  const parsed = ModelMeta.safeParse(json);
  if (!parsed.success) throw new ProfileInputError(`${key} is not a valid model description: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

export async function writeModelMeta(storage: Storage, meta: ModelMeta): Promise<void> {
  await storage.write(layout.model(meta.name), `${JSON.stringify(ModelMeta.parse(meta), null, 2)}\n`);
}

export interface ModelUpdate {
  /** Kinds of features found in the data, in data order; known features keep their kind. */
  found?: ReadonlyMap<string, FeatureKind>;
  /** Kinds the user asked for: these replace known kinds. */
  overrides?: ReadonlyMap<string, FeatureKind>;
  /** The score feature's name, when the data has one and the model has none yet. */
  score?: string | null;
  columns?: Partial<ModelMeta['columns']>;
}

/** A new or updated model.json; `changed` tells whether anything needs writing. */
export function updateModelMeta(existing: ModelMeta | undefined, model: string, update: ModelUpdate, now = new Date()): { meta: ModelMeta; changed: boolean } {
  const stamp = now.toISOString();
  const meta: ModelMeta = existing
    ? structuredClone(existing)
    : { name: model, features: [], score: null, columns: { id: null, timestamp: null, label: null, score: null }, created_at: stamp, updated_at: stamp };
  let changed = !existing;
  const index = new Map(meta.features.map((f, i) => [f.name, i]));
  for (const [name, kind] of update.found ?? []) {
    if (index.has(name)) continue;
    index.set(name, meta.features.push({ name, kind }) - 1);
    changed = true;
  }
  for (const [name, kind] of update.overrides ?? []) {
    const i = index.get(name);
    if (i === undefined) index.set(name, meta.features.push({ name, kind }) - 1);
    else if (meta.features[i].kind !== kind) meta.features[i] = { name, kind };
    else continue;
    changed = true;
  }
  if (update.score && meta.score === null) {
    meta.score = update.score;
    changed = true;
  }
  for (const [k, v] of Object.entries(update.columns ?? {}) as [keyof ModelMeta['columns'], string | null | undefined][]) {
    if (v !== undefined && v !== null && meta.columns[k] !== v) {
      meta.columns[k] = v;
      changed = true;
    }
  }
  if (changed) meta.updated_at = stamp;
  return { meta, changed };
}

/** Feature name → kind of a model. */
export function kindsOf(meta: ModelMeta | undefined): Map<string, FeatureKind> {
  return new Map((meta?.features ?? []).map((f) => [f.name, f.kind]));
}
