import type middy from '@middy/core';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DEPENDENCIES, type Dependency, type RequestTally } from './call-counter.js';
import { logger } from './logger.js';
import {
  DEPENDENCY_METRIC,
  EVENT_METRICS,
  METRICS_NAMESPACE,
  METRICS_SERVICE,
  REQUEST_METRIC,
  statusClassOf,
} from './metric-names.js';

/**
 * CloudWatch metrics of the HTTP pipeline, written with Powertools Metrics in
 * the embedded metric format (one JSON document per line on stdout, which
 * CloudWatch Logs turns into metrics; the local gateway prints the same).
 *
 * A request's numbers are gathered in its own tally while it runs (see
 * call-counter.ts) and written here in one synchronous step once it is
 * answered: each document is filled and flushed without an await in between,
 * so requests that run concurrently in one process (the local gateway) never
 * mix their metrics, and every invocation flushes what it recorded.
 */
const SITE = process.env.MEETPLANE_SITE ?? 'unknown';

/** The route dimension of a route key the group does not serve (never the raw path). */
export const UNMATCHED_ROUTE = 'unmatched';

const UNITS = { Count: MetricUnit.Count, Milliseconds: MetricUnit.Milliseconds } as const;

const writers = new Map<string, Metrics>();

/** One Powertools instance per kind of document, kept for the container's life. */
function writer(kind: string, dimensions: Record<string, string> = {}): Metrics {
  let metrics = writers.get(kind);
  if (!metrics) {
    metrics = new Metrics({
      namespace: METRICS_NAMESPACE,
      serviceName: METRICS_SERVICE,
      defaultDimensions: { site: SITE, ...dimensions },
    });
    writers.set(kind, metrics);
  }
  return metrics;
}

export interface AnsweredRequest {
  readonly routeGroup: string;
  /** The route key as declared, or `unmatched`. */
  readonly route: string;
  readonly status: number;
  readonly durationMs: number;
  readonly tally?: RequestTally;
}

/** Writes one request's documents: the request itself, its events, and one per dependency it called. */
export function publishRequestMetrics(answered: AnsweredRequest): void {
  const statusClass = statusClassOf(answered.status);
  const requests = writer('requests');
  // Three views of one datapoint. No key is in two sets: Powertools warns on every such document.
  requests.addDimensions({});
  requests.addDimensions({ routeGroup: answered.routeGroup });
  requests.addDimensions({ route: answered.route, statusClass });
  requests.addMetric(REQUEST_METRIC.requests, MetricUnit.Count, 1);
  requests.addMetric(REQUEST_METRIC.latency, MetricUnit.Milliseconds, round(answered.durationMs));
  requests.publishStoredMetrics();

  const tally = answered.tally;
  if (!tally) return;
  if (tally.events.length > 0) {
    const events = writer('events');
    for (const { name, value } of tally.events) events.addMetric(name, UNITS[EVENT_METRICS[name]], round(value));
    events.publishStoredMetrics();
  }
  for (const dependency of DEPENDENCIES) {
    const calls = tally.dependencies[dependency];
    if (!calls || calls.latenciesMs.length === 0) continue;
    publishDependency(dependency, calls.latenciesMs, calls.failures, calls.throttles);
  }
}

function publishDependency(dependency: Dependency, latenciesMs: readonly number[], failures: number, throttles: number): void {
  const metrics = writer(`dependency:${dependency}`, { dependency });
  metrics.addMetric(DEPENDENCY_METRIC.calls, MetricUnit.Count, latenciesMs.length);
  for (const latency of latenciesMs) metrics.addMetric(DEPENDENCY_METRIC.latency, MetricUnit.Milliseconds, round(latency));
  metrics.addMetric(DEPENDENCY_METRIC.failures, MetricUnit.Count, failures);
  metrics.addMetric(DEPENDENCY_METRIC.throttles, MetricUnit.Count, throttles);
  metrics.publishStoredMetrics();
}

const round = (value: number) => Math.round(Math.max(0, value) * 100) / 100;

type Request = middy.Request<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>;

/**
 * The middleware that writes a request's metrics once it is answered, with
 * the status the client gets (the error mapper has run by then: register this
 * before it and before the access log). Writing metrics never fails a request.
 */
export function requestMetrics(
  routeGroup: string,
  routeKeys: ReadonlySet<string>,
  tallyOf: (event: object) => RequestTally | undefined,
): middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  const began = new WeakMap<object, number>();
  const publish = (request: Request) => {
    try {
      const routeKey = request.event.routeKey;
      publishRequestMetrics({
        routeGroup,
        route: routeKeys.has(routeKey) ? routeKey : UNMATCHED_ROUTE,
        status: request.response?.statusCode ?? 500,
        durationMs: performance.now() - (began.get(request.event) ?? performance.now()),
        ...(tallyOf(request.event) !== undefined && { tally: tallyOf(request.event)! }),
      });
    } catch (error) {
      // Whatever a failed write left behind must not end up in the next request's documents.
      for (const metrics of writers.values()) {
        metrics.clearMetrics();
        metrics.clearDimensions();
      }
      logger.warn('metrics not written', { errorName: (error as Error | undefined)?.name ?? 'unknown' });
    }
  };
  return {
    before: (request) => {
      began.set(request.event, performance.now());
    },
    after: publish,
    onError: publish,
  };
}
