import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ProbeFailure, type Probe } from '../domain/probe.js';

/** The site table exists and is active. */
export function tableProbe(dynamodb: DynamoDBClient, tableName: string): Probe {
  return async (signal) => {
    try {
      const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }), { abortSignal: signal });
      if (Table?.TableStatus !== 'ACTIVE' && Table?.TableStatus !== 'UPDATING') throw new ProbeFailure('not-usable');
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') throw new ProbeFailure('missing');
      throw error;
    }
  };
}
