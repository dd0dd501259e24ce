import { Match, type Template } from 'aws-cdk-lib/assertions';
import { AUDIT_SIGNING_KEY_ALIAS, DIRECTORY_TABLE_NAME, SITE_TABLE, SITE_KEY_ALIAS, siteTableName } from '../../config/tables.js';
import { expectCount, expectProperties, expectResource, synthMeetplane, templatesOf, type Templates } from './synth.js';

let templates: Templates;

beforeAll(() => {
  templates = templatesOf(synthMeetplane().stacks);
});

function tableNamed(template: Template, name: string) {
  const tables = template.findResources('AWS::DynamoDB::GlobalTable', { Properties: { TableName: name } });
  const [table] = Object.values(tables) as { Properties: { Replicas: { Region: string }[] }; DeletionPolicy?: string }[];
  if (!table) throw new Error(`no table named ${name}`);
  return table;
}

describe.each(['fra', 'ams'] as const)('the %s stateful stack', (site) => {
  it('encrypts the site table with its own customer-managed key, with PITR, deletion protection and TTL', () => {
    const template = templates[site].stateful;
    expectResource(template, 'AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        TableName: siteTableName(site),
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        TimeToLiveSpecification: { AttributeName: SITE_TABLE.ttlAttribute, Enabled: true },
        Replicas: [
          Match.objectLike({
            DeletionProtectionEnabled: true,
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            SSESpecification: { KMSMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('DataKey'), 'Arn'] } },
          }),
        ],
      }),
    });
  });

  it('builds the table from the shared definition in config/tables.ts', () => {
    expectProperties(templates[site].stateful, 'AWS::DynamoDB::GlobalTable', {
      TableName: siteTableName(site),
      KeySchema: [
        { AttributeName: SITE_TABLE.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: SITE_TABLE.sortKey?.name, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: SITE_TABLE.globalIndexes.map((index) => Match.objectLike({ IndexName: index.indexName })),
    });
  });

  it('rotates both symmetric keys and retains all three', () => {
    const template = templates[site].stateful;
    const keys = Object.values(template.findResources('AWS::KMS::Key')) as {
      Properties: { EnableKeyRotation?: boolean; KeySpec?: string };
      DeletionPolicy?: string;
    }[];
    expect(keys).toHaveLength(3);
    for (const key of keys) {
      // KMS rotates only symmetric keys; the signing key's heads name it, so it stays as it is.
      expect(key.Properties.EnableKeyRotation).toBe(key.Properties.KeySpec === undefined ? true : undefined);
      expect(key.DeletionPolicy).toBe('Retain');
    }
    expectProperties(template, 'AWS::KMS::Alias', { AliasName: SITE_KEY_ALIAS });
  });

  it("has an asymmetric P-256 key with an alias that only the site's roles may sign audit heads with", () => {
    const template = templates[site].stateful;
    const siteRoles = Match.objectLike({
      'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(`:role/meetplane/${site}/\\*$`)])],
    });
    expectResource(template, 'AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        KeySpec: 'ECC_NIST_P256',
        KeyUsage: 'SIGN_VERIFY',
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Sid: 'SiteRolesSignAuditHeads',
              Action: 'kms:Sign',
              Condition: {
                ArnLike: { 'aws:PrincipalArn': siteRoles },
                StringEquals: { 'kms:SigningAlgorithm': 'ECDSA_SHA_256', 'kms:MessageType': 'RAW' },
              },
            }),
            Match.objectLike({ Sid: 'SiteRolesReadPublicKey', Action: ['kms:GetPublicKey', 'kms:DescribeKey'] }),
          ]),
        },
      }),
    });
    expectProperties(template, 'AWS::KMS::Alias', {
      AliasName: AUDIT_SIGNING_KEY_ALIAS,
      TargetKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('AuditSigningKey'), 'Arn'] },
    });
  });

  it("limits the site key to the site's roles and to contexts naming a tenant (or the health probe's)", () => {
    const siteRoles = Match.objectLike({
      'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(`:role/meetplane/${site}/\\*$`)])],
    });
    expectProperties(templates[site].stateful, 'AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'SiteRolesWithTenantContext',
            Condition: Match.objectLike({
              ArnLike: { 'aws:PrincipalArn': siteRoles },
              Null: { 'kms:EncryptionContext:tenantId': 'false' },
            }),
          }),
          Match.objectLike({
            Sid: 'SiteRolesHealthProbe',
            Action: 'kms:Encrypt',
            Condition: Match.objectLike({
              StringEquals: { 'kms:EncryptionContext:purpose': 'health', 'kms:EncryptionContext:site': site },
            }),
          }),
        ]),
      },
    });
  });

  it('gives the account key administration but not key use', () => {
    const keys = templates[site].stateful.findResources('AWS::KMS::Key');
    for (const key of Object.values(keys) as {
      Properties: { KeyPolicy: { Statement: { Sid?: string; Action: string[] }[] } };
    }[]) {
      const admin = key.Properties.KeyPolicy.Statement.find((s) => s.Sid === 'AccountAdministersButCannotUse');
      expect(admin?.Action).not.toEqual(expect.arrayContaining(['kms:*']));
      expect(admin?.Action).not.toEqual(expect.arrayContaining(['kms:Decrypt']));
      expect(admin?.Action).not.toEqual(expect.arrayContaining(['kms:CreateGrant']));
    }
  });
});

describe('the directory', () => {
  it('is one global table, owned by fra, with replicas only in the two sites regions', () => {
    const directory = tableNamed(templates.fra.stateful, DIRECTORY_TABLE_NAME);
    expect(directory.Properties.Replicas.map((replica) => replica.Region).sort()).toEqual(['eu-central-1', 'eu-west-1']);
    expect(directory.DeletionPolicy).toBe('Retain');
    expectCount(templates.ams.stateful, 'AWS::DynamoDB::GlobalTable', 0, { TableName: DIRECTORY_TABLE_NAME });
  });

  it("encrypts the ams replica with the ams site's data key, named by alias", () => {
    expectProperties(templates.fra.stateful, 'AWS::DynamoDB::GlobalTable', {
      TableName: DIRECTORY_TABLE_NAME,
      Replicas: Match.arrayWith([
        Match.objectLike({
          Region: 'eu-west-1',
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: true,
          SSESpecification: {
            KMSMasterKeyId: { 'Fn::Join': ['', Match.arrayWith([':kms:eu-west-1:', ':alias/meetplane-data'])] },
          },
        }),
      ]),
    });
  });

  it('follows the operator’s choice of region for ams', () => {
    const { stacks } = synthMeetplane({ 'meetplane:amsRegion': 'eu-west-3' });
    expect(stacks.ams.stateful.region).toBe('eu-west-3');
    const directory = tableNamed(templatesOf(stacks).fra.stateful, DIRECTORY_TABLE_NAME);
    expect(directory.Properties.Replicas.map((replica) => replica.Region).sort()).toEqual(['eu-central-1', 'eu-west-3']);
  });
});
