import type { Template } from 'aws-cdk-lib/assertions';
import { ROUTE_GROUPS } from '../../lambdas/routes.js';
import { ALARM_POLICY, latencyThresholdOf } from '../../cdk/constructs/site-observability.js';
import { synthMeetplane, templatesOf, type Templates } from './synth.js';

let templates: Templates;

beforeAll(() => {
  templates = templatesOf(synthMeetplane().stacks);
});

interface MetricDataQuery {
  Id: string;
  Expression?: string;
  MetricStat?: {
    Metric: { Namespace: string; MetricName: string; Dimensions?: { Name: string; Value: unknown }[] };
    Stat: string;
  };
}

interface AlarmProperties {
  AlarmName?: string;
  AlarmDescription?: string;
  EvaluationPeriods: number;
  DatapointsToAlarm?: number;
  Statistic?: string;
  ExtendedStatistic?: string;
  MetricName?: string;
  Metrics?: MetricDataQuery[];
  AlarmActions?: unknown[];
  OKActions?: unknown[];
}

function alarmsOf(template: Template): AlarmProperties[] {
  return Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
    (resource) => (resource as { Properties: AlarmProperties }).Properties,
  );
}

const stats = (alarm: AlarmProperties) => (alarm.Metrics ?? []).flatMap((query) => (query.MetricStat ? [query.MetricStat] : []));
const expressionOf = (alarm: AlarmProperties) => alarm.Metrics?.find((query) => query.Expression)?.Expression ?? '';
const named = (template: Template, name: string) => alarmsOf(template).find((alarm) => alarm.AlarmName === name);

