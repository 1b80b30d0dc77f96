import { parseTimestamp } from '../format';
import { implausibleTime, type TimeLimits } from './time-limits';

/** A prediction event normalised for raw storage: ts as ISO UTC, unknown top-level fields dropped. */
export interface NormalizedEvent {
  model: string;
  id: string;
  ts: string;
  features: Record<string, unknown>;
  score?: unknown;
  model_version?: string;
}

/**
 * `text`: the normalised event as one JSON line (the input line itself when it already was one);
 * `invalidUtf8`: features whose value held bytes that are not UTF-8 (now failed values).
 */
export type EventLineResult = { ok: true; ms: number; event: NormalizedEvent; text: string; invalidUtf8: string[] } | { ok: false; reason: string };

export interface EventLineOptions {
  /** Plausible prediction times; without them only the range of dates is checked. */
  limits?: TimeLimits;
  /** The line's bytes were not valid UTF-8: they were decoded with U+FFFD in place of the bad bytes. */
  invalidUtf8?: boolean;
}

/**
 * A string value that held invalid UTF-8 becomes this object: the profiler counts an object as a
 * wrong type for both kinds (type_errors), so it can never become a category or a number.
 */
export const INVALID_UTF8_KEY = 'invalid_utf8';

/**
 * Python's json.dumps writes bare NaN/Infinity. Such a line is read again with those tokens
 * quoted, so the profiler counts them as non-finite values instead of quarantining the event.
 */
const BARE_NON_FINITE = /([:,[]\s*)(-?Infinity|NaN)(?=\s*[,}\]])/;
const BARE_NON_FINITE_ALL = new RegExp(BARE_NON_FINITE.source, 'g');

function parseJson(line: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(line) };
  } catch (error) {
    if (BARE_NON_FINITE.test(line)) {
      try {
        return { ok: true, value: JSON.parse(line.replace(BARE_NON_FINITE_ALL, '$1"$2"')) };
      } catch {
        // fall through to the original message
      }
    }
    return { ok: false, message: (error as Error).message };
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Check one NDJSON line against the event contract (lib/format/events.ts). Feature values and the
 * score are kept as they are: wrong types there are counted by the profiler, not quarantined.
 */
export function parseEventLine(line: string, model: string, options: EventLineOptions = {}): EventLineResult {
  const parsed = parseJson(line);
  if (!parsed.ok) return { ok: false, reason: `invalid JSON: ${parsed.message}` };
  const e = parsed.value;
  if (!isPlainObject(e)) return { ok: false, reason: 'not a JSON object' };
  if (e.model === undefined || e.model === null) return { ok: false, reason: 'missing model' };
  if (e.model !== model) return { ok: false, reason: `wrong model name ${JSON.stringify(e.model).slice(0, 140)} (expected "${model}")` };
  let id: string;
  if (e.id === undefined || e.id === null || e.id === '') return { ok: false, reason: 'missing id' };
  if (typeof e.id === 'string' && e.id.length <= 512) id = e.id;
  else if (typeof e.id === 'number' && Number.isFinite(e.id)) id = String(e.id);
  else return { ok: false, reason: 'bad id: must be a string of at most 512 characters or a number' };
  if (e.ts === undefined || e.ts === null || e.ts === '') return { ok: false, reason: 'missing ts' };
  const ms = parseTimestamp(e.ts);
  if (ms === undefined) return { ok: false, reason: `bad timestamp ${JSON.stringify(e.ts).slice(0, 80)}` };
  if (options.limits) {
    const implausible = implausibleTime(ms, options.limits, e.ts);
    if (implausible) return { ok: false, reason: implausible };
  } else if (!Number.isFinite(new Date(ms).getTime())) return { ok: false, reason: `timestamp ${JSON.stringify(e.ts)} is out of the range of dates` };
  if (e.features === undefined || e.features === null) return { ok: false, reason: 'missing features' };
  if (!isPlainObject(e.features)) return { ok: false, reason: 'features is not a JSON object' };
  const invalidUtf8: string[] = [];
  if (options.invalidUtf8) {
    for (const [name, value] of Object.entries(e.features)) {
      if (typeof value === 'string' && value.includes('\uFFFD')) {
        e.features[name] = { [INVALID_UTF8_KEY]: value };
        invalidUtf8.push(name);
      }
    }
  }
  const event: NormalizedEvent = { model, id, ts: new Date(ms).toISOString(), features: e.features };
  if (e.score !== undefined) event.score = e.score;
  if (typeof e.model_version === 'string') event.model_version = e.model_version.slice(0, 128);
  const normal = invalidUtf8.length === 0 && !options.invalidUtf8 && alreadyNormal(e, event, line);
  return { ok: true, ms, event, text: normal ? line : JSON.stringify(event), invalidUtf8 };
}

const NORMAL_KEYS = new Set(['model', 'id', 'ts', 'features', 'score', 'model_version']);

/** Re-serialising costs a third of ingest; a line that is already normal (ts in ISO UTC, no extra keys) is kept. */
function alreadyNormal(e: Record<string, unknown>, event: NormalizedEvent, line: string): boolean {
  if (e.ts !== event.ts || e.id !== event.id || line.includes('NaN') || line.includes('Infinity')) return false;
  if (e.model_version !== undefined && e.model_version !== event.model_version) return false;
  for (const key in e) if (!NORMAL_KEYS.has(key)) return false;
  return true;
}
