import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { AbuseReport, ClipContentType, ReportText } from '../domain/abuse-reports.js';
import { conflict } from '../domain/errors.js';
import { expiryOf } from '../domain/retention.js';
import type { PersonalDataCipher, SealingKey } from '../keys/personal-data-cipher.js';
import type { RetentionOf } from './meeting-store.js';
import { tenantPk } from './tenant-store.js';

export const reportSk = (reportId: string) => `REPORT#${reportId}`;
export const clipSk = (reportId: string) => `REPORTCLIP#${reportId}`;

export interface Clip {
  readonly contentType: ClipContentType;
  readonly data: Buffer;
}

/**
 * Abuse reports in the tenant's partition. The text and the clip are sealed
 * under the tenant's key; the clip is an item of its own, so listing reports
 * never reads or decrypts clips. Both expire with the tenant's report retention.
 */
export class ReportStore {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly tableName: string,
    private readonly cipher: PersonalDataCipher,
    private readonly retention: RetentionOf,
  ) {}

  /** Writes the report and its clip together: never one without the other. */
  async create(key: SealingKey, report: AbuseReport, text: ReportText, clip?: Clip): Promise<void> {
    const expiresAt = expiryOf(Date.parse(report.createdAt), (await this.retention(key.tenantId)).abuseReports);
    const sealedText = await this.cipher.seal(key, 'report', text);
    const items: Record<string, unknown>[] = [
      { pk: tenantPk(key.tenantId), sk: reportSk(report.id), report, sealed: sealedText, expiresAt },
    ];
    if (clip) {
      const sealedClip = await this.cipher.seal(key, 'report', {
        contentType: clip.contentType,
        data: clip.data.toString('base64'),
      });
      items.push({ pk: tenantPk(key.tenantId), sk: clipSk(report.id), sealed: sealedClip, expiresAt });
    }
    await this.dynamodb.send(
      new TransactWriteItemsCommand({
        TransactItems: items.map((item) => ({
          Put: {
            TableName: this.tableName,
            Item: marshall(item, { removeUndefinedValues: true }),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        })),
      }),
    );
  }

  /** Reports newest first, optionally only those in one state. */
  async list(
    tenantId: string,
    options: { status?: AbuseReport['status']; after?: string; limit: number },
  ): Promise<{ reports: AbuseReport[]; next?: string }> {
    const reports: AbuseReport[] = [];
    let start: Record<string, AttributeValue> | undefined = options.after
      ? marshall({ pk: tenantPk(tenantId), sk: reportSk(options.after) })
      : undefined;
    // A status filter may leave pages short; keep reading until the page is full or the reports end.
    do {
      const page = await this.dynamodb.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ...(options.status && { FilterExpression: '#report.#status = :status' }),
          ExpressionAttributeNames: { '#report': 'report', ...(options.status && { '#status': 'status' }) },
          ExpressionAttributeValues: marshall({
            ':pk': tenantPk(tenantId),
            ':prefix': 'REPORT#',
            ...(options.status && { ':status': options.status }),
          }),
          ProjectionExpression: 'sk, #report',
          ScanIndexForward: false,
          Limit: options.limit - reports.length,
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      );
      reports.push(...(page.Items ?? []).map((item) => unmarshall(item).report as AbuseReport));
      start = page.LastEvaluatedKey;
    } while (start && reports.length < options.limit);
    return { reports, ...(start && reports.length > 0 && { next: reports.at(-1)!.id }) };
  }

  async get(key: SealingKey, reportId: string): Promise<{ report: AbuseReport; text: ReportText } | undefined> {
    const { Item } = await this.dynamodb.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: marshall({ pk: tenantPk(key.tenantId), sk: reportSk(reportId) }),
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    const { report, sealed } = unmarshall(Item) as { report: AbuseReport; sealed: Uint8Array };
    return { report, text: await this.cipher.open<ReportText>(key, 'report', sealed) };
  }

  async clip(key: SealingKey, reportId: string): Promise<{ contentType: ClipContentType; data: string } | undefined> {
    const { Item } = await this.dynamodb.send(
      new GetItemCommand({ TableName: this.tableName, Key: marshall({ pk: tenantPk(key.tenantId), sk: clipSk(reportId) }) }),
    );
    if (!Item) return undefined;
    return this.cipher.open(key, 'report', (unmarshall(Item) as { sealed: Uint8Array }).sealed);
  }

  /** Saves a resolution, if nobody resolved the report meanwhile. */
  async saveResolution(key: SealingKey, report: AbuseReport, text: ReportText): Promise<void> {
    try {
      await this.dynamodb.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: marshall(
            {
              pk: tenantPk(key.tenantId),
              sk: reportSk(report.id),
              report,
              sealed: await this.cipher.seal(key, 'report', text),
              expiresAt: expiryOf(Date.parse(report.createdAt), (await this.retention(key.tenantId)).abuseReports),
            },
            { removeUndefinedValues: true },
          ),
          ConditionExpression: '#report.#status = :open',
          ExpressionAttributeNames: { '#report': 'report', '#status': 'status' },
          ExpressionAttributeValues: marshall({ ':open': 'open' }),
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw conflict('the report was resolved meanwhile');
      throw error;
    }
  }
}