describe.each(['fra', 'ams'] as const)('observability of the %s site', (site) => {
  it('has a dashboard of its own with requests, latency per route group, joins, dependencies, throttles and LiveKit health', () => {
    const dashboards = Object.values(templates[site].stateless.findResources('AWS::CloudWatch::Dashboard')) as {
      Properties: { DashboardName: string; DashboardBody: unknown };
    }[];
    expect(dashboards.map((d) => d.Properties.DashboardName)).toEqual([`Meetplane-${site}`]);
    const body = JSON.stringify(dashboards[0]!.Properties.DashboardBody);
    for (const title of [
      'Requests by status class',
      '5xx rate (% of requests)',
      'Latency p50 by route group (ms)',
      'Latency p99 by route group (ms)',
      'Joins',
      'Dependency latency p50 / p99 (ms)',
      'Dependency failures',
      'LiveKit webhook lag (ms)',
      'DynamoDB throttled requests (site table)',
      'KMS throttling',
      'LiveKit targets (signalling)',
      'Alarms',
    ])
      expect({ title, shown: body.includes(title) }).toEqual({ title, shown: true });
    for (const group of ROUTE_GROUPS) expect(body).toContain(`\\"routeGroup\\",\\"${group.name}\\"`);
    for (const metric of [
      'FirstJoins',
      'WebhookLag',
      'DependencyLatency',
      'DependencyFailures',
      'ThrottledRequests',
      'UnHealthyHostCount',
    ])
      expect(body).toContain(metric);
    expect(body).toContain(`\\"site\\",\\"${site}\\"`);
  });

  it('alarms only on rates and percentiles over more than one period, never on a single event', () => {
    const alarms = [site].flatMap((s) => [templates[s].stateless, templates[s].media, templates[s].stateful]).flatMap(alarmsOf);
    expect(alarms.length).toBeGreaterThanOrEqual(ROUTE_GROUPS.length * 2 + 4);
    for (const alarm of alarms) {
      const math = expressionOf(alarm);
      const percentile = stats(alarm).some((stat) => /^p\d+(\.\d+)?$/.test(stat.Stat)) || alarm.ExtendedStatistic !== undefined;
      const rate = /\//.test(math);
      expect({ alarm: alarm.AlarmName, rateOrPercentile: rate || percentile }).toEqual({
        alarm: alarm.AlarmName,
        rateOrPercentile: true,
      });
      // No bare single-metric alarm (Statistic/MetricName at the top level).
      expect({ alarm: alarm.AlarmName, bare: alarm.MetricName ?? alarm.Statistic }).toEqual({
        alarm: alarm.AlarmName,
        bare: undefined,
      });
      expect(alarm.EvaluationPeriods).toBeGreaterThan(1);
      expect(alarm.DatapointsToAlarm ?? alarm.EvaluationPeriods).toBeGreaterThan(1);
      expect(alarm.AlarmActions).toHaveLength(1);
      expect(alarm.OKActions).toEqual(alarm.AlarmActions);
      expect((alarm.AlarmDescription ?? '').length).toBeGreaterThan(80);
    }
  });

  it('alarms on the 5xx rate of the HTTP API as errors over requests', () => {
    const alarm = named(templates[site].stateless, `meetplane-${site}-http-5xx-rate`)!;
    expect(expressionOf(alarm)).toBe(`IF(requests >= ${ALARM_POLICY.minimumVolume}, 100 * FILL(errors, 0) / requests, 0)`);
    expect(stats(alarm).map((stat) => [stat.Metric.Namespace, stat.Metric.MetricName, stat.Stat])).toEqual([
      ['AWS/ApiGateway', 'Count', 'Sum'],
      ['AWS/ApiGateway', '5xx', 'Sum'],
    ]);
    expect([alarm.EvaluationPeriods, alarm.DatapointsToAlarm]).toEqual([3, 2]);
  });

  it.each(ROUTE_GROUPS.map((group) => group.name))('alarms on the p99 latency of the %s route group', (group) => {
    const alarm = named(templates[site].stateless, `meetplane-${site}-latency-p99-${group}`)!;
    expect(stats(alarm).map((stat) => stat.Stat)).toEqual(['SampleCount', 'p99']);
    for (const stat of stats(alarm))
      expect(stat.Metric).toMatchObject({
        Namespace: 'Meetplane',
        MetricName: 'Latency',
        Dimensions: [
          { Name: 'routeGroup', Value: group },
          { Name: 'service', Value: 'meetplane' },
          { Name: 'site', Value: site },
        ],
      });
    expect(
      (
        Object.values(templates[site].stateless.findResources('AWS::CloudWatch::Alarm')) as {
          Properties: AlarmProperties & { Threshold: number };
        }[]
      ).find((resource) => resource.Properties.AlarmName === `meetplane-${site}-latency-p99-${group}`)!.Properties.Threshold,
    ).toBe(latencyThresholdOf(group));
    expect(alarm.EvaluationPeriods).toBe(3);
  });

  it('alarms on DynamoDB throttled requests of the site table and on KMS throttling, as shares of the calls', () => {
    const dynamodb = named(templates[site].stateless, `meetplane-${site}-dynamodb-throttled-rate`)!;
    expect(new Set(stats(dynamodb).map((stat) => stat.Metric.MetricName))).toEqual(
      new Set(['ThrottledRequests', 'DependencyCalls']),
    );
    expect(expressionOf(dynamodb)).toMatch(/\/ calls/);
    const kms = named(templates[site].stateless, `meetplane-${site}-kms-throttled-rate`)!;
    expect(expressionOf(kms)).toBe(`IF(calls >= ${ALARM_POLICY.minimumVolume}, 100 * throttles / calls, 0)`);
    expect(stats(kms).map((stat) => stat.Metric.Dimensions)).toEqual([
      expect.arrayContaining([{ Name: 'dependency', Value: 'kms' }]),
      expect.arrayContaining([{ Name: 'dependency', Value: 'kms' }]),
    ]);
  });

  it("alarms on the share of unhealthy LiveKit targets of the media stack's load balancer for 5 minutes", () => {
    const alarm = named(templates[site].stateless, `meetplane-${site}-livekit-unhealthy-targets`)!;
    expect(stats(alarm).map((stat) => [stat.Metric.Namespace, stat.Metric.MetricName])).toEqual([
      ['AWS/NetworkELB', 'HealthyHostCount'],
      ['AWS/NetworkELB', 'UnHealthyHostCount'],
    ]);
    // The target group is the media stack's, by its exported full name.
    expect(JSON.stringify(stats(alarm)[1]!.Metric.Dimensions)).toMatch(
      new RegExp(`Meetplane-${site}-Media:.*SignallingTargets.*TargetGroupFullName`),
    );
    expect([alarm.EvaluationPeriods, alarm.DatapointsToAlarm]).toEqual([5, 5]);
  });

  it("sends every alarm and its recovery to the site's alert topic, which operators subscribe to", () => {
    for (const alarm of alarmsOf(templates[site].stateless))
      expect(JSON.stringify(alarm.AlarmActions)).toMatch(new RegExp(`Meetplane-${site}-Stateful:ExportsOutputRefAlerts`));
    templates[site].stateful.hasResourceProperties('AWS::SNS::Topic', { DisplayName: `Meetplane ${site} alerts` });
  });

  it('watches only bounded dimensions of its own metrics: site, route group, dependency, never a tenant', () => {
    const dimensions = alarmsOf(templates[site].stateless)
      .flatMap(stats)
      .filter((stat) => stat.Metric.Namespace === 'Meetplane')
      .flatMap((stat) => (stat.Metric.Dimensions ?? []).map((dimension) => dimension.Name));
    expect(new Set(dimensions)).toEqual(new Set(['service', 'site', 'routeGroup', 'dependency']));
  });
});
