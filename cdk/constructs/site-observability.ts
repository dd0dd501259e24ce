import { Duration } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
  type IMetric,
  type IWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { INetworkTargetGroup } from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { SiteId } from '../../config/sites.js';
import {
  DEPENDENCY_METRIC,
  METRICS_NAMESPACE,
  METRICS_SERVICE,
  REQUEST_METRIC,
  type EventMetric,
} from '../../lambdas/http/metric-names.js';
import { DEPENDENCIES, type Dependency } from '../../lambdas/http/call-counter.js';
import type { RouteGroupDefinition } from '../../lambdas/routes.js';

/**
 * What the site's alarms fire on. Every alarm is a rate or a percentile over
 * several periods, never a single event: a rate needs a minimum volume in the
 * period before it counts (below it the expression is 0), and the condition
 * must hold for more than one period. docs/deploy.md and the README list them.
 */
export const ALARM_POLICY = {
  /** The period of the request, function, DynamoDB and KMS alarms. */
  period: Duration.minutes(5),
  /** Below this many requests (calls, invocations) in a period a rate or percentile is not judged. */
  minimumVolume: 20,
  /** 5xx responses of the HTTP API, percent of its requests; 2 of 3 periods. */
  serverErrorPercent: 5,
  /** A function's errors and throttles, percent of its invocations and throttles; 2 of 3 periods. */
  functionErrorPercent: 5,
  /** p99 of a route group's latency in the handler, milliseconds; 3 of 3 periods. */
  latencyP99Ms: { default: 2000, meetings: 8000, 'advisories-publish': 8000 } as Readonly<Record<string, number>>,
  /** DynamoDB requests throttled on the site table, percent of the control plane's DynamoDB calls; 3 of 3 periods. */
  dynamodbThrottledPercent: 1,
  /** KMS calls throttled, percent of KMS calls; 3 of 3 periods. */
  kmsThrottledPercent: 1,
  /** Unhealthy LiveKit targets, percent of registered targets: any, for 5 consecutive minutes. */
  livekitUnhealthyPercent: 0,
  livekitPeriod: Duration.minutes(1),
} as const;

/** The DynamoDB operations the control plane uses (ThrottledRequests is published per table and operation). */
export const DYNAMODB_OPERATIONS = [
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'BatchGetItem',
  'BatchWriteItem',
  'TransactWriteItems',
] as const;

export function latencyThresholdOf(group: string): number {
  return ALARM_POLICY.latencyP99Ms[group] ?? ALARM_POLICY.latencyP99Ms.default!;
}

export interface SiteObservabilityProps {
  readonly site: SiteId;
  readonly routeGroups: readonly RouteGroupDefinition[];
  readonly api: IHttpApi;
  readonly siteTableName: string;
  /** The LiveKit load balancer's signalling targets (the media stack): every node, health-checked on 7880. */
  readonly livekitTargets?: INetworkTargetGroup;
  /** Alarm and OK notifications go here; operators subscribe to it. */
  readonly alerts: ITopic;
}

/**
 * The site's dashboard and its site-wide alarms: what an operator looks at
 * first. The metrics are the control plane's own (lambdas/http/metrics.ts,
 * namespace `Meetplane`) and AWS's (API Gateway, DynamoDB, the load balancer).
 */
