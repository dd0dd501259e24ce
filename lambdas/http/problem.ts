import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** A field that failed validation, named where it was found. */
export interface FieldIssue {
  readonly in: 'body' | 'query' | 'path' | 'header';
  readonly field: string;
  readonly message: string;
}

export interface ProblemInit {
  readonly status: number;
  readonly slug: string;
  readonly title: string;
  readonly detail?: string;
  readonly errors?: readonly FieldIssue[];
  /** Extra members of the problem document (RFC 9457 extensions), e.g. `homeSite`. */
  readonly extensions?: Readonly<Record<string, unknown>>;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * An error that is meant for the client: thrown anywhere below a handler and
 * turned into an RFC 9457 problem+json response by the error mapper.
 */
export class HttpProblem extends Error {
  readonly status: number;
  readonly slug: string;
  readonly title: string;
  readonly detail?: string;
  readonly errors?: readonly FieldIssue[];
  readonly extensions?: Readonly<Record<string, unknown>>;
  readonly headers?: Readonly<Record<string, string>>;

  constructor(init: ProblemInit) {
    super(init.detail ?? init.title);
    this.name = 'HttpProblem';
    this.status = init.status;
    this.slug = init.slug;
    this.title = init.title;
    this.detail = init.detail;
    this.errors = init.errors;
    this.extensions = init.extensions;
    this.headers = init.headers;
  }
}

export const PROBLEM_TYPE_BASE = 'https://meetplane.eu/problems/';

export const problems = {
  validation: (errors: readonly FieldIssue[], detail?: string) =>
    new HttpProblem({
      status: 400,
      slug: 'validation',
      title: 'The request is not valid',
      detail: detail ?? errors.map((e) => `${e.in} ${e.field}: ${e.message}`).join('; '),
      errors,
    }),
  malformedJson: (detail: string) =>
    new HttpProblem({ status: 400, slug: 'malformed-json', title: 'The body is not valid JSON', detail }),
  unauthorized: () =>
    new HttpProblem({
      status: 401,
      slug: 'unauthorized',
      title: 'Authentication required',
      detail: 'The request carries no valid credentials',
      headers: { 'www-authenticate': 'Bearer' },
    }),
  forbidden: (detail: string) => new HttpProblem({ status: 403, slug: 'forbidden', title: 'Not allowed', detail }),
  notFound: (detail = 'No such resource') => new HttpProblem({ status: 404, slug: 'not-found', title: 'Not found', detail }),
  routeNotFound: (method: string, path: string) =>
    new HttpProblem({
      status: 404,
      slug: 'no-route',
      title: 'No such route',
      detail: `${method} ${path} is not a route of this API`,
    }),
  conflict: (detail: string, extensions?: Record<string, unknown>) =>
    new HttpProblem({ status: 409, slug: 'conflict', title: 'Conflict', detail, extensions }),
  preconditionFailed: (detail: string) =>
    new HttpProblem({ status: 412, slug: 'precondition-failed', title: 'Precondition failed', detail }),
  preconditionRequired: () =>
    new HttpProblem({
      status: 428,
      slug: 'precondition-required',
      title: 'If-Match is required',
      detail: 'Send the ETag from your last read in If-Match, so that you do not overwrite a change you have not seen',
      errors: [{ in: 'header', field: 'If-Match', message: 'is required' }],
    }),
  unprocessable: (detail: string) =>
    new HttpProblem({ status: 422, slug: 'unprocessable', title: 'Unprocessable request', detail }),
  payloadTooLarge: (limitBytes: number) =>
    new HttpProblem({
      status: 413,
      slug: 'payload-too-large',
      title: 'The body is too large',
      detail: `The body may be at most ${limitBytes} bytes`,
    }),
  unsupportedMediaType: (expected: string) =>
    new HttpProblem({
      status: 415,
      slug: 'unsupported-media-type',
      title: 'Unsupported media type',
      detail: `The body must be sent as ${expected}`,
    }),
  misdirected: (homeSite: string, apiUrl: string) =>
    new HttpProblem({
      status: 421,
      slug: 'misdirected',
      title: 'This tenant lives on another site',
      detail: `The tenant's data is held only at its home site ${homeSite}; send the request to ${apiUrl}`,
      extensions: { homeSite, apiUrl },
    }),
  unavailable: (detail: string, retryAfterSeconds: number, extensions?: Record<string, unknown>) =>
    new HttpProblem({
      status: 503,
      slug: 'unavailable',
      title: 'A dependency is unavailable',
      detail,
      extensions,
      headers: { 'retry-after': String(retryAfterSeconds) },
    }),
  internal: () =>
    new HttpProblem({
      status: 500,
      slug: 'internal',
      title: 'Internal error',
      detail: 'The request failed on our side; quote the request id when reporting it',
    }),
};

export const BASE_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

export function problemResponse(problem: HttpProblem, requestId: string): APIGatewayProxyStructuredResultV2 {
  const document = {
    type: PROBLEM_TYPE_BASE + problem.slug,
    title: problem.title,
    status: problem.status,
    ...(problem.detail !== undefined && { detail: problem.detail }),
    ...(problem.errors !== undefined && { errors: problem.errors }),
    ...problem.extensions,
    requestId,
  };
  return {
    statusCode: problem.status,
    headers: { ...BASE_HEADERS, ...problem.headers, 'content-type': 'application/problem+json', 'x-request-id': requestId },
    body: JSON.stringify(document),
  };
}
