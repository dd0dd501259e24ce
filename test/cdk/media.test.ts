import { App } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { LIVEKIT_IMAGE_DIGEST, LIVEKIT_VERSION } from '../../cdk/constructs/livekit-user-data.js';
import { lookupFrom, readSettings } from '../../cdk/settings.js';
import { DRAIN } from '../../cdk/stacks/media-stack.js';
import { MAX_DURATION_MINUTES } from '../../lambdas/domain/meeting.js';
import { expectCount, expectProperties, synthMeetplane, templatesOf, type Templates } from './synth.js';

let templates: Templates;

beforeAll(() => {
  templates = templatesOf(synthMeetplane().stacks);
});

/** The boot script of the site's nodes, with CloudFormation's references written as `{Ref:…}`. */
function userDataOf(site: 'fra' | 'ams'): string {
  const [template] = Object.values(templates[site].media.findResources('AWS::EC2::LaunchTemplate')) as {
    Properties: { LaunchTemplateData: { UserData: { 'Fn::Base64': { 'Fn::Join': [string, unknown[]] } } } };
  }[];
  const parts = template!.Properties.LaunchTemplateData.UserData['Fn::Base64']['Fn::Join'][1];
  return parts.map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join('');
}

/** The statements of the node role's policies. */
function nodeStatements(site: 'fra' | 'ams'): { Action: string | string[]; Resource: unknown; Condition?: unknown }[] {
  const policies = Object.values(templates[site].media.findResources('AWS::IAM::Policy')) as {
    Properties: { Roles: { Ref: string }[]; PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } };
  }[];
  return policies
    .filter((policy) => policy.Properties.Roles.some((role) => role.Ref.startsWith('NodeRole')))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

const actionsOf = (statement: { Action: string | string[] }) => ([] as string[]).concat(statement.Action);
const REGIONS = { fra: 'eu-central-1', ams: 'eu-west-1' } as const;

interface Ingress {
  IpProtocol: string;
  FromPort: number;
  ToPort: number;
  CidrIp?: string;
  CidrIpv6?: string;
}

