import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMS } from '@aws-sdk/client-kms';
import { RoomServiceClient } from 'livekit-server-sdk';
import type { SiteConfig } from '../config/env.js';
import { counted, type Dependency } from './http/call-counter.js';

/** An AWS SDK middleware that counts and times each call of the client towards the current request. */
function countedClient<C extends { middlewareStack: unknown }>(client: C, dependency: Dependency): C {
  (client.middlewareStack as { add: (middleware: unknown, options: unknown) => void }).add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) =>
      counted(dependency, () => next(args), context.commandName),
    { step: 'initialize', name: `meetplaneCount-${dependency}` },
  );
  return client;
}

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
    dynamodb: countedClient(
      new DynamoDBClient({ ...aws, ...(config.endpoints.dynamodb && { endpoint: config.endpoints.dynamodb }) }),
      'dynamodb',
    ),
    kms: countedClient(new KMS({ ...aws, ...(config.endpoints.kms && { endpoint: config.endpoints.kms }) }), 'kms'),
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
