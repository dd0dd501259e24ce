import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { SecurityContacts } from '../domain/advisories.js';
import type { PersonalDataCipher, SealingKey } from '../keys/personal-data-cipher.js';
import { tenantPk } from './tenant-store.js';

const SK = 'SETTINGS#SECURITY';

/**
 * Where a tenant wants security advisories (`T#<tenant>`, `SETTINGS#SECURITY`):
 * the addresses, the webhook's URL and its secret sealed under the tenant's
 * key; in the clear only how many addresses there are, whether a webhook is
 * set, and when it changed.
 */
export class SecurityContactsStore {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly tableName: string,
    private readonly cipher: PersonalDataCipher,
  ) {}

  async put(key: SealingKey, contacts: SecurityContacts, updatedAt: string): Promise<void> {
    const sealed = await this.cipher.seal(key, 'tenant-profile', {
      emails: [...contacts.emails],
      ...(contacts.webhook && { webhook: { url: contacts.webhook.url, secret: contacts.webhook.secret } }),
    } satisfies SecurityContacts);
    await this.dynamodb.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: marshall({
          pk: tenantPk(key.tenantId),
          sk: SK,
          emailCount: contacts.emails.length,
          hasWebhook: contacts.webhook !== undefined,
          updatedAt,
          sealed,
        }),
      }),
    );
  }

  async get(key: SealingKey): Promise<{ contacts: SecurityContacts; updatedAt: string } | undefined> {
    const { Item } = await this.dynamodb.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: marshall({ pk: tenantPk(key.tenantId), sk: SK }),
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    const { sealed, updatedAt } = unmarshall(Item) as { sealed: Uint8Array; updatedAt: string };
    const open = await this.cipher.open<SecurityContacts>(key, 'tenant-profile', sealed);
    return {
      contacts: {
        emails: [...open.emails],
        ...(open.webhook && { webhook: { url: open.webhook.url, secret: open.webhook.secret } }),
      },
      updatedAt,
    };
  }
}
