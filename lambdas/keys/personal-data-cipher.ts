/*
 * The Encryption SDK's own packages rather than @aws-crypto/client-node: that
 * package is a CommonJS re-export of all of them (raw keyrings, the
 * hierarchical keyring with its DynamoDB client...), which a bundler cannot
 * tree-shake; these are ES modules. buildClient() is buildEncrypt() and
 * buildDecrypt() together, so the behaviour is the same.
 */
import { getLocalCryptographicMaterialsCache, NodeCachingMaterialsManager } from '@aws-crypto/caching-materials-manager-node';
import { buildDecrypt } from '@aws-crypto/decrypt-node';
import { buildEncrypt } from '@aws-crypto/encrypt-node';
import { KmsKeyringNode } from '@aws-crypto/kms-keyring-node';
import { AlgorithmSuiteIdentifier, CommitmentPolicy, type NodeAlgorithmSuite } from '@aws-crypto/material-management-node';
import type { KMS } from '@aws-sdk/client-kms';
import { regionOfArn } from '../../config/regions.js';

/**
 * Envelope encryption of personal fields under the tenant's own KMS key.
 *
 * Every repository stores a record's personal fields (titles, descriptions,
 * invitee addresses, display names, report texts, security contacts) as one
 * sealed blob made here, never as plaintext attributes. The blob is an AWS
 * Encryption SDK message whose data key KMS generated under the tenant's key
 * with the encryption context {tenantId, site, purpose}; opening it checks
 * that context, so a blob moved to another tenant's or another purpose's
 * record does not open.
 *
 * Data keys are cached (caching materials manager, per tenant) for a few
 * minutes and a bounded number of messages, so busy tenants do not pay a KMS
 * call per write.
 */
export type PersonalDataPurpose = 'tenant-profile' | 'meeting' | 'participant' | 'report' | 'user';

export interface SealingKey {
  readonly tenantId: string;
  readonly keyArn: string;
}

export interface PersonalDataCipher {
  seal(key: SealingKey, purpose: PersonalDataPurpose, data: unknown): Promise<Uint8Array>;
  open<T>(key: SealingKey, purpose: PersonalDataPurpose, sealed: Uint8Array): Promise<T>;
}

export class SealedDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealedDataError';
  }
}

/** Committing AES-256-GCM without a per-message signature: writer and reader are the same trust boundary. */
const SUITE = AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY;
const CACHE_MAX_AGE_MS = 5 * 60 * 1000;
const CACHE_MAX_MESSAGES = 1000;

export function kmsPersonalDataCipher(kms: KMS, siteId: string, siteRegion: string): PersonalDataCipher {
  const { encrypt } = buildEncrypt(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  const { decrypt } = buildDecrypt(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  const cache = getLocalCryptographicMaterialsCache<NodeAlgorithmSuite>(500);
  const managers = new Map<string, NodeCachingMaterialsManager>();

  const managerFor = (key: SealingKey): NodeCachingMaterialsManager => {
    const region = regionOfArn(key.keyArn);
    // The tenant's key lives in its home site's region; a key anywhere else is never used.
    if (region !== siteRegion) throw new SealedDataError(`tenant key is not in this site's region`);
    let manager = managers.get(key.keyArn);
    if (!manager) {
      const keyring = new KmsKeyringNode({
        generatorKeyId: key.keyArn,
        clientProvider: (requested: string) => (requested === siteRegion ? kms : false),
      });
      manager = new NodeCachingMaterialsManager({
        backingMaterials: keyring,
        cache,
        partition: `${key.tenantId}:${key.keyArn}`,
        maxAge: CACHE_MAX_AGE_MS,
        maxMessagesEncrypted: CACHE_MAX_MESSAGES,
      });
      managers.set(key.keyArn, manager);
    }
    return manager;
  };

  const contextOf = (key: SealingKey, purpose: PersonalDataPurpose) => ({ tenantId: key.tenantId, site: siteId, purpose });

  return {
    async seal(key, purpose, data) {
      const plaintext = Buffer.from(JSON.stringify(data), 'utf8');
      const { result } = await encrypt(managerFor(key), plaintext, {
        encryptionContext: contextOf(key, purpose),
        suiteId: SUITE,
        plaintextLength: plaintext.length,
      });
      return new Uint8Array(result);
    },
    async open<T>(key: SealingKey, purpose: PersonalDataPurpose, sealed: Uint8Array): Promise<T> {
      const { plaintext, messageHeader } = await decrypt(managerFor(key), Buffer.from(sealed));
      const expected = contextOf(key, purpose);
      const actual = messageHeader.encryptionContext;
      for (const [name, value] of Object.entries(expected)) {
        if (actual[name] !== value) throw new SealedDataError(`sealed data belongs to another ${name}`);
      }
      return JSON.parse(plaintext.toString('utf8')) as T;
    },
  };
}
