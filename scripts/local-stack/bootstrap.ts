import {
  CreateTableCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  EnableKeyRotationCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import {
  AUDIT_SIGNING_KEY_ALIAS,
  DIRECTORY_TABLE,
  SITE_KEY_ALIAS,
  SITE_TABLE,
  type TableDefinition,
} from '../../config/tables.js';

/** CreateTable input for a shared table definition (the CDK app builds its tables from the same definitions). */
export function createTableInput(tableName: string, table: TableDefinition): CreateTableCommandInput {
  const attributes = new Map<string, 'S' | 'N'>();
  const note = (a?: { name: string; type: 'S' | 'N' }) => a && attributes.set(a.name, a.type);
  note(table.partitionKey);
  note(table.sortKey);
  for (const index of table.globalIndexes) {
    note(index.partitionKey);
    note(index.sortKey);
  }
  const keySchema = (pk: { name: string }, sk?: { name: string }) => [
    { AttributeName: pk.name, KeyType: 'HASH' as const },
    ...(sk ? [{ AttributeName: sk.name, KeyType: 'RANGE' as const }] : []),
  ];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
    KeySchema: keySchema(table.partitionKey, table.sortKey),
    ...(table.globalIndexes.length > 0 && {
      GlobalSecondaryIndexes: table.globalIndexes.map((index) => ({
        IndexName: index.indexName,
        KeySchema: keySchema(index.partitionKey, index.sortKey),
        Projection: { ProjectionType: 'ALL' },
      })),
    }),
  };
}

async function ensureTable(dynamodb: DynamoDBClient, tableName: string, table: TableDefinition): Promise<void> {
  try {
    await dynamodb.send(new CreateTableCommand(createTableInput(tableName, table)));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  if (table.ttlAttribute) {
    await dynamodb
      .send(
        new UpdateTimeToLiveCommand({
          TableName: tableName,
          TimeToLiveSpecification: { Enabled: true, AttributeName: table.ttlAttribute },
        }),
      )
      .catch((error: Error) => {
        // Enabling TTL twice is refused; the table already has it.
        if (!/already enabled/i.test(error.message)) throw error;
      });
  }
}

/**
 * A site's tables in its own region. The directory is a global table with a
 * replica in each site's region when deployed; locally each site gets its own
 * copy and the directory writer stands in for replication.
 */
export async function bootstrapSiteTables(
  dynamodb: DynamoDBClient,
  siteTableName: string,
  directoryTableName: string,
): Promise<void> {
  await ensureTable(dynamodb, siteTableName, SITE_TABLE);
  await ensureTable(dynamodb, directoryTableName, DIRECTORY_TABLE);
}

/** The site key: symmetric, rotation on, alias alias/meetplane-site. Returns its key id. */
export async function bootstrapSiteKey(kms: KMSClient, siteId: string): Promise<string> {
  const existing = await kms.send(new DescribeKeyCommand({ KeyId: SITE_KEY_ALIAS })).catch(() => undefined);
  if (existing?.KeyMetadata?.KeyId) return existing.KeyMetadata.KeyId;
  const created = await kms.send(
    new CreateKeyCommand({
      Description: `Meetplane site key (${siteId})`,
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyUsage: 'ENCRYPT_DECRYPT',
      Tags: [{ TagKey: 'meetplane:site', TagValue: siteId }],
    }),
  );
  const keyId = created.KeyMetadata!.KeyId!;
  await kms.send(new EnableKeyRotationCommand({ KeyId: keyId }));
  await kms.send(new CreateAliasCommand({ AliasName: SITE_KEY_ALIAS, TargetKeyId: keyId }));
  return keyId;
}

/**
 * The audit signing key: asymmetric ECC P-256 for signing, alias
 * alias/meetplane-audit-signing, as the CDK app creates it. Returns its key id.
 */
export async function bootstrapAuditSigningKey(kms: KMSClient, siteId: string): Promise<string> {
  const existing = await kms.send(new DescribeKeyCommand({ KeyId: AUDIT_SIGNING_KEY_ALIAS })).catch(() => undefined);
  if (existing?.KeyMetadata?.KeyId) return existing.KeyMetadata.KeyId;
  const created = await kms.send(
    new CreateKeyCommand({
      Description: `Meetplane audit signing key (${siteId})`,
      KeySpec: 'ECC_NIST_P256',
      KeyUsage: 'SIGN_VERIFY',
      Tags: [{ TagKey: 'meetplane:site', TagValue: siteId }],
    }),
  );
  const keyId = created.KeyMetadata!.KeyId!;
  await kms.send(new CreateAliasCommand({ AliasName: AUDIT_SIGNING_KEY_ALIAS, TargetKeyId: keyId }));
  return keyId;
}
