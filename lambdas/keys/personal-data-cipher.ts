import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { regionOfArn } from '../../config/regions.js';
import { unavailable } from '../domain/errors.js';
import { callKms } from './kms-calls.js';
import { DataKeyCache, type CachedDataKey } from './data-key-cache.js';
import { canonicalContext, open, readEnvelope, seal, SealedDataError, type EncryptionContext } from './sealed-envelope.js';

export { SealedDataError } from './sealed-envelope.js';

/**
 * Envelope encryption of personal fields under the tenant's own KMS key.
 *
 * Every repository stores a record's personal fields (titles, descriptions,
 * invitee addresses, display names, report texts, security contacts) as one
 * sealed blob made here, never as plaintext attributes. The blob
 * (sealed-envelope.ts) carries a data key KMS generated under the tenant's key
 * with the encryption context {tenantId, site, purpose}; opening it checks that
 * context, and KMS checks it again when it unwraps the key, so a blob moved to
 * another tenant's or another purpose's record does not open.
 *
 * Data keys are cached per tenant key and context for a few minutes and a
 * bounded number of messages, so busy tenants do not pay a KMS call per write
 * or per read.
 *
 * (An earlier design used the AWS Encryption SDK's message format. Its
 * streaming machinery and big-number library were a third of every bundle
 * that reads sealed data, for one fixed suite; the format here is that suite's
 * essentials — a KMS-wrapped data key, a per-message derived and committed
 * AES-256-GCM key, the header as additional data — on node:crypto alone.)
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

const CACHE_MAX_AGE_MS = 5 * 60 * 1000;
const CACHE_MAX_MESSAGES = 1000;
const CACHE_MAX_ENTRIES = 500;

const refusedTheKey = (error: Error): never => {
  throw new SealedDataError(`KMS refused the tenant key (${error.name})`);
};

export function kmsPersonalDataCipher(kms: KMSClient, siteId: string, siteRegion: string): PersonalDataCipher {
  const limits = { maxAgeMs: CACHE_MAX_AGE_MS, maxEntries: CACHE_MAX_ENTRIES };
  const sealingKeys = new DataKeyCache({ ...limits, maxUses: CACHE_MAX_MESSAGES });
  // Opening does not wear a key out: only the age limit applies.
  const openingKeys = new DataKeyCache({ ...limits, maxUses: Number.POSITIVE_INFINITY });

  const checkRegion = (key: SealingKey) => {
    // The tenant's key lives in its home site's region; a key anywhere else is never used.
    if (regionOfArn(key.keyArn) !== siteRegion) throw new SealedDataError(`tenant key is not in this site's region`);
  };
  const contextOf = (key: SealingKey, purpose: PersonalDataPurpose): EncryptionContext => ({
    tenantId: key.tenantId,
    site: siteId,
    purpose,
  });

  const newDataKey = async (keyArn: string, context: EncryptionContext): Promise<CachedDataKey> => {
    const made = await callKms(
      () => kms.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: 'AES_256', EncryptionContext: { ...context } })),
      refusedTheKey,
    );
    if (made.Plaintext?.length !== 32 || !made.CiphertextBlob) throw unavailable('the key service returned no data key');
    return { plaintext: made.Plaintext, wrappedKey: made.CiphertextBlob };
  };
  const unwrap = async (keyArn: string, context: EncryptionContext, wrappedKey: Uint8Array): Promise<CachedDataKey> => {
    const unwrapped = await callKms(
      () => kms.send(new DecryptCommand({ KeyId: keyArn, CiphertextBlob: wrappedKey, EncryptionContext: { ...context } })),
      refusedTheKey,
    );
    if (unwrapped.Plaintext?.length !== 32) throw new SealedDataError('KMS returned no data key');
    return { plaintext: unwrapped.Plaintext, wrappedKey };
  };

  return {
    async seal(key, purpose, data) {
      checkRegion(key);
      const context = contextOf(key, purpose);
      const dataKey = await sealingKeys.get(`${key.keyArn}\n${canonicalContext(context)}`, () => newDataKey(key.keyArn, context));
      try {
        const header = { keyArn: key.keyArn, context, wrappedKey: dataKey.wrappedKey };
        return seal(dataKey.plaintext, header, Buffer.from(JSON.stringify(data), 'utf8'));
      } finally {
        dataKey.plaintext.fill(0);
      }
    },
    async open<T>(key: SealingKey, purpose: PersonalDataPurpose, sealed: Uint8Array): Promise<T> {
      checkRegion(key);
      const envelope = readEnvelope(sealed);
      const { header } = envelope;
      const expected = contextOf(key, purpose);
      const expectedText = canonicalContext(expected);
      if (canonicalContext(header.context) !== expectedText) {
        const field = Object.keys(expected).find((name) => header.context[name] !== expected[name]);
        throw new SealedDataError(
          field ? `sealed data belongs to another ${field}` : 'sealed data carries an unexpected encryption context',
        );
      }
      if (header.keyArn !== key.keyArn) throw new SealedDataError('sealed data was sealed under another key');
      const id = `${key.keyArn}\n${expectedText}\n${Buffer.from(header.wrappedKey).toString('base64')}`;
      const dataKey = await openingKeys.get(id, () => unwrap(key.keyArn, expected, header.wrappedKey));
      try {
        return JSON.parse(Buffer.from(open(dataKey.plaintext, envelope)).toString('utf8')) as T;
      } finally {
        dataKey.plaintext.fill(0);
      }
    },
  };
}
