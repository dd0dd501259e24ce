import { DecryptCommand, GenerateDataKeyWithoutPlaintextCommand, type KMSClient } from '@aws-sdk/client-kms';
import { callKms } from './kms-calls.js';
import { createHmac } from 'node:crypto';
import { normaliseAddress } from '../domain/address.js';
import type { SubjectRefs } from '../domain/data-subject.js';
import { BoundedCache } from '../bounded-cache.js';

/**
 * Per-tenant pseudonyms: keyed hashes (HMAC-SHA-256) of identifiers such as a
 * user's IdP subject or e-mail address, under a 256-bit key that KMS made
 * under the tenant's key. Only the wrapped key is stored (in the tenant
 * profile); it is unwrapped once per container and tenant. Without the
 * tenant's KMS key, a pseudonym cannot be tied back to the person, and the
 * same person has unrelated pseudonyms in different tenants.
 */
export type PseudonymKind = 'user' | 'email' | `participant:${string}` | 'guest' | `guest-participant:${string}`;

export interface Pseudonymizer {
  of(kind: PseudonymKind, value: string): string;
}

/** A person as the tenant's records know them: their user, their address, and their participant id per meeting. */
export function personPseudonyms(pseudonyms: Pseudonymizer, subject: string, email?: string): SubjectRefs {
  return {
    userRef: pseudonyms.of('user', subject),
    ...(email !== undefined && { emailRef: pseudonyms.of('email', normaliseAddress(email)) }),
    participantIdIn: (meetingId) => `p_${pseudonyms.of(`participant:${meetingId}`, subject)}`,
  };
}

/**
 * A guest (lambdas/domain/guests.ts) in the tenant's pseudonyms: kinds of
 * their own, so that no IdP subject can ever hash to a guest's pseudonym.
 * A guest exists for one meeting; they have a participant id there only.
 */
export function guestPseudonyms(pseudonyms: Pseudonymizer, guestId: string, meetingId: string): SubjectRefs {
  return {
    userRef: pseudonyms.of('guest', guestId),
    participantIdIn: (id) => {
      if (id !== meetingId) throw new Error('a guest has a participant id in their own meeting only');
      return `p_${pseudonyms.of(`guest-participant:${meetingId}`, guestId)}`;
    },
  };
}

export interface PseudonymKeys {
  /** A new wrapped pseudonym key for a tenant (base64). */
  create(tenantId: string, keyArn: string): Promise<string>;
  forTenant(tenant: { id: string; key: { keyArn: string }; pseudonymKey: string }): Promise<Pseudonymizer>;
  /**
   * A 256-bit key for one purpose, derived from the tenant's pseudonym key
   * (HMAC-SHA-256 under a label no pseudonym kind uses): it needs no secret of
   * its own, is unrelated between tenants, and is shredded with the tenant's key.
   */
  derivedKey(tenant: { id: string; key: { keyArn: string }; pseudonymKey: string }, purpose: 'guest-token'): Promise<Uint8Array>;
}

const MAX_CACHED_TENANTS = 1000;

export function kmsPseudonymKeys(kms: KMSClient, siteId: string): PseudonymKeys {
  const cache = new BoundedCache<string, Buffer>({ maxEntries: MAX_CACHED_TENANTS });
  const context = (tenantId: string) => ({ tenantId, site: siteId, purpose: 'pseudonyms' });
  return {
    async create(tenantId, keyArn) {
      const { CiphertextBlob } = await callKms(() =>
        kms.send(
          new GenerateDataKeyWithoutPlaintextCommand({
            KeyId: keyArn,
            KeySpec: 'AES_256',
            EncryptionContext: context(tenantId),
          }),
        ),
      );
      return Buffer.from(CiphertextBlob!).toString('base64');
    },
    async forTenant(tenant) {
      const secret = await unwrapped(tenant);
      return {
        of: (kind, value) => createHmac('sha256', secret).update(`${kind}\n${value}`).digest('base64url').slice(0, 32),
      };
    },
    async derivedKey(tenant, purpose) {
      return new Uint8Array(
        createHmac('sha256', await unwrapped(tenant))
          .update(`derived-key\n${purpose}`)
          .digest(),
      );
    },
  };

  /** The tenant's pseudonym key, unwrapped by KMS once per container and tenant. */
  async function unwrapped(tenant: { id: string; key: { keyArn: string }; pseudonymKey: string }): Promise<Buffer> {
    const cacheKey = `${tenant.id}:${tenant.pseudonymKey}`;
    let key = cache.get(cacheKey);
    if (!key) {
      const { Plaintext } = await callKms(() =>
        kms.send(
          new DecryptCommand({
            KeyId: tenant.key.keyArn,
            CiphertextBlob: Buffer.from(tenant.pseudonymKey, 'base64'),
            EncryptionContext: context(tenant.id),
          }),
        ),
      );
      key = Buffer.from(Plaintext!);
      cache.set(cacheKey, key);
    }
    return key;
  }
}
