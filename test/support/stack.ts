import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { readFileSync } from 'node:fs';
import type { SiteId } from '../../config/sites.js';
import { STACK_FILE, type StackDescription } from '../../scripts/local-stack/layout.js';

/** The running local stack, as `npm start` (or the integration global setup) described it. */
export function stack(): StackDescription {
  return JSON.parse(readFileSync(STACK_FILE, 'utf8')) as StackDescription;
}

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export function dynamodbOf(site: SiteId): DynamoDBClient {
  const s = stack();
  return new DynamoDBClient({ region: s.sites[site].region, endpoint: s.dynamodbEndpoint, credentials: LOCAL_CREDENTIALS });
}

export function kmsOf(site: SiteId): KMSClient {
  const s = stack().sites[site];
  return new KMSClient({ region: s.region, endpoint: s.kmsEndpoint, credentials: LOCAL_CREDENTIALS });
}

export async function api(
  site: SiteId,
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; headers: Headers; body: unknown }> {
  const response = await fetch(stack().sites[site].apiUrl + path, init);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body };
}
