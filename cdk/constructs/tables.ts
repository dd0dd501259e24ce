import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, TableEncryptionV2, TableV2, type Attribute, type TablePropsV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { KeyAttribute, TableDefinition } from '../../config/tables.js';

function attribute(key: KeyAttribute): Attribute {
  return { name: key.name, type: key.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER };
}

export interface DefinedTableProps {
  readonly definition: TableDefinition;
  readonly tableName: string;
  readonly key: IKey;
  /** Regions of further replicas (a global table), each with the key DynamoDB uses there. */
  readonly replicas?: readonly { readonly region: string; readonly keyArn: string }[];
}

/**
 * A table built from the shared definition in config/tables.ts, so the keys,
 * indexes and TTL deployed are those the local stack creates. Every table
 * holds tenant data: customer-managed key, point-in-time recovery, deletion
 * protection, and it survives the deletion of its stack.
 */
export function definedTable(scope: Construct, props: DefinedTableProps): TableV2 {
  const { definition } = props;
  const replicas = props.replicas ?? [];
  const tableProps: TablePropsV2 = {
    tableName: props.tableName,
    partitionKey: attribute(definition.partitionKey),
    ...(definition.sortKey && { sortKey: attribute(definition.sortKey) }),
    globalSecondaryIndexes: definition.globalIndexes.map((index) => ({
      indexName: index.indexName,
      partitionKey: attribute(index.partitionKey),
      ...(index.sortKey && { sortKey: attribute(index.sortKey) }),
    })),
    ...(definition.ttlAttribute !== undefined && { timeToLiveAttribute: definition.ttlAttribute }),
    encryption: TableEncryptionV2.customerManagedKey(
      props.key,
      Object.fromEntries(replicas.map((replica) => [replica.region, replica.keyArn])),
    ),
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: true,
    removalPolicy: RemovalPolicy.RETAIN,
    replicas: replicas.map((replica) => ({ region: replica.region })),
  };
  return new TableV2(scope, definition.logicalName, tableProps);
}
