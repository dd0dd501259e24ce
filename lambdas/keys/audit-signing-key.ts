import { GetPublicKeyCommand, SignCommand, type KMSClient } from '@aws-sdk/client-kms';
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { HEAD_ALGORITHM, headStatement, type SignedHead } from '../domain/audit-heads.js';
import { callKms } from './kms-calls.js';

/** The site's audit signing key's public half, as tenant admins and verifiers get it. */
export interface AuditPublicKey {
  /** The key's ARN, as signed heads name it. */
  readonly keyId: string;
  readonly algorithm: typeof HEAD_ALGORITHM;
  /** SubjectPublicKeyInfo, PEM. */
  readonly publicKeyPem: string;
}

export interface AuditSigningKey {
  /** Signs a head's statement (UTF-8) with the key: a DER-encoded ECDSA signature, base64, and the key's ARN. */
  sign(statement: string): Promise<{ signature: string; keyId: string }>;
  publicKey(): Promise<AuditPublicKey>;
  /** A checker of heads' signatures with the public key (fetched once), for verifying a whole log without KMS calls. */
  verifier(): Promise<(head: SignedHead) => boolean>;
}

/** How long the public key is remembered: an alias pointed at a new key is picked up within this. */
const PUBLIC_KEY_TTL_MS = 3600_000;

/**
 * The site's asymmetric KMS key (ECC_NIST_P256, SIGN_VERIFY) that signs audit
 * heads. The private half never leaves KMS; the public half is fetched with
 * GetPublicKey, cached, and used to check signatures locally. Calls go through
 * callKms, so an unreachable KMS is a 503.
 */
export function kmsAuditSigningKey(kms: KMSClient, keyId: string): AuditSigningKey {
  let cached: { value: AuditPublicKey; key: KeyObject; until: number } | undefined;

  async function fetchPublicKey() {
    if (cached && cached.until > Date.now()) return cached;
    const answer = await callKms(() => kms.send(new GetPublicKeyCommand({ KeyId: keyId })));
    if (!answer.PublicKey || !answer.KeyId || !answer.SigningAlgorithms?.includes(HEAD_ALGORITHM))
      throw new Error('the audit signing key is not an ECDSA signing key');
    const key = createPublicKey({ key: Buffer.from(answer.PublicKey), format: 'der', type: 'spki' });
    const value: AuditPublicKey = {
      keyId: answer.KeyId,
      algorithm: HEAD_ALGORITHM,
      publicKeyPem: key.export({ type: 'spki', format: 'pem' }).toString(),
    };
    cached = { value, key, until: Date.now() + PUBLIC_KEY_TTL_MS };
    return cached;
  }

  return {
    async sign(statement) {
      const answer = await callKms(() =>
        kms.send(
          new SignCommand({
            KeyId: keyId,
            Message: Buffer.from(statement, 'utf8'),
            MessageType: 'RAW',
            SigningAlgorithm: HEAD_ALGORITHM,
          }),
        ),
      );
      if (!answer.Signature || !answer.KeyId) throw new Error('KMS returned no signature');
      return { signature: Buffer.from(answer.Signature).toString('base64'), keyId: answer.KeyId };
    },
    async publicKey() {
      return (await fetchPublicKey()).value;
    },
    async verifier() {
      const { value, key } = await fetchPublicKey();
      return (head) => head.keyId === value.keyId && verifyHeadSignature(head, key);
    },
  };
}

/** Whether a head's signature verifies with `publicKey` (node:crypto only, as any verifier can do it). */
export function verifyHeadSignature(head: SignedHead, publicKey: KeyObject | string): boolean {
  try {
    return verify('sha256', Buffer.from(headStatement(head), 'utf8'), publicKey, Buffer.from(head.signature, 'base64'));
  } catch {
    // A signature that is not DER at all is simply not valid.
    return false;
  }
}
