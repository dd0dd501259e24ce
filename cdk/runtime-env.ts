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

export interface DeployedEnvironmentInput {
  readonly site: SiteId;
  readonly tableName: string;
  readonly directoryTableName: string;
  readonly siteKeyArn: string;
  /** The site's asymmetric key that signs audit heads. */
  readonly auditSigningKeyArn: string;
  readonly apiUrls: Readonly<Record<SiteId, string>>;
  readonly livekitUrl: string;
  readonly livekitApiKey: string;
  /** The secret ({apiKey, apiSecret}) the LiveKit nodes also read; only route groups that talk to LiveKit read it. */
  readonly livekitSecretArn: string;
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
    MEETPLANE_LIVEKIT_URL: input.livekitUrl,
    MEETPLANE_LIVEKIT_API_KEY: input.livekitApiKey,
    MEETPLANE_LIVEKIT_SECRET_ARN: input.livekitSecretArn,
    MEETPLANE_LIVEKIT_CLUSTER_ID: `${input.site}-a`,
    // Failover to the other site's cluster needs its secret; deployed sites start without it.
    MEETPLANE_MEDIA_CLUSTERS: '[]',
    MEETPLANE_WEB_ORIGINS: input.web.origins.join(','),
    MEETPLANE_WEB_URL: input.web.url,
    MEETPLANE_DEPENDENCY_TIMEOUT_MS: '1500',
    LOG_LEVEL: 'INFO',
  };
}
