import { EXAMPLES } from '../../lambdas/api/examples.js';
import { openApiDocument } from '../../lambdas/api/openapi.js';
import { OPERATIONS, type Operation, type RouteKey } from '../../lambdas/api/operations.js';

type Json = Record<string, unknown>;
interface Response {
  $ref?: string;
  headers?: Record<string, { $ref: string }>;
  content?: Record<string, { schema: Json; example?: unknown }>;
}
interface OperationDoc {
  operationId: string;
  requestBody?: { content: Record<string, { schema: Json; example?: unknown }> };
  responses: Record<string, Response>;
}
const document = openApiDocument('http://127.0.0.1:4001') as unknown as {
  paths: Record<string, Record<string, OperationDoc>>;
  components: { schemas: Record<string, Json>; responses: Record<string, Response>; headers: Record<string, Json> };
};
const ENTRIES = Object.entries(OPERATIONS) as [RouteKey, Operation][];
const docOf = (routeKey: string) => {
  const [method, path] = routeKey.split(' ') as [string, string];
  return document.paths[path]![method.toLowerCase()]!;
};
const resolved = (response: Response) =>
  response.$ref ? document.components.responses[response.$ref.split('/').pop()!]! : response;
const headersOf = (response: Response) => Object.keys(resolved(response).headers ?? {}).sort();

describe('operation ids', () => {
  it('are camelCase, unique, and what the document calls each operation', () => {
    const ids = ENTRIES.map(([, op]) => op.operationId);
    for (const id of ids) expect(id).toMatch(/^[a-z][a-zA-Z0-9]*$/);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [key, op] of ENTRIES) expect({ key, id: docOf(key).operationId }).toEqual({ key, id: op.operationId });
  });
});

describe('examples', () => {
  it.each(ENTRIES)('%s has a request body example exactly when it takes a body, and it validates', (key, op) => {
    const example = EXAMPLES[key];
    expect({
      hasExample: example.body !== undefined,
      issues: op.body?.safeParse(example.body).error?.issues ?? [],
      documented: docOf(key).requestBody?.content['application/json']?.example,
    }).toEqual({ hasExample: op.body !== undefined, issues: [], documented: example.body });
  });

  it.each(ENTRIES)('%s has a success response example exactly when it answers with a body, and it validates', (key, op) => {
    const example = EXAMPLES[key];
    const success = docOf(key).responses[String(op.success.status)]!;
    const parsed = op.success.schema?.safeParse(example.response);
    expect({
      issues: parsed?.error?.issues ?? [],
      // Response schemas drop unknown fields when parsing: an example with a field the contract lost fails here.
      roundTrip: parsed ? parsed.data : example.response,
      type: typeof example.response,
      documented: Object.values(success.content ?? {})[0]?.example,
    }).toEqual({
      issues: [],
      roundTrip: example.response,
      type: op.success.schema ? 'object' : op.success.contentType ? 'string' : 'undefined',
      documented: example.response,
    });
  });

  it('cannot pass with an example that breaks its schema', () => {
    const op = OPERATIONS['POST /v1/meetings'];
    expect(op.body.safeParse({ ...(EXAMPLES['POST /v1/meetings'].body as Json), durationMinutes: 0 }).success).toBe(false);
  });
});

describe('named schemas', () => {
  it('puts the main request and response documents in components/schemas and refers to them', () => {
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining(['Meeting', 'MeetingInput', 'JoinOutcome', 'Problem', 'AuditEntry', 'Tenant', 'TenantInput']),
    );
    const schemaOf = (key: string, status: string) =>
      resolved(docOf(key).responses[status]!).content![Object.keys(resolved(docOf(key).responses[status]!).content!)[0]!]!.schema;
    expect(schemaOf('POST /v1/meetings', '201')).toEqual({ $ref: '#/components/schemas/Meeting' });
    expect(schemaOf('POST /v1/meetings/{meetingId}/join', '200')).toEqual({ $ref: '#/components/schemas/JoinOutcome' });
    expect(schemaOf('GET /v1/meetings', '404')).toEqual({ $ref: '#/components/schemas/Problem' });
    expect(docOf('POST /v1/meetings').requestBody!.content['application/json']!.schema).toEqual({
      $ref: '#/components/schemas/MeetingInput',
    });
    expect(JSON.stringify(document.components.schemas.AuditPage)).toContain('"$ref":"#/components/schemas/AuditEntry"');
  });
});

describe('response headers', () => {
  it('declares X-Request-Id on every response', () => {
    for (const [key] of ENTRIES)
      for (const [status, response] of Object.entries(docOf(key).responses))
        expect({ key, status, headers: headersOf(response) }).toEqual({
          key,
          status,
          headers: expect.arrayContaining(['X-Request-Id']),
        });
  });

  it('declares ETag, Location and Idempotent-Replayed on the successes that send them, and nowhere else', () => {
    for (const [key, op] of ENTRIES) {
      const expected = [
        'X-Request-Id',
        ...(op.success.etag ? ['ETag'] : []),
        ...(op.success.location ? ['Location'] : []),
        ...(op.idempotent ? ['Idempotent-Replayed'] : []),
      ].sort();
      expect({ key, headers: headersOf(docOf(key).responses[String(op.success.status)]!) }).toEqual({ key, headers: expected });
    }
    expect(ENTRIES.filter(([, op]) => op.success.location).map(([, op]) => op.operationId)).toEqual([
      'createTenant',
      'createMeeting',
    ]);
    expect(OPERATIONS['GET /v1/meetings/{meetingId}'].success.etag).toBe(true);
  });

  it('declares Retry-After on every 429 and 503', () => {
    const retryable = ENTRIES.flatMap(([key]) =>
      Object.entries(docOf(key).responses)
        .filter(([status]) => status === '429' || status === '503')
        .map(([status, response]) => ({ key, status, headers: headersOf(response) })),
    );
    expect(retryable.length).toBeGreaterThan(ENTRIES.length);
    for (const { key, status, headers } of retryable)
      expect({ key, status, headers }).toEqual({ key, status, headers: expect.arrayContaining(['Retry-After']) });
  });
});
