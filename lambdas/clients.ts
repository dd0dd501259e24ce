import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { fromEnv } from '@aws-sdk/credential-provider-env';
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
  /** The bare client with commands, not the aggregated `KMS`, which bundles every operation. */
  readonly kms: KMSClient;
}

/** Local components accept any credentials; these are the documented local ones. */
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * What every AWS SDK client of the site shares. Deployed, the credentials are
 * the ones Lambda puts in the environment for the function's role (it always
 * does); naming them here is what lets the bundle leave out the SDK's default
 * provider chain (cdk/bundling.ts).
 */
export function awsClientSettings(config: SiteConfig) {
  return {
    region: config.region,
    maxAttempts: 2,
    credentials: config.stage === 'local' ? LOCAL_CREDENTIALS : fromEnv(),
  };
}

/*
 * One accessor per client, each created on first use and kept for the
 * container's life: a route group bundles and builds only the clients it uses.
 */
let dynamodb: DynamoDBClient | undefined;
let kms: KMSClient | undefined;

export function dynamodbClient(config: SiteConfig): DynamoDBClient {
  dynamodb ??= countedClient(
    new DynamoDBClient({
      ...awsClientSettings(config),
      ...(config.endpoints.dynamodb && { endpoint: config.endpoints.dynamodb }),
    }),
    'dynamodb',
  );
  return dynamodb;
}

export function kmsClient(config: SiteConfig): KMSClient {
  kms ??= countedClient(
    new KMSClient({ ...awsClientSettings(config), ...(config.endpoints.kms && { endpoint: config.endpoints.kms }) }),
    'kms',
  );
  return kms;
}

export function siteClients(config: SiteConfig): SiteClients {
  return { dynamodb: dynamodbClient(config), kms: kmsClient(config) };
}
