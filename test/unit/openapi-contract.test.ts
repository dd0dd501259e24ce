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
    expect(example).toBeDefined();
    if (!op.body) {
      expect(example.body).toBeUndefined();
      return;
    }
    const parsed = op.body.safeParse(example.body);
    expect(parsed.error?.issues ?? []).toEqual([]);
    expect(docOf(key).requestBody!.content['application/json']!.example).toEqual(example.body);
  });

  it.each(ENTRIES)('%s has a success response example exactly when it answers with a body, and it validates', (key, op) => {
    const example = EXAMPLES[key];
    const success = docOf(key).responses[String(op.success.status)]!;
    if (op.success.schema) {
      const parsed = op.success.schema.safeParse(example.response);
      expect(parsed.error?.issues ?? []).toEqual([]);
      // Response schemas drop unknown fields when parsing: an example with a field the contract lost fails here.
      expect(parsed.data).toEqual(example.response);
      expect(success.content!['application/json']!.example).toEqual(example.response);
    } else if (op.success.contentType) {
      expect(typeof example.response).toBe('string');
      expect(success.content![op.success.contentType]!.example).toBe(example.response);
    } else {
      expect(example.response).toBeUndefined();
      expect(success.content).toBeUndefined();
    }
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
    for (const [key] of ENTRIES)
      for (const [status, response] of Object.entries(docOf(key).responses))
        if (status === '429' || status === '503')
          expect({ key, status, headers: headersOf(response) }).toEqual({
            key,
            status,
            headers: expect.arrayContaining(['Retry-After']),
          });
  });
});
