import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { SmtpSettings } from '../domain/mail.js';
import type { PersonalDataCipher, SealingKey } from '../keys/personal-data-cipher.js';
import { tenantPk } from './tenant-store.js';

interface SealedMailFields {
  readonly username?: string;
  readonly password?: string;
  readonly from: string;
}

/** A tenant's SMTP server: host and port in the clear, sender, user name and password sealed under the tenant key. */
export class MailSettingsStore {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly tableName: string,
    private readonly cipher: PersonalDataCipher,
  ) {}

  async put(key: SealingKey, settings: SmtpSettings, password: string | undefined): Promise<void> {
    const sealed = await this.cipher.seal(key, 'tenant-profile', {
      from: settings.from,
      ...(settings.username !== undefined && { username: settings.username }),
      ...(password !== undefined && { password }),
    } satisfies SealedMailFields);
    await this.dynamodb.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: marshall({
          pk: tenantPk(key.tenantId),
          sk: 'SETTINGS#MAIL',
          host: settings.host,
          port: settings.port,
          secure: settings.secure,
          sealed,
        }),
      }),
    );
  }

  async get(key: SealingKey): Promise<{ settings: SmtpSettings; password?: string } | undefined> {
    const { Item } = await this.dynamodb.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: marshall({ pk: tenantPk(key.tenantId), sk: 'SETTINGS#MAIL' }),
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    const { host, port, secure, sealed } = unmarshall(Item) as {
      host: string;
      port: number;
      secure: boolean;
      sealed: Uint8Array;
    };
    const open = await this.cipher.open<SealedMailFields>(key, 'tenant-profile', sealed);
    return {
      settings: { host, port, secure, from: open.from, ...(open.username !== undefined && { username: open.username }) },
      ...(open.password !== undefined && { password: open.password }),
    };
  }
}
