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

/** A rule on the verdicts of features (drift, failing values); `on` may be left out, as in configs written before performance rules. */
export const DriftAlertRule = z.object({
  name: ConfigName,
  on: z.literal('drift').optional(),
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
export type DriftAlertRule = z.infer<typeof DriftAlertRule>;

/** Realised figures come from the labels (lib/labels RealisedPerformance); estimated ones from the score alone (CBPE). */
export const PerformanceSource = z.enum(['realised', 'estimated']);
export type PerformanceSource = z.infer<typeof PerformanceSource>;

export const REALISED_METRICS = ['roc_auc', 'average_precision', 'precision', 'recall', 'f1', 'accuracy', 'log_loss', 'brier', 'positive_rate'] as const;
export const ESTIMATED_METRICS = ['roc_auc', 'precision', 'recall', 'f1', 'accuracy'] as const;
export const PerformanceMetric = z.enum(REALISED_METRICS);
export type PerformanceMetric = z.infer<typeof PerformanceMetric>;
/** Metrics that are not shares: no bound to check a threshold against (log loss is unbounded above). */
const UNBOUNDED_METRICS: readonly PerformanceMetric[] = ['log_loss'];

const list = (names: readonly string[]) => names.join(', ');

/** Settings of drift rules (or of other tools) that mean nothing here, and what to write instead. */
const NOT_PERFORMANCE_SETTINGS: Record<string, string> = {
  for: 'use fire_after (consecutive breaching evaluations before the alert fires)',
  threshold: 'use below: or above: (the value that breaches)',
};
const PERFORMANCE_SETTINGS = 'name, on, model, reference, source, metric, below, above, min_coverage, fire_after, resolve_after, channels';

/**
 * A rule on a model's performance at each evaluated window end (docs/format.md, "Alerts"), e.g.
 * `{name: auc-low, on: performance, metric: roc_auc, source: estimated, below: 0.9, channels: [log]}`.
 * Strict: a misspelt setting is an error, not silently a rule that never fires.
 */
export const PerformanceAlertRule = z
  .strictObject(
    {
      name: ConfigName,
      on: z.literal('performance'),
      /** Absent: every model with performance profiles. */
      model: Name.optional(),
      /** The reference whose calibration the estimate uses; absent: the first of evaluation.references. */
      reference: Name.optional(),
      source: PerformanceSource,
      metric: z.enum(REALISED_METRICS, { error: `must be one of ${list(REALISED_METRICS)}` }),
      /** Breaches when the value is below this (or above `above`); at least one of the two. */
      below: z.number().optional(),
      above: z.number().optional(),
      /** Realised rules: the label coverage a window needs to count at all; absent: performance.min_coverage. */
      min_coverage: z.number().min(0).max(1).optional(),
      fire_after: z.int().min(1).default(2),
      resolve_after: z.int().min(1).default(3),
      channels: z.array(ConfigName),
      /** Typed `never` so a config naming them gets a clear error, and code reading `rule.verdicts` of any rule type-checks. */
      verdicts: z.never({ error: 'a performance rule fires on its metric crossing below: or above:, not on verdicts' }).optional(),
      feature: z.never({ error: 'a performance rule is about the whole model, not one feature' }).optional(),
    },
    {
      error: (issue) => {
        if (issue.code !== 'unrecognized_keys') return undefined;
        return issue.keys.map((k) => `unknown setting "${k}": ${NOT_PERFORMANCE_SETTINGS[k] ?? `a performance rule takes ${PERFORMANCE_SETTINGS}`}`).join('; ');
      },
    },
  )
  .superRefine((rule, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (rule.source === 'estimated' && !(ESTIMATED_METRICS as readonly string[]).includes(rule.metric)) {
      issue('metric', `"${rule.metric}" has no estimate before labels arrive; estimated metrics are ${list(ESTIMATED_METRICS)} (or use source: realised)`);
    }
    if (rule.source === 'estimated' && rule.min_coverage !== undefined) {
      issue('min_coverage', 'applies to realised metrics only: an estimate needs no labels');
    }
    if (rule.below === undefined && rule.above === undefined) {
      issue('below', `say when the rule breaches: below: (e.g. below: 0.9 for ${rule.metric} under 0.9) or above:`);
    }
    if (rule.below !== undefined && rule.above !== undefined && !(rule.below < rule.above)) {
      issue('above', `with both, below: must be less than above: (the rule breaches outside [below, above]); got below ${rule.below}, above ${rule.above}`);
    }
    for (const key of ['below', 'above'] as const) {
      const value = rule[key];
      if (value === undefined || UNBOUNDED_METRICS.includes(rule.metric)) continue;
      if (value < 0 || value > 1) {
        const hint = value > 1 && value <= 100 ? ` (for ${value}% write ${value / 100})` : '';
        issue(key, `${rule.metric} lies between 0 and 1, so ${key}: ${value} can never be crossed${hint}`);
      }
    }
  });
export type PerformanceAlertRule = z.infer<typeof PerformanceAlertRule>;

/** `on` picks the kind: absent or `drift` for verdict rules, `performance` for metric rules. */
export const AlertRule = z.discriminatedUnion('on', [DriftAlertRule, PerformanceAlertRule], {
  error: (issue) => (issue.code === 'invalid_union' ? 'must be drift (the default: verdicts of features) or performance (a metric of the model)' : undefined),
});
export type AlertRule = z.infer<typeof AlertRule>;
export type AlertRuleInput = z.input<typeof AlertRule>;

export function isPerformanceRule(rule: AlertRule): rule is PerformanceAlertRule {
  return rule.on === 'performance';
}

/**
 * A model's performance over one evaluated window (from lib/labels performanceSeries): every
 * figure a performance rule may judge, so one point serves every rule on the same reference.
 */
export const PerformancePoint = z.object({
  on: z.literal('performance'),
  model: Name,
  reference: Name,
  at: IsoTime,
  window_from: IsoTime,
  window_to: IsoTime,
  predictions: z.int().min(0),
  labelled: z.int().min(0),
  coverage: z.number().min(0).max(1).nullable(),
  /** Null where no realised figure exists (no labels, one class only); metric → value. */
  realised: z.partialRecord(PerformanceMetric, z.number().nullable()).nullable(),
  estimated: z.partialRecord(PerformanceMetric, z.number().nullable()).nullable(),
  /** The estimated ROC AUC's sampling band. */
  estimated_roc_auc_band: z.object({ lower: z.number(), upper: z.number() }).nullable(),
});
export type PerformancePoint = z.infer<typeof PerformancePoint>;

/** What alert rules are applied to: a feature's verdict, or a model's performance. */
export type AlertPoint = VerdictPoint | PerformancePoint;

export function isPerformancePoint(point: AlertPoint): point is PerformancePoint {
  return 'on' in point && point.on === 'performance';
}

export const AlertStatus = z.enum(['ok', 'pending', 'firing']);
export type AlertStatus = z.infer<typeof AlertStatus>;

/** Hysteresis state of one (rule, model, feature, reference); self-describing so it can be stored alone. */
export const AlertState = z.object({
  rule: ConfigName,
  ...Target,
  /** Set for performance rules (`feature` then names the source and metric, e.g. "estimated roc_auc"). */
  on: z.literal('performance').optional(),
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

/** A performance rule's breach is 'degraded' (its clear point 'ok'); drift rules keep the feature's verdict. */
export const EventVerdict = z.enum([...Verdict.options, 'degraded']);
export type EventVerdict = z.infer<typeof EventVerdict>;

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
  verdict: EventVerdict,
  metric: z.string(),
  value: z.number().nullable(),
  threshold: z.number().nullable(),
  hint: z.string().optional(),
  /** Performance rules only (absent on drift events): the kind, the source of `value`, its band and label coverage. */
  on: z.literal('performance').optional(),
  source: PerformanceSource.optional(),
  band: z.object({ lower: z.number(), upper: z.number() }).optional(),
  coverage: z.number().min(0).max(1).nullable().optional(),
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
