import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { withCallCounts } from './call-counter.js';
import { accessLog, noteCallCounts, problemErrors, requestIdOf } from './middleware.js';
import { BASE_HEADERS, problems } from './problem.js';
import { parseRequest, type ParsedRequest, type RequestSchemas } from './request.js';

export interface RouteResult {
  readonly status: number;
  readonly body?: unknown;
  /** A body sent as it is (its content type in `headers`), instead of JSON. */
  readonly rawBody?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export type LambdaHttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

export interface Route {
  readonly schemas: RequestSchemas;
  readonly handle: (request: ParsedRequest<RequestSchemas>, context: Context) => Promise<RouteResult>;
}

/** Declares one route: its request schemas and the function that serves a parsed, validated request. */
export function route<S extends RequestSchemas>(
  schemas: S,
  handle: (request: ParsedRequest<S>, context: Context) => Promise<RouteResult>,
): Route {
  return { schemas, handle: handle as Route['handle'] };
}

function shape(result: RouteResult, requestId: string): APIGatewayProxyStructuredResultV2 {
  const hasJson = result.body !== undefined && result.rawBody === undefined;
  return {
    statusCode: result.status,
    headers: {
      ...BASE_HEADERS,
      ...(hasJson && { 'content-type': 'application/json' }),
      ...result.headers,
      'x-request-id': requestId,
    },
    ...(hasJson && { body: JSON.stringify(result.body) }),
    ...(result.rawBody !== undefined && { body: result.rawBody }),
  };
}

/**
 * A route group is what one Lambda function serves: a middy handler that logs,
 * maps errors to problem+json, and dispatches on the API Gateway route key to
 * the route's parse-validate-handle pipeline. The local gateway invokes exactly
 * this handler.
 */
export function routeGroup(routes: Readonly<Record<string, Route>>): LambdaHttpHandler & { routeKeys: readonly string[] } {
  const dispatch = async (event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    const requestId = requestIdOf(event);
    const selected = routes[event.routeKey];
    if (!selected) throw problems.routeNotFound(event.requestContext?.http?.method ?? '?', event.rawPath ?? '?');
    const request = parseRequest(selected.schemas, event, requestId);
    const { result, counts } = withCallCounts(() => selected.handle(request, context));
    noteCallCounts(event, counts);
    return shape(await result, requestId);
  };
  const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(accessLog())
    .use(problemErrors())
    .handler(dispatch);
  return Object.assign(handler as unknown as LambdaHttpHandler, { routeKeys: Object.keys(routes) });
}
