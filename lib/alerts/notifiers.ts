import type { AlertEvent, ChannelConfig, HttpChannelConfig } from './schemas';

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface NotifierDeps {
  fetch?: FetchLike;
  sleep?: (ms: number) => Promise<void>;
  log?: (line: string) => void;
  /** In [0, 1); injected so backoff jitter is reproducible in tests. */
  random?: () => number;
}

export type SendResult =
  | { ok: true; attempts: number }
  /** `retryable` false: the receiver rejected the request (4xx); sending it again unchanged will not help. */
  | { ok: false; attempts: number; error: string; retryable: boolean };

export interface SendOptions {
  /** Fewer attempts than the channel's max_attempts (deliver: one try each once a channel looks down). */
  maxAttempts?: number;
}

export interface Notifier {
  readonly channel: string;
  /** The channel's round_budget_ms (see deliver). */
  readonly roundBudgetMs?: number;
  /** Never throws: every failure comes back as `{ ok: false }`. */
  send(event: AlertEvent, options?: SendOptions): Promise<SendResult>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Exponential backoff with "equal jitter": at least half the step, so retries never bunch up at zero. */
export function backoffDelayMs(attempt: number, backoffMs: number, maxBackoffMs: number, random: () => number): number {
  const step = Math.min(maxBackoffMs, backoffMs * 2 ** (attempt - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

/** Retry-After in seconds only; an HTTP-date falls back to our own backoff. */
export function retryAfterMs(header: string | null): number | undefined {
  if (header === null || !/^\s*\d+(\.\d+)?\s*$/.test(header)) return undefined;
  return Math.round(Number(header) * 1000);
}

/** Slack's mrkdwn treats &, < and > as control characters. */
function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function slackBody(event: AlertEvent): { text: string; blocks: unknown[] } {
  const title = event.kind === 'firing' ? ':rotating_light: *Firing*' : ':white_check_mark: *Resolved*';
  const context = `rule \`${event.rule}\` · reference \`${event.reference}\` · window ${event.window_from} – ${event.window_to}`;
  return {
    text: event.message,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `${title} ${escapeSlack(event.message)}` } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: escapeSlack(context) }] },
    ],
  };
}

export function logLine(event: AlertEvent): string {
  return `alert ${event.kind.toUpperCase()} [${event.rule}] ${event.message} (id ${event.id})`;
}

/** Node's fetch says only "fetch failed"; the cause holds the useful part (ECONNREFUSED, ENOTFOUND…). */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? err.cause.message : undefined;
  return cause && cause !== err.message ? `${err.message}: ${cause}` : err.message;
}

type AttemptOutcome = { ok: true } | { ok: false; error: string; retryable: boolean; retryAfterMs?: number };

/** Errors name the channel, never its URL: webhook URLs (Slack's especially) are secrets. */
async function attemptPost(channel: HttpChannelConfig, body: string, eventId: string, fetchImpl: FetchLike): Promise<AttemptOutcome> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), channel.timeout_ms);
  try {
    const response = await fetchImpl(channel.url, {
      method: 'POST',
      headers: { ...channel.headers, 'content-type': 'application/json', 'x-driftwatch-event-id': eventId },
      body,
      signal: controller.signal,
    });
    // Read the body under the same timeout: it frees the connection and explains a rejection.
    const text = await response.text();
    if (response.ok) return { ok: true };
    const detail = text.trim().slice(0, 200);
    const error = `HTTP ${response.status} from ${channel.type} channel "${channel.name}"${detail ? `: ${detail}` : ''}`;
    const retryable = response.status === 429 || response.status >= 500;
    const after = retryAfterMs(response.headers.get('retry-after'));
    return { ok: false, error, retryable, ...(after !== undefined ? { retryAfterMs: after } : {}) };
  } catch (err) {
    const reason = controller.signal.aborted ? `timed out after ${channel.timeout_ms} ms` : describeError(err);
    return { ok: false, error: `${channel.type} channel "${channel.name}": ${reason}`, retryable: true };
  } finally {
    clearTimeout(timer);
  }
}

function createHttpNotifier(channel: HttpChannelConfig, deps: NotifierDeps): Notifier {
  const fetchImpl = deps.fetch ?? ((url, init) => fetch(url, init));
  const sleep = deps.sleep ?? defaultSleep;
  const random = deps.random ?? Math.random;
  return {
    channel: channel.name,
    roundBudgetMs: channel.round_budget_ms,
    async send(event, options = {}) {
      const maxAttempts = Math.min(channel.max_attempts, options.maxAttempts ?? Infinity);
      let body: string;
      try {
        body = JSON.stringify(channel.type === 'slack' ? slackBody(event) : event);
      } catch (err) {
        return { ok: false, attempts: 0, error: `cannot encode event: ${describeError(err)}`, retryable: false };
      }
      for (let attempt = 1; ; attempt++) {
        const outcome = await attemptPost(channel, body, event.id, fetchImpl);
        if (outcome.ok) return { ok: true, attempts: attempt };
        if (!outcome.retryable || attempt >= maxAttempts) {
          return { ok: false, attempts: attempt, error: outcome.error, retryable: outcome.retryable };
        }
        const delay =
          outcome.retryAfterMs !== undefined
            ? Math.min(outcome.retryAfterMs, channel.max_backoff_ms)
            : backoffDelayMs(attempt, channel.backoff_ms, channel.max_backoff_ms, random);
        await sleep(delay);
      }
    },
  };
}

/** One notifier per configured channel; `deps` replaces the network, the clock and the console in tests. */
export function createNotifier(channel: ChannelConfig, deps: NotifierDeps = {}): Notifier {
  if (channel.type !== 'log') return createHttpNotifier(channel, deps);
  const log = deps.log ?? ((line: string) => console.log(line));
  return {
    channel: channel.name,
    async send(event) {
      try {
        log(logLine(event));
        return { ok: true, attempts: 1 };
      } catch (err) {
        return { ok: false, attempts: 1, error: `log channel "${channel.name}": ${describeError(err)}`, retryable: true };
      }
    },
  };
}