describe.each(['fra', 'ams'] as const)('the %s media stack', (site) => {
  it('terminates TLS on 443 and forwards signalling to 7880, ICE on 7881/tcp and 7882/udp', () => {
    const template = templates[site].media;
    expectProperties(template, 'AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'TLS',
      Certificates: [Match.anyValue()],
    });
    expectProperties(template, 'AWS::ElasticLoadBalancingV2::Listener', { Port: 7881, Protocol: 'TCP' });
    expectProperties(template, 'AWS::ElasticLoadBalancingV2::Listener', { Port: 7882, Protocol: 'UDP' });
    expectProperties(template, 'AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 7880, Protocol: 'TCP' });
    expectProperties(template, 'AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 7881, Protocol: 'TCP' });
    expectProperties(template, 'AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 7882, Protocol: 'UDP' });
  });

  it('opens to the internet only 443/tcp on the load balancer and the two ICE ports', () => {
    const groups = templates[site].media.findResources('AWS::EC2::SecurityGroup');
    const open = Object.values(groups)
      .flatMap((group) => (group as { Properties: { SecurityGroupIngress?: Ingress[] } }).Properties.SecurityGroupIngress ?? [])
      .filter((rule) => rule.CidrIp === '0.0.0.0/0' || rule.CidrIpv6 === '::/0')
      .map((rule) => `${rule.FromPort}-${rule.ToPort}/${rule.IpProtocol}`);
    expect([...new Set(open)].sort()).toEqual(['443-443/tcp', '7881-7881/tcp', '7882-7882/udp']);
    // TURN (5349) reaches the nodes from the TURN load balancer only.
    expectProperties(templates[site].media, 'AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 5349,
      ToPort: 5349,
      SourceSecurityGroupId: Match.anyValue(),
    });
  });

  it('reaches signalling (7880) and Redis only from inside', () => {
    const template = templates[site].media;
    expectProperties(template, 'AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 7880,
      ToPort: 7880,
      SourceSecurityGroupId: Match.anyValue(),
    });
    expectProperties(template, 'AWS::EC2::SecurityGroupIngress', { FromPort: 6380, SourceSecurityGroupId: Match.anyValue() });
  });

  it('runs Redis encrypted, authenticated and multi-AZ', () => {
    expectProperties(templates[site].media, 'AWS::ElastiCache::ReplicationGroup', {
      TransitEncryptionEnabled: true,
      AtRestEncryptionEnabled: true,
      MultiAZEnabled: true,
      AuthToken: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('resolve:secretsmanager')])] }),
    });
  });

  it(`boots nodes with livekit-server ${LIVEKIT_VERSION} on the host network, room creation by the control plane only`, () => {
    const script = userDataOf(site);
    expect(script).toContain('--network host');
    expect(script).toContain('auto_create: false');
    expectProperties(templates[site].media, 'AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({ MetadataOptions: Match.objectLike({ HttpTokens: 'required' }) }),
    });
  });

  it('keeps the LiveKit API secret in Secrets Manager', () => {
    expectProperties(templates[site].media, 'AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ GenerateStringKey: 'apiSecret' }),
    });
  });

  it("caches Docker Hub in the site's own ECR and runs livekit-server from there, by digest", () => {
    const template = templates[site].media;
    expectProperties(template, 'AWS::ECR::PullThroughCacheRule', {
      EcrRepositoryPrefix: `meetplane-${site}-dockerhub`,
      UpstreamRegistry: 'docker-hub',
      UpstreamRegistryUrl: 'registry-1.docker.io',
      CredentialArn: Match.anyValue(),
    });
    expectProperties(template, 'AWS::SecretsManager::Secret', { Name: `ecr-pullthroughcache/meetplane-${site}-docker-hub` });
    expect(LIVEKIT_IMAGE_DIGEST).toMatch(/^sha256:[0-9a-f]{64}$/);
    const image = `{"Ref":"AWS::AccountId"}.dkr.ecr.${REGIONS[site]}.{"Ref":"AWS::URLSuffix"}/meetplane-${site}-dockerhub/livekit/livekit-server`;
    const script = userDataOf(site);
    expect(script).toContain(`docker pull ${image}@${LIVEKIT_IMAGE_DIGEST}`);
    expect(script).toMatch(new RegExp(`ExecStart=/usr/bin/docker run .* ${escape(image)}@${LIVEKIT_IMAGE_DIGEST} --config`));
    // Nothing runs from Docker Hub directly.
    expect(script).not.toMatch(/docker (run|pull) [^\n]*(?<![/])livekit\/livekit-server/);
  });

  it('lets a node pull exactly the LiveKit repository of the cache, and log in to the registry', () => {
    const ecr = nodeStatements(site).filter((statement) => actionsOf(statement).some((action) => action.startsWith('ecr:')));
    expect(ecr.map((statement) => ({ actions: actionsOf(statement).sort(), resource: statement.Resource }))).toEqual([
      { actions: ['ecr:GetAuthorizationToken'], resource: '*' },
      {
        actions: [
          'ecr:BatchCheckLayerAvailability',
          'ecr:BatchGetImage',
          'ecr:BatchImportUpstreamImage',
          'ecr:CreateRepository',
          'ecr:GetDownloadUrlForLayer',
        ],
        resource: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              `:ecr:${REGIONS[site]}:`,
              { Ref: 'AWS::AccountId' },
              `:repository/meetplane-${site}-dockerhub/livekit/livekit-server`,
            ],
          ],
        },
      },
    ]);
  });

  it("serves TURN over TLS on 443 of a load balancer of its own, with the site certificate, to the nodes' TURN port", () => {
    const template = templates[site].media;
    expectCount(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer', 2);
    expectCount(template, 'AWS::ElasticLoadBalancingV2::Listener', 2, { Port: 443, Protocol: 'TLS' });
    expectProperties(template, 'AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'TLS',
      Certificates: [Match.anyValue()],
      LoadBalancerArn: { Ref: Match.stringLikeRegexp('^TurnLoadBalancer') },
      DefaultActions: [Match.objectLike({ TargetGroupArn: { Ref: Match.stringLikeRegexp('^TurnTargets') } })],
    });
    expectProperties(template, 'AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 5349, Protocol: 'TCP' });
    const script = userDataOf(site);
    expect(script).toContain(
      ['turn:', '  enabled: true', `  domain: turn.${site}.meetplane.example`, '  tls_port: 5349', '  external_tls: true'].join(
        '\n',
      ),
    );
  });

  it('drains a node before scale-in terminates it, for as long as the longest meeting', () => {
    const template = templates[site].media;
    expectProperties(template, 'AWS::AutoScaling::AutoScalingGroup', { AutoScalingGroupName: `meetplane-${site}-livekit` });
    expectProperties(template, 'AWS::AutoScaling::LifecycleHook', {
      LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING',
      LifecycleHookName: 'meetplane-drain',
      HeartbeatTimeout: 900,
      DefaultResult: 'CONTINUE',
    });
    // Auto Scaling holds an instance for at most 100 heartbeat timeouts: more than the longest drain.
    expect(DRAIN.maxDrain.toMinutes()).toBe(MAX_DURATION_MINUTES);
    expect(100 * 900).toBeGreaterThan(DRAIN.maxDrain.toSeconds() + 60);
    const script = userDataOf(site);
    expect(script).toContain('meta-data/autoscaling/target-lifecycle-state');
    expect(script).toContain('systemctl stop --no-block livekit.service');
    expect(script).toContain('record-lifecycle-action-heartbeat');
    expect(script).toContain('--lifecycle-action-result CONTINUE');
    expect(script).toContain(`MAX_DRAIN_SECONDS=${MAX_DURATION_MINUTES * 60}`);
    expect(script).toContain(`ASG_NAME=meetplane-${site}-livekit`);
    // Stopping the service is LiveKit's graceful shutdown (one SIGTERM), bounded by the longest drain.
    expect(script).toContain(`TimeoutStopSec=${MAX_DURATION_MINUTES * 60 + 60}`);
    expect(script).toContain('systemctl enable --now livekit.service meetplane-drain.service');
  });

  it('lets a node complete and heartbeat the lifecycle action of its own group only', () => {
    const scaling = nodeStatements(site).filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('autoscaling:')),
    );
    expect(scaling).toHaveLength(1);
    expect(actionsOf(scaling[0]!).sort()).toEqual([
      'autoscaling:CompleteLifecycleAction',
      'autoscaling:RecordLifecycleActionHeartbeat',
    ]);
    expect(JSON.stringify(scaling[0]!.Resource)).toContain(`:autoScalingGroup:*:autoScalingGroupName/meetplane-${site}-livekit`);
  });

  it("scrapes LiveKit's Prometheus metrics into CloudWatch and ships the node logs, both kept 30 days", () => {
    const template = templates[site].media;
    for (const name of [`/meetplane/${site}/livekit/nodes`, `/meetplane/${site}/livekit/prometheus`]) {
      expectProperties(template, 'AWS::Logs::LogGroup', { LogGroupName: name, RetentionInDays: 30 });
    }
    const script = userDataOf(site);
    expect(script).toContain('prometheus_port: 6789');
    expect(script).toContain("- targets: ['127.0.0.1:6789']");
    expect(script).toContain(`ClusterId: ${site}-a`);
    const agent = JSON.parse(/<<'AGENT'\n([\s\S]*?)\nAGENT/.exec(script)![1]!) as {
      logs: {
        logs_collected: { files: { collect_list: { file_path: string; log_group_name: string }[] } };
        metrics_collected: { prometheus: { log_group_name: string; emf_processor: { metric_namespace: string } } };
      };
    };
    expect(agent.logs.metrics_collected.prometheus).toMatchObject({
      log_group_name: `/meetplane/${site}/livekit/prometheus`,
      emf_processor: { metric_namespace: 'Meetplane/LiveKit' },
    });
    expect(agent.logs.logs_collected.files.collect_list).toContainEqual(
      expect.objectContaining({ file_path: '/var/log/livekit/livekit.log', log_group_name: `/meetplane/${site}/livekit/nodes` }),
    );
    expect(script).toContain('StandardOutput=append:/var/log/livekit/livekit.log');
    // The agent writes only into these two groups.
    const logs = nodeStatements(site).filter((statement) => actionsOf(statement).some((action) => action.startsWith('logs:')));
    expect(logs).toHaveLength(1);
    expect(JSON.stringify(logs[0]!.Resource)).toMatch(
      /^\[\{"Fn::GetAtt":\["NodeLogs\w+","Arn"\]\},\{"Fn::GetAtt":\["NodeMetrics\w+","Arn"\]\}\]$/,
    );
  });

  it("sends its webhooks to both sites' APIs", () => {
    expect(userDataOf(site)).toContain(
      [
        'webhook:',
        '  api_key: $API_KEY',
        '  urls:',
        '    - https://api.fra.meetplane.example/v1/media/livekit/webhook',
        '    - https://api.ams.meetplane.example/v1/media/livekit/webhook',
      ].join('\n'),
    );
  });

  it("replicates its API secret, under a fixed name, into the other site's region only", () => {
    const other = site === 'fra' ? 'ams' : 'fra';
    expectProperties(templates[site].media, 'AWS::SecretsManager::Secret', {
      Name: `meetplane/${site}/livekit-api`,
      ReplicaRegions: [{ Region: REGIONS[other] }],
    });
  });
});

describe('the Docker Hub credential setting', () => {
  const settingsOf = (context: Record<string, string>) => readSettings(lookupFrom(new App({ context }).node, {}));
  const arn = 'arn:aws:secretsmanager:eu-central-1:111122223333:secret:ecr-pullthroughcache/docker-hub-AbCdEf';

  it("names a pull-through cache secret in the site's region, used instead of a new one", () => {
    expect(settingsOf({ 'meetplane:fra:dockerHubCredentialArn': arn }).sites.fra.dockerHubCredentialArn).toBe(arn);
    expect(() => settingsOf({ 'meetplane:ams:dockerHubCredentialArn': arn })).toThrow(
      /meetplane:ams:dockerHubCredentialArn must be the ARN of a secret named ecr-pullthroughcache\/… in eu-west-1/,
    );
    expect(() =>
      settingsOf({ 'meetplane:fra:dockerHubCredentialArn': arn.replace('ecr-pullthroughcache/', 'dockerhub/') }),
    ).toThrow(/must be the ARN of a secret named ecr-pullthroughcache/);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
