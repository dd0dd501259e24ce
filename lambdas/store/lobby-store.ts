import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { Admission } from '../domain/admission.js';
import { conflict, tooMany } from '../domain/errors.js';
import { expiryOf } from '../domain/retention.js';
import { passcodeKey, ticketKey, ticketPrefix } from './live-keys.js';
import type { AdmissionItems } from './live-state-store.js';
import type { RetentionOf } from './meeting-store.js';
import { tenantPk } from './tenant-store.js';

const conflictDecided = () => conflict('the ticket is unknown or was already decided');

export interface LobbyTicket {
  readonly ticket: string;
  readonly meetingId: string;
  readonly participantId: string;
  readonly userRef: string;
  readonly status: 'waiting' | 'admitted' | 'denied';
  readonly since: string;
  /** End-to-end meetings: the device the participant will join with. */
  readonly deviceId?: string;
  /** Sealed display name, when the tenant shows names. */
  readonly sealedName?: Uint8Array;
  /** Someone who came by a guest link, shown to hosts as a guest. */
  readonly guest?: true;
}

/**
 * The way in before an admission: the waiting room's tickets and their
 * decisions, and the passcode attempts counted per participant. A decision to
 * admit writes the admission too; that transaction stays here, with the
 * ticket it decides, and takes the admission item from the live state store
 * (`AdmissionItems`), which owns the admission's layout.
 */
export class LobbyStore {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly tableName: string,
    private readonly retention: RetentionOf,
    private readonly admissions: AdmissionItems,
    private readonly nowMs: () => number = Date.now,
  ) {}

  // --- passcode attempts -------------------------------------------------------------------------

  /**
   * Reserves one passcode attempt before the passcode is even hashed, so a
   * burst of concurrent guesses cannot all be evaluated: at most `limit` per
   * window, and a window that has passed re-arms. Refuses with too-many.
   */
  async reservePasscodeAttempt(
    tenantId: string,
    meetingId: string,
    participantId: string,
    limit: number,
    windowSeconds: number,
  ): Promise<void> {
    const key = marshall(passcodeKey(tenantId, meetingId, participantId));
    const now = Math.floor(this.nowMs() / 1000);
    const conditional = async (command: UpdateItemCommand) =>
      this.dynamodb.send(command).then(
        () => true,
        (error: Error) => {
          if (error instanceof ConditionalCheckFailedException) return false;
          throw error;
        },
      );
    // Two rounds: a concurrent request may open a new window between this one's two tries.
    for (let round = 0; round < 2; round++) {
      const counted = await conditional(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'SET attempts = attempts + :one',
          ConditionExpression: 'windowEnds > :now AND attempts < :limit',
          ExpressionAttributeValues: marshall({ ':one': 1, ':now': now, ':limit': limit }),
        }),
      );
      if (counted) return;
      const opened = await conditional(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'SET attempts = :one, windowEnds = :end, expiresAt = :end',
          ConditionExpression: 'attribute_not_exists(windowEnds) OR windowEnds <= :now',
          ExpressionAttributeValues: marshall({ ':one': 1, ':now': now, ':end': now + windowSeconds }),
        }),
      );
      if (opened) return;
    }
    throw tooMany('too many wrong passcodes; try again later', 'passcode');
  }

  /** A right passcode clears the count. */
  async clearPasscodeAttempts(tenantId: string, meetingId: string, participantId: string): Promise<void> {
    await this.dynamodb.send(
      new DeleteItemCommand({ TableName: this.tableName, Key: marshall(passcodeKey(tenantId, meetingId, participantId)) }),
    );
  }

  // --- lobby ---------------------------------------------------------------------------------------

  async putTicket(tenantId: string, ticket: LobbyTicket): Promise<void> {
    await this.dynamodb.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: marshall(
          {
            ...ticketKey(tenantId, ticket.meetingId, ticket.ticket),
            ...ticket,
            expiresAt: expiryOf(this.nowMs(), (await this.retention(tenantId)).lobbyTickets),
          },
          { removeUndefinedValues: true },
        ),
      }),
    );
  }

  async ticket(tenantId: string, meetingId: string, ticket: string): Promise<LobbyTicket | undefined> {
    const { Item } = await this.dynamodb.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: marshall(ticketKey(tenantId, meetingId, ticket)),
        ConsistentRead: true,
      }),
    );
    return Item ? (unmarshall(Item) as LobbyTicket) : undefined;
  }

  async waiting(tenantId: string, meetingId: string): Promise<LobbyTicket[]> {
    const page = await this.dynamodb.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        FilterExpression: '#status = :waiting',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: marshall({
          ':pk': tenantPk(tenantId),
          ':prefix': ticketPrefix(meetingId),
          ':waiting': 'waiting',
        }),
        ConsistentRead: true,
      }),
    );
    return (page.Items ?? []).map((item) => unmarshall(item) as LobbyTicket);
  }

  /**
   * Decides a waiting ticket once (a ticket already decided is a conflict); an
   * admission is recorded in the same transaction, so a ticket is never
   * admitted without one.
   */
  async decide(tenantId: string, meetingId: string, ticket: string, decision: 'denied' | Admission): Promise<void> {
    const status = decision === 'denied' ? 'denied' : 'admitted';
    const update = {
      TableName: this.tableName,
      Key: marshall(ticketKey(tenantId, meetingId, ticket)),
      UpdateExpression: 'SET #status = :status',
      ConditionExpression: '#status = :waiting',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: marshall({ ':status': status, ':waiting': 'waiting' }),
    };
    try {
      if (decision === 'denied') await this.dynamodb.send(new UpdateItemCommand(update));
      else
        await this.dynamodb.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              { Update: update },
              {
                Put: { TableName: this.tableName, Item: this.admissions.admissionItem(tenantId, meetingId, decision) },
              },
            ],
          }),
        );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw conflictDecided();
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed')
        throw conflictDecided();
      throw error;
    }
  }
}
