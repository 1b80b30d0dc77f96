import { isUtf8 } from 'node:buffer';
import { parseEventLine } from '../profile/event-line';
import type { TimeLimits } from '../profile/time-limits';
import { MAX_EVENT_BYTES, MAX_EVENT_DEPTH, type RejectReason } from './types';

export type ValidatedLine =
  | { ok: true; model: string; id: string; ms: number; text: string }
  | { ok: false; reason: RejectReason; detail: string; model?: string };

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The deepest nesting of objects/arrays outside strings, stopping as soon as it passes `limit`. */
export function nestingDepth(bytes: Uint8Array, limit = MAX_EVENT_DEPTH): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) inString = true;
    else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
      if (++depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) depth--;
  }
  return deepest;
}

/** Python's json.dumps writes bare NaN/Infinity; parseEventLine reads them as strings (feature failures). */
const BARE_NON_FINITE = /([:,[]\s*)(-?Infinity|NaN)(?=\s*[,}\]])/g;
/** ...but not in the envelope: a NaN id or timestamp is not an event. */
const ENVELOPE_NON_FINITE = /"(?:id|ts)"\s*:\s*(?:-?Infinity|NaN)\s*[,}\]]/;
const NON_FINITE_TEXT = new Set(['NaN', 'Infinity', '-Infinity']);
/** A cheap look at the model name of a line that cannot be parsed, to quarantine it with its model. */
const MODEL_FIELD = /"model"\s*:\s*"([A-Za-z0-9._-]{1,128})"/;

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function peekModel(bytes: Uint8Array, knownModels: ReadonlySet<string>): string | undefined {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 4096)).toString('latin1');
  const model = MODEL_FIELD.exec(head)?.[1];
  return model !== undefined && knownModels.has(model) ? model : undefined;
}

const BARE_SCORE = /"score"\s*:\s*-?(?:NaN|Infinity)\s*[,}]/;

/**
 * The common case in one parse: the model named near the start is known, so parseEventLine can
 * check the line directly. Anything unusual (another "model" key first, a failure) returns
 * undefined and takes the full path, which classifies it.
 */
function fastPath(line: string, knownModels: ReadonlySet<string>, limits: TimeLimits | undefined): ValidatedLine | undefined {
  const model = MODEL_FIELD.exec(line.length > 4096 ? line.slice(0, 4096) : line)?.[1];
  if (model === undefined || !knownModels.has(model)) return undefined;
  const parsed = parseEventLine(line, model, { limits });
  if (!parsed.ok) return undefined;
  const { id, score } = parsed.event;
  if (NON_FINITE_TEXT.has(id) && ENVELOPE_NON_FINITE.test(line)) return undefined;
  if (score !== undefined && score !== null && typeof score !== 'number' && !(typeof score === 'string' && NON_FINITE_TEXT.has(score) && BARE_SCORE.test(line))) return undefined;
  return { ok: true, model, id, ms: parsed.ms, text: parsed.text };
}

function reject(reason: RejectReason, detail: string, model: string | undefined): ValidatedLine {
  return model === undefined ? { ok: false, reason, detail } : { ok: false, reason, detail, model };
}

/**
 * One NDJSON line of a collector message → a normalised event line, or why it is rejected.
 * Checks run cheapest-first so hostile input (huge, deep, binary) is refused before JSON.parse.
 * Feature values (NaN, wrong types) are kept: the profiler counts them as feature failures.
 */
export interface ValidateOptions {
  /** Plausible prediction times (config `ingest.earliest`, `ingest.max_future_skew`); without them only the range of dates is checked. */
  limits?: TimeLimits;
}

export function validateLine(bytes: Uint8Array, knownModels: ReadonlySet<string>, options: ValidateOptions = {}): ValidatedLine {
  if (bytes.length > MAX_EVENT_BYTES) return reject('oversize', `event is ${bytes.length} bytes, more than ${MAX_EVENT_BYTES}`, peekModel(bytes, knownModels));
  if (!isUtf8(bytes)) return reject('invalid_utf8', 'event is not valid UTF-8', peekModel(bytes, knownModels));
  const depth = nestingDepth(bytes);
  if (depth > MAX_EVENT_DEPTH) return reject('too_deep', `event nests objects/arrays deeper than ${MAX_EVENT_DEPTH}`, peekModel(bytes, knownModels));
  const line = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
  const fast = fastPath(line, knownModels, options.limits);
  if (fast) return fast;
  let value: unknown;
  let bareNonFinite = false;
  try {
    value = JSON.parse(line);
  } catch (error) {
    try {
      value = JSON.parse(line.replace(BARE_NON_FINITE, '$1"$2"'));
      bareNonFinite = true;
    } catch {
      return reject('malformed_json', `invalid JSON: ${(error as Error).message}`, peekModel(bytes, knownModels));
    }
  }
  if (!isPlainObject(value)) return reject('invalid_event', 'not a JSON object', undefined);
  const model = value.model;
  if (typeof model !== 'string' || model === '') return reject('invalid_event', model === undefined || model === null ? 'missing model' : 'model is not a string', undefined);
  if (!knownModels.has(model)) return reject('unknown_model', `unknown model ${JSON.stringify(model).slice(0, 140)}`, undefined);
  if (bareNonFinite && (NON_FINITE_TEXT.has(String(value.id)) || NON_FINITE_TEXT.has(String(value.ts))) && ENVELOPE_NON_FINITE.test(line)) return reject('invalid_event', 'NaN/Infinity in the envelope (id or ts)', model);
  const score = value.score;
  if (score !== undefined && score !== null && typeof score !== 'number' && !(bareNonFinite && typeof score === 'string' && NON_FINITE_TEXT.has(score))) {
    return reject('invalid_event', 'score is not a number', model);
  }
  const parsed = parseEventLine(line, model, { limits: options.limits });
  if (!parsed.ok) return reject('invalid_event', parsed.reason, model);
  return { ok: true, model, id: parsed.event.id, ms: parsed.ms, text: parsed.text };
}
