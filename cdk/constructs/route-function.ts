import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, LoggingFormat, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { grantTable } from './table-grants.js';
import { grantTenantKeys } from './tenant-key-grants.js';
import { join } from 'node:path';
import type { SiteId } from '../../config/sites.js';
import { DIRECTORY_TABLE, SITE_TABLE } from '../../config/tables.js';
import type { RouteGroupDefinition } from '../../lambdas/routes.js';
import { HANDLER_RUNTIME, LOCK_FILE, PROJECT_ROOT, handlerBundling } from '../bundling.js';
import { acknowledge } from '../nag.js';
import { siteRolePath } from '../naming.js';
import { profileOf } from '../route-groups.js';
import type { DeployedEnvironment } from '../runtime-env.js';

export interface RouteFunctionProps {
  readonly site: SiteId;
  readonly group: RouteGroupDefinition;
  readonly environment: DeployedEnvironment;
  readonly siteTable: ITableV2;
  readonly directoryTable: ITableV2;
  readonly siteKey: IKey;
  /** Encrypts both tables in this region (the directory's local replica included). */
  readonly dataKey: IKey;
  readonly auditSigningKey: IKey;
  /** API Gateway (synchronous requests) or an EventBridge schedule. */
  readonly invokedBy: 'api' | 'schedule';
  /** The LiveKit API credentials ({apiKey, apiSecret}); read only by groups whose profile says so. */
  readonly livekitSecret: ISecret;
  /** The replicas, in this region, of the other sites' LiveKit secrets; read by the same groups. */
  readonly otherLivekitSecretArns: readonly string[];
  readonly alerts: ITopic;
}

/**
 * One route group's Lambda function: bundled from its entry, with a role of
 * its own under the site's role path, granted only what its profile names.
 */
export class RouteFunction extends Construct {
  readonly fn: NodejsFunction;

  constructor(scope: Construct, id: string, props: RouteFunctionProps) {
    super(scope, id);
    const { group, site } = props;
    const profile = profileOf(group);

    const logGroup = new LogGroup(this, 'Logs', {
      retention: RetentionDays.ONE_MONTH,
      // Logs are pseudonymous but still operational data of the site; they go with the stack.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      path: siteRolePath(site),
      description: `Meetplane ${site}: route group ${group.name}`,
    });
    role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
    );

    this.fn = new NodejsFunction(this, 'Function', {
      // Lambda allows 256 characters; a large group is summarised.
      description: (props.invokedBy === 'api'
        ? `Meetplane ${site} ${group.name}: ${group.routes.join(', ')}`
        : `Meetplane ${site} ${group.name}: scheduled`
      ).slice(0, 256),
      entry: join(PROJECT_ROOT, group.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: LOCK_FILE,
      runtime: HANDLER_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: profile.memoryMb,
      timeout: profile.timeout,
      tracing: Tracing.ACTIVE,
      loggingFormat: LoggingFormat.JSON,
      logGroup,
      role,
      environment: { ...props.environment },
      bundling: handlerBundling(),
    });

    acknowledge(this.fn, {
      id: 'Serverless::Serverless-LambdaDLQ',
      reason:
        props.invokedBy === 'api'
          ? 'Invoked only synchronously by API Gateway: a failed request is answered with a problem+json error, there is no event to park.'
          : 'Invoked by a schedule whose events carry nothing: a failed run raises the error alarm and the next run does its work.',
    });
    acknowledge(role, {
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only xray:PutTraceSegments and xray:PutTelemetryRecords (added by active tracing), which X-Ray cannot scope to a resource.',
    });
    this.grantProfile(role, props);
    this.alarms(props.alerts, `meetplane-${site}-${group.name}`);
  }

  private grantProfile(role: Role, props: RouteFunctionProps): void {
    const profile = profileOf(props.group);
    const { siteTable, directoryTable, dataKey } = props;
    if (profile.siteTable === 'describe') {
      role.addToPrincipalPolicy(new PolicyStatement({ actions: ['dynamodb:DescribeTable'], resources: [siteTable.tableArn] }));
    } else if (profile.siteTable !== 'none') {
      grantTable(role, { tableArn: siteTable.tableArn, definition: SITE_TABLE, key: dataKey, access: profile.siteTable });
    }
    if (profile.directory !== 'none') {
      grantTable(role, {
        tableArn: directoryTable.tableArn,
        definition: DIRECTORY_TABLE,
        key: dataKey,
        access: profile.directory,
      });
    }

    // The key policy enforces the same conditions; repeating them here keeps the role honest on its own.
    if (profile.siteKey === 'probe') {
      role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['kms:Encrypt'],
          resources: [props.siteKey.keyArn],
          conditions: { StringEquals: { 'kms:EncryptionContext:purpose': 'health', 'kms:EncryptionContext:site': props.site } },
        }),
      );
    } else if (profile.siteKey === 'tenant') {
      role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext'],
          resources: [props.siteKey.keyArn],
          conditions: { Null: { 'kms:EncryptionContext:tenantId': 'false' } },
        }),
      );
    }
    if (profile.tenantKeys !== 'none') grantTenantKeys(role, props.site, profile.tenantKeys);
    if (profile.auditSigningKey === 'sign') {
      role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['kms:Sign'],
          resources: [props.auditSigningKey.keyArn],
          conditions: { StringEquals: { 'kms:SigningAlgorithm': 'ECDSA_SHA_256', 'kms:MessageType': 'RAW' } },
        }),
      );
      role.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['kms:GetPublicKey'], resources: [props.auditSigningKey.keyArn] }),
      );
    }
    // Only the value, only these secrets (the site's own, the replicas of the others'): not DescribeSecret, nothing else.
    if (profile.livekitSecret) {
      role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: [props.livekitSecret.secretArn, ...props.otherLivekitSecretArns],
        }),
      );
    }
  }

  /**
   * One alarm per function on a rate, never on a single event: its errors and
   * throttles as a share of its invocations (throttled ones included) above 5%
   * in 2 of 3 five-minute periods, once it had at least 20 in a period.
   */
  private alarms(alerts: ITopic, name: string): void {
    const action = new SnsAction(alerts);
    const period = Duration.minutes(5);
    const minimum = 20;
    const alarm = new Alarm(this, 'ErrorRateAlarm', {
      alarmName: `${name}-error-rate`,
      alarmDescription:
        `${name}: more than 5% of invocations failed (unhandled errors, timeouts) or were throttled in 2 of the last 3 ` +
        `5-minute periods (periods with fewer than ${minimum} invocations count as 0). Throttles: raise the account's ` +
        'concurrency or reserve some for this function; errors: the function\'s log group ("request failed").',
      metric: new MathExpression({
        expression:
          `IF(FILL(invocations, 0) + FILL(throttles, 0) >= ${minimum}, ` +
          '100 * (FILL(errors, 0) + FILL(throttles, 0)) / (FILL(invocations, 0) + FILL(throttles, 0)), 0)',
        usingMetrics: {
          invocations: this.fn.metricInvocations({ period, statistic: 'Sum' }),
          errors: this.fn.metricErrors({ period, statistic: 'Sum' }),
          throttles: this.fn.metricThrottles({ period, statistic: 'Sum' }),
        },
        period,
        label: 'errors and throttles, % of invocations',
      }),
      threshold: 5,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
  }
}
