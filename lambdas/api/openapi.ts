import * as z from 'zod';
import { OPERATIONS, type Operation } from './operations.js';
import { problemDocument } from './schemas/responses.js';

type JsonSchema = Record<string, unknown>;

const toSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, {
    io,
    target: 'draft-2020-12',
    unrepresentable: 'any',
  }) as JsonSchema;
  return rest;
};

const PROBLEM_STATUSES: Record<number, string> = {
  400: 'A field is missing, malformed or unknown; `errors` names each one',
  401: 'No valid credentials (the same answer whichever check failed)',
  403: 'Authenticated, but not allowed to do this',
  404: 'No such route or resource (also for resources of other tenants)',
  409: 'The request conflicts with the current state',
  410: 'It existed, and is no longer valid (an expired link)',
  412: 'If-Match names a version that is no longer current',
  413: 'The body is too large',
  415: 'The body is not application/json',
  421: 'The tenant lives on another site; `homeSite` and `apiUrl` say where',
  422: 'The Idempotency-Key was used with a different request',
  429: 'Too many attempts (wrong passcodes); retry after `Retry-After` seconds',
  428: 'If-Match is required',
  503: 'A dependency is unavailable; retry after `Retry-After` seconds',
};

function problemStatuses(op: Operation): number[] {
  const statuses = [400, 404, 413, 415, 503];
  if (op.auth !== 'public') statuses.push(401, 403, 421);
  if (op.body || op.auth !== 'public') statuses.push(409);
  if (op.ifMatch) statuses.push(412);
  if (op.ifMatch === 'required') statuses.push(428);
  if (op.idempotent) statuses.push(422);
  statuses.push(...(op.alsoAnswers ?? []));
  return [...new Set(statuses)].sort();
}

function parameters(op: Operation): JsonSchema[] {
  const params: JsonSchema[] = [];
  for (const [location, schema] of [
    ['path', op.path],
    ['query', op.query],
  ] as const) {
    if (!schema) continue;
    const json = toSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, property] of Object.entries(json.properties ?? {})) {
      params.push({
        name,
        in: location,
        required: location === 'path' || (json.required ?? []).includes(name),
        schema: property,
        ...(typeof property.description === 'string' && { description: property.description }),
      });
    }
  }
  if (op.idempotent) {
    params.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description: 'Makes the write safe to retry: a retry with the same key and body returns the first result',
      schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[!-~]+$' },
    });
  }
  if (op.ifMatch) {
    params.push({
      name: 'If-Match',
      in: 'header',
      required: op.ifMatch === 'required',
      description: 'The ETag of the last read, so that a change made meanwhile is not overwritten',
      schema: { type: 'string', pattern: '^"v[0-9]{1,12}"$' },
    });
  }
  return params;
}

/**
 * OpenAPI links from a creating operation to the operations on what it made
 * (`POST /v1/meetings` → `GET /v1/meetings/{meetingId}`, …), with the ETag
 * for those that need If-Match: clients and fuzzers can follow them.
 */
function linksFrom(routeKey: string): Record<string, JsonSchema> | undefined {
  const [method, path] = routeKey.split(' ') as [string, string];
  if (method !== 'POST') return undefined;
  const links: Record<string, JsonSchema> = {};
  for (const [otherKey, other] of Object.entries(OPERATIONS) as [string, Operation][]) {
    const [, otherPath] = otherKey.split(' ') as [string, string];
    const match = new RegExp(`^${path.replace(/[{}]/g, '\\$&')}/\\{(\\w+)\\}(/.*)?$`).exec(otherPath);
    if (!match) continue;
    links[otherKey.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '')] = {
      operationId: otherKey.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, ''),
      parameters: {
        [`path.${match[1]}`]: '$response.body#/id',
        ...(other.ifMatch && { 'header.If-Match': '$response.header.etag' }),
      },
    };
  }
  return Object.keys(links).length > 0 ? links : undefined;
}

/** The OpenAPI 3.1 document of the API, generated from the operations' zod schemas. */
export function openApiDocument(serverUrl?: string): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const problem = { $ref: '#/components/schemas/Problem' };
  for (const [routeKey, op] of Object.entries(OPERATIONS) as [string, Operation][]) {
    const [method, path] = routeKey.split(' ') as [string, string];
    const links = linksFrom(routeKey);
    const responses: Record<string, JsonSchema> = {
      [String(op.success.status)]: {
        description: op.success.description,
        ...(links && { links }),
        ...(op.success.schema && { content: { 'application/json': { schema: toSchema(op.success.schema, 'output') } } }),
        ...(op.success.contentType && { content: { [op.success.contentType]: { schema: { type: 'string' } } } }),
      },
    };
    if (routeKey === 'GET /v1/health') {
      responses['503'] = {
        description: 'A dependency is down',
        content: { 'application/json': { schema: toSchema(op.success.schema!, 'output') } },
      };
    }
    for (const status of problemStatuses(op)) {
      responses[String(status)] ??= {
        description: PROBLEM_STATUSES[status]!,
        content: { 'application/problem+json': { schema: problem } },
      };
    }
    (paths[path] ??= {})[method.toLowerCase()] = {
      operationId: routeKey.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, ''),
      summary: op.summary,
      tags: [op.tag],
      ...(op.auth === 'tenant' && { security: [{ tenantJwt: [] }, ...(op.guests ? [{ guestJwt: [] }] : [])] }),
      ...(op.auth === 'operator' && { security: [{ operator: [] }] }),
      parameters: parameters(op),
      ...(op.body && {
        requestBody: { required: true, content: { 'application/json': { schema: toSchema(op.body, 'input') } } },
      }),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Meetplane API',
      version: '1.0.0',
      description:
        "The control plane of EU-resident video meetings. Each tenant's requests go to its home site; a request that reaches the other site is answered 421 with the home site's address. Errors are RFC 9457 problem documents.",
    },
    ...(serverUrl && { servers: [{ url: serverUrl }] }),
    tags: [...new Set(Object.values(OPERATIONS).map((op) => op.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: { Problem: toSchema(problemDocument, 'output') },
      securitySchemes: {
        tenantJwt: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: "A JWT of the tenant's own identity provider (RS256, ES256 or EdDSA)",
        },
        guestJwt: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'A guest token from POST /v1/guest-links/redeem: for one meeting, accepted only by the routes that list it',
        },
        operator: {
          type: 'http',
          scheme: 'bearer',
          description: 'Deployed: IAM (SigV4) at API Gateway. Local stack: the operator token that npm start prints.',
        },
      },
    },
  };
}
