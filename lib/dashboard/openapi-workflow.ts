/** OpenAPI paths and schemas of the alert workflow (lib/dashboard/alert-workflow-routes.ts), spread into OPENAPI. */
const errorRef = { content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
const errors = {
  '400': { description: 'A field is invalid; the message names it.', ...errorRef },
  '401': { description: 'No identity (when auth is configured).', ...errorRef },
  '403': { description: 'Not an editor.', ...errorRef },
  '413': { description: 'Body larger than 16 KiB.', ...errorRef },
};
const id = { type: 'string', description: 'ALERT_ID: rule|model|feature|reference (the alert identity of events, alertKey).', example: 'drift-any|checkout-fraud|time_to_order|test' };
const by = { type: 'string', description: 'Who acts (default "dashboard"; with auth, the identity).' };
const action = (summary: string, properties: Record<string, object>, required: string[]) => ({
  post: {
    summary,
    requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', additionalProperties: false, required, properties } } } },
    responses: { '200': { description: 'The stored action and the models whose workflow file was written', content: { 'application/json': { schema: { $ref: '#/components/schemas/WorkflowActionResult' } } } }, ...errors },
  },
});

export const WORKFLOW_PATHS = {
  '/api/alerts/workflow': {
    get: {
      summary: 'One row per alert with its workflow state, owner and notes, newest event first',
      parameters: [
        { name: 'model', in: 'query', schema: { type: 'string' } },
        { name: 'state', in: 'query', schema: { type: 'string', enum: ['firing', 'acknowledged', 'silenced', 'resolved'] } },
        { name: 'owner', in: 'query', schema: { type: 'string' } },
      ],
      responses: {
        '200': { description: 'Alerts', content: { 'application/json': { schema: { type: 'object', properties: { alerts: { type: 'array', items: { $ref: '#/components/schemas/WorkflowAlert' } } } } } } },
        '400': errors['400'],
        '404': { description: 'Unknown model.', ...errorRef },
      },
    },
  },
  '/api/alerts/ack': action('Acknowledge an alert', { id, by, note: { type: 'string', maxLength: 2000 } }, ['id']),
  '/api/alerts/silence': action('Silence an alert (id) or every alert of a rule (rule, optionally for one model) until a time: no notifications meanwhile', { id, rule: { type: 'string' }, model: { type: 'string' }, until: { type: 'string', format: 'date-time' }, for: { type: 'string', example: '12h' }, by }, []),
  '/api/alerts/assign': action('Give an alert an owner', { id, owner: { type: 'string', maxLength: 100 }, by }, ['id', 'owner']),
  '/api/alerts/note': action('Add a note to an alert', { id, text: { type: 'string', maxLength: 2000 }, by }, ['id', 'text']),
} as const;

const who = { type: 'object', properties: { by: { type: 'string' }, at: { type: 'string', format: 'date-time' } } };
export const WORKFLOW_SCHEMAS = {
  WorkflowAlert: {
    type: 'object',
    properties: {
      id,
      rule: { type: 'string' },
      model: { type: 'string' },
      feature: { type: 'string' },
      reference: { type: 'string' },
      state: { type: 'string', enum: ['firing', 'acknowledged', 'silenced', 'resolved'] },
      last_event: { type: 'object', properties: { kind: { type: 'string', enum: ['firing', 'resolved'] }, at: { type: 'string' }, message: { type: 'string' } } },
      workflow: {
        type: 'object',
        properties: {
          acknowledged: { oneOf: [{ type: 'null' }, who] },
          silenced: { oneOf: [{ type: 'null' }, { ...who, properties: { ...who.properties, until: { type: 'string' }, rule: { type: 'boolean' } } }] },
          owner: { oneOf: [{ type: 'null' }, { ...who, properties: { ...who.properties, name: { type: 'string' } } }] },
          notes: { type: 'array', items: { ...who, properties: { ...who.properties, text: { type: 'string' } } } },
        },
      },
    },
  },
  WorkflowActionResult: { type: 'object', properties: { models: { type: 'array', items: { type: 'string' } }, action: { type: 'object' } } },
} as const;
