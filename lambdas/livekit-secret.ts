import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SiteConfig } from '../config/env.js';
import { awsClientSettings } from './clients.js';

/**
 * The site's LiveKit API secret. Locally it is in the environment. Deployed it
 * stays in Secrets Manager, out of the function's configuration and the
 * template, and only the route groups that talk to LiveKit may read it (their
 * IAM grant, cdk/route-groups.ts); they read it once per container.
 */
export async function livekitApiSecret(config: SiteConfig): Promise<string> {
  const source = config.livekit.apiSecret;
  if (source.kind === 'value') return source.value;
  const client = new SecretsManagerClient(awsClientSettings(config));
  try {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: source.arn }));
    return apiSecretOf(SecretString);
  } finally {
    client.destroy();
  }
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
