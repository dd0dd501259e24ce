import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AccountRootPrincipal, PolicyDocument, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { SiteId } from '../../config/sites.js';
import { AUDIT_SIGNING_KEY_ALIAS, SITE_KEY_ALIAS } from '../../config/tables.js';
import { DATA_KEY_ALIAS, siteRolePath } from '../naming.js';

/**
 * Administration without use. Deliberately no `kms:*` and no CreateGrant for
 * the account: an IAM policy alone can never let anyone encrypt or decrypt.
 */
const ADMIN_ACTIONS = [
  'kms:CreateAlias',
  'kms:DeleteAlias',
  'kms:UpdateAlias',
  'kms:DescribeKey',
  'kms:EnableKey',
  'kms:DisableKey',
  'kms:EnableKeyRotation',
  'kms:DisableKeyRotation',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListGrants',
  'kms:ListKeyPolicies',
  'kms:ListKeyRotations',
  'kms:ListResourceTags',
  'kms:PutKeyPolicy',
  'kms:RevokeGrant',
  'kms:RotateKeyOnDemand',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateKeyDescription',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
];

// In a key policy "*" means "this key"; it is the only value KMS accepts there.
const THIS_KEY = ['*'];

function administration(): PolicyStatement {
  return new PolicyStatement({
    sid: 'AccountAdministersButCannotUse',
    principals: [new AccountRootPrincipal()],
    actions: ADMIN_ACTIONS,
    resources: THIS_KEY,
  });
}

export interface SiteKeysProps {
  readonly site: SiteId;
}

/**
 * The three keys of a site:
 * - the site key (`alias/meetplane-site`), which the control plane uses itself
 *   and only with an encryption context that names a tenant (or the health
 *   probe's fixed context), and only from the site's own roles;
 * - the data key, which only DynamoDB may use, for the site's tables at rest;
 * - the audit signing key (`alias/meetplane-audit-signing`), asymmetric (ECC
 *   P-256), with which the site's roles sign the heads of tenants' audit logs;
 *   its public half is handed to tenant admins to verify them.
 */
/** Both symmetric site keys rotate yearly and outlive their stack: data encrypted under them must stay readable. */
const RETAINED_ROTATING_KEY = {
  enableKeyRotation: true,
  rotationPeriod: Duration.days(365),
  removalPolicy: RemovalPolicy.RETAIN,
  pendingWindow: Duration.days(30),
} as const;

export class SiteKeys extends Construct {
  readonly siteKey: Key;
  readonly dataKey: Key;
  readonly auditSigningKey: Key;

  constructor(scope: Construct, id: string, props: SiteKeysProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const siteRoles = `arn:${stack.partition}:iam::${stack.account}:role${siteRolePath(props.site)}*`;
    const root = new AccountRootPrincipal();

    this.siteKey = new Key(this, 'SiteKey', {
      description: `Meetplane ${props.site}: site key for tenant data (envelope encryption, media keys)`,
      ...RETAINED_ROTATING_KEY,
      policy: new PolicyDocument({
        statements: [
          administration(),
          new PolicyStatement({
            sid: 'SiteRolesWithTenantContext',
            principals: [root],
            actions: [
              'kms:Encrypt',
              'kms:Decrypt',
              'kms:GenerateDataKey',
              'kms:GenerateDataKeyWithoutPlaintext',
              'kms:ReEncryptFrom',
              'kms:ReEncryptTo',
            ],
            resources: THIS_KEY,
            conditions: {
              ArnLike: { 'aws:PrincipalArn': siteRoles },
              // Present and non-empty: every use is bound to one tenant's data.
              Null: { 'kms:EncryptionContext:tenantId': 'false' },
              'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': ['tenantId'] },
            },
          }),
          new PolicyStatement({
            sid: 'SiteRolesHealthProbe',
            principals: [root],
            actions: ['kms:Encrypt'],
            resources: THIS_KEY,
            conditions: {
              ArnLike: { 'aws:PrincipalArn': siteRoles },
              StringEquals: { 'kms:EncryptionContext:purpose': 'health', 'kms:EncryptionContext:site': props.site },
              'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['purpose', 'site'] },
            },
          }),
          new PolicyStatement({
            sid: 'SiteRolesDescribe',
            principals: [root],
            actions: ['kms:DescribeKey'],
            resources: THIS_KEY,
            conditions: { ArnLike: { 'aws:PrincipalArn': siteRoles } },
          }),
        ],
      }),
    });
    this.siteKey.addAlias(SITE_KEY_ALIAS);

    this.dataKey = new Key(this, 'DataKey', {
      description: `Meetplane ${props.site}: DynamoDB encryption at rest for the site's tables`,
      ...RETAINED_ROTATING_KEY,
      policy: new PolicyDocument({
        statements: [
          administration(),
          new PolicyStatement({
            sid: 'OnlyThroughDynamoDB',
            principals: [root],
            actions: [
              'kms:Encrypt',
              'kms:Decrypt',
              'kms:ReEncryptFrom',
              'kms:ReEncryptTo',
              'kms:GenerateDataKey',
              'kms:GenerateDataKeyWithoutPlaintext',
              'kms:DescribeKey',
              'kms:CreateGrant',
            ],
            resources: THIS_KEY,
            conditions: {
              StringEquals: { 'kms:ViaService': `dynamodb.${stack.region}.amazonaws.com`, 'kms:CallerAccount': stack.account },
            },
          }),
        ],
      }),
    });
    this.dataKey.addAlias(DATA_KEY_ALIAS);

    // KMS does not rotate asymmetric keys; signed heads name the key that signed them. Retained: old heads must stay verifiable.
    this.auditSigningKey = new Key(this, 'AuditSigningKey', {
      description: `Meetplane ${props.site}: signs the heads of tenants' audit logs (ECDSA P-256, SHA-256)`,
      keySpec: KeySpec.ECC_NIST_P256,
      keyUsage: KeyUsage.SIGN_VERIFY,
      removalPolicy: RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(30),
      policy: new PolicyDocument({
        statements: [
          administration(),
          new PolicyStatement({
            sid: 'SiteRolesSignAuditHeads',
            principals: [root],
            actions: ['kms:Sign'],
            resources: THIS_KEY,
            conditions: {
              ArnLike: { 'aws:PrincipalArn': siteRoles },
              StringEquals: { 'kms:SigningAlgorithm': 'ECDSA_SHA_256', 'kms:MessageType': 'RAW' },
            },
          }),
          new PolicyStatement({
            sid: 'SiteRolesReadPublicKey',
            principals: [root],
            actions: ['kms:GetPublicKey', 'kms:DescribeKey'],
            resources: THIS_KEY,
            conditions: { ArnLike: { 'aws:PrincipalArn': siteRoles } },
          }),
        ],
      }),
    });
    this.auditSigningKey.addAlias(AUDIT_SIGNING_KEY_ALIAS);
  }
}
