import { DAY_MS, dayLabel, hourLabel, hourToken, layout, parseProfileState, type SummaryRow } from '@/lib/format';
import type { Storage } from '@/lib/storage';

/**
 * Store one hour's summaries the way `profile` does in format 2.0 — as rows of its day's pack,
 * with the hour's token in the profile state (the index of hours) — but as JSON, for suites that
 * test evaluation without Parquet or DuckDB (their decoder parses JSON).
 */
export async function putHourProfile(storage: Storage, model: string, hourMs: number, rows: readonly SummaryRow[], codec: PackCodec = JSON_CODEC): Promise<void> {
  const key = layout.hourlyProfile(model, hourMs);
  const others = (await readPack(storage, key, codec)).filter((r) => r.period_start !== hourMs);
  await storage.write(key, await codec.encode([...others, ...rows].sort((a, b) => a.period_start - b.period_start)));
  await setToken(storage, model, hourMs, hourToken(rows));
}

/** Remove one hour from its day's pack and from the profile state. */
export async function deleteHourProfile(storage: Storage, model: string, hourMs: number, codec: PackCodec = JSON_CODEC): Promise<void> {
  const key = layout.hourlyProfile(model, hourMs);
  const rows = (await readPack(storage, key, codec)).filter((r) => r.period_start !== hourMs);
  if (rows.length === 0) await storage.delete(key);
  else await storage.write(key, await codec.encode(rows));
  await setToken(storage, model, hourMs, undefined);
}

/** How a suite stores profile files: JSON (no DuckDB) or Parquet (readSummaryParquet / writeSummaryParquet). */
export interface PackCodec {
  encode: (rows: SummaryRow[]) => Promise<Uint8Array | string> | Uint8Array | string;
  decode: (bytes: Uint8Array) => Promise<SummaryRow[]> | SummaryRow[];
}

const JSON_CODEC: PackCodec = { encode: (rows) => JSON.stringify(rows), decode: (bytes) => JSON.parse(new TextDecoder().decode(bytes)) as SummaryRow[] };

async function readPack(storage: Storage, key: string, codec: PackCodec): Promise<SummaryRow[]> {
  const bytes = await storage.read(key);
  return bytes ? await codec.decode(bytes) : [];
}

async function setToken(storage: Storage, model: string, hourMs: number, token: string | undefined): Promise<void> {
  const stateKey = layout.profileState(model);
  const state = parseProfileState(await storage.read(stateKey), stateKey);
  const day = dayLabel(Math.floor(hourMs / DAY_MS) * DAY_MS);
  const entry = (state.days[day] ??= { batches: [], hours: {} });
  if (token === undefined) delete entry.hours[hourLabel(hourMs)];
  else entry.hours[hourLabel(hourMs)] = token;
  await storage.write(stateKey, JSON.stringify(state));
}
