/** The OpenAPI description of GET /api/models/{model}/summary (spread into lib/dashboard/openapi.ts). */
const err = { content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
const when = { type: 'string', format: 'date-time' } as const;
const terms = { type: 'object', additionalProperties: { type: 'string' }, description: 'Short explanations of the technical terms used (tooltips).' } as const;

export const SUMMARY_PATHS = {
  '/api/models/{model}/summary': {
    get: {
      summary: 'The model’s health in plain language as of the window’s end: status, one-sentence headline, incidents, performance, what changed in the last 7 days',
      parameters: [
        { name: 'model', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$' } },
        { name: 'from', in: 'query', schema: when, description: 'Window start (ISO 8601), with `to`: an absolute window. Widened to whole hours.' },
        { name: 'to', in: 'query', schema: when, description: 'Window end (ISO 8601), exclusive: the status is as of this instant. Alone (or with `window`): the window ends here.' },
        { name: 'window', in: 'query', schema: { type: 'string', example: '24h' }, description: 'A relative window ending at the latest profiled hour (or at `to`); default: the config’s evaluation window. Incidents are looked for over at least the 7 days before its end.' },
        { name: 'reference', in: 'query', schema: { type: 'string', example: 'test' }, description: 'Reference whose evaluations are read; default: the first configured reference.' },
      ],
      responses: {
        '200': { description: 'Summary', content: { 'application/json': { schema: { $ref: '#/components/schemas/ModelSummary' } } } },
        '400': { description: 'A parameter is invalid; the message names it.', ...err },
        '404': { description: 'Unknown model or reference.', ...err },
        '503': { description: 'The configured store is missing or of a newer format.', ...err },
      },
    },
  },
} as const;

export const SUMMARY_SCHEMAS = {
  Incident: {
    type: 'object',
    required: ['id', 'since', 'until', 'features', 'cause', 'severity'],
    description: 'Features whose problems started within 2 hours of each other with the same kind of cause.',
    properties: {
      id: { type: 'string', description: 'Start, cause family and first feature: stable while the incident lasts.' },
      since: { ...when, description: 'End of the first evaluation window that showed the problem.' },
      until: { type: ['string', 'null'], format: 'date-time', description: 'First of three clear evaluations of the last feature back to usual; null while it lasts.' },
      features: { type: 'array', items: { type: 'string' } },
      cause: { type: 'string', description: 'The likely cause in plain words, e.g. "time_to_order\'s values look ×1000 larger: seconds sent as milliseconds?".' },
      severity: { type: 'string', enum: ['high', 'medium', 'low'] },
      family: { type: 'string', enum: ['unit', 'missing', 'new_category', 'shift'] },
      effect: { type: 'object', properties: { score_changed: { type: 'boolean' }, text: { type: 'string' } }, description: 'Whether the model’s score changed in the same period.' },
      details: { type: 'array', items: { type: 'object', properties: { feature: { type: 'string' }, since: when, until: { type: ['string', 'null'], format: 'date-time' }, cause: { type: 'string' } } } },
    },
  },
  ModelSummary: {
    type: 'object',
    required: ['model', 'status', 'headline', 'since', 'performance', 'incidents'],
    properties: {
      model: { type: 'string' },
      status: { type: 'string', enum: ['healthy', 'needs attention', 'broken'] },
      headline: { type: 'string', example: 'broken since 9 Nov 11:00 UTC: time_to_order\'s values look ×1000 larger: seconds sent as milliseconds?' },
      since: { type: ['string', 'null'], format: 'date-time', description: 'Start of the earliest ongoing incident of the worst severity; null when healthy.' },
      performance: {
        type: 'object',
        description: 'The PerformanceSummary fields (when the model has labels or a labelled reference), with `text`: the figures in one sentence.',
        properties: { text: { type: 'string' }, terms, reference_roc_auc: { type: ['number', 'null'] }, estimated: { type: ['object', 'null'] }, realised: { type: ['object', 'null'] } },
      },
      incidents: { type: 'array', items: { $ref: '#/components/schemas/Incident' }, description: 'Newest first.' },
      changes_7d: { type: 'array', items: { type: 'object', properties: { at: when, text: { type: 'string' }, incident: { type: 'string' } } }, description: 'Incidents that started or ended in the 7 days before the window’s end, newest first.' },
      reference: { type: 'string' },
      window: { type: 'object', properties: { from: when, to: when, as_of: when, window: { type: 'string' }, incidents_from: when } },
      links: { type: 'object', properties: { model: { type: 'string' }, alerts: { type: 'string' }, performance: { type: 'string' }, features: { type: 'object', additionalProperties: { type: 'string' } } } },
      damaged: { type: 'array', items: { type: 'string' } },
      terms,
    },
  },
} as const;
