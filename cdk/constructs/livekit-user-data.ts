/** The LiveKit release every node runs; bump deliberately, with the local stack's version. */
export const LIVEKIT_VERSION = 'v1.13.5';
export const LIVEKIT_IMAGE = `livekit/livekit-server:${LIVEKIT_VERSION}`;

export const LIVEKIT_PORTS = {
  /** HTTP/WebSocket signalling; reached only through the load balancer's TLS listener. */
  signalling: 7880,
  /** ICE over TCP, for clients whose networks drop UDP. */
  rtcTcp: 7881,
  /** ICE over UDP, all sessions multiplexed on one port. */
  rtcUdp: 7882,
} as const;

export interface LiveKitNodeConfig {
  readonly region: string;
  readonly apiSecretArn: string;
  readonly redisAuthSecretArn: string;
  readonly redisHost: string;
  readonly redisPort: string;
  readonly webhookUrl: string;
}

/**
 * The boot script of a media node. Secrets are fetched at boot with the
 * instance role, so they appear neither in the template nor in user data, and
 * are written to a root-only file. The container uses the host's network so
 * that the ICE ports are the instance's own and no NAT sits in the media path.
 * The node advertises its own public address (from instance metadata) rather
 * than asking a public STUN server, which would be a third party outside our control.
 */
export function livekitBootScript(config: LiveKitNodeConfig): string[] {
  const { signalling, rtcTcp, rtcUdp } = LIVEKIT_PORTS;
  return [
    'set -euo pipefail',
    'dnf install -y docker jq',
    'systemctl enable --now docker',
    "IMDS_TOKEN=$(curl -sf -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 300')",
    'PUBLIC_IP=$(curl -sf -H "X-aws-ec2-metadata-token: $IMDS_TOKEN" http://169.254.169.254/latest/meta-data/public-ipv4)',
    `API_CREDENTIALS=$(aws secretsmanager get-secret-value --region ${config.region} --secret-id ${config.apiSecretArn} --query SecretString --output text)`,
    'API_KEY=$(jq -r .apiKey <<<"$API_CREDENTIALS")',
    'API_SECRET=$(jq -r .apiSecret <<<"$API_CREDENTIALS")',
    `REDIS_PASSWORD=$(aws secretsmanager get-secret-value --region ${config.region} --secret-id ${config.redisAuthSecretArn} --query SecretString --output text)`,
    'install -d -m 0700 /etc/livekit',
    'umask 077',
    'cat > /etc/livekit/livekit.yaml <<CONFIG',
    `port: ${signalling}`,
    'rtc:',
    `  tcp_port: ${rtcTcp}`,
    `  udp_port: ${rtcUdp}`,
    '  use_external_ip: false',
    '  node_ip: $PUBLIC_IP',
    'redis:',
    `  address: ${config.redisHost}:${config.redisPort}`,
    '  password: $REDIS_PASSWORD',
    '  use_tls: true',
    'keys:',
    '  $API_KEY: $API_SECRET',
    'webhook:',
    '  api_key: $API_KEY',
    '  urls:',
    `    - ${config.webhookUrl}`,
    'room:',
    '  auto_create: false',
    'logging:',
    '  level: info',
    'CONFIG',
    `docker run -d --name livekit --restart unless-stopped --network host -v /etc/livekit:/etc/livekit:ro ${LIVEKIT_IMAGE} --config /etc/livekit/livekit.yaml`,
  ];
}
