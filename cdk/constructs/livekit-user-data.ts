/** The LiveKit release every node runs; bump deliberately, with the local stack's version. */
export const LIVEKIT_VERSION = 'v1.13.5';
/**
 * The digest of the release's multi-architecture image index on Docker Hub.
 * Nodes run this digest and nothing else: a tag that moved upstream makes the
 * pull fail instead of changing what runs. Check it when bumping the version
 * (`docker buildx imagetools inspect livekit/livekit-server:<version>`).
 */
export const LIVEKIT_IMAGE_DIGEST = 'sha256:3497163e15c48fef6e7830c78716f9e9d5edc28abf7aa90b61c86e93bbc306b1';
/** The Docker Hub repository of livekit-server. */
export const LIVEKIT_REPOSITORY = 'livekit/livekit-server';
export const LIVEKIT_IMAGE = `${LIVEKIT_REPOSITORY}:${LIVEKIT_VERSION}@${LIVEKIT_IMAGE_DIGEST}`;

export const LIVEKIT_PORTS = {
  /** HTTP/WebSocket signalling; reached only through the load balancer's TLS listener. */
  signalling: 7880,
  /** ICE over TCP, for clients whose networks drop UDP. */
  rtcTcp: 7881,
  /** ICE over UDP, all sessions multiplexed on one port. */
  rtcUdp: 7882,
  /** TURN over TCP behind the TURN load balancer, which terminates TLS on 443 (LiveKit's `external_tls`). */
  turn: 5349,
  /** LiveKit's Prometheus metrics, scraped by the CloudWatch agent on the node itself. */
  prometheus: 6789,
} as const;

/** Where the CloudWatch agent finds the node's logs. */
export const NODE_LOG_FILES = {
  livekit: '/var/log/livekit/livekit.log',
  drain: '/var/log/meetplane/drain.log',
  boot: '/var/log/cloud-init-output.log',
} as const;

/** The namespace LiveKit's Prometheus metrics get in CloudWatch, with the cluster (and node) as dimensions. */
export const LIVEKIT_METRIC_NAMESPACE = 'Meetplane/LiveKit';
/** The LiveKit metrics kept in CloudWatch: rooms, participants and tracks per node, packets and bytes forwarded. */
export const LIVEKIT_METRIC_SELECTORS = [
  '^livekit_(room|participant|track_published|track_subscribed)_total$',
  '^livekit_(packet|bytes)_total$',
] as const;

export interface LiveKitNodeConfig {
  readonly region: string;
  /** The cluster the node belongs to: a dimension of its metrics. */
  readonly clusterId: string;
  /** `<account>.dkr.ecr.<region>.amazonaws.com/<prefix>/livekit/livekit-server`: the site's pull-through cache. */
  readonly imageRepository: string;
  readonly apiSecretArn: string;
  readonly redisAuthSecretArn: string;
  readonly redisHost: string;
  readonly redisPort: string;
  /** Every site's LiveKit webhook endpoint: a site keeps only the events about rooms it placed. */
  readonly webhookUrls: readonly string[];
  /** The TURN host name clients are given (TLS terminated on 443 by the TURN load balancer). */
  readonly turnDomain: string;
  /** The node's Auto Scaling group and its terminating lifecycle hook, which the drain completes. */
  readonly autoScalingGroupName: string;
  readonly lifecycleHookName: string;
  /** How often the drain reports progress to the hook; well inside the hook's heartbeat timeout. */
  readonly heartbeatSeconds: number;
  /** The longest a drain waits for the node's rooms to end before livekit-server is stopped regardless. */
  readonly maxDrainSeconds: number;
  readonly logGroupName: string;
  readonly metricsLogGroupName: string;
}

/**
 * The boot script of a media node. Secrets are fetched at boot with the
 * instance role, so they appear neither in the template nor in user data, and
 * are written to a root-only file. The image comes from the site's own ECR
 * (pull-through cache of Docker Hub), by digest. The container uses the
 * host's network so that the ICE ports are the instance's own and no NAT sits
 * in the media path. The node advertises its own public address (from
 * instance metadata) rather than asking a public STUN server, which would be
 * a third party outside our control.
 */
export function livekitBootScript(config: LiveKitNodeConfig): string[] {
  const registry = config.imageRepository.split('/')[0]!;
  const image = `${config.imageRepository}@${LIVEKIT_IMAGE_DIGEST}`;
  return [
    'set -euo pipefail',
    'dnf install -y docker jq amazon-cloudwatch-agent',
    'systemctl enable --now docker',
    "IMDS_TOKEN=$(curl -sf -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 300')",
    'PUBLIC_IP=$(curl -sf -H "X-aws-ec2-metadata-token: $IMDS_TOKEN" http://169.254.169.254/latest/meta-data/public-ipv4)',
    'INSTANCE_ID=$(curl -sf -H "X-aws-ec2-metadata-token: $IMDS_TOKEN" http://169.254.169.254/latest/meta-data/instance-id)',
    ...cloudWatchAgent(config),
    ...pullImage(config.region, registry, config.imageRepository),
    ...livekitConfig(config),
    ...livekitService(image, config.maxDrainSeconds),
    ...drainService(config),
    'systemctl daemon-reload',
    'systemctl enable --now livekit.service meetplane-drain.service',
  ];
}

