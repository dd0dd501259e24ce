/**
 * The CloudWatch metrics the control plane emits (embedded metric format,
 * lambdas/http/metrics.ts), named once for the handlers and for the CDK
 * dashboard and alarms that read them. No import here, so the CDK app can use
 * it without loading Powertools.
 *
 * Dimensions are bounded by construction: the site (`fra`, `ams`), the route
 * group (one per Lambda function), the route key as declared (a template such
 * as `POST /v1/meetings/{meetingId}/join`, never a path with values), the
 * status class and the dependency. Never a tenant id, a meeting id or anything
 * about a person.
 */
export const METRICS_NAMESPACE = 'Meetplane';

/** Powertools adds a `service` dimension to every metric; this is its value. */
export const METRICS_SERVICE = 'meetplane';

export const DIMENSION = {
  service: 'service',
  site: 'site',
  routeGroup: 'routeGroup',
  route: 'route',
  statusClass: 'statusClass',
  dependency: 'dependency',
} as const;

/** One datapoint per request, under the site, the site and route group, and the site, route and status class. */
export const REQUEST_METRIC = {
  /** Count: 1 per request. */
  requests: 'Requests',
  /** Milliseconds: the request's time in the handler's pipeline. */
  latency: 'Latency',
} as const;

/** Per dependency (`dynamodb`, `kms`, `livekit`, `mail`) and site, for each request that called it. */
export const DEPENDENCY_METRIC = {
  /** Count: the calls made. */
  calls: 'DependencyCalls',
  /** Milliseconds: one datapoint per call. */
  latency: 'DependencyLatency',
  /** Count: calls that failed on the dependency's side (fault, timeout, connection, throttle). */
  failures: 'DependencyFailures',
  /** Count: of those, the calls the dependency throttled. */
  throttles: 'DependencyThrottles',
} as const;

/** Events a request reports, under the site only. */
export const EVENT_METRICS = {
  /** Count: an admission that hands out media (a join, or a waiting participant's poll that finds them admitted). */
  Joins: 'Count',
  /** Count: of those, the ones that placed the meeting and created its LiveKit room. */
  FirstJoins: 'Count',
  /** Milliseconds: from a LiveKit webhook event's `createdAt` (whole seconds) to its receipt. */
  WebhookLag: 'Milliseconds',
} as const;

export type EventMetric = keyof typeof EVENT_METRICS;

/** `2xx`, `3xx`, `4xx` or `5xx`. */
export function statusClassOf(status: number): string {
  const hundreds = Math.floor(status / 100);
  return hundreds >= 1 && hundreds <= 5 ? `${hundreds}xx` : '5xx';
}
