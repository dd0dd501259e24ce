import type { z } from 'zod';
import type { runtimeEnvSchema } from '../config/env.js';
import type { SiteId } from '../config/sites.js';

/**
 * Variables the Lambda runtime sets itself (AWS_REGION is reserved), that
 * only the local stack may set (the schema refuses them when MEETPLANE_STAGE=aws;
 * deployed, DynamoDB global tables replicate the directory instead), or that
 * a deployed site replaces: the LiveKit API secret stays in Secrets Manager and
 * the functions get its ARN.
 */
type NotSetByCdk =
  | 'AWS_REGION'
  | 'MEETPLANE_LIVEKIT_API_SECRET'
  | 'MEETPLANE_DYNAMODB_ENDPOINT'
  | 'MEETPLANE_KMS_ENDPOINT'
  | 'MEETPLANE_SES_ENDPOINT'
  | 'MEETPLANE_OPERATOR_TOKEN'
  | 'MEETPLANE_DIRECTORY_REPLICA_REGIONS'
  | 'MEETPLANE_OUTBOUND_LOOPBACK'
  | 'MEETPLANE_BUDGET_FACTOR';

/** Exactly the variables config/env.ts parses that a deployed function gets from its configuration. */
export type DeployedVariable = Exclude<keyof z.input<typeof runtimeEnvSchema>, NotSetByCdk>;
export type DeployedEnvironment = Readonly<Record<DeployedVariable, string>>;

/**
 * A site's LiveKit cluster as the control plane reaches it (from the media
 * stack): its id, its endpoint (the load balancer in front of its nodes, under
 * the site's LiveKit name) and the name of its API secret, which exists in
 * every site's region (a replica outside its own).
 */
export interface DeployedCluster {
  readonly id: string;
  readonly site: SiteId;
  readonly url: string;
  readonly secretName: string;
}

export interface DeployedEnvironmentInput {
  readonly site: SiteId;
  readonly tableName: string;
  readonly directoryTableName: string;
  readonly siteKeyArn: string;
  /** The site's asymmetric key that signs audit heads. */
  readonly auditSigningKeyArn: string;
  readonly apiUrls: Readonly<Record<SiteId, string>>;
  /** The site's own cluster. */
  readonly cluster: DeployedCluster;
  readonly livekitApiKey: string;
  /** The secret ({apiKey, apiSecret}) the LiveKit nodes also read; only route groups that talk to LiveKit read it. */
  readonly livekitSecretArn: string;
  /** The other sites' clusters, for failover and for their webhooks; their secrets are read from the replicas here. */
  readonly otherClusters: readonly DeployedCluster[];
  /** The web app's base URL and the origins answered for CORS (the HTTP API's CORS uses the same list). */
  readonly web: { readonly url: string; readonly origins: readonly string[] };
}

export function deployedEnvironment(input: DeployedEnvironmentInput): DeployedEnvironment {
  return {
    MEETPLANE_STAGE: 'aws',
    MEETPLANE_SITE: input.site,
    MEETPLANE_TABLE: input.tableName,
    MEETPLANE_DIRECTORY_TABLE: input.directoryTableName,
    MEETPLANE_SITE_KEY: input.siteKeyArn,
    MEETPLANE_AUDIT_SIGNING_KEY: input.auditSigningKeyArn,
    MEETPLANE_API_URLS: Object.entries(input.apiUrls)
      .map(([site, url]) => `${site}=${url}`)
      .join(','),
    MEETPLANE_LIVEKIT_URL: input.cluster.url,
    MEETPLANE_LIVEKIT_API_KEY: input.livekitApiKey,
    MEETPLANE_LIVEKIT_SECRET_ARN: input.livekitSecretArn,
    MEETPLANE_LIVEKIT_CLUSTER_ID: input.cluster.id,
    MEETPLANE_MEDIA_CLUSTERS: JSON.stringify(
      input.otherClusters.map((cluster) => ({
        id: cluster.id,
        site: cluster.site,
        urls: [cluster.url],
        // The key id, resolved by CloudFormation from the replica in this region at deploy time; never the secret.
        apiKey: `{{resolve:secretsmanager:${cluster.secretName}:SecretString:apiKey}}`,
        apiSecretName: cluster.secretName,
      })),
    ),
    MEETPLANE_WEB_ORIGINS: input.web.origins.join(','),
    MEETPLANE_WEB_URL: input.web.url,
    MEETPLANE_DEPENDENCY_TIMEOUT_MS: '1500',
    LOG_LEVEL: 'INFO',
  };
}
