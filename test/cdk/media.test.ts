import { Match } from 'aws-cdk-lib/assertions';
import { LIVEKIT_VERSION } from '../../cdk/constructs/livekit-user-data.js';
import { expectProperties, synthMeetplane, templatesOf, type Templates } from './synth.js';

let templates: Templates;

beforeAll(() => {
  templates = templatesOf(synthMeetplane().stacks);
});

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

  it(`boots nodes with livekit-server ${LIVEKIT_VERSION} on the host network, webhooks to the site API`, () => {
    const templatesJson = JSON.stringify(templates[site].media.findResources('AWS::EC2::LaunchTemplate'));
    expect(templatesJson).toContain(`livekit/livekit-server:${LIVEKIT_VERSION}`);
    expect(templatesJson).toContain('--network host');
    expect(templatesJson).toContain(`https://api.${site}.meetplane.example/v1/media/livekit/webhook`);
    expect(templatesJson).toContain('auto_create: false');
    expectProperties(templates[site].media, 'AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({ MetadataOptions: Match.objectLike({ HttpTokens: 'required' }) }),
    });
  });

  it('keeps the LiveKit API secret in Secrets Manager', () => {
    expectProperties(templates[site].media, 'AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ GenerateStringKey: 'apiSecret' }),
    });
  });
});
