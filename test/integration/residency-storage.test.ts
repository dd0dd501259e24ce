import {
  CreateTableCommand,
  DeleteTableCommand,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DecryptCommand, EncryptCommand } from '@aws-sdk/client-kms';
import { randomUUID } from 'node:crypto';
import { DIRECTORY_TABLE_NAME, siteTableName } from '../../config/tables.js';
import { dynamodbOf, kmsOf } from '../support/stack.js';

describe('each site has its own storage, as in AWS', () => {
  it('an item written through the fra region cannot be read through the ams region', async () => {
    const fra = dynamodbOf('fra');
    const ams = dynamodbOf('ams');
    const key = { pk: { S: `residency-probe#${randomUUID()}` }, sk: { S: 'item' } };
    await fra.send(new PutItemCommand({ TableName: siteTableName('fra'), Item: { ...key, note: { S: 'written at fra' } } }));

    expect((await fra.send(new GetItemCommand({ TableName: siteTableName('fra'), Key: key }))).Item?.note?.S).toBe(
      'written at fra',
    );
    // ams has no fra table at all, and its own table does not hold the item.
    await expect(ams.send(new GetItemCommand({ TableName: siteTableName('fra'), Key: key }))).rejects.toThrow(
      /non-existent table/i,
    );
    expect((await ams.send(new GetItemCommand({ TableName: siteTableName('ams'), Key: key }))).Item).toBeUndefined();
  });

  it("lists only the site's own tables and its copy of the directory in each region", async () => {
    const tables = async (site: 'fra' | 'ams') => (await dynamodbOf(site).send(new ListTablesCommand({}))).TableNames ?? [];
    expect(await tables('fra')).toEqual(expect.arrayContaining([siteTableName('fra'), DIRECTORY_TABLE_NAME]));
    expect(await tables('fra')).not.toContain(siteTableName('ams'));
    expect(await tables('ams')).toEqual(expect.arrayContaining([siteTableName('ams'), DIRECTORY_TABLE_NAME]));
    expect(await tables('ams')).not.toContain(siteTableName('fra'));
  });

  it('a table created in one region does not appear in the other', async () => {
    const name = `probe-${randomUUID().slice(0, 8)}`;
    const fra = dynamodbOf('fra');
    await fra.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      }),
    );
    try {
      expect((await dynamodbOf('ams').send(new ListTablesCommand({}))).TableNames).not.toContain(name);
    } finally {
      await fra.send(new DeleteTableCommand({ TableName: name }));
    }
  });

  it("each site's KMS is its own: a ciphertext from fra's site key cannot be decrypted by ams", async () => {
    const context = { purpose: 'residency-probe', site: 'fra' };
    const { CiphertextBlob } = await kmsOf('fra').send(
      new EncryptCommand({ KeyId: 'alias/meetplane-site', Plaintext: Buffer.from('probe'), EncryptionContext: context }),
    );
    const back = await kmsOf('fra').send(new DecryptCommand({ CiphertextBlob, EncryptionContext: context }));
    expect(Buffer.from(back.Plaintext!).toString()).toBe('probe');
    await expect(kmsOf('ams').send(new DecryptCommand({ CiphertextBlob, EncryptionContext: context }))).rejects.toThrow();
    await expect(
      kmsOf('fra').send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { ...context, site: 'ams' } })),
    ).rejects.toThrow();
  });
});