export class SiteObservability extends Construct {
  readonly dashboard: Dashboard;
  readonly alarms: Alarm[] = [];
  private readonly action: SnsAction;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: SiteObservabilityProps,
  ) {
    super(scope, id);
    this.action = new SnsAction(props.alerts);
    const { site } = props;
    const period = ALARM_POLICY.period;
    const min = ALARM_POLICY.minimumVolume;

    // --- the HTTP API: 5xx rate ---------------------------------------------------------------
    const apiRequests = props.api.metricCount({ period, statistic: 'Sum' });
    const api5xx = props.api.metricServerError({ period, statistic: 'Sum' });
    this.alarm('ServerErrorRate', {
      name: 'http-5xx-rate',
      description:
        `More than ${ALARM_POLICY.serverErrorPercent}% of the site's HTTP requests were answered 5xx in 2 of the last 3 ` +
        `5-minute periods (periods with fewer than ${min} requests count as 0). A 503 means a dependency is down: see the ` +
        'dependency failures on the dashboard; a 500 is a bug: see the function logs ("request failed").',
      expression: `IF(requests >= ${min}, 100 * FILL(errors, 0) / requests, 0)`,
      usingMetrics: { requests: apiRequests, errors: api5xx },
      label: '5xx, % of requests',
      threshold: ALARM_POLICY.serverErrorPercent,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
    });

    // --- latency per route group: p99 ----------------------------------------------------------
    for (const group of props.routeGroups) {
      const threshold = latencyThresholdOf(group.name);
      this.alarm(`LatencyP99-${group.name}`, {
        name: `latency-p99-${group.name}`,
        description:
          `p99 latency of the ${group.name} route group above ${threshold} ms in each of the last 3 5-minute periods ` +
          `(periods with fewer than ${min} requests count as 0). Compare the dependency latency on the dashboard.`,
        expression: `IF(requests >= ${min}, p99, 0)`,
        usingMetrics: {
          requests: this.requestMetric(REQUEST_METRIC.latency, 'SampleCount', { routeGroup: group.name }),
          p99: this.requestMetric(REQUEST_METRIC.latency, 'p99', { routeGroup: group.name }),
        },
        label: `${group.name} p99 (ms)`,
        threshold,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
      });
    }

    // --- DynamoDB: throttled requests --------------------------------------------------------
    const throttledByOperation = Object.fromEntries(
      DYNAMODB_OPERATIONS.map((operation, index) => [`t${index}`, this.dynamodbThrottled(operation)]),
    );
    this.alarm('DynamoDbThrottleRate', {
      name: 'dynamodb-throttled-rate',
      description:
        `More than ${ALARM_POLICY.dynamodbThrottledPercent}% of the control plane's DynamoDB requests were throttled on ` +
        `the site table (AWS/DynamoDB ThrottledRequests over the functions' DynamoDB calls) in each of the last 3 ` +
        `5-minute periods (periods with fewer than ${min} calls count as 0). The table is on demand: look for a hot ` +
        "partition (one tenant) or a burst beyond the table's throughput limits.",
      expression: `IF(calls >= ${min}, 100 * (${Object.keys(throttledByOperation)
        .map((key) => `FILL(${key}, 0)`)
        .join(' + ')}) / calls, 0)`,
      usingMetrics: { ...throttledByOperation, calls: this.dependencyMetric('dynamodb', DEPENDENCY_METRIC.calls, 'Sum') },
      label: 'DynamoDB throttled, % of calls',
      threshold: ALARM_POLICY.dynamodbThrottledPercent,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
    });

    // --- KMS: throttling ---------------------------------------------------------------------
    this.alarm('KmsThrottleRate', {
      name: 'kms-throttled-rate',
      description:
        `More than ${ALARM_POLICY.kmsThrottledPercent}% of the control plane's KMS calls were throttled ` +
        `(ThrottlingException after the SDK's retry) in each of the last 3 5-minute periods (periods with fewer than ` +
        `${min} calls count as 0). Check the account's KMS request quotas in this region (Service Quotas).`,
      expression: `IF(calls >= ${min}, 100 * throttles / calls, 0)`,
      usingMetrics: {
        calls: this.dependencyMetric('kms', DEPENDENCY_METRIC.calls, 'Sum'),
        throttles: this.dependencyMetric('kms', DEPENDENCY_METRIC.throttles, 'Sum'),
      },
      label: 'KMS throttled, % of calls',
      threshold: ALARM_POLICY.kmsThrottledPercent,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
    });

    // --- LiveKit: unhealthy targets ----------------------------------------------------------
    if (props.livekitTargets) {
      const livekitPeriod = ALARM_POLICY.livekitPeriod;
      this.alarm('LiveKitUnhealthyTargets', {
        name: 'livekit-unhealthy-targets',
        description:
          "Some LiveKit node has failed the load balancer's health check (HTTP on 7880) for 5 consecutive minutes: " +
          'the share of unhealthy signalling targets stayed above 0%, or no target is registered at all. Rooms on that ' +
          'node are unreachable; the Auto Scaling group replaces nodes that stay unhealthy. Missing data alarms too: ' +
          'the load balancer reports every minute.',
        expression: 'IF(healthy + unhealthy > 0, 100 * unhealthy / (healthy + unhealthy), 100)',
        usingMetrics: {
          healthy: props.livekitTargets.metrics.healthyHostCount({ period: livekitPeriod, statistic: 'Average' }),
          unhealthy: props.livekitTargets.metrics.unHealthyHostCount({ period: livekitPeriod, statistic: 'Average' }),
        },
        period: livekitPeriod,
        label: 'unhealthy LiveKit targets, %',
        threshold: ALARM_POLICY.livekitUnhealthyPercent,
        evaluationPeriods: 5,
        datapointsToAlarm: 5,
        treatMissingData: TreatMissingData.BREACHING,
      });
    }

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `Meetplane-${site}`,
      defaultInterval: Duration.hours(3),
    });
    for (const row of this.widgets(apiRequests, api5xx, throttledByOperation)) this.dashboard.addWidgets(...row);
  }

  /** The control plane's request metrics of this site, under the given extra dimensions. */
  private requestMetric(name: string, statistic: string, dimensions: Record<string, string> = {}): Metric {
    return new Metric({
      namespace: METRICS_NAMESPACE,
      metricName: name,
      dimensionsMap: { service: METRICS_SERVICE, site: this.props.site, ...dimensions },
      statistic,
      period: ALARM_POLICY.period,
    });
  }

  private eventMetric(name: EventMetric, statistic: string, label: string): Metric {
    return this.requestMetric(name, statistic).with({ label });
  }

  private dependencyMetric(dependency: Dependency, name: string, statistic: string): Metric {
    return this.requestMetric(name, statistic, { dependency }).with({ label: `${dependency} ${statistic}` });
  }

  private dynamodbThrottled(operation: string): Metric {
    return new Metric({
      namespace: 'AWS/DynamoDB',
      metricName: 'ThrottledRequests',
      dimensionsMap: { TableName: this.props.siteTableName, Operation: operation },
      statistic: 'Sum',
      period: ALARM_POLICY.period,
      label: operation,
    });
  }

  private alarm(
    id: string,
    spec: {
      name: string;
      description: string;
      expression: string;
      usingMetrics: Record<string, IMetric>;
      label: string;
      threshold: number;
      evaluationPeriods: number;
      datapointsToAlarm: number;
      period?: Duration;
      treatMissingData?: TreatMissingData;
    },
  ): Alarm {
    const alarm = new Alarm(this, `${id}Alarm`, {
      alarmName: `meetplane-${this.props.site}-${spec.name}`,
      alarmDescription: `Meetplane ${this.props.site}: ${spec.description}`,
      metric: new MathExpression({
        expression: spec.expression,
        usingMetrics: spec.usingMetrics,
        period: spec.period ?? ALARM_POLICY.period,
        label: spec.label,
      }),
      threshold: spec.threshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: spec.evaluationPeriods,
      datapointsToAlarm: spec.datapointsToAlarm,
      treatMissingData: spec.treatMissingData ?? TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
    return alarm;
  }

  private widgets(apiRequests: Metric, api5xx: Metric, throttledByOperation: Record<string, Metric>): IWidget[][] {
    const { site, routeGroups } = this.props;
    const period = ALARM_POLICY.period;
    const byStatusClass = (statusClass: string) =>
      new MathExpression({
        expression: `SUM(SEARCH('{${METRICS_NAMESPACE},route,service,site,statusClass} MetricName="${REQUEST_METRIC.requests}" site="${site}" statusClass="${statusClass}"', 'Sum', ${period.toSeconds()}))`,
        usingMetrics: {},
        label: statusClass,
        period,
      });
    const latencyOf = (statistic: 'p50' | 'p99') =>
      routeGroups.map((group) =>
        this.requestMetric(REQUEST_METRIC.latency, statistic, { routeGroup: group.name }).with({ label: group.name }),
      );
    const graph = (title: string, left: IMetric[], options: { right?: IMetric[]; width?: number; leftLabel?: string } = {}) =>
      new GraphWidget({
        title,
        left,
        ...(options.right && { right: options.right }),
        width: options.width ?? 8,
        height: 6,
        ...(options.leftLabel && { leftYAxis: { label: options.leftLabel, showUnits: false } }),
      });
    const rows: IWidget[][] = [
      [
        new TextWidget({
          markdown:
            `# Meetplane ${site}\nRequests, latency and joins are the control plane's own metrics (namespace ` +
            `\`${METRICS_NAMESPACE}\`, embedded in the functions' logs); dimensions are the site, route group, route ` +
            "template, status class and dependency, never a tenant or a person. Alarms notify the site's alert topic.",
          width: 24,
          height: 2,
        }),
      ],
      [
        graph('Requests by status class', ['2xx', '3xx', '4xx', '5xx'].map(byStatusClass), {
          right: [apiRequests.with({ label: 'API Gateway requests' })],
        }),
        graph(
          '5xx rate (% of requests)',
          [
            new MathExpression({
              expression: '100 * FILL(errors, 0) / requests',
              usingMetrics: { requests: apiRequests, errors: api5xx },
              label: 'API Gateway 5xx, %',
              period,
            }),
          ],
          { leftLabel: '%' },
        ),
        graph('Joins', [
          this.eventMetric('Joins', 'Sum', 'joins'),
          this.eventMetric('FirstJoins', 'Sum', 'first joins (room created)'),
        ]),
      ],
      [
        graph('Latency p50 by route group (ms)', latencyOf('p50'), { width: 12 }),
        graph('Latency p99 by route group (ms)', latencyOf('p99'), { width: 12 }),
      ],
      [
        graph(
          'Dependency latency p50 / p99 (ms)',
          DEPENDENCIES.flatMap((dependency) => [
            this.dependencyMetric(dependency, DEPENDENCY_METRIC.latency, 'p50'),
            this.dependencyMetric(dependency, DEPENDENCY_METRIC.latency, 'p99'),
          ]),
        ),
        graph(
          'Dependency failures',
          DEPENDENCIES.map((dependency) => this.dependencyMetric(dependency, DEPENDENCY_METRIC.failures, 'Sum')),
          { right: DEPENDENCIES.map((dependency) => this.dependencyMetric(dependency, DEPENDENCY_METRIC.calls, 'Sum')) },
        ),
        graph('LiveKit webhook lag (ms)', [
          this.eventMetric('WebhookLag', 'p50', 'p50'),
          this.eventMetric('WebhookLag', 'p99', 'p99'),
          this.eventMetric('WebhookLag', 'Maximum', 'max'),
        ]),
      ],
      [
        graph('DynamoDB throttled requests (site table)', Object.values(throttledByOperation), {
          right: [this.dependencyMetric('dynamodb', DEPENDENCY_METRIC.throttles, 'Sum')],
        }),
        graph('KMS throttling', [this.dependencyMetric('kms', DEPENDENCY_METRIC.throttles, 'Sum')], {
          right: [this.dependencyMetric('kms', DEPENDENCY_METRIC.calls, 'Sum')],
        }),
        graph(
          'LiveKit targets (signalling)',
          this.props.livekitTargets
            ? [
                this.props.livekitTargets.metrics.healthyHostCount({ statistic: 'Minimum', label: 'healthy (min)' }),
                this.props.livekitTargets.metrics.unHealthyHostCount({ statistic: 'Maximum', label: 'unhealthy (max)' }),
              ]
            : [],
        ),
      ],
      [new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 4 })],
    ];
    return rows;
  }
}
