import { copyBytes, fromBase64Url, transcript } from './encoding.js';
import { meetingIdSchema } from './envelope-schema.js';
import { assertEpoch } from './media-key.js';
import { MEDIA_KEY_BYTES } from './suite.js';
import { subtle } from './webcrypto.js';

const LABEL = 'meetplane/e2ee/security-code/v1';
export const SECURITY_CODE_GROUPS = 6;
const DIGITS_PER_GROUP = 5;

export interface SecurityCodeInput {
  meetingId: string;
  epoch: number;
  mediaKey: Uint8Array;
  /**
   * The signing key (base64url, from its registration) of the device that
   * sealed this epoch's key: the host's. Needed because a digest of the key
   * alone cannot reveal a server that sits in the middle and re-seals the
   * same key to everyone; with the key holder's signing key inside, such a
   * server has to show participants a signing key of its own, and their codes
   * then differ from the one the host reads out.
   */
  senderSigningPublicKey: string;
}

/**
 * The meeting security code participants compare out of band (read aloud by
 * the host): 6 groups of 5 decimal digits, about 100 bits, from SHA-256 over a
 * length-prefixed, domain-separated transcript. The key cannot be recovered
 * from it. Equal inputs give equal codes; any change gives a different code.
 * It changes with every epoch, so clients show the code of the current epoch.
 */
export async function meetingSecurityCode(input: SecurityCodeInput): Promise<string> {
  if (!meetingIdSchema.safeParse(input.meetingId).success) throw new RangeError('invalid meeting id');
  assertEpoch(input.epoch);
  if (input.mediaKey.length !== MEDIA_KEY_BYTES) throw new RangeError('a media key is 32 bytes');
  const signingKey = fromBase64Url(input.senderSigningPublicKey);
  if (signingKey.length !== 32) throw new RangeError('an Ed25519 public key is 32 bytes');
  const digest = new Uint8Array(
    await subtle().digest('SHA-256', copyBytes(transcript(LABEL, input.meetingId, input.epoch, signingKey, input.mediaKey))),
  );
  return renderDigits(digest);
}

/**
 * Each group takes 5 digest bytes (40 bits) modulo 100000, as Signal's safety
 * numbers do; the modulo bias (under 1e-7) is negligible for comparison.
 */
export function renderDigits(digest: Uint8Array): string {
  if (digest.length < SECURITY_CODE_GROUPS * 5) throw new RangeError('digest too short for a security code');
  const groups: string[] = [];
  for (let g = 0; g < SECURITY_CODE_GROUPS; g++) {
    let n = 0;
    for (let i = 0; i < 5; i++) n = n * 256 + digest[g * 5 + i]!;
    groups.push(String(n % 10 ** DIGITS_PER_GROUP).padStart(DIGITS_PER_GROUP, '0'));
  }
  return groups.join(' ');
}
