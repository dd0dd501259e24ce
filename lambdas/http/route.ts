import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { RouteAuth } from '../routes.js';
import type { CallerKinds, Callers } from './callers.js';
import { withCallCounts } from './call-counter.js';
import { accessLog, noteCallCounts, problemErrors, requestIdOf } from './middleware.js';
import { BASE_HEADERS, problems } from './problem.js';
import { lowerCaseHeaders, parseRequest, rawBodyOf, type ParsedRequest, type RequestSchemas } from './request.js';

export interface RouteResult {
  readonly status: number;
  readonly body?: unknown;
  /** A body sent as it is (its content type in `headers`), instead of JSON. */
  readonly rawBody?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export type LambdaHttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** What a route declares: its request schemas and who may call it. */
export interface RouteContract extends RequestSchemas {
  readonly auth: RouteAuth;
}

/** A validated request and the caller the router authenticated by the route's declaration. */
export type AuthenticatedRequest<S extends RouteContract> = ParsedRequest<S> & { readonly caller: CallerKinds[S['auth']] };

export interface Route {
  readonly contract: RouteContract;
  readonly handle: (request: AuthenticatedRequest<RouteContract>, context: Context) => Promise<RouteResult>;
}

/** Declares one route: its contract and the function that serves an authenticated, validated request. */
export function route<S extends RouteContract>(
  contract: S,
  handle: (request: AuthenticatedRequest<S>, context: Context) => Promise<RouteResult>,
): Route {
  return { contract, handle: handle as unknown as Route['handle'] };
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
 * maps errors to problem+json, and dispatches on the API Gateway route key.
 * Each request is authenticated by its route's declared caller kind before any
 * of it is parsed, so that nobody unauthenticated learns anything from
 * validation, and no route can forget to authenticate: a group whose routes
 * declare a caller kind it has no authenticator for refuses to load.
 */
export function routeGroup(
  callers: Callers,
  routes: Readonly<Record<string, Route>>,
): LambdaHttpHandler & { routeKeys: readonly string[] } {
  for (const [key, { contract }] of Object.entries(routes)) {
    if (contract.auth !== 'public' && !callers[contract.auth])
      throw new Error(`route ${key} declares ${contract.auth} callers, and its group has no authenticator for them`);
  }
  const dispatch = async (event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    const requestId = requestIdOf(event);
    const selected = routes[event.routeKey];
    if (!selected) throw problems.routeNotFound(event.requestContext?.http?.method ?? '?', event.rawPath ?? '?');
    const { result, counts } = withCallCounts(async () => {
      const caller = await authenticate(callers, selected.contract.auth, event);
      const request = parseRequest(selected.contract, event, requestId);
      return selected.handle({ ...request, caller } as AuthenticatedRequest<RouteContract>, context);
    });
    noteCallCounts(event, counts);
    return shape(await result, requestId);
  };
  const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(accessLog())
    .use(problemErrors())
    .handler(dispatch);
  return Object.assign(handler as unknown as LambdaHttpHandler, { routeKeys: Object.keys(routes) });
}

async function authenticate(callers: Callers, auth: RouteAuth, event: APIGatewayProxyEventV2): Promise<unknown> {
  if (auth === 'public') return undefined;
  const raw = { headers: lowerCaseHeaders(event.headers), rawBody: rawBodyOf(event), event };
  return callers[auth]!(raw);
}
