import { Stack, Token } from 'aws-cdk-lib';
import { PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import type { SiteId } from '../../config/sites.js';
import { acknowledge } from '../nag.js';

/** Tags the control plane puts on every managed tenant key it creates (lambdas/keys/tenant-keys.ts). */
const SITE_TAG = 'meetplane:site';
const TENANT_TAG = 'meetplane:tenant';

/**
 * Tenant keys are created at run time, one per tenant, or brought by the
 * tenant from its own account; no ARN is known when the stack is built. The
 * grants are therefore scoped by region, by tag and by encryption context
 * rather than by key id.
 */
export function grantTenantKeys(role: Role, site: SiteId, access: 'use' | 'manage'): void {
  const stack = Stack.of(role);
  // Any account: a customer key lives in the tenant's own account, but always in the site's region.
  const anyKeyInRegion = `arn:${stack.partition}:kms:${stack.region}:*:key/*`;
  const ownKeys = `arn:${stack.partition}:kms:${stack.region}:${stack.account}:key/*`;
  // cdk-nag names findings by the rendered resource, with pseudo parameters in angle brackets.
  const nagAccount = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  const nagArn = (rest: string) => `arn:<AWS::Partition>:kms:${stack.region}:${rest}`;

  role.addToPrincipalPolicy(
    new PolicyStatement({
      sid: 'UseTenantKeysWithTenantContext',
      actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'],
      resources: [anyKeyInRegion],
      conditions: { Null: { 'kms:EncryptionContext:tenantId': 'false' } },
    }),
  );
  const findings = [
    {
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::${nagArn('*:key/*')}]`,
      reason:
        "Tenant keys are created per tenant at run time or live in the tenant's own account; use is limited to this region " +
        'and to encryption contexts that name a tenant.',
    },
  ];

  if (access === 'manage') {
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'CreateManagedTenantKeys',
        // CreateKey has no resource to scope to; the request must carry this site's tag.
        actions: ['kms:CreateKey'],
        resources: ['*'],
        conditions: {
          StringEquals: { [`aws:RequestTag/${SITE_TAG}`]: site },
          'ForAllValues:StringEquals': { 'aws:TagKeys': [SITE_TAG, TENANT_TAG] },
        },
      }),
    );
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'TagManagedTenantKeysAtCreation',
        actions: ['kms:TagResource'],
        resources: [ownKeys],
        conditions: { StringEquals: { [`aws:RequestTag/${SITE_TAG}`]: site } },
      }),
    );
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'LifecycleOfManagedTenantKeys',
        actions: ['kms:EnableKeyRotation', 'kms:DescribeKey', 'kms:ScheduleKeyDeletion', 'kms:CreateAlias', 'kms:DeleteAlias'],
        resources: [ownKeys],
        conditions: { StringEquals: { [`aws:ResourceTag/${SITE_TAG}`]: site } },
      }),
    );
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'AliasesOfManagedTenantKeys',
        actions: ['kms:CreateAlias', 'kms:DeleteAlias'],
        resources: [`arn:${stack.partition}:kms:${stack.region}:${stack.account}:alias/meetplane/tenant/*`],
      }),
    );
    findings.push(
      {
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason:
          "kms:CreateKey cannot be scoped to a resource; it is allowed only with this site's meetplane:site request tag. " +
          'Besides it, only the X-Ray actions of active tracing.',
      },
      {
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::${nagArn(`${nagAccount}:key/*`)}]`,
        reason: "Managed tenant keys are created at run time; every action on them requires this site's meetplane:site tag.",
      },
      {
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::${nagArn(`${nagAccount}:alias/meetplane/tenant/*`)}]`,
        reason: 'One alias per tenant key, created at onboarding; limited to the tenant alias prefix.',
      },
    );
  }
  acknowledge(role, ...findings);
}
