import {
  CreateAliasCommand,
  CreateKeyCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  EnableKeyRotationCommand,
  GenerateDataKeyCommand,
  GetKeyRotationStatusCommand,
  ScheduleKeyDeletionCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { callKms } from './kms-calls.js';
import { DomainError, invalid } from '../domain/errors.js';

/** The tenant key operations a site needs: create a managed key, prove a customer key, shred a managed key. */
export interface TenantKeys {
  createManagedKey(tenantId: string): Promise<string>;
  verifyCustomerKey(keyArn: string, tenantId: string): Promise<void>;
  /** Schedules the key's deletion (crypto-shredding). Returns the deletion date. */
  scheduleDeletion(keyArn: string, tenantId: string): Promise<string | undefined>;
  /** Whether KMS rotates a managed key automatically. */
  rotationEnabled(keyArn: string): Promise<boolean>;
}

export function tenantKeyAlias(tenantId: string): string {
  return `alias/meetplane/tenant/${tenantId}`;
}

/** Seven days is the shortest waiting period KMS allows before a scheduled key is destroyed. */
export const KEY_DELETION_WAITING_DAYS = 7;

export function kmsTenantKeys(kms: KMSClient, siteId: string): TenantKeys {
  return {
    async createManagedKey(tenantId) {
      const created = await callKms(() =>
        kms.send(
          new CreateKeyCommand({
            Description: `Meetplane tenant ${tenantId} (site ${siteId})`,
            KeySpec: 'SYMMETRIC_DEFAULT',
            KeyUsage: 'ENCRYPT_DECRYPT',
            Tags: [
              { TagKey: 'meetplane:tenant', TagValue: tenantId },
              { TagKey: 'meetplane:site', TagValue: siteId },
            ],
          }),
        ),
      );
      const keyId = created.KeyMetadata?.KeyId;
      const arn = created.KeyMetadata?.Arn;
      if (!keyId || !arn) throw new DomainError('unavailable', 'KMS did not return the new key');
      await callKms(() => kms.send(new EnableKeyRotationCommand({ KeyId: keyId })));
      await callKms(() => kms.send(new CreateAliasCommand({ AliasName: tenantKeyAlias(tenantId), TargetKeyId: keyId })));
      return arn;
    },

    async verifyCustomerKey(keyArn, tenantId) {
      await callKms(
        () =>
          kms.send(
            new GenerateDataKeyCommand({
              KeyId: keyArn,
              KeySpec: 'AES_256',
              EncryptionContext: { tenantId, site: siteId, purpose: 'key-check' },
            }),
          ),
        (error) => {
          throw invalid(
            'key.keyArn',
            `KMS refused to generate a data key under this key with the tenant's encryption context (${error.name})`,
          );
        },
      );
    },

    async rotationEnabled(keyArn) {
      const status = await callKms(() => kms.send(new GetKeyRotationStatusCommand({ KeyId: keyArn })));
      return status.KeyRotationEnabled === true;
    },

    async scheduleDeletion(keyArn, tenantId) {
      await callKms(() => kms.send(new DeleteAliasCommand({ AliasName: tenantKeyAlias(tenantId) }))).catch((error: Error) => {
        if (error.name !== 'NotFoundException') throw error;
      });
      try {
        const result = await callKms(() =>
          kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyArn, PendingWindowInDays: KEY_DELETION_WAITING_DAYS })),
        );
        return result.DeletionDate?.toISOString();
      } catch (error) {
        // Already scheduled by an earlier, interrupted offboarding: that is the state we want.
        if ((error as Error).name === 'KMSInvalidStateException') {
          const described = await callKms(() => kms.send(new DescribeKeyCommand({ KeyId: keyArn })));
          return described.KeyMetadata?.DeletionDate?.toISOString();
        }
        throw error;
      }
    },
  };
}
