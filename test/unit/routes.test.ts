import { OPERATIONS } from '../../lambdas/api/operations.js';
import { openApiDocument } from '../../lambdas/api/openapi.js';
import { ROUTE_GROUPS } from '../../lambdas/routes.js';

describe('route table', () => {
  it('names each route key once, each well formed', () => {
    const keys = ROUTE_GROUPS.flatMap((g) => g.routes);
    expect(new Set(keys).size).toBe(keys.length);
    for (const key of keys) expect(key).toMatch(/^(GET|POST|PUT|PATCH|DELETE) \/v1(\/[a-zA-Z0-9.{}-]+)+$/);
  });

  it('gives every group a unique name and a handler module', () => {
    const names = ROUTE_GROUPS.map((g) => g.name);
    expect(new Set(names).size).toBe(names.length);
    for (const group of ROUTE_GROUPS) expect(group.entry).toMatch(/^lambdas\/handlers\/[a-z0-9-]+\.ts$/);
  });

  it("declares each operation's callers as its group does, so the group's authenticator applies to every route", () => {
    for (const group of ROUTE_GROUPS)
      for (const key of group.routes)
        expect({ key, auth: OPERATIONS[key as keyof typeof OPERATIONS].auth }).toEqual({ key, auth: group.auth });
  });

  it('serves exactly the operations of the API contract', () => {
    expect(ROUTE_GROUPS.flatMap((g) => g.routes).sort()).toEqual(Object.keys(OPERATIONS).sort());
  });
});

describe('OpenAPI document', () => {
  const document = openApiDocument('http://127.0.0.1:4001') as {
    openapi: string;
    components: { schemas: Record<string, unknown> };
    paths: Record<
      string,
      Record<
        string,
        {
          parameters: { name: string; in: string; required: boolean }[];
          requestBody?: unknown;
          responses: Record<string, unknown>;
        }
      >
    >;
  };

  it('is OpenAPI 3.1 with one operation per route', () => {
    expect(document.openapi).toBe('3.1.0');
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual(Object.keys(OPERATIONS).sort());
  });

  it('documents path parameters, If-Match and Idempotency-Key where the route takes them', () => {
    const patch = document.paths['/v1/meetings/{meetingId}']!.patch!;
    expect(patch.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'meetingId', in: 'path', required: true }),
        expect.objectContaining({ name: 'If-Match', in: 'header', required: true }),
      ]),
    );
    expect(Object.keys(patch.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '404', '412', '421', '428']));
    const create = document.paths['/v1/meetings']!.post!;
    expect(create.parameters).toEqual([expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: false })]);
    expect(create.requestBody).toMatchObject({
      content: { 'application/json': { schema: { $ref: '#/components/schemas/MeetingInput' } } },
    });
    expect(document.components.schemas.MeetingInput).toMatchObject({ additionalProperties: false });
  });
});
