import { writeFile } from 'node:fs/promises';
import type { QuarantineEntry } from '../../format/quarantine';
import { listModels } from '../../profile/model-store';
import { quarantinedBytes, readQuarantine, type QuarantineFile } from '../../profile/quarantine';
import { listCollectorQuarantine, listQuarantine, replayCollectorQuarantine, replayQuarantine } from '../../profile/quarantine-replay';
import { CliError } from '../cli-error';
import type { CommandContext } from '../command-context';
import type { StoreContext } from '../store-context';

/** `driftwatch quarantine list|show|replay`: inspect rejected input and ingest it again after a fix. */

/** A reason without its particulars, so that reasons group: `timestamp … is … after the time of ingest`. */
export function reasonKind(reason: string): string {
  return reason
    .replace(/"[^"]*"/g, '…')
    .replace(/[^\s(;]*\d[^\s(;]*/g, '…')
    .split(/[(;]|: /)[0]
    .replace(/\s+/g, ' ')
    .trim();
}

function summary(entries: readonly QuarantineEntry[]): string {
  const counts = new Map<string, number>();
  for (const e of entries) counts.set(reasonKind(e.reason), (counts.get(reasonKind(e.reason)) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).map(([r, n]) => `${n}× ${r}`).join('; ');
}

async function modelsWithQuarantine(s: StoreContext, model: string | undefined): Promise<string[]> {
  return model ? [model] : listModels(s.storage);
}

/** The collector's quarantine (events of models unknown when they arrived): `--collector` instead of `--model`. */
export const COLLECTOR = Symbol('collector');
export type QuarantineOwner = string | typeof COLLECTOR;
const ownerName = (owner: QuarantineOwner): string => (owner === COLLECTOR ? 'collector' : owner);

/** Quarantine objects of a model (or the collector's); `batch` (a key, or the name of one without `.ndjson`) picks one. */
async function quarantineKeys(s: StoreContext, owner: QuarantineOwner, batch: string | undefined): Promise<string[]> {
  const model = ownerName(owner);
  const keys = owner === COLLECTOR ? await listCollectorQuarantine(s.storage) : await listQuarantine(s.storage, owner);
  if (batch === undefined) return keys;
  const match = keys.filter((k) => k === batch || k.endsWith(`/${batch}`) || k.endsWith(`/${batch}.ndjson`));
  if (match.length === 0) throw new CliError(`no quarantine file "${batch}" for ${model}${keys.length ? ` (files: ${keys.map((k) => k.slice(k.lastIndexOf('/') + 1)).join(', ')})` : ': it has none'}`);
  return match;
}

async function load(s: StoreContext, key: string): Promise<QuarantineFile> {
  const file = await readQuarantine(s.storage, key);
  if (!file) throw new CliError(`${key} disappeared while reading (another replay?); run the command again`);
  return file;
}

export async function quarantineList(s: StoreContext, model: string | undefined, ctx: CommandContext): Promise<number> {
  let total = 0;
  const owners: QuarantineOwner[] = await modelsWithQuarantine(s, model);
  // Without --model: the collector's quarantine too (events whose model did not exist when they arrived).
  if (model === undefined) owners.push(COLLECTOR);
  for (const owner of owners) {
    const m = ownerName(owner);
    for (const key of await quarantineKeys(s, owner, undefined)) {
      const file = await load(s, key);
      total += file.entries.length;
      const from = file.header ? ` from ${file.header.file} (${file.header.kind}, ingested ${file.header.ingested_at})` : '';
      ctx.log(`${m}: ${key}: ${file.entries.length} lines${from}: ${summary(file.entries)}`);
    }
  }
  if (total === 0) ctx.log(model ? `${model}: nothing in quarantine` : 'nothing in quarantine');
  return 0;
}

export async function quarantineShow(s: StoreContext, owner: QuarantineOwner, batch: string | undefined, line: number | undefined, out: string | undefined, ctx: CommandContext): Promise<number> {
  const model = ownerName(owner);
  const keys = await quarantineKeys(s, owner, batch);
  if ((line !== undefined || out !== undefined) && keys.length !== 1) throw new CliError(`${keys.length} quarantine files for ${model}: pick one with --batch (see \`driftwatch quarantine list --model ${model}\`)`);
  for (const key of keys) {
    const file = await load(s, key);
    const entries = line === undefined ? file.entries : file.entries.filter((e) => e.line === line);
    if (line !== undefined && entries.length === 0) throw new CliError(`${key} has no line ${line} (lines: ${file.entries.map((e) => e.line).slice(0, 20).join(', ')}${file.entries.length > 20 ? ', …' : ''})`);
    if (out !== undefined) {
      const bytes = quarantinedBytes(entries[0]);
      if (!bytes) throw new CliError(`line ${entries[0].line} was ${entries[0].bytes} bytes, over the quarantine cap: only its SHA-256 (${entries[0].sha256}) and first and last KiB were kept`);
      await writeFile(out, bytes);
      ctx.log(`${key}: line ${entries[0].line} (${bytes.length} bytes, the original) written to ${out}`);
      continue;
    }
    ctx.log(`${key}${file.header ? ` (from ${file.header.file})` : ''}:`);
    for (const e of entries) {
      ctx.log(`line ${e.line}: ${e.reason}`);
      if (e.truncated) ctx.log(`  [${e.bytes} bytes, over the cap; sha256 ${e.sha256}] first KiB: ${Buffer.from(e.head_base64 ?? '', 'base64').toString('utf8')}`);
      else if (e.raw_base64 !== undefined) ctx.log(`  [not UTF-8; base64] ${e.raw_base64}`);
      else ctx.log(`  ${e.raw ?? ''}`);
    }
  }
  return 0;
}

export async function quarantineReplay(s: StoreContext, owner: QuarantineOwner, batch: string | undefined, ctx: CommandContext): Promise<number> {
  const model = ownerName(owner);
  const keys = await quarantineKeys(s, owner, batch);
  if (keys.length === 0) ctx.log(`${model}: nothing in quarantine`);
  if (owner === COLLECTOR) {
    for (const key of keys) {
      const r = await replayCollectorQuarantine({ storage: s.storage, key, timeLimits: s.config.ingest, dedupeWindow: s.config.ingest.dedupe_window });
      const landed = Object.entries(r.landed);
      const total = landed.reduce((n, [, k]) => n + k, 0);
      const stays = r.rejected + r.unrecoverable;
      ctx.log(`collector: ${key}: ${r.replayed} events replayed: ${total} landed${landed.length ? ` (${landed.map(([m, k]) => `${k} in ${m}`).join(', ')})` : ''} and left the quarantine, ${r.rejected} rejected again${r.unrecoverable ? `, ${r.unrecoverable} over the cap cannot be replayed` : ''}${stays ? ` (${stays} stay)` : ' (file removed)'}`);
    }
    return 0;
  }
  for (const key of keys) {
    const r = await replayQuarantine({ storage: s.storage, model, key, timeLimits: s.config.ingest, dedupeWindow: s.config.ingest.dedupe_window });
    const stays = r.rejected + r.unrecoverable + r.unsplit;
    const unsplit = r.unsplit ? `, ${r.unsplit} CSV lines that could not be split stay until fixed at the source` : '';
    ctx.log(`${model}: ${key}: ${r.replayed} lines replayed: ${r.landed} landed and left the quarantine, ${r.rejected} rejected again${r.unrecoverable ? `, ${r.unrecoverable} over the cap cannot be replayed` : ''}${unsplit}${stays ? ` (${stays} stay)` : ' (file removed)'}`);
    if (r.ingest && r.ingest.duplicates.inFile + r.ingest.duplicates.stored > 0) ctx.log(`${model}: ${r.ingest.duplicates.inFile + r.ingest.duplicates.stored} of them were duplicates of ids already stored (stored once)`);
  }
  return 0;
}
