import { WORKFLOW_PATHS, WORKFLOW_SCHEMAS } from './openapi-workflow';

/** The OpenAPI 3.1 description of the dashboard's routes (served at /api/openapi.json; docs/api.md explains them). */
import { SUMMARY_PATHS, SUMMARY_SCHEMAS } from './openapi-summary';
import { REPORT_OPENAPI_PATHS, REPORT_OPENAPI_SCHEMAS } from './openapi-report';
const windowParams = [
  { name: 'from', in: 'query', schema: { type: 'string', format: 'date-time' }, description: 'Window start (ISO 8601), with `to`: an absolute window. Widened to whole hours.' },
  { name: 'to', in: 'query', schema: { type: 'string', format: 'date-time' }, description: 'Window end (ISO 8601), exclusive. Alone (or with `window`): the window ends here instead of at the latest data. Statuses and alerts are as of this instant.' },
  { name: 'window', in: 'query', schema: { type: 'string', example: '12h' }, description: 'A relative window (1h … 400d) ending at the latest profiled hour (or at `to`); default: the config’s evaluation window. The CLI reads `--window` the same way.' },
];
const reference = { name: 'reference', in: 'query', schema: { type: 'string', example: 'test' }, description: 'Reference to compare with; default: the first configured reference.' };
const metric = { name: 'metric', in: 'query', schema: { type: 'string', enum: ['area', 'ks', 'wasserstein_norm', 'psi', 'js', 'hellinger', 'linf'] }, description: 'Metric that drives the verdict; default: per feature from the config.' };
const model = { name: 'model', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$' } };
const errors = {
  '400': { description: 'A parameter is invalid; the message names it.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
  '404': { description: 'Unknown model, feature or reference.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
  '503': { description: 'The configured store is missing or of a newer format.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
};
const json = (description: string, schema: object) => ({ description, content: { 'application/json': { schema } } });

export const OPENAPI = {
  openapi: '3.1.0',
  info: { title: 'driftwatch dashboard API', version: '1.0.0', description: 'Drift, failed-feature and performance monitoring, recomputed from the store’s summaries for any window.' },
  paths: {
    '/api/models': {
      get: { summary: 'Models and their status as of the window’s end (default: each model’s latest data)', parameters: windowParams, responses: { '200': json('Models', { type: 'object', properties: { models: { type: 'array', items: { $ref: '#/components/schemas/ModelOverview' } } } }), ...errors } },
    },
    '/api/models/{model}/compare': {
      get: {
        summary: 'Every feature of a model compared with a reference over any window',
        parameters: [model, ...windowParams, reference, metric],
        responses: { '200': json('Comparison', { $ref: '#/components/schemas/ModelView' }), ...errors },
      },
    },
    '/api/models/{model}/features/{feature}': {
      get: {
        summary: 'One feature: CDF points, shared-bin histograms and statistics of live and every reference',
        parameters: [model, { name: 'feature', in: 'path', required: true, schema: { type: 'string' }, description: 'URL-encoded feature name.' }, ...windowParams, reference, metric],
        responses: { '200': json('Feature view', { $ref: '#/components/schemas/FeatureView' }), ...errors },
      },
    },
    '/api/models/{model}/trend': {
      get: {
        summary: 'One feature’s distance over time, for any window length and step',
        parameters: [
          model,
          { name: 'feature', in: 'query', required: true, schema: { type: 'string' } },
          metric,
          { name: 'window', in: 'query', schema: { type: 'string', example: '12h' }, description: 'Length of each compared window; default: the evaluation window.' },
          { name: 'step', in: 'query', schema: { type: 'string', example: '1h' }, description: 'Distance between window ends (whole hours); default 1h. At most 2,000 windows per request.' },
          { name: 'from', in: 'query', schema: { type: 'string', format: 'date-time' } },
          { name: 'to', in: 'query', schema: { type: 'string', format: 'date-time' } },
          { name: 'range', in: 'query', schema: { type: 'string', example: '7d' }, description: 'Without from/to: the span of window ends, ending at the latest data; default 7d.' },
          reference,
        ],
        responses: { '200': json('Trend', { $ref: '#/components/schemas/TrendView' }), ...errors },
      },
    },
    '/api/models/{model}/performance': {
      get: {
        summary: 'Realised performance where labels arrived and the estimate from the score before they do, per window (as `driftwatch performance --json`)',
        parameters: [
          model,
          { name: 'window', in: 'query', schema: { type: 'string', example: '30d' }, description: 'A relative range (1h … 400d) ending at the latest profiled hour (or at `to`); default 30d. Give a window or from, not both.' },
          { name: 'from', in: 'query', schema: { type: 'string', format: 'date-time' }, description: 'Range start (ISO 8601), with `to`: an absolute range.' },
          { name: 'to', in: 'query', schema: { type: 'string', format: 'date-time' }, description: 'Range end (ISO 8601), exclusive.' },
          { name: 'step', in: 'query', schema: { type: 'string', example: '1d' }, description: 'Length of each window (whole hours); default: the whole range as one window. At most 2,000 windows.' },
          reference,
          { name: 'metric', in: 'query', schema: { type: 'string', enum: ['roc_auc', 'accuracy', 'precision', 'recall', 'f1', 'average_precision', 'log_loss', 'brier'], default: 'roc_auc' }, description: 'The metric the dashboard plots; checked, but the answer holds every metric.' },
        ],
        responses: { '200': json('Performance per window', { $ref: '#/components/schemas/PerformanceSeries' }), ...errors },
      },
    },
    '/api/alerts': {
      get: {
        summary: 'Alert events, newest first',
        parameters: [
          { name: 'model', in: 'query', schema: { type: 'string' } },
          { name: 'state', in: 'query', schema: { type: 'string', enum: ['firing', 'resolved'] } },
          { name: 'to', in: 'query', schema: { type: 'string', format: 'date-time' }, description: 'List the events up to this instant; `open` is as of it. Default: now.' },
        ],
        responses: {
          '200': json('Alerts, and how their delivery is going per model and channel', {
            type: 'object',
            properties: {
              alerts: { type: 'array', items: { $ref: '#/components/schemas/AlertEvent' } },
              delivery: {
                type: 'array',
                description: 'Per model and channel, failing ones first (state/alert-delivery.json).',
                items: {
                  type: 'object',
                  properties: {
                    model: { type: 'string' },
                    channel: { type: 'string' },
                    last_attempt_at: { type: ['string', 'null'] },
                    last_success_at: { type: ['string', 'null'] },
                    last_error: { type: ['string', 'null'] },
                    last_error_at: { type: ['string', 'null'] },
                    pending: { type: 'integer', description: 'Notifications waiting in the outbox.' },
                    delivered_last_round: { type: 'integer' },
                    failed_last_round: { type: 'integer' },
                  },
                },
              },
            },
          }),
          ...errors,
        },
      },
    },
    '/api/share': {
      post: {
        summary: 'A signed link to a view (docs/security.md): editors only',
        description: 'Body {model, feature?, window | from&to, reference?, expires? (2s…30d, default 7d)}. A relative window is fixed to its current from/to. 201 {id, url, expires}; the link opens that view and the routes it needs without a token, nothing else.',
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', properties: { model: { type: 'string' }, feature: { type: 'string' }, window: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, reference: { type: 'string' }, expires: { type: 'string' } }, required: ['model'] } } } },
        responses: { '201': { description: 'the link', content: { 'application/json': { schema: { type: 'object', properties: { id: { type: 'string' }, url: { type: 'string' }, expires: { type: 'string', format: 'date-time' } } } } } }, ...errors, '401': { description: 'no identity' }, '403': { description: 'not an editor' } },
      },
    },
    ...SUMMARY_PATHS,
    ...REPORT_OPENAPI_PATHS,
    ...WORKFLOW_PATHS,
    '/api/openapi.json': { get: { summary: 'This document', responses: { '200': json('OpenAPI document', { type: 'object' }) } } },
  },
  components: {
    schemas: {
      ...SUMMARY_SCHEMAS,
      ...REPORT_OPENAPI_SCHEMAS,
      ...WORKFLOW_SCHEMAS,
      Error: { type: 'object', required: ['error', 'code'], properties: { error: { type: 'string' }, code: { type: 'string', enum: ['bad_request', 'not_found', 'too_large', 'internal', 'unavailable'] } } },
      Verdict: { type: 'string', enum: ['ok', 'drift', 'failing', 'not_monitored'] },
      Coverage: {
        type: 'object',
        description: 'Rows per hour of the window; hours inside a rollup show its average (approximate: true).',
        properties: { hours: { type: 'array', items: { type: 'object', properties: { at: { type: 'string' }, rows: { type: 'number' } } } }, rows: { type: 'integer' }, empty_hours: { type: 'integer' }, approximate: { type: 'boolean' } },
      },
      QualityStats: {
        type: 'object',
        properties: {
          rows: { type: 'integer' },
          nulls: { type: 'integer' },
          non_finite: { type: 'integer' },
          type_errors: { type: 'integer' },
          failed_rate: { type: ['number', 'null'] },
          outside_range_share: { type: ['number', 'null'], description: 'Numeric: share of valid values outside the reference’s [min, max].' },
          new_categories: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, count: { type: 'integer' } } } },
        },
      },
      ModelOverview: {
        type: 'object',
        properties: {
          model: { type: 'string' },
          status: { type: 'string', enum: ['ok', 'drift', 'failing', 'unknown'] },
          reference: { type: 'string' },
          features: { type: 'integer' },
          drifting: { type: 'array', items: { type: 'string' } },
          failing: { type: 'array', items: { type: 'string' } },
          firing_alerts: { type: 'integer' },
          last_evaluation: { type: ['string', 'null'], format: 'date-time' },
          age_hours: { type: ['number', 'null'] },
          stale: { type: 'boolean' },
          worst_ratio: { type: 'array', items: { type: 'object', properties: { at: { type: 'string' }, ratio: { type: 'number' } } } },
          window: { $ref: '#/components/schemas/Window' },
          performance: { $ref: '#/components/schemas/PerformanceSummary' },
        },
      },
      Window: { type: 'object', properties: { from: { type: 'string' }, to: { type: 'string' }, as_of: { type: 'string', description: 'Statuses, alerts and sparklines are as of this instant (the window’s end).' }, window: { type: 'string' }, latest_data: { type: ['string', 'null'] } } },
      FeatureComparison: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          type: { type: 'string', enum: ['numeric', 'categorical'] },
          count: { type: 'integer' },
          failed_rate: { type: ['number', 'null'] },
          reference_failed_rate: { type: ['number', 'null'] },
          metrics: { type: 'object', additionalProperties: { type: ['number', 'null'] } },
          metric: { type: 'string' },
          value: { type: ['number', 'null'] },
          threshold: { type: 'number' },
          threshold_source: { type: 'string', enum: ['config', 'reference', 'floor'] },
          verdict: { $ref: '#/components/schemas/Verdict' },
          hint: { type: 'string' },
          metric_note: { type: 'string', description: 'The metric override does not apply to this feature; says what is shown instead.' },
          min_rows: { type: ['integer', 'null'], description: 'Live rows a verdict needs at this reference’s size; null: no window size is enough.' },
          insufficient: { type: 'string', description: 'Set when the window has fewer rows than min_rows: the verdict cannot be trusted.' },
          test: { type: 'string', enum: ['ks', 'chi2'], description: 'The significance test a drift verdict also needs at the window’s and the reference’s sizes: KS (numeric), χ² (categorical).' },
          p_value: { type: ['number', 'null'], description: 'That test’s p-value; a drift verdict needs p ≤ drift_alpha (default 0.01).' },
          noise: { type: 'string', description: 'Set when the distance passed its threshold but the test found no difference: sampling noise, no drift verdict.' },
          notice: { type: 'string', description: 'Why the feature is not monitored for drift by default (an identifier, free text, a constant, a timestamp).' },
          sparkline: { type: 'array', items: { type: ['number', 'null'] } },
          alert: { type: ['string', 'null'], enum: ['firing', 'pending', null] },
        },
      },
      ModelView: {
        type: 'object',
        properties: {
          model: { type: 'string' },
          from: { type: 'string' },
          to: { type: 'string' },
          reference: { type: 'string' },
          rows: { type: 'integer' },
          window: { $ref: '#/components/schemas/Window' },
          references: { type: 'array', items: { type: 'string' } },
          features: { type: 'array', items: { $ref: '#/components/schemas/FeatureComparison' } },
          coverage: { $ref: '#/components/schemas/Coverage' },
          warnings: { type: 'array', items: { type: 'string' } },
          notices: { type: 'array', items: { type: 'string' }, description: 'About the reference itself, e.g. "reference is not stationary over its rows: …" (its random-chunk thresholds are used).' },
          performance: { $ref: '#/components/schemas/PerformanceSummary' },
        },
      },
      FeatureView: {
        type: 'object',
        properties: {
          model: { type: 'string' },
          feature: { type: 'string' },
          type: { type: 'string' },
          reference: { type: 'string' },
          window: { $ref: '#/components/schemas/Window' },
          references: { type: 'array', items: { type: 'string' } },
          comparisons: { type: 'array', items: { $ref: '#/components/schemas/FeatureComparison' } },
          sources: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                name: { type: 'string', description: '"live" or a reference name' },
                stats: { type: 'object', description: 'rows, count, failed, failed_rate, nulls, non_finite, type_errors, min, p1, p5, p50, p95, p99, max' },
                cdf: { type: 'array', items: { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2 }, description: '[x, P(X ≤ x)], at most 201 points' },
              },
            },
          },
          histogram: { type: ['object', 'null'], properties: { edges: { type: 'array', items: { type: 'number' } }, proportions: { type: 'array', items: { type: 'array', items: { type: 'number' } } } } },
          categories: { type: ['object', 'null'], properties: { categories: { type: 'array', items: { type: 'string' } }, proportions: { type: 'array', items: { type: 'array', items: { type: 'number' } } } } },
          coverage: { $ref: '#/components/schemas/Coverage' },
          quality: {
            type: ['object', 'null'],
            properties: {
              window: { $ref: '#/components/schemas/QualityStats' },
              references: { type: 'object', additionalProperties: { $ref: '#/components/schemas/QualityStats' } },
              series: {
                type: 'array',
                items: { type: 'object', properties: { at: { type: 'string' }, to: { type: 'string' }, rows: { type: 'integer' }, nulls: { type: 'integer' }, non_finite: { type: 'integer' }, type_errors: { type: 'integer' }, outside_range: { type: ['integer', 'null'] } } },
              },
            },
          },
          warnings: { type: 'array', items: { type: 'string' } },
        },
      },
      TrendView: {
        type: 'object',
        properties: {
          metric: { type: 'string' },
          window: { type: 'string' },
          step: { type: 'string' },
          from: { type: 'string' },
          to: { type: 'string' },
          source: { type: 'string', enum: ['evaluations', 'summaries'] },
          points: {
            type: 'array',
            items: { type: 'object', properties: { at: { type: 'string' }, value: { type: ['number', 'null'] }, threshold: { type: ['number', 'null'] }, verdict: { type: ['string', 'null'] }, failed_rate: { type: ['number', 'null'] }, count: { type: 'integer' } } },
          },
          alerts: { type: 'array', items: { $ref: '#/components/schemas/AlertEvent' } },
        },
      },
      Confusion: { type: 'object', description: 'Counts at the decision threshold; expected (estimated) counts are fractional.', properties: { tp: { type: 'number' }, fp: { type: 'number' }, tn: { type: 'number' }, fn: { type: 'number' } } },
      PerformanceWindow: {
        type: 'object',
        properties: {
          from: { type: 'string', format: 'date-time' },
          to: { type: 'string', format: 'date-time' },
          task: { type: 'string', enum: ['binary', 'regression'], description: 'binary: 0/1 labels (classification metrics); regression: numeric labels (errors of the score).' },
          predictions: { type: 'integer' },
          labelled: { type: 'integer' },
          coverage: { type: ['number', 'null'], description: 'labelled / predictions; null without predictions.' },
          realised_regression: {
            type: ['object', 'null'],
            description: 'Regression models: errors of the score against numeric labels, where coverage reaches min_coverage.',
            properties: { mae: { type: ['number', 'null'] }, rmse: { type: ['number', 'null'] }, mape: { type: ['number', 'null'], description: 'a fraction (0.12 = 12%)' } },
          },
          realised: {
            type: ['object', 'null'],
            description: 'Null where coverage is under min_coverage or the labels hold one class (realised_note says which).',
            properties: {
              roc_auc: { type: 'number' },
              average_precision: { type: 'number' },
              precision: { type: ['number', 'null'] },
              recall: { type: ['number', 'null'] },
              f1: { type: ['number', 'null'] },
              accuracy: { type: ['number', 'null'] },
              log_loss: { type: 'number' },
              brier: { type: 'number' },
              positive_rate: { type: 'number' },
              confusion: { $ref: '#/components/schemas/Confusion' },
              calibration_curve: {
                type: 'array',
                items: { type: 'object', properties: { lower: { type: 'number' }, upper: { type: 'number' }, meanScore: { type: ['number', 'null'] }, positiveRate: { type: ['number', 'null'] }, count: { type: 'number' } } },
              },
            },
          },
          estimated: {
            type: ['object', 'null'],
            description: 'CBPE from the calibrated score (docs/performance-estimation.md); null without a labelled reference or where it cannot be trusted (estimate_note says why).',
            properties: {
              roc_auc: { type: 'number' },
              roc_auc_lower: { type: 'number', description: 'Sampling band: ± 3 standard errors of the reference chunks’ ROC AUC at this window’s size.' },
              roc_auc_upper: { type: 'number' },
              precision: { type: ['number', 'null'] },
              recall: { type: ['number', 'null'] },
              f1: { type: ['number', 'null'] },
              accuracy: { type: ['number', 'null'] },
              confusion: { $ref: '#/components/schemas/Confusion' },
            },
          },
          realised_note: { type: 'string' },
          estimate_note: { type: 'string' },
          label_delay_hours: { type: ['object', 'null'], properties: { p50: { type: 'number' }, p90: { type: 'number' } } },
        },
      },
      PerformanceSeries: {
        type: 'object',
        properties: {
          model: { type: 'string' },
          reference: { type: 'string' },
          threshold: { type: 'number', description: 'Decision threshold (config performance.threshold).' },
          min_coverage: { type: 'number', description: 'Label coverage a realised figure needs (config performance.min_coverage).' },
          reference_roc_auc: { type: ['number', 'null'], description: 'The reference’s realised ROC AUC; null without labels on the reference.' },
          windows: { type: 'array', items: { $ref: '#/components/schemas/PerformanceWindow' } },
        },
      },
      PerformanceSummary: {
        type: ['object', 'null'],
        description: 'Latest estimated and realised ROC AUC over the 7 days (one window a day) before the window’s end, against the first configured reference; null when the model has no labels.',
        properties: {
          reference: { type: 'string' },
          reference_roc_auc: { type: ['number', 'null'] },
          estimated: { type: ['object', 'null'], properties: { from: { type: 'string' }, to: { type: 'string' }, predictions: { type: 'integer' }, roc_auc: { type: 'number' }, roc_auc_lower: { type: 'number' }, roc_auc_upper: { type: 'number' } } },
          realised: { type: ['object', 'null'], properties: { from: { type: 'string' }, to: { type: 'string' }, labelled: { type: 'integer' }, coverage: { type: 'number' }, roc_auc: { type: 'number' } } },
          estimate_note: { type: 'string' },
        },
      },
      AlertEvent: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          rule: { type: 'string' },
          model: { type: 'string' },
          feature: { type: 'string' },
          reference: { type: 'string' },
          kind: { type: 'string', enum: ['firing', 'resolved'] },
          at: { type: 'string' },
          window_from: { type: 'string' },
          window_to: { type: 'string' },
          verdict: { $ref: '#/components/schemas/Verdict' },
          metric: { type: 'string' },
          value: { type: ['number', 'null'] },
          threshold: { type: ['number', 'null'] },
          message: { type: 'string' },
          open: { type: 'boolean', description: 'Still firing as of `to` (default: now).' },
          failed_rate: { type: ['number', 'null'], description: 'Failing alerts: the failed rate of the window that fired.' },
          reference_failed_rate: { type: ['number', 'null'] },
        },
      },
    },
  },
} as const;
