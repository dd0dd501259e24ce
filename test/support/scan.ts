import { ListTablesCommand, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { NodeAlgorithmSuite } from '@aws-crypto/material-management-node';
import { deserializeFactory } from '@aws-crypto/serialize';
import type { SiteId } from '../../config/sites.js';
import { dynamodbOf } from './stack.js';

export type TableDump = Record<string, Record<string, unknown>[]>;

/** Every item of every table in a site's region, as plain objects. */
export async function scanRegion(site: SiteId): Promise<TableDump> {
  const dynamodb = dynamodbOf(site);
  const dump: TableDump = {};
  for (const table of (await dynamodb.send(new ListTablesCommand({}))).TableNames ?? []) {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await dynamodb.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
      items.push(...(page.Items ?? []).map((item) => unmarshall(item)));
      start = page.LastEvaluatedKey;
    } while (start);
    dump[table] = items;
  }
  return dump;
}

/**
 * The records a request could have written, as text: everything but what the
 * media plane and DynamoDB change on their own while tests run (webhook
 * deduplication, room index and load, meetings' live state and attendance,
 * and items past their expiry, which the
 * TTL sweeper may delete at any moment). Two snapshots around a refused
 * request must be equal.
 */
export async function writableSnapshot(site: SiteId): Promise<string> {
  const now = Date.now() / 1000;
  const dump = await scanRegion(site);
  const kept = Object.fromEntries(
    Object.entries(dump).map(([table, items]) => [
      table,
      items.filter((item) => {
        const pk = String(item.pk ?? '');
        const sk = String(item.sk ?? '');
        if (/^(WEBHOOK|MEDIA#LOAD|ROOM)#/.test(pk)) return false;
        // Live state and attendance follow LiveKit's webhooks (rooms emptying, people leaving) at any time.
        if (/^(LIVE|ATT)#/.test(sk)) return false;
        return typeof item.expiresAt !== 'number' || item.expiresAt > now + 60;
      }),
    ]),
  );
  return searchableText(kept);
}

/** Text of a dump in which a plaintext value would show, binary attributes included as UTF-8 and base64. */
export function searchableText(dump: TableDump | Record<string, unknown>[]): string {
  return JSON.stringify(dump, (_key, value: unknown) =>
    value instanceof Uint8Array ? `${Buffer.from(value).toString('utf8')}|${Buffer.from(value).toString('base64')}` : value,
  );
}

const { deserializeMessageHeader } = deserializeFactory(
  (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8'),
  NodeAlgorithmSuite,
);

/**
 * The header of a sealed value (an AWS Encryption SDK message), read without
 * opening it: its algorithm suite, encryption context, and its one encrypted
 * data key — the KMS ciphertext and the key ARN that wrapped it.
 */
export function sealedHeader(sealed: Uint8Array): {
  suiteId: number;
  wrappedKey: Uint8Array;
  keyArn: string;
  context: Record<string, string>;
} {
  const header = deserializeMessageHeader(sealed);
  if (!header) throw new Error('not a whole AWS Encryption SDK message header');
  const { suiteId, encryptionContext, encryptedDataKeys } = header.messageHeader;
  if (encryptedDataKeys.length !== 1 || encryptedDataKeys[0]!.providerId !== 'aws-kms') {
    throw new Error('expected exactly one KMS-wrapped data key');
  }
  const edk = encryptedDataKeys[0]!;
  return { suiteId, wrappedKey: edk.encryptedDataKey, keyArn: edk.providerInfo, context: { ...encryptionContext } };
}