/**
 * The CloudWatch agent ships the node's log files to the site's node log
 * group and scrapes LiveKit's Prometheus endpoint into CloudWatch metrics
 * (embedded metric format, in a log group of its own).
 */
function cloudWatchAgent(config: LiveKitNodeConfig): string[] {
  const agentDir = '/opt/aws/amazon-cloudwatch-agent/etc';
  const file = (path: string, stream: string) => ({
    file_path: path,
    log_group_name: config.logGroupName,
    log_stream_name: `{instance_id}/${stream}`,
  });
  const agent = {
    logs: {
      logs_collected: {
        files: {
          collect_list: [
            file(NODE_LOG_FILES.livekit, 'livekit'),
            file(NODE_LOG_FILES.drain, 'drain'),
            file(NODE_LOG_FILES.boot, 'boot'),
          ],
        },
      },
      metrics_collected: {
        prometheus: {
          log_group_name: config.metricsLogGroupName,
          prometheus_config_path: `${agentDir}/prometheus.yaml`,
          emf_processor: {
            metric_declaration_dedup: true,
            metric_namespace: LIVEKIT_METRIC_NAMESPACE,
            metric_declaration: [
              {
                source_labels: ['job'],
                label_matcher: '^livekit$',
                dimensions: [['ClusterId'], ['ClusterId', 'InstanceId']],
                metric_selectors: [...LIVEKIT_METRIC_SELECTORS],
              },
            ],
          },
        },
      },
    },
  };
  return [
    'install -d -m 0755 /var/log/livekit /var/log/meetplane',
    `cat > ${agentDir}/prometheus.yaml <<PROMETHEUS`,
    'global:',
    '  scrape_interval: 1m',
    '  scrape_timeout: 10s',
    'scrape_configs:',
    '  - job_name: livekit',
    '    static_configs:',
    `      - targets: ['127.0.0.1:${LIVEKIT_PORTS.prometheus}']`,
    '        labels:',
    `          ClusterId: ${config.clusterId}`,
    '          InstanceId: $INSTANCE_ID',
    'PROMETHEUS',
    `cat > ${agentDir}/amazon-cloudwatch-agent.json <<'AGENT'`,
    JSON.stringify(agent, null, 2),
    'AGENT',
    `/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:${agentDir}/amazon-cloudwatch-agent.json`,
  ];
}

/**
 * The first pull by tag has the pull-through cache fetch the release from
 * Docker Hub; what runs is then pulled by digest, so a tag that moved
 * upstream stops the node here rather than running something else.
 */
function pullImage(region: string, registry: string, repository: string): string[] {
  return [
    `aws ecr get-login-password --region ${region} | docker login --username AWS --password-stdin ${registry}`,
    `docker pull ${repository}:${LIVEKIT_VERSION}`,
    `docker pull ${repository}@${LIVEKIT_IMAGE_DIGEST}`,
  ];
}

function livekitConfig(config: LiveKitNodeConfig): string[] {
  const { signalling, rtcTcp, rtcUdp, turn, prometheus } = LIVEKIT_PORTS;
  return [
    `API_CREDENTIALS=$(aws secretsmanager get-secret-value --region ${config.region} --secret-id ${config.apiSecretArn} --query SecretString --output text)`,
    'API_KEY=$(jq -r .apiKey <<<"$API_CREDENTIALS")',
    'API_SECRET=$(jq -r .apiSecret <<<"$API_CREDENTIALS")',
    `REDIS_PASSWORD=$(aws secretsmanager get-secret-value --region ${config.region} --secret-id ${config.redisAuthSecretArn} --query SecretString --output text)`,
    'install -d -m 0700 /etc/livekit',
    '(',
    'umask 077',
    'cat > /etc/livekit/livekit.yaml <<CONFIG',
    `port: ${signalling}`,
    `prometheus_port: ${prometheus}`,
    'rtc:',
    `  tcp_port: ${rtcTcp}`,
    `  udp_port: ${rtcUdp}`,
    '  use_external_ip: false',
    '  node_ip: $PUBLIC_IP',
    'turn:',
    '  enabled: true',
    `  domain: ${config.turnDomain}`,
    `  tls_port: ${turn}`,
    // The TURN load balancer terminates TLS on 443 with the site's certificate; the node speaks plain TURN behind it.
    '  external_tls: true',
    'redis:',
    `  address: ${config.redisHost}:${config.redisPort}`,
    '  password: $REDIS_PASSWORD',
    '  use_tls: true',
    'keys:',
    '  $API_KEY: $API_SECRET',
    'webhook:',
    '  api_key: $API_KEY',
    '  urls:',
    ...config.webhookUrls.map((url) => `    - ${url}`),
    'room:',
    '  auto_create: false',
    'logging:',
    '  level: info',
    '  json: true',
    'CONFIG',
    ')',
  ];
}

