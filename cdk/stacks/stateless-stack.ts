import { CfnOutput, Stack, Token, type StackProps } from 'aws-cdk-lib';
import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import { TableV2, type ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { INetworkTargetGroup } from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { SITE_IDS, type SiteId } from '../../config/sites.js';
import { DIRECTORY_TABLE_NAME } from '../../config/tables.js';
import { ROUTE_GROUPS, type RouteGroupDefinition } from '../../lambdas/routes.js';
import { SiteHttpApi } from '../constructs/http-api.js';
import { RouteFunction } from '../constructs/route-function.js';
import { SiteObservability } from '../constructs/site-observability.js';
import { acknowledge } from '../nag.js';
import { AUDIT_HEAD_SCHEDULE, AUDIT_HEAD_SIGNER } from '../route-groups.js';
import { deployedEnvironment, type DeployedCluster } from '../runtime-env.js';
import { apiUrlOf, type MeetplaneSettings, type SiteSettings } from '../settings.js';

export interface StatelessStackProps extends StackProps {
  readonly site: SiteSettings;
  readonly allSites: MeetplaneSettings['sites'];
  /** The web app: the functions' link base and CORS origins, and the HTTP API's CORS origins. */
  readonly web: MeetplaneSettings['web'];
  readonly siteTable: ITableV2;
  readonly siteKey: IKey;
  /** The site's data key: DynamoDB encrypts the local directory replica with it. */
  readonly dataKey: IKey;
  /** The site's asymmetric key that signs the heads of tenants' audit logs. */
  readonly auditSigningKey: IKey;
  readonly certificate: ICertificate;
  readonly livekitCredentials: ISecret;
  /** The site's own LiveKit cluster (from its media stack). */
  readonly cluster: DeployedCluster;
  /** The other sites' clusters (from their media stacks): failover targets, and senders of webhooks this site verifies. */
  readonly otherClusters: readonly DeployedCluster[];
  readonly alerts: ITopic;
  /** The media stack's LiveKit signalling targets, for the dashboard and the unhealthy-targets alarm. */
  readonly livekitTargets?: INetworkTargetGroup;
  /** Defaults to lambdas/routes.ts; tests pass their own table to check generic behaviour. */
  readonly routeGroups?: readonly RouteGroupDefinition[];
}

/** The route groups that send mail through a tenant's chosen transport, which may be SES. */
const SES_SENDERS = ['meetings', 'advisories-publish'] as const;

/**
 * The site's control plane: one function per route group of
 * lambdas/routes.ts behind one HTTP API. Nothing here holds state, so the
 * stack can be replaced at will.
 */
export class StatelessStack extends Stack {
  readonly functions: ReadonlyMap<string, NodejsFunction>;
  /** Signs every tenant's audit head on a schedule. */
  readonly auditHeadSigner: NodejsFunction;
  readonly httpApi: SiteHttpApi;
  readonly observability: SiteObservability;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { site } = props;

    // Each region holds its own replica of the directory under the same name.
    const directoryTable = TableV2.fromTableName(this, 'Directory', DIRECTORY_TABLE_NAME);

    const apiUrls = Object.fromEntries(SITE_IDS.map((id) => [id, apiUrlOf(props.allSites[id])])) as Record<SiteId, string>;
    const environment = deployedEnvironment({
      site: site.id,
      tableName: props.siteTable.tableName,
      directoryTableName: DIRECTORY_TABLE_NAME,
      siteKeyArn: props.siteKey.keyArn,
      auditSigningKeyArn: props.auditSigningKey.keyArn,
      apiUrls,
      cluster: props.cluster,
      // The key id is no secret; CloudFormation resolves it at deploy time, as the nodes read it at boot.
      livekitApiKey: props.livekitCredentials.secretValueFromJson('apiKey').unsafeUnwrap(),
      // The API secret itself never enters a function's configuration: the groups that need it read it at cold start.
      livekitSecretArn: props.livekitCredentials.secretArn,
      otherClusters: props.otherClusters,
      web: props.web,
    });
    // The other clusters' secrets, as replicated into this region (the suffix is the one Secrets Manager adds to every name).
    const otherLivekitSecretArns = props.otherClusters.map(
      (cluster) => `arn:${this.partition}:secretsmanager:${this.region}:${this.account}:secret:${cluster.secretName}-??????`,
    );

    this.httpApi = new SiteHttpApi(this, 'Http', {
      apiName: `meetplane-${site.id}`,
      domainName: site.apiDomain,
      certificate: props.certificate,
      webOrigins: props.web.origins,
    });

    const shared = {
      site: site.id,
      environment,
      siteTable: props.siteTable,
      directoryTable,
      siteKey: props.siteKey,
      dataKey: props.dataKey,
      auditSigningKey: props.auditSigningKey,
      livekitSecret: props.livekitCredentials,
      otherLivekitSecretArns,
      alerts: props.alerts,
    };
    const routeGroups = props.routeGroups ?? ROUTE_GROUPS;
    const functions = new Map<string, NodejsFunction>();
    for (const group of routeGroups) {
      const routeFunction = new RouteFunction(this, `Group-${group.name}`, { ...shared, group, invokedBy: 'api' });
      this.httpApi.addGroup(group, routeFunction.fn);
      functions.set(group.name, routeFunction.fn);
    }
    this.functions = functions;

    // Every tenant's audit head, signed on a schedule (and on request by the audit routes).
    this.auditHeadSigner = new RouteFunction(this, 'AuditHeadSigner', {
      ...shared,
      group: AUDIT_HEAD_SIGNER,
      invokedBy: 'schedule',
    }).fn;
    const schedule = new Rule(this, 'AuditHeadSchedule', {
      description: `meetplane-${site.id}: sign every tenant's audit head`,
      schedule: Schedule.rate(AUDIT_HEAD_SCHEDULE),
      // A failed run is not retried: the next one, a schedule period later, signs what it missed.
      targets: [new LambdaFunction(this.auditHeadSigner, { retryAttempts: 0 })],
    });
    acknowledge(schedule, {
      id: 'Serverless::Serverless-EventBusDLQ',
      reason:
        'The scheduled events carry nothing to keep: a run that fails raises the function error alarm, and the next run signs what it missed.',
    });

    // Mail of tenants that chose Amazon SES (invitations, advisories): SES in this site's region only, never another.
    const sesIdentities = `arn:${this.partition}:ses:${this.region}:${this.account}:identity/*`;
    const nagAccount = Token.isUnresolved(this.account) ? '<AWS::AccountId>' : this.account;
    for (const name of SES_SENDERS) {
      const fn = functions.get(name);
      if (!fn?.role) continue;
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['ses:SendEmail', 'ses:SendRawEmail'],
          resources: [sesIdentities],
          conditions: { StringEquals: { 'aws:RequestedRegion': this.region } },
        }),
      );
      acknowledge(fn.role, {
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:${this.region}:${nagAccount}:identity/*]`,
        reason:
          "Tenants' senders are SES identities verified at run time; sending is limited to identities of this account in this site's region.",
      });
    }

    this.observability = new SiteObservability(this, 'Observability', {
      site: site.id,
      routeGroups,
      api: this.httpApi.api,
      siteTableName: props.siteTable.tableName,
      ...(props.livekitTargets && { livekitTargets: props.livekitTargets }),
      alerts: props.alerts,
    });

    new CfnOutput(this, 'ApiUrl', { value: apiUrlOf(site) });
  }
}
