import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { MailSettings } from '../domain/mail.js';
import type { PersonalDataCipher, SealingKey } from '../keys/personal-data-cipher.js';
import { tenantPk } from './tenant-store.js';

interface SealedMailFields {
  readonly username?: string;
  readonly password?: string;
  readonly from: string;
}

/**
 * A tenant's mail transport: for SMTP, host and port in the clear, sender,
 * user name and password sealed under the tenant key; for SES, the sealed
 * sender only (the region is always the site's). Items written before SES
 * existed carry no `transport` and are SMTP.
 */
export class MailSettingsStore {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly tableName: string,
    private readonly cipher: PersonalDataCipher,
  ) {}

  async put(key: SealingKey, settings: MailSettings, password: string | undefined): Promise<void> {
    const smtp = settings.transport === 'smtp' ? settings : undefined;
    const sealed = await this.cipher.seal(key, 'tenant-profile', {
      from: settings.from,
      ...(smtp?.username !== undefined && { username: smtp.username }),
      ...(smtp && password !== undefined && { password }),
    } satisfies SealedMailFields);
    await this.dynamodb.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: marshall({
          pk: tenantPk(key.tenantId),
          sk: 'SETTINGS#MAIL',
          transport: settings.transport,
          ...(smtp && { host: smtp.host, port: smtp.port, secure: smtp.secure }),
          sealed,
        }),
      }),
    );
  }

  async get(key: SealingKey): Promise<{ settings: MailSettings; password?: string } | undefined> {
    const { Item } = await this.dynamodb.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: marshall({ pk: tenantPk(key.tenantId), sk: 'SETTINGS#MAIL' }),
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    const { transport, host, port, secure, sealed } = unmarshall(Item) as {
      transport?: 'smtp' | 'ses';
      host: string;
      port: number;
      secure: boolean;
      sealed: Uint8Array;
    };
    const open = await this.cipher.open<SealedMailFields>(key, 'tenant-profile', sealed);
    if (transport === 'ses') return { settings: { transport: 'ses', from: open.from } };
    return {
      settings: {
        transport: 'smtp',
        host,
        port,
        secure,
        from: open.from,
        ...(open.username !== undefined && { username: open.username }),
      },
      ...(open.password !== undefined && { password: open.password }),
    };
  }
}
