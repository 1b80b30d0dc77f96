import { z } from 'zod';

/** Offsets are accepted because points may come from other tools; times are compared as instants. */
const IsoTime = z.iso.datetime({ offset: true });
const Name = z.string().min(1).max(200);
/** Rule and channel names go into event ids and keys joined by '|', so they may not contain one. */
const ConfigName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'use letters, digits, ".", "_" or "-" (at most 100 characters)');

/** 'not_monitored': drift monitoring is off for the feature (`drift: false`) and it is not failing. */
export const Verdict = z.enum(['ok', 'drift', 'failing', 'not_monitored']);
export type Verdict = z.infer<typeof Verdict>;

export const BreachVerdict = z.enum(['drift', 'failing']);
export type BreachVerdict = z.infer<typeof BreachVerdict>;

/** What an alert is about: one feature of one model, compared with one reference. */
const Target = { model: Name, feature: Name, reference: Name };

/** One evaluation of one feature of one model against one reference (the output of lib/compare). */
export const VerdictPoint = z.object({
  ...Target,
  /** End of the evaluated window: the point's position in time. */
  at: IsoTime,
  window_from: IsoTime,
  window_to: IsoTime,
  verdict: Verdict,
  metric: z.string().min(1),
  value: z.number().nullable(),
  threshold: z.number().nullable(),
  failed_rate: z.number().min(0).max(1).nullable(),
  hint: z.string().optional(),
});
export type VerdictPoint = z.infer<typeof VerdictPoint>;

export const AlertRule = z.object({
  name: ConfigName,
  /** Absent: every model. */
  model: Name.optional(),
  /** Absent: every feature. */
  feature: Name.optional(),
  /** Absent: every reference. */
  reference: Name.optional(),
  verdicts: z.array(BreachVerdict).min(1).default(['drift', 'failing']),
  /** Consecutive breaching evaluations before the alert fires (status is 'pending' meanwhile). */
  fire_after: z.int().min(1).default(2),
  /** Consecutive clear evaluations before a firing alert resolves. */
  resolve_after: z.int().min(1).default(3),
  /** Names of channels; empty keeps state without notifying anyone. */
  channels: z.array(ConfigName),
});
export type AlertRule = z.infer<typeof AlertRule>;
export type AlertRuleInput = z.input<typeof AlertRule>;

export const AlertStatus = z.enum(['ok', 'pending', 'firing']);
export type AlertStatus = z.infer<typeof AlertStatus>;

/** Hysteresis state of one (rule, model, feature, reference); self-describing so it can be stored alone. */
export const AlertState = z.object({
  rule: ConfigName,
  ...Target,
  status: AlertStatus,
  breaching_streak: z.int().min(0),
  clear_streak: z.int().min(0),
  /** `at` of the first point of the current breaching or clear streak. */
  since: IsoTime.optional(),
  fired_at: IsoTime.optional(),
  /** Points at or before this instant have been applied already and are skipped on a re-run. */
  last_at: IsoTime,
});
export type AlertState = z.infer<typeof AlertState>;

/** States keyed by `alertKey(...)`. */
export const AlertStates = z.record(z.string(), AlertState);
export type AlertStates = z.infer<typeof AlertStates>;

export const AlertEventKind = z.enum(['firing', 'resolved']);
export type AlertEventKind = z.infer<typeof AlertEventKind>;

export const AlertEvent = z.object({
  /** rule|model|feature|reference|kind|at: the same transition always gets the same id, so receivers can dedupe. */
  id: z.string(),
  rule: ConfigName,
  ...Target,
  kind: AlertEventKind,
  /** `at` of the point that caused the transition. */
  at: IsoTime,
  window_from: IsoTime,
  window_to: IsoTime,
  verdict: Verdict,
  metric: z.string(),
  value: z.number().nullable(),
  threshold: z.number().nullable(),
  hint: z.string().optional(),
  /** Firing: first breaching evaluation of the streak. Resolved: first clear evaluation. */
  since: IsoTime,
  /** Resolved events only: when the alert had fired. */
  fired_at: IsoTime.optional(),
  message: z.string(),
});
export type AlertEvent = z.infer<typeof AlertEvent>;

const HttpChannelFields = {
  name: ConfigName,
  url: z.url({ protocol: /^https?$/ }),
  headers: z.record(z.string(), z.string()).optional(),
  timeout_ms: z.int().min(1).default(5000),
  max_attempts: z.int().min(1).max(20).default(5),
  /** First retry delay; doubles per attempt, with jitter, up to max_backoff_ms. */
  backoff_ms: z.int().min(0).default(500),
  /** Caps both the exponential backoff and a server's Retry-After. */
  max_backoff_ms: z.int().min(0).default(30_000),
  /** Time one delivery round may spend on this channel; what is left waits for the next round. */
  round_budget_ms: z.int().min(1).default(60_000),
};

export const LogChannelConfig = z.object({ name: ConfigName, type: z.literal('log') });
export const WebhookChannelConfig = z.object({ type: z.literal('webhook'), ...HttpChannelFields });
export const SlackChannelConfig = z.object({ type: z.literal('slack'), ...HttpChannelFields });
export const ChannelConfig = z.discriminatedUnion('type', [LogChannelConfig, WebhookChannelConfig, SlackChannelConfig]);
export type ChannelConfig = z.infer<typeof ChannelConfig>;
export type ChannelConfigInput = z.input<typeof ChannelConfig>;
export type HttpChannelConfig = z.infer<typeof WebhookChannelConfig> | z.infer<typeof SlackChannelConfig>;

/** Rules and channels together, so names can be checked against each other once, at load time. */
export const AlertConfig = z
  .object({ rules: z.array(AlertRule), channels: z.array(ChannelConfig) })
  .superRefine((config, ctx) => {
    const duplicates = (names: string[]) => names.filter((name, i) => names.indexOf(name) !== i);
    for (const name of duplicates(config.rules.map((r) => r.name))) {
      ctx.addIssue({ code: 'custom', path: ['rules'], message: `rule name "${name}" is used more than once` });
    }
    const channelNames = config.channels.map((c) => c.name);
    for (const name of duplicates(channelNames)) {
      ctx.addIssue({ code: 'custom', path: ['channels'], message: `channel name "${name}" is used more than once` });
    }
    config.rules.forEach((rule, i) => {
      for (const channel of rule.channels) {
        if (!channelNames.includes(channel)) {
          ctx.addIssue({ code: 'custom', path: ['rules', i, 'channels'], message: `rule "${rule.name}" names unknown channel "${channel}"` });
        }
      }
    });
  });
export type AlertConfig = z.infer<typeof AlertConfig>;

/** One event waiting to be delivered to one channel. */
export const OutboxEntry = z.object({
  event: AlertEvent,
  channel: ConfigName,
  /** Delivery rounds (evaluations) that already failed for this entry. */
  rounds: z.int().min(0),
  last_error: z.string().optional(),
  /** Requests made for this entry so far, over every round. */
  attempts: z.int().min(0).optional(),
  /** When the last round that tried it ended (ISO). */
  last_attempt_at: IsoTime.optional(),
});
export type OutboxEntry = z.infer<typeof OutboxEntry>;

export const Outbox = z.object({ entries: z.array(OutboxEntry) });
export type Outbox = z.infer<typeof Outbox>;
