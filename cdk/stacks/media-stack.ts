import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AdditionalHealthCheckType, AutoScalingGroup, HealthChecks, ScalingEvents } from 'aws-cdk-lib/aws-autoscaling';
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
import { CfnReplicationGroup, CfnSubnetGroup } from 'aws-cdk-lib/aws-elasticache';
import {
  ListenerCertificate,
  NetworkLoadBalancer,
  Protocol,
  SslPolicy,
  TargetType,
  NetworkTargetGroup,
} from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { ManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { LIVEKIT_PORTS, livekitBootScript } from '../constructs/livekit-user-data.js';
import { acknowledge } from '../nag.js';
import { apiUrlOf, type MeetplaneSettings, type SiteSettings } from '../settings.js';

export interface MediaStackProps extends StackProps {
  readonly site: SiteSettings;
  readonly livekit: MeetplaneSettings['livekit'];
  readonly certificate: ICertificate;
  readonly alerts: ITopic;
}

const REDIS_PORT = 6380;

/**
 * The site's LiveKit SFU: an Auto Scaling group of nodes that run the pinned
 * livekit-server container on the host network, Redis so that a room can span
 * nodes, and a network load balancer in front. The API credentials live in
 * Secrets Manager; the control plane reads the same secret.
 */
export class MediaStack extends Stack {
  readonly apiCredentials: Secret;
  readonly loadBalancer: NetworkLoadBalancer;
  /** Every node, health-checked on 7880: the site's dashboard and alarm watch its healthy and unhealthy hosts. */
  readonly signallingTargets: NetworkTargetGroup;

  constructor(scope: Construct, id: string, props: MediaStackProps) {
    super(scope, id, props);
    const { site } = props;

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

    this.apiCredentials = new Secret(this, 'LiveKitApiCredentials', {
      description: `Meetplane ${site.id}: LiveKit API key and secret (nodes and control plane)`,
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

    const nodeSg = new SecurityGroup(this, 'NodeSg', {
      vpc,
      description: 'LiveKit nodes: signalling only from the load balancer, ICE from clients',
      allowAllOutbound: true,
    });
    nodeSg.addIngressRule(loadBalancerSg, Port.tcp(LIVEKIT_PORTS.signalling), 'signalling and health checks from the NLB');
    // Media reaches the node itself: each node advertises its own public address as ICE candidate.
    nodeSg.addIngressRule(Peer.anyIpv4(), Port.tcp(LIVEKIT_PORTS.rtcTcp), 'ICE over TCP');
    nodeSg.addIngressRule(Peer.anyIpv4(), Port.udp(LIVEKIT_PORTS.rtcUdp), 'ICE over UDP');
    acknowledge(nodeSg, {
      id: 'AwsSolutions::AwsSolutions-EC23',
      reason:
        'WebRTC media flows straight between clients and the node that hosts their room: only 7881/tcp and 7882/udp are ' +
        'open to the internet; signalling (7880) is reachable from the load balancer only.',
    });
    loadBalancerSg.addEgressRule(nodeSg, Port.tcp(LIVEKIT_PORTS.signalling), 'signalling to nodes');
    loadBalancerSg.addEgressRule(nodeSg, Port.tcp(LIVEKIT_PORTS.rtcTcp), 'ICE over TCP to nodes');
    loadBalancerSg.addEgressRule(nodeSg, Port.udp(LIVEKIT_PORTS.rtcUdp), 'ICE over UDP to nodes');

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

    const nodeRole = new Role(this, 'NodeRole', {
      assumedBy: new ServicePrincipal('ec2.amazonaws.com'),
      description: 'LiveKit node: reads its two secrets; Session Manager for operators (no SSH)',
      managedPolicies: [ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')],
    });
    acknowledge(nodeRole, {
      id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]',
      reason:
        'Session Manager is how operators reach a node (there is no SSH and no open management port); AWS maintains this policy.',
    });
    this.apiCredentials.grantRead(nodeRole);
    redisAuth.grantRead(nodeRole);

    const userData = UserData.forLinux();
    userData.addCommands(
      ...livekitBootScript({
        region: this.region,
        apiSecretArn: this.apiCredentials.secretArn,
        redisAuthSecretArn: redisAuth.secretArn,
        redisHost: redis.attrPrimaryEndPointAddress,
        redisPort: redis.attrPrimaryEndPointPort,
        webhookUrl: `${apiUrlOf(site)}/v1/media/livekit/webhook`,
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
    nodes.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 60 });

    this.loadBalancer = new NetworkLoadBalancer(this, 'LoadBalancer', {
      vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: SubnetType.PUBLIC },
      securityGroups: [loadBalancerSg],
      crossZoneEnabled: true,
    });
    acknowledge(this.loadBalancer, {
      id: 'AwsSolutions::AwsSolutions-ELB2',
      reason:
        'Access logs would record the IP address of every participant of every meeting (personal data, principle 6); ' +
        'the load balancer metrics and the control plane audit log are what operators get instead.',
    });
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

    new CfnOutput(this, 'LiveKitDnsTarget', {
      value: this.loadBalancer.loadBalancerDnsName,
      description: `CNAME ${site.livekitDomain} to this name`,
    });
  }
}
