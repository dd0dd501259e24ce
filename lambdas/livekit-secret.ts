import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { LivekitSecretSource, MediaClusterConfig, MediaClusterSetting, SiteConfig } from '../config/env.js';
import { awsClientSettings } from './clients.js';
import { logger } from './http/logger.js';

/** Reads a secret's string by ARN or name (a name: in the site's own region). */
export type SecretReader = (secretId: string) => Promise<string | undefined>;

/**
 * The site's LiveKit API secret. Locally it is in the environment. Deployed it
 * stays in Secrets Manager, out of the function's configuration and the
 * template, and only the route groups that talk to LiveKit may read it (their
 * IAM grant, cdk/route-groups.ts); they read it once per container.
 */
export async function livekitApiSecret(config: SiteConfig): Promise<string> {
  return withSecretReader(config, (read) => resolveSecret(config.livekit.apiSecret, read));
}

/**
 * The other sites' clusters with their secrets, read from the replicas in
 * this site's region. A cluster whose secret cannot be read is left out (no
 * failover onto it, its webhooks unverified here) rather than failing the
 * whole container: this site's own cluster does not depend on it.
 */
export async function otherMediaClusters(config: SiteConfig): Promise<MediaClusterConfig[]> {
  if (config.otherClusters.length === 0) return [];
  return withSecretReader(config, (read) => resolveClusters(config.otherClusters, read, reportUnreadable));
}

export async function resolveClusters(
  clusters: readonly MediaClusterSetting[],
  read: SecretReader,
  unreadable: (clusterId: string, error: unknown) => void,
): Promise<MediaClusterConfig[]> {
  const resolved = await Promise.all(
    clusters.map(async (cluster) => {
      try {
        return { ...cluster, apiSecret: await resolveSecret(cluster.apiSecret, read) };
      } catch (error) {
        unreadable(cluster.id, error);
        return undefined;
      }
    }),
  );
  return resolved.filter((cluster) => cluster !== undefined);
}

async function resolveSecret(source: LivekitSecretSource, read: SecretReader): Promise<string> {
  switch (source.kind) {
    case 'value':
      return source.value;
    case 'secrets-manager':
      return apiSecretOf(await read(source.arn));
    case 'secret-replica':
      return apiSecretOf(await read(source.name));
  }
}

async function withSecretReader<T>(config: SiteConfig, use: (read: SecretReader) => Promise<T>): Promise<T> {
  let client: SecretsManagerClient | undefined;
  const read: SecretReader = async (secretId) => {
    client ??= new SecretsManagerClient(awsClientSettings(config));
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    return SecretString;
  };
  try {
    return await use(read);
  } finally {
    client?.destroy();
  }
}

function reportUnreadable(clusterId: string, error: unknown): void {
  logger.error('media cluster left out: its LiveKit secret could not be read', {
    clusterId,
    errorName: error instanceof Error ? error.name : 'unknown',
  });
}

/**
 * The secret is the JSON document the LiveKit nodes read at boot
 * (cdk/stacks/media-stack.ts): `{apiKey, apiSecret}`. The error never carries
 * the value.
 */
export function apiSecretOf(secretString: string | undefined): string {
  let document: unknown;
  try {
    document = JSON.parse(secretString ?? '');
  } catch {
    document = undefined;
  }
  const apiSecret = (document as { apiSecret?: unknown } | null | undefined)?.apiSecret;
  if (typeof apiSecret !== 'string' || apiSecret.length < 32) {
    throw new Error('the LiveKit secret is not a JSON document with an apiSecret of at least 32 characters');
  }
  return apiSecret;
}
