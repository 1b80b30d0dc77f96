/** OpenAPI paths and schemas of the report and snapshot routes (lib/report), spread into OPENAPI. */
const view = [
  { name: 'from', in: 'query', schema: { type: 'string', format: 'date-time' }, description: 'Window start (ISO 8601), with `to`.' },
  { name: 'to', in: 'query', schema: { type: 'string', format: 'date-time' }, description: 'Window end (ISO 8601), exclusive.' },
  { name: 'window', in: 'query', schema: { type: 'string', example: '12h' }, description: 'A relative window ending at the latest profiled hour (or at `to`).' },
  { name: 'reference', in: 'query', schema: { type: 'string', example: 'test' }, description: 'Reference to compare with; default: the first configured.' },
  { name: 'metric', in: 'query', schema: { type: 'string', enum: ['area', 'ks', 'wasserstein_norm', 'psi', 'js', 'hellinger', 'linf'] } },
];
const id = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{16}$' } };
const error = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
const errors = { '400': error('A parameter or the body is invalid; the message names it.'), '404': error('Unknown model, reference or snapshot.'), '503': error('The store is missing, of a newer format, or the file is damaged.') };

export const REPORT_OPENAPI_PATHS = {
  '/api/models/{model}/report': {
    get: {
      summary: 'The model view as one self-contained HTML report (inline CSS and SVG, no script), as an attachment',
      parameters: [{ name: 'model', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$' } }, ...view],
      responses: { '200': { description: 'The report', content: { 'text/html': { schema: { type: 'string' } } } }, ...errors },
    },
  },
  '/api/snapshots': {
    get: { summary: 'Snapshots of the store, newest first', responses: { '200': { description: 'Snapshots', content: { 'application/json': { schema: { type: 'object', properties: { snapshots: { type: 'array', items: { $ref: '#/components/schemas/SnapshotListItem' } } } } } } } } },
    post: {
      summary: 'Freeze a model view: its numbers and its report are stored and never recomputed',
      requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/SnapshotRequest' } } } },
      responses: { '201': { description: 'The snapshot made', content: { 'application/json': { schema: { type: 'object', properties: { id: { type: 'string' }, created_at: { type: 'string', format: 'date-time' }, model: { type: 'string' }, query: { type: 'object' }, url: { type: 'string' }, report: { type: 'string' } } } } } }, '413': error('The body is over 4 KiB.'), ...errors },
    },
  },
  '/api/snapshots/{id}': {
    get: {
      summary: 'A snapshot: the frozen model view and report data (JSON), or its report (format=html)',
      parameters: [id, { name: 'format', in: 'query', schema: { type: 'string', enum: ['json', 'html'] } }],
      responses: { '200': { description: 'The snapshot', content: { 'application/json': { schema: { type: 'object' } }, 'text/html': { schema: { type: 'string' } } } }, ...errors },
    },
    delete: { summary: 'Delete a snapshot', parameters: [id], responses: { '204': { description: 'Deleted' }, ...errors } },
  },
} as const;

export const REPORT_OPENAPI_SCHEMAS = {
  SnapshotRequest: {
    type: 'object',
    required: ['model'],
    additionalProperties: false,
    properties: { model: { type: 'string' }, window: { type: 'string' }, from: { type: 'string', format: 'date-time' }, to: { type: 'string', format: 'date-time' }, reference: { type: 'string' }, metric: { type: 'string' } },
  },
  SnapshotListItem: {
    type: 'object',
    properties: { id: { type: 'string' }, created_at: { type: 'string', format: 'date-time' }, model: { type: 'string' }, reference: { type: 'string' }, query: { type: 'object' }, status_window: { type: 'object', properties: { from: { type: 'string' }, to: { type: 'string' } } } },
  },
} as const;
