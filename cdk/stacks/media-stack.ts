import { CfnOutput, Duration, RemovalPolicy, Stack, Token, type StackProps } from 'aws-cdk-lib';
import {
  AdditionalHealthCheckType,
  AutoScalingGroup,
  DefaultResult,
  HealthChecks,
  LifecycleTransition,
  ScalingEvents,
} from 'aws-cdk-lib/aws-autoscaling';
import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AmazonLinuxCpuType,
  BlockDeviceVolume,
  EbsDeviceVolumeType,
  FlowLogDestination,
  FlowLogTrafficType,
  InstanceType,
  LaunchTemplate,
  MachineImage,
  Peer,
  Port,
  SecurityGroup,
  SubnetType,
  UserData,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { CfnPullThroughCacheRule } from 'aws-cdk-lib/aws-ecr';
import { CfnReplicationGroup, CfnSubnetGroup } from 'aws-cdk-lib/aws-elasticache';
import {
  ListenerCertificate,
  NetworkLoadBalancer,
  Protocol,
  SslPolicy,
  TargetType,
  NetworkTargetGroup,
} from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { MAX_DURATION_MINUTES } from '../../lambdas/domain/meeting.js';
import { LIVEKIT_PORTS, LIVEKIT_REPOSITORY, livekitBootScript } from '../constructs/livekit-user-data.js';
import { livekitClusterId, livekitSecretName } from '../naming.js';
import { acknowledge } from '../nag.js';
import type { DeployedCluster } from '../runtime-env.js';
import { apiUrlOf, type MeetplaneSettings, type SiteSettings } from '../settings.js';

export interface MediaStackProps extends StackProps {
  readonly site: SiteSettings;
  /** Every site: each receives this cluster's webhooks, and each other site's region holds a replica of its API secret. */
  readonly allSites: MeetplaneSettings['sites'];
  readonly livekit: MeetplaneSettings['livekit'];
  readonly certificate: ICertificate;
  readonly alerts: ITopic;
}

const REDIS_PORT = 6380;

/**
 * Scale-in drains a node: the terminating lifecycle hook holds it until
 * livekit-server has exited, at most the longest meeting a tenant may
 * schedule. The node heartbeats every 5 minutes; the hook gives up on a node
 * that stays silent for 15, and Auto Scaling's own limit on a held instance
 * (100 heartbeat timeouts, at most 48 h) must exceed the longest drain.
 */
export const DRAIN = {
  hookName: 'meetplane-drain',
  heartbeat: Duration.minutes(5),
  heartbeatTimeout: Duration.minutes(15),
  maxDrain: Duration.minutes(MAX_DURATION_MINUTES),
} as const;
if (DRAIN.maxDrain.toSeconds() + 60 >= Math.min(100 * DRAIN.heartbeatTimeout.toSeconds(), 48 * 3600)) {
  throw new Error('the lifecycle hook would give up on a node before its longest drain');
}

/** The node log group: livekit-server's log, the drain's and the boot's, one stream each per node. */
const NODE_LOG_GROUP = (site: SiteSettings) => `/meetplane/${site.id}/livekit/nodes`;
/** Where the CloudWatch agent writes LiveKit's Prometheus metrics (embedded metric format, turned into metrics). */
const METRICS_LOG_GROUP = (site: SiteSettings) => `/meetplane/${site.id}/livekit/prometheus`;

/** The ECR repository prefix of the site's pull-through cache of Docker Hub (at most 30 characters). */
export function pullThroughPrefix(site: SiteSettings): string {
  return `meetplane-${site.id}-dockerhub`;
}

/**
 * The site's LiveKit cluster: an Auto Scaling group of nodes that run the
 * digest-pinned livekit-server image from the site's own ECR on the host
 * network, Redis so that a room can span nodes (LiveKit's distributed mode),
 * a network load balancer for signalling and ICE, and one for TURN over TLS.
 * Scale-in drains a node before it goes. The API credentials live in Secrets
 * Manager, replicated to the other sites' regions; every site's control plane
 * reads them.
 */
export class MediaStack extends Stack {
  readonly apiCredentials: Secret;
  readonly loadBalancer: NetworkLoadBalancer;
  readonly turnLoadBalancer: NetworkLoadBalancer;
  /** Every node, health-checked on 7880: the site's dashboard and alarm watch its healthy and unhealthy hosts. */
  readonly signallingTargets: NetworkTargetGroup;
  /** The cluster as the control plane sees it: its id, its endpoint (the load balancer's name) and its secret. */
  readonly cluster: DeployedCluster;
  readonly nodes: AutoScalingGroup;

