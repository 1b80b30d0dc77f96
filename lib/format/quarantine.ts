import { z } from 'zod';

/**
 * models/<model>/quarantine/<batch>.ndjson: the rejected lines of one ingested file. The first
 * line is a header (older files have entries only, `{line, reason, raw}`, read as `events`), then
 * one entry per rejected line with its original bytes, or, over the cap, enough to identify it.
 */
export const QUARANTINE_FORMAT = 'driftwatch-quarantine/1';

export const QuarantineHeader = z.object({
  format: z.literal(QUARANTINE_FORMAT),
  /** The input file as given to `ingest` (a path on the machine that ingested it). */
  file: z.string(),
  /** `events`: NDJSON prediction events; `table`: rows of a wide table, kept as JSON objects. */
  kind: z.enum(['events', 'table']),
  ingested_at: z.string(),
});
export type QuarantineHeader = z.infer<typeof QuarantineHeader>;

export const QuarantineEntry = z.object({
  /** 1-based line (events) or row (tables) of the input file. */
  line: z.number().int().min(0),
  reason: z.string(),
  /** The whole line, when it is valid UTF-8 and within the cap. */
  raw: z.string().optional(),
  /** The whole line's bytes, when they are not valid UTF-8 (within the cap). */
  raw_base64: z.string().optional(),
  /** Length of the original line in bytes. */
  bytes: z.number().int().min(0).optional(),
  /** Over the cap: `truncated`, the SHA-256 of the whole line and its first and last KiB. */
  truncated: z.boolean().optional(),
  sha256: z.string().optional(),
  head_base64: z.string().optional(),
  tail_base64: z.string().optional(),
});
export type QuarantineEntry = z.infer<typeof QuarantineEntry>;
