import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMS } from '@aws-sdk/client-kms';
import { RoomServiceClient } from 'livekit-server-sdk';
import type { SiteConfig } from '../config/env.js';

export interface SiteClients {
  readonly dynamodb: DynamoDBClient;
  /** The aggregated client: the AWS Encryption SDK's KMS keyring calls its methods. */
  readonly kms: KMS;
  readonly livekitRooms: RoomServiceClient;
}

/** Local components accept any credentials; these are the documented local ones. */
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Creates the site's clients once per container, from the validated configuration. */
export function createSiteClients(config: SiteConfig): SiteClients {
  const local = config.stage === 'local';
  const aws = {
    region: config.region,
    maxAttempts: 2,
    ...(local && { credentials: LOCAL_CREDENTIALS }),
  };
  return {
    dynamodb: new DynamoDBClient({ ...aws, ...(config.endpoints.dynamodb && { endpoint: config.endpoints.dynamodb }) }),
    kms: new KMS({ ...aws, ...(config.endpoints.kms && { endpoint: config.endpoints.kms }) }),
    livekitRooms: new RoomServiceClient(config.livekit.url, config.livekit.apiKey, config.livekit.apiSecret, {
      requestTimeout: Math.max(1, Math.ceil(config.dependencyTimeoutMs / 1000)),
    }),
  };
}

let cached: SiteClients | undefined;

export function siteClients(config: SiteConfig): SiteClients {
  cached ??= createSiteClients(config);
  return cached;
}