  constructor(scope: Construct, id: string, props: MediaStackProps) {
    super(scope, id, props);
    const { site } = props;
    const clusterId = livekitClusterId(site.id);

    const vpc = new Vpc(this, 'Vpc', {
      // Named zones, not a lookup: synthesis stays offline and deterministic.
      availabilityZones: [`${this.region}a`, `${this.region}b`],
      natGateways: 0,
      subnetConfiguration: [
        { name: 'media', subnetType: SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
        { name: 'cache', subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
    });
    vpc.addFlowLog('FlowLog', {
      trafficType: FlowLogTrafficType.REJECT,
      destination: FlowLogDestination.toCloudWatchLogs(
        new LogGroup(this, 'FlowLogGroup', { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY }),
      ),
    });

    // Replicated into the other sites' regions, where their control planes read it to fail over onto this cluster
    // and to verify its webhooks: a cold start there never depends on this region being reachable.
    const replicaRegions = [...new Set(Object.values(props.allSites).map((other) => other.region))].filter(
      (region) => region !== site.region,
    );
    this.apiCredentials = new Secret(this, 'LiveKitApiCredentials', {
      secretName: livekitSecretName(site.id),
      description: `Meetplane ${site.id}: LiveKit API key and secret (nodes and every site's control plane)`,
      replicaRegions: replicaRegions.map((region) => ({ region })),
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ apiKey: `meetplane-${site.id}` }),
        generateStringKey: 'apiSecret',
        passwordLength: 48,
        excludePunctuation: true,
      },
    });
    const redisAuth = new Secret(this, 'RedisAuthToken', {
      description: `Meetplane ${site.id}: AUTH token of the LiveKit Redis`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    for (const secret of [this.apiCredentials, redisAuth]) {
      acknowledge(secret, {
        id: 'AwsSolutions::AwsSolutions-SMG4',
        reason:
          'Rotation must change the value on every LiveKit node, in Redis and in the control plane together; ' +
          'it is an operator procedure (docs/deploy.md), not a single-service rotation Lambda.',
      });
    }

    const loadBalancerSg = new SecurityGroup(this, 'LoadBalancerSg', {
      vpc,
      description: 'LiveKit load balancer: TLS signalling and ICE from clients anywhere',
      allowAllOutbound: false,
    });
    loadBalancerSg.addIngressRule(Peer.anyIpv4(), Port.tcp(443), 'TLS signalling (wss)');
    loadBalancerSg.addIngressRule(Peer.anyIpv4(), Port.tcp(LIVEKIT_PORTS.rtcTcp), 'ICE over TCP');
    loadBalancerSg.addIngressRule(Peer.anyIpv4(), Port.udp(LIVEKIT_PORTS.rtcUdp), 'ICE over UDP');
    acknowledge(loadBalancerSg, {
      id: 'AwsSolutions::AwsSolutions-EC23',
      reason: 'Clients join meetings from anywhere: 443/tcp (TLS signalling), 7881/tcp and 7882/udp (ICE) only, nothing else.',
    });
    const turnLoadBalancerSg = new SecurityGroup(this, 'TurnLoadBalancerSg', {
      vpc,
      description: 'LiveKit TURN load balancer: TURN over TLS from clients anywhere',
      allowAllOutbound: false,
    });
    turnLoadBalancerSg.addIngressRule(Peer.anyIpv4(), Port.tcp(443), 'TURN over TLS');
    acknowledge(turnLoadBalancerSg, {
      id: 'AwsSolutions::AwsSolutions-EC23',
      reason:
        'TURN over TLS on 443 is for clients behind firewalls that pass nothing but TLS to 443: it must be reachable from anywhere, and only 443/tcp is.',
    });

    const nodeSg = new SecurityGroup(this, 'NodeSg', {
      vpc,
      description: 'LiveKit nodes: signalling and TURN only from the load balancers, ICE from clients',
      allowAllOutbound: true,
    });
    nodeSg.addIngressRule(loadBalancerSg, Port.tcp(LIVEKIT_PORTS.signalling), 'signalling and health checks from the NLB');
    nodeSg.addIngressRule(turnLoadBalancerSg, Port.tcp(LIVEKIT_PORTS.turn), 'TURN (TLS terminated) from the TURN NLB');
    nodeSg.addIngressRule(turnLoadBalancerSg, Port.tcp(LIVEKIT_PORTS.signalling), 'health checks from the TURN NLB');
    // Media reaches the node itself: each node advertises its own public address as ICE candidate.
    nodeSg.addIngressRule(Peer.anyIpv4(), Port.tcp(LIVEKIT_PORTS.rtcTcp), 'ICE over TCP');
    nodeSg.addIngressRule(Peer.anyIpv4(), Port.udp(LIVEKIT_PORTS.rtcUdp), 'ICE over UDP');
    acknowledge(nodeSg, {
      id: 'AwsSolutions::AwsSolutions-EC23',
      reason:
        'WebRTC media flows straight between clients and the node that hosts their room: only 7881/tcp and 7882/udp are ' +
        'open to the internet; signalling (7880) and TURN (5349) are reachable from the load balancers only.',
    });
    loadBalancerSg.addEgressRule(nodeSg, Port.tcp(LIVEKIT_PORTS.signalling), 'signalling to nodes');
    loadBalancerSg.addEgressRule(nodeSg, Port.tcp(LIVEKIT_PORTS.rtcTcp), 'ICE over TCP to nodes');
    loadBalancerSg.addEgressRule(nodeSg, Port.udp(LIVEKIT_PORTS.rtcUdp), 'ICE over UDP to nodes');
    turnLoadBalancerSg.addEgressRule(nodeSg, Port.tcp(LIVEKIT_PORTS.turn), 'TURN to nodes');
    turnLoadBalancerSg.addEgressRule(nodeSg, Port.tcp(LIVEKIT_PORTS.signalling), 'health checks of nodes');

    const redisSg = new SecurityGroup(this, 'RedisSg', {
      vpc,
      description: 'LiveKit Redis: nodes only',
      allowAllOutbound: false,
    });
    redisSg.addIngressRule(nodeSg, Port.tcp(REDIS_PORT), 'Redis (TLS) from LiveKit nodes');

    const redisSubnets = new CfnSubnetGroup(this, 'RedisSubnets', {
      description: `Meetplane ${site.id} LiveKit Redis`,
      subnetIds: vpc.isolatedSubnets.map((subnet) => subnet.subnetId),
    });
    const redis = new CfnReplicationGroup(this, 'Redis', {
      replicationGroupDescription: `Meetplane ${site.id}: LiveKit multi-node room state`,
      engine: 'redis',
      engineVersion: '7.1',
      cacheNodeType: 'cache.t4g.small',
      numCacheClusters: 2,
      automaticFailoverEnabled: true,
      multiAzEnabled: true,
      port: REDIS_PORT,
      transitEncryptionEnabled: true,
      atRestEncryptionEnabled: true,
      authToken: redisAuth.secretValue.unsafeUnwrap(),
      cacheSubnetGroupName: redisSubnets.ref,
      securityGroupIds: [redisSg.securityGroupId],
    });

    // The image: Docker Hub's livekit-server, cached in the site's own ECR in its own region, pulled by digest.
    let credentialArn = site.dockerHubCredentialArn;
    if (credentialArn === undefined) {
      const dockerHub = new Secret(this, 'DockerHubCredentials', {
        // ECR takes a pull-through cache credential only from a secret under this prefix, in the rule's region.
        secretName: `ecr-pullthroughcache/meetplane-${site.id}-docker-hub`,
        description: `Meetplane ${site.id}: Docker Hub username and read-only access token of the ECR pull-through cache`,
        generateSecretString: {
          secretStringTemplate: JSON.stringify({ username: 'replace-with-your-docker-hub-user' }),
          generateStringKey: 'accessToken',
          excludePunctuation: true,
        },
      });
      acknowledge(dockerHub, {
        id: 'AwsSolutions::AwsSolutions-SMG4',
        reason:
          'A Docker Hub access token is issued and revoked on Docker Hub by the operator, who puts it here (docs/deploy.md); ' +
          'no Lambda can rotate it.',
      });
      credentialArn = dockerHub.secretArn;
    }
    const pullThrough = new CfnPullThroughCacheRule(this, 'DockerHubCache', {
      ecrRepositoryPrefix: pullThroughPrefix(site),
      upstreamRegistry: 'docker-hub',
      upstreamRegistryUrl: 'registry-1.docker.io',
      credentialArn,
    });
    const repositoryName = `${pullThroughPrefix(site)}/${LIVEKIT_REPOSITORY}`;
    const imageRepository = `${this.account}.dkr.ecr.${this.region}.${this.urlSuffix}/${repositoryName}`;

    const nodeLogs = new LogGroup(this, 'NodeLogs', {
      logGroupName: NODE_LOG_GROUP(site),
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const metricsLogs = new LogGroup(this, 'NodeMetrics', {
      logGroupName: METRICS_LOG_GROUP(site),
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const autoScalingGroupName = `meetplane-${site.id}-livekit`;
    const nodeRole = new Role(this, 'NodeRole', {
      assumedBy: new ServicePrincipal('ec2.amazonaws.com'),
      description:
        'LiveKit node: reads its two secrets, pulls the LiveKit image, writes its logs and metrics, completes its drain; Session Manager for operators (no SSH)',
      managedPolicies: [ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')],
    });
    acknowledge(nodeRole, {
      id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]',
      reason:
        'Session Manager is how operators reach a node (there is no SSH and no open management port); AWS maintains this policy.',
    });
    this.apiCredentials.grantRead(nodeRole);
    redisAuth.grantRead(nodeRole);
    // ECR issues registry login tokens for the whole registry; what may be pulled is the statement below.
    nodeRole.addToPrincipalPolicy(new PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }));
    // Exactly the LiveKit repository of the cache: pull, and on the first pull have the cache create it and import the image.
    nodeRole.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [
          'ecr:BatchGetImage',
          'ecr:GetDownloadUrlForLayer',
          'ecr:BatchCheckLayerAvailability',
          'ecr:BatchImportUpstreamImage',
          'ecr:CreateRepository',
        ],
        resources: [`arn:${this.partition}:ecr:${this.region}:${this.account}:repository/${repositoryName}`],
      }),
    );
    nodeRole.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        resources: [nodeLogs.logGroupArn, metricsLogs.logGroupArn],
      }),
    );
    const groupArn = `arn:${this.partition}:autoscaling:${this.region}:${this.account}:autoScalingGroup:*:autoScalingGroupName/${autoScalingGroupName}`;
    nodeRole.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['autoscaling:CompleteLifecycleAction', 'autoscaling:RecordLifecycleActionHeartbeat'],
        resources: [groupArn],
      }),
    );
    const nagAccount = Token.isUnresolved(this.account) ? '<AWS::AccountId>' : this.account;
    const nagRegion = Token.isUnresolved(this.region) ? '<AWS::Region>' : this.region;
    acknowledge(
      nodeRole,
      {
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason:
          'Only ecr:GetAuthorizationToken, which ECR grants for the whole registry; what a node may pull is limited to the LiveKit repository.',
      },
      {
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:autoscaling:${nagRegion}:${nagAccount}:autoScalingGroup:*:autoScalingGroupName/${autoScalingGroupName}]`,
        reason:
          "The node completes its own group's lifecycle action; the wildcard is the group's id, which Auto Scaling generates, the name is fixed.",
      },
    );

    const userData = UserData.forLinux();
    userData.addCommands(
      ...livekitBootScript({
        region: this.region,
        clusterId,
        imageRepository,
        apiSecretArn: this.apiCredentials.secretArn,
        redisAuthSecretArn: redisAuth.secretArn,
        redisHost: redis.attrPrimaryEndPointAddress,
        redisPort: redis.attrPrimaryEndPointPort,
        webhookUrls: Object.values(props.allSites).map((other) => `${apiUrlOf(other)}/v1/media/livekit/webhook`),
        turnDomain: site.turnDomain,
        autoScalingGroupName,
        lifecycleHookName: DRAIN.hookName,
        heartbeatSeconds: DRAIN.heartbeat.toSeconds(),
        maxDrainSeconds: DRAIN.maxDrain.toSeconds(),
        // The names themselves (fixed), not references: the agent's configuration stays readable in the template.
        logGroupName: NODE_LOG_GROUP(site),
        metricsLogGroupName: METRICS_LOG_GROUP(site),
      }),
    );

    const template = new LaunchTemplate(this, 'NodeTemplate', {
      machineImage: MachineImage.latestAmazonLinux2023({ cpuType: AmazonLinuxCpuType.ARM_64 }),
      instanceType: new InstanceType(props.livekit.instanceType),
      userData,
      role: nodeRole,
      securityGroup: nodeSg,
      requireImdsv2: true,
      associatePublicIpAddress: true,
      detailedMonitoring: true,
      blockDevices: [
        { deviceName: '/dev/xvda', volume: BlockDeviceVolume.ebs(20, { encrypted: true, volumeType: EbsDeviceVolumeType.GP3 }) },
      ],
    });

    const nodes = new AutoScalingGroup(this, 'Nodes', {
      autoScalingGroupName,
      vpc,
      vpcSubnets: { subnetType: SubnetType.PUBLIC },
      launchTemplate: template,
      minCapacity: props.livekit.minNodes,
      maxCapacity: props.livekit.maxNodes,
      healthChecks: HealthChecks.withAdditionalChecks({
        additionalTypes: [AdditionalHealthCheckType.ELB],
        gracePeriod: Duration.minutes(5),
      }),
      notifications: [{ topic: props.alerts, scalingEvents: ScalingEvents.ALL }],
    });
    // The first node pulls through the cache, which needs the rule.
    nodes.node.addDependency(pullThrough);
    nodes.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 60 });
    // Scale-in: the node leaves the load balancers, then waits in Terminating:Wait while LiveKit drains (user data).
    nodes.addLifecycleHook('Drain', {
      lifecycleHookName: DRAIN.hookName,
      lifecycleTransition: LifecycleTransition.INSTANCE_TERMINATING,
      heartbeatTimeout: DRAIN.heartbeatTimeout,
      defaultResult: DefaultResult.CONTINUE,
    });
    this.nodes = nodes;

    const targetGroup = (name: string, port: number, protocol: Protocol) =>
      new NetworkTargetGroup(this, name, {
        vpc,
        port,
        protocol,
        targetType: TargetType.INSTANCE,
        targets: [nodes],
        healthCheck: { protocol: Protocol.HTTP, port: String(LIVEKIT_PORTS.signalling), path: '/' },
        deregistrationDelay: Duration.seconds(30),
      });
    const noAccessLogs = {
      id: 'AwsSolutions::AwsSolutions-ELB2',
      reason:
        'Access logs would record the IP address of every participant of every meeting (personal data, principle 6); ' +
        'the load balancer metrics and the control plane audit log are what operators get instead.',
    };

    this.loadBalancer = new NetworkLoadBalancer(this, 'LoadBalancer', {
      vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: SubnetType.PUBLIC },
      securityGroups: [loadBalancerSg],
      crossZoneEnabled: true,
    });
    acknowledge(this.loadBalancer, noAccessLogs);
    this.signallingTargets = targetGroup('SignallingTargets', LIVEKIT_PORTS.signalling, Protocol.TCP);
    this.loadBalancer.addListener('Signalling', {
      port: 443,
      protocol: Protocol.TLS,
      sslPolicy: SslPolicy.RECOMMENDED_TLS,
      certificates: [ListenerCertificate.fromCertificateManager(props.certificate)],
      defaultTargetGroups: [this.signallingTargets],
    });
    this.loadBalancer.addListener('IceTcp', {
      port: LIVEKIT_PORTS.rtcTcp,
      protocol: Protocol.TCP,
      defaultTargetGroups: [targetGroup('IceTcpTargets', LIVEKIT_PORTS.rtcTcp, Protocol.TCP)],
    });
    this.loadBalancer.addListener('IceUdp', {
      port: LIVEKIT_PORTS.rtcUdp,
      protocol: Protocol.UDP,
      defaultTargetGroups: [targetGroup('IceUdpTargets', LIVEKIT_PORTS.rtcUdp, Protocol.UDP)],
    });

    // TURN over TLS has 443 to itself (a name of its own, like LiveKit asks): TLS ends here with the site's certificate.
    this.turnLoadBalancer = new NetworkLoadBalancer(this, 'TurnLoadBalancer', {
      vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: SubnetType.PUBLIC },
      securityGroups: [turnLoadBalancerSg],
      crossZoneEnabled: true,
    });
    acknowledge(this.turnLoadBalancer, noAccessLogs);
    this.turnLoadBalancer.addListener('TurnTls', {
      port: 443,
      protocol: Protocol.TLS,
      sslPolicy: SslPolicy.RECOMMENDED_TLS,
      certificates: [ListenerCertificate.fromCertificateManager(props.certificate)],
      defaultTargetGroups: [targetGroup('TurnTargets', LIVEKIT_PORTS.turn, Protocol.TCP)],
    });

    this.cluster = {
      id: clusterId,
      site: site.id,
      url: `wss://${site.livekitDomain}`,
      secretName: livekitSecretName(site.id),
    };

    new CfnOutput(this, 'LiveKitDnsTarget', {
      value: this.loadBalancer.loadBalancerDnsName,
      description: `CNAME ${site.livekitDomain} to this name`,
    });
    new CfnOutput(this, 'TurnDnsTarget', {
      value: this.turnLoadBalancer.loadBalancerDnsName,
      description: `CNAME ${site.turnDomain} to this name`,
    });
    new CfnOutput(this, 'ClusterId', { value: clusterId });
    new CfnOutput(this, 'ClusterEndpoint', { value: this.cluster.url });
  }
}
