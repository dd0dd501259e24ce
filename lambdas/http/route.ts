import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { ROUTE_GROUPS, type RouteAuth } from '../routes.js';
import type { GuestPrincipal } from './auth/guest.js';
import { isGuestToken } from './auth/guest-token-type.js';
import type { CallerKinds, Callers } from './callers.js';
import { withCallCounts } from './call-counter.js';
import { logger } from './logger.js';
import { requestMetrics } from './metrics.js';
import { accessLog, noteCallCounts, problemErrors, requestIdOf, tallyOf } from './middleware.js';
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
  /**
   * Guests (lambdas/http/auth/guest.ts) may call it too. A guest token on any
   * route that does not say so is refused with 403 before anything is parsed.
   */
  readonly guests?: true;
  /** The route's budget in milliseconds, when not DEFAULT_BUDGET_MS (lambdas/api/operation.ts). */
  readonly budgetMs?: number;
}

/**
 * What a request may spend on its work, dependency calls included, unless its
 * route says otherwise: an API call a person waits for answers within a few
 * seconds, with a 503 and Retry-After when a dependency cannot answer in
 * time, rather than hanging until the function is killed.
 */
export const DEFAULT_BUDGET_MS = 2000;

/** Left for answering (and logging) after the budget ran out, before Lambda would stop the function. */
export const ANSWER_MARGIN_MS = 500;

/**
 * Local stage only (config/env.ts, MEETPLANE_BUDGET_FACTOR, refused on a
 * deployed site): a factor on every budget, for emulators slower than the
 * services they stand in for. Validated at start-up with the rest of the
 * environment; 1 unless set.
 */
const BUDGET_FACTOR = Number(process.env.MEETPLANE_BUDGET_FACTOR ?? '1') || 1;

/** The request's budget: the route's, cut to the function's remaining time less the margin to answer. */
export function requestBudget(
  contract: RouteContract,
  context: Pick<Context, 'getRemainingTimeInMillis'>,
  now = Date.now(),
  factor = BUDGET_FACTOR,
) {
  const remaining = typeof context.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : Infinity;
  const ms = Math.max(0, Math.min((contract.budgetMs ?? DEFAULT_BUDGET_MS) * factor, remaining - ANSWER_MARGIN_MS));
  return { ms, deadline: now + ms };
}

/** Who the route's handler is handed: its declared kind of caller, or a guest where the route lets guests in. */
export type CallerOf<S extends RouteContract> = S extends { readonly guests: true }
  ? CallerKinds[S['auth']] | GuestPrincipal
  : CallerKinds[S['auth']];

/** A validated request and the caller the router authenticated by the route's declaration. */
export type AuthenticatedRequest<S extends RouteContract> = ParsedRequest<S> & { readonly caller: CallerOf<S> };

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

/** The name of the group of lambdas/routes.ts that serves these route keys (a metric dimension). */
function groupNameOf(routeKeys: readonly string[]): string {
  const group = ROUTE_GROUPS.find((candidate) => routeKeys.every((key) => candidate.routes.includes(key)));
  return group?.name ?? 'unlisted';
}

/**
 * A route group is what one Lambda function serves: a middy handler that puts
 * the Lambda context (cold start, request id, trace id) on every log line,
 * writes the request's metrics, logs, maps errors to problem+json, and
 * dispatches on the API Gateway route key.
 * Each request is authenticated by its route's declared caller kind before any
 * of it is parsed, so that nobody unauthenticated learns anything from
 * validation, and no route can forget to authenticate: a group whose routes
 * declare a caller kind it has no authenticator for refuses to load. A guest
 * token is accepted only by routes that declare `guests: true` (and only on
 * tenant routes); everywhere else it is refused before anything is parsed.
 */
export function routeGroup(
  callers: Callers,
  routes: Readonly<Record<string, Route>>,
): LambdaHttpHandler & { routeKeys: readonly string[] } {
  for (const [key, { contract }] of Object.entries(routes)) {
    if (contract.auth !== 'public' && !callers[contract.auth])
      throw new Error(`route ${key} declares ${contract.auth} callers, and its group has no authenticator for them`);
    if (contract.guests && (contract.auth !== 'tenant' || !callers.guest))
      throw new Error(`route ${key} lets guests in, and is not a tenant route of a group with a guest authenticator`);
  }
  const dispatch = async (event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    const requestId = requestIdOf(event);
    const selected = routes[event.routeKey];
    if (!selected) throw problems.routeNotFound(event.requestContext?.http?.method ?? '?', event.rawPath ?? '?');
    const { result, tally } = withCallCounts(
      async () => {
        const caller = await authenticate(callers, selected.contract, event);
        const request = parseRequest(selected.contract, event, requestId);
        return selected.handle({ ...request, caller } as AuthenticatedRequest<RouteContract>, context);
      },
      requestBudget(selected.contract, context),
    );
    noteCallCounts(event, tally);
    return shape(await result, requestId);
  };
  const routeKeys = Object.keys(routes);
  // `after` and `onError` run in reverse order: the error mapper first, then the access log, the metrics, and last
  // the logger's reset. The event is never logged, whatever POWERTOOLS_LOGGER_LOG_EVENT says.
  const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(injectLambdaContext(logger, { logEvent: false, resetKeys: true }))
    .use(requestMetrics(groupNameOf(routeKeys), new Set(routeKeys), tallyOf))
    .use(accessLog())
    .use(problemErrors())
    .handler(dispatch);
  return Object.assign(handler as unknown as LambdaHttpHandler, { routeKeys });
}

async function authenticate(callers: Callers, contract: RouteContract, event: APIGatewayProxyEventV2): Promise<unknown> {
  if (contract.auth === 'public') return undefined;
  const raw = { headers: lowerCaseHeaders(event.headers), rawBody: rawBodyOf(event), event };
  if (isGuestToken(raw.headers)) {
    if (!contract.guests)
      throw problems.forbidden(
        "a guest may only join their meeting, wait in its waiting room, fetch its keys and register a device; this route is for the organisation's users",
      );
    return callers.guest!(raw);
  }
  return callers[contract.auth]!(raw);
}
