import { PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Stack } from 'aws-cdk-lib';
import type { TableDefinition } from '../../config/tables.js';

/**
 * DynamoDB grants written out action by action and index by index (the CDK's
 * grantRead/WriteData use `index/*` and `kms:GenerateDataKey*`). Transactions
 * are authorised by the underlying item actions. No Scan: nothing reads a
 * whole table of tenants.
 */
const READ = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
];
const WRITE = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

export interface TableGrant {
  readonly tableArn: string;
  readonly definition: TableDefinition;
  /** The key the table is encrypted with; DynamoDB uses it on the caller's behalf. */
  readonly key: IKey;
  readonly access: 'read' | 'readwrite';
}

export function grantTable(role: Role, grant: TableGrant): void {
  const write = grant.access === 'readwrite';
  role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: write ? [...READ, ...WRITE] : READ,
      resources: [grant.tableArn, ...grant.definition.globalIndexes.map((index) => `${grant.tableArn}/index/${index.indexName}`)],
    }),
  );
  role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: write
        ? ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo']
        : ['kms:Decrypt', 'kms:DescribeKey'],
      resources: [grant.key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(role).region}.amazonaws.com` } },
    }),
  );
}
