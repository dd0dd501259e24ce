import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { z } from 'zod';
import { problems, type FieldIssue } from './problem.js';

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

export interface RequestSchemas {
  readonly path?: z.ZodType;
  readonly query?: z.ZodType;
  readonly body?: z.ZodType;
  /** Largest accepted body in bytes (413 beyond it). */
  readonly maxBodyBytes?: number;
}

type Out<S, K extends 'path' | 'query' | 'body'> = S extends Record<K, infer T extends z.ZodType> ? z.output<T> : undefined;

export interface ParsedRequest<S extends RequestSchemas> {
  readonly path: Out<S, 'path'>;
  readonly query: Out<S, 'query'>;
  readonly body: Out<S, 'body'>;
  /** Header names lower-cased. */
  readonly headers: Readonly<Record<string, string>>;
  readonly rawBody: string;
  readonly requestId: string;
  readonly event: APIGatewayProxyEventV2;
}

export function lowerCaseHeaders(headers: APIGatewayProxyEventV2['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) if (value !== undefined) out[name.toLowerCase()] = value;
  return out;
}

export function rawBodyOf(event: APIGatewayProxyEventV2): string {
  if (event.body === undefined || event.body === null) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

function isJsonMediaType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  return mediaType === 'application/json' || /^application\/[\w.+-]+\+json$/.test(mediaType);
}

/** zod issues as field issues that name where the field was and what is wrong with it. */
export function fieldIssues(where: FieldIssue['in'], error: { issues: readonly z.core.$ZodIssue[] }): FieldIssue[] {
  return mapIssues(where, error.issues, []);
}

function mapIssues(where: FieldIssue['in'], issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[]): FieldIssue[] {
  return issues.flatMap((issue): FieldIssue[] => {
    const path = [...prefix, ...issue.path];
    const base = path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ in: where, field: base ? `${base}.${key}` : key, message: 'is not a known field' }));
    }
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // One of several shapes was meant: report the mistakes against the shape that came closest.
      const closest = [...issue.errors].sort((a, b) => a.length - b.length)[0]!;
      if (closest.length > 0) return mapIssues(where, closest, path);
    }
    const message = issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;
    return [{ in: where, field: base || '(root)', message }];
  });
}

/** Parses and validates an event against a route's schemas; throws HttpProblem on any client mistake. */
export function parseRequest<S extends RequestSchemas>(
  schemas: S,
  event: APIGatewayProxyEventV2,
  requestId: string,
): ParsedRequest<S> {
  const headers = lowerCaseHeaders(event.headers);
  const rawBody = rawBodyOf(event);
  const limit = schemas.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (Buffer.byteLength(rawBody, 'utf8') > limit) throw problems.payloadTooLarge(limit);

  let body: unknown = undefined;
  const issues: FieldIssue[] = [];
  if (schemas.body) {
    if (rawBody.length === 0) {
      issues.push({ in: 'body', field: '(root)', message: 'a JSON body is required' });
    } else {
      if (!isJsonMediaType(headers['content-type'])) throw problems.unsupportedMediaType('application/json');
      try {
        body = JSON.parse(rawBody);
      } catch (error) {
        throw problems.malformedJson(error instanceof SyntaxError ? error.message : 'unparseable body');
      }
    }
  }

  // Every location is checked, so that one answer names every mistake of the request.
  const validate = (where: FieldIssue['in'], schema: z.ZodType | undefined, input: unknown): unknown => {
    if (!schema) return undefined;
    const result = schema.safeParse(input);
    if (result.success) return result.data;
    issues.push(...fieldIssues(where, result.error));
    return undefined;
  };
  const path = validate('path', schemas.path, event.pathParameters ?? {});
  const query = validate('query', schemas.query, event.queryStringParameters ?? {});
  const parsedBody = issues.some((i) => i.in === 'body') ? undefined : validate('body', schemas.body, body);
  if (issues.length > 0) throw problems.validation(issues);

  return {
    path: path as Out<S, 'path'>,
    query: query as Out<S, 'query'>,
    body: parsedBody as Out<S, 'body'>,
    headers,
    rawBody,
    requestId,
    event,
  };
}
