import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { fromEnv } from '@aws-sdk/credential-provider-env';
import type { SiteConfig } from '../config/env.js';
import { budgetLeftMs, counted, MIN_CALL_MS, type Dependency } from './http/call-counter.js';
import { DeadlineExceeded } from './http/dependency-errors.js';

type MiddlewareStack = { add: (middleware: unknown, options: unknown) => void };

/**
 * Two AWS SDK middlewares: one counts and times each call of the client
 * towards the current request and holds it to the request's budget
 * (lambdas/http/call-counter.ts); the other runs before each attempt, after
 * the SDK's retry step, and starts no retry that the budget cannot cover.
 */
export function countedClient<C extends { middlewareStack: unknown }>(client: C, dependency: Dependency): C {
  const stack = client.middlewareStack as MiddlewareStack;
  stack.add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) =>
      counted(dependency, () => next(args), context.commandName),
    { step: 'initialize', name: `meetplaneCount-${dependency}` },
  );
  stack.add(
    (next: (args: unknown) => Promise<unknown>) => (args: unknown) => {
      const left = budgetLeftMs();
      if (left !== undefined && left < MIN_CALL_MS) throw new DeadlineExceeded(dependency, false);
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: `meetplaneBudget-${dependency}` },
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
    ...awsCallLimits(config.dependencyTimeoutMs),
    credentials: config.stage === 'local' ? LOCAL_CREDENTIALS : fromEnv(),
  };
}

/**
 * How long one attempt of an AWS call may take, and how many there are: a
 * connection within a third of the dependency timeout, an answer within the
 * timeout (an error when it does not come: the SDK only warns unless told),
 * and one retry, which the SDK's standard strategy delays by a jittered
 * backoff. The request's budget bounds the whole (see `countedClient`).
 */
export function awsCallLimits(dependencyTimeoutMs: number) {
  return {
    maxAttempts: 2,
    retryMode: 'standard',
    requestHandler: {
      connectionTimeout: Math.max(100, Math.round(dependencyTimeoutMs / 3)),
      requestTimeout: dependencyTimeoutMs,
      throwOnRequestTimeout: true,
    },
  } as const;
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