/**
 * livekit-server as a systemd service. Stopping it sends SIGTERM once (the
 * docker client passes it on): LiveKit's graceful shutdown, which takes no new
 * room and exits when its last room has ended; the stop timeout bounds that.
 */
function livekitService(image: string, maxDrainSeconds: number): string[] {
  return [
    "cat > /etc/systemd/system/livekit.service <<'UNIT'",
    '[Unit]',
    'Description=LiveKit server',
    'After=docker.service network-online.target',
    'Requires=docker.service',
    '[Service]',
    'ExecStartPre=-/usr/bin/docker rm -f livekit',
    `ExecStart=/usr/bin/docker run --rm --name livekit --network host --sig-proxy=true --log-opt max-size=10m --log-opt max-file=2 -v /etc/livekit:/etc/livekit:ro ${image} --config /etc/livekit/livekit.yaml`,
    'ExecStopPost=-/usr/bin/docker rm -f livekit',
    'KillMode=process',
    `TimeoutStopSec=${maxDrainSeconds + 60}`,
    'Restart=on-failure',
    'RestartSec=5',
    `StandardOutput=append:${NODE_LOG_FILES.livekit}`,
    `StandardError=append:${NODE_LOG_FILES.livekit}`,
    '[Install]',
    'WantedBy=multi-user.target',
    'UNIT',
  ];
}

/**
 * The drain: polls the instance's target lifecycle state; once the Auto
 * Scaling group means to terminate the node (the lifecycle hook holds it in
 * Terminating:Wait), stops livekit-server gracefully, heartbeats the hook
 * while rooms are still running, and completes the lifecycle action when
 * livekit-server has exited (or the longest meeting has passed).
 */
function drainService(config: LiveKitNodeConfig): string[] {
  return [
    'install -d -m 0755 /etc/meetplane',
    'cat > /etc/meetplane/drain.env <<ENV',
    `REGION=${config.region}`,
    `ASG_NAME=${config.autoScalingGroupName}`,
    `HOOK_NAME=${config.lifecycleHookName}`,
    `HEARTBEAT_SECONDS=${config.heartbeatSeconds}`,
    `MAX_DRAIN_SECONDS=${config.maxDrainSeconds}`,
    'INSTANCE_ID=$INSTANCE_ID',
    'ENV',
    "cat > /usr/local/bin/meetplane-drain <<'DRAIN'",
    '#!/bin/bash',
    'set -uo pipefail',
    'source /etc/meetplane/drain.env',
    'lifecycle_state() {',
    '  local token',
    "  token=$(curl -sf -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 60') || return 1",
    '  curl -sf -H "X-aws-ec2-metadata-token: $token" http://169.254.169.254/latest/meta-data/autoscaling/target-lifecycle-state',
    '}',
    // Stopping, the unit is `deactivating` until livekit-server has exited.
    'running() {',
    '  case "$(systemctl show -p ActiveState --value livekit.service)" in active | activating | deactivating) return 0 ;; *) return 1 ;; esac',
    '}',
    'until [ "$(lifecycle_state)" = "Terminated" ]; do sleep 5; done',
    'echo "$(date -Is) terminating: livekit-server drains (no new rooms; running rooms go on to their end)"',
    'systemctl stop --no-block livekit.service',
    'started=$SECONDS',
    'beat=$SECONDS',
    'while running && [ $((SECONDS - started)) -lt "$MAX_DRAIN_SECONDS" ]; do',
    '  sleep 10',
    '  if [ $((SECONDS - beat)) -ge "$HEARTBEAT_SECONDS" ]; then',
    '    aws autoscaling record-lifecycle-action-heartbeat --region "$REGION" --auto-scaling-group-name "$ASG_NAME" \\',
    '      --lifecycle-hook-name "$HOOK_NAME" --instance-id "$INSTANCE_ID" || echo "$(date -Is) heartbeat failed"',
    '    beat=$SECONDS',
    '  fi',
    'done',
    'echo "$(date -Is) livekit-server stopped after $((SECONDS - started)) s; the node may go"',
    'aws autoscaling complete-lifecycle-action --region "$REGION" --auto-scaling-group-name "$ASG_NAME" \\',
    '  --lifecycle-hook-name "$HOOK_NAME" --instance-id "$INSTANCE_ID" --lifecycle-action-result CONTINUE',
    'DRAIN',
    'chmod 0755 /usr/local/bin/meetplane-drain',
    "cat > /etc/systemd/system/meetplane-drain.service <<'UNIT'",
    '[Unit]',
    'Description=Drain LiveKit before Auto Scaling terminates this node',
    'After=livekit.service',
    '[Service]',
    'ExecStart=/usr/local/bin/meetplane-drain',
    'Restart=on-failure',
    'RestartSec=5',
    `StandardOutput=append:${NODE_LOG_FILES.drain}`,
    `StandardError=append:${NODE_LOG_FILES.drain}`,
    '[Install]',
    'WantedBy=multi-user.target',
    'UNIT',
  ];
}
