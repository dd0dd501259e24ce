import * as z from 'zod';
import { copyBytes, fromBase64Url, toBase64Url, transcript } from './encoding.js';
import { epochSchema, meetingIdSchema } from './envelope-schema.js';
import { E2eeError } from './errors.js';
import { assertEpoch } from './media-key.js';
import { MEDIA_KEY_BYTES } from './suite.js';
import { randomBytes, subtle, type WebCryptoKey } from './webcrypto.js';

// Text messages of an end-to-end meeting (chat, a host's broadcast to the
// breakouts), encrypted with the epoch's media key of the room's key scope.
// The media key itself never encrypts anything here: each (scope, epoch) gets
// an AES-256-GCM key derived from it with HKDF under a label of its own, so
// the frame keys LiveKit derives and the message keys cannot be confused.

const KEY_LABEL = 'meetplane/e2ee/message/v1/key';
const AAD_LABEL = 'meetplane/e2ee/message/v1/aad';
/** Longest text a sealed message may carry, in UTF-8 bytes (chat is capped far lower by the UI). */
export const MAX_MESSAGE_BYTES = 16 * 1024;

/** What travels instead of the text: the epoch whose key sealed it, a 96-bit IV and the ciphertext, base64url. */
export const sealedMessageSchema = z.strictObject({
  epoch: epochSchema,
  iv: z.string().regex(/^[A-Za-z0-9_-]{16}$/, 'must be a 12-byte IV as unpadded base64url'),
  ct: z.string().regex(/^[A-Za-z0-9_-]{22,22000}$/, 'must be an AES-GCM ciphertext as unpadded base64url'),
});
export type SealedMessage = z.infer<typeof sealedMessageSchema>;

/** The message key of one scope (a meeting id, or `<meetingId>-<breakoutId>` for a breakout) at one epoch. */
export async function messageKey(mediaKey: Uint8Array, scope: string, epoch: number): Promise<WebCryptoKey> {
  if (mediaKey.length !== MEDIA_KEY_BYTES) throw new RangeError('a media key is 32 bytes');
  if (!meetingIdSchema.safeParse(scope).success) throw new RangeError('invalid key scope');
  assertEpoch(epoch);
  const base = await subtle().importKey('raw', copyBytes(mediaKey), 'HKDF', false, ['deriveKey']);
  return subtle().deriveKey(
    {
      name: 'HKDF',
      hash: 'SHA-256',
      salt: new Uint8Array(new ArrayBuffer(32)),
      info: copyBytes(transcript(KEY_LABEL, scope, epoch)),
    },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

const aad = (scope: string, epoch: number) => copyBytes(transcript(AAD_LABEL, scope, epoch));

/** Encrypts a text with the scope's key of an epoch. */
export async function sealMessage(p: {
  scope: string;
  epoch: number;
  mediaKey: Uint8Array;
  text: string;
}): Promise<SealedMessage> {
  const plaintext = new TextEncoder().encode(p.text);
  if (plaintext.length > MAX_MESSAGE_BYTES) throw new RangeError(`a message is at most ${MAX_MESSAGE_BYTES} bytes`);
  const key = await messageKey(p.mediaKey, p.scope, p.epoch);
  const iv = randomBytes(12);
  const ct = new Uint8Array(
    await subtle().encrypt({ name: 'AES-GCM', iv, additionalData: aad(p.scope, p.epoch) }, key, copyBytes(plaintext)),
  );
  return { epoch: p.epoch, iv: toBase64Url(iv), ct: toBase64Url(ct) };
}

/**
 * Decrypts a sealed message of a scope. `keyOf` gives the media key this
 * client holds for an epoch (it keeps a few recent ones, so that a message
 * sent just before a rekey still opens). Throws `E2eeError`: 'malformed',
 * 'mismatch' (no key of that epoch here) or 'open-failed' (another key, or
 * altered bytes).
 */
export async function openMessage(
  input: unknown,
  p: { scope: string; keyOf: (epoch: number) => Uint8Array | undefined },
): Promise<string> {
  const parsed = sealedMessageSchema.safeParse(input);
  if (!parsed.success) throw new E2eeError('malformed', 'sealed message does not match its schema');
  const { epoch, iv, ct } = parsed.data;
  const mediaKey = p.keyOf(epoch);
  if (!mediaKey) throw new E2eeError('mismatch', 'no key of that epoch on this device');
  const key = await messageKey(mediaKey, p.scope, epoch);
  try {
    const plaintext = await subtle().decrypt(
      { name: 'AES-GCM', iv: copyBytes(fromBase64Url(iv)), additionalData: aad(p.scope, epoch) },
      key,
      copyBytes(fromBase64Url(ct)),
    );
    return new TextDecoder('utf-8', { fatal: true }).decode(plaintext);
  } catch (cause) {
    throw new E2eeError('open-failed', 'message cannot be opened with this key', { cause });
  }
}
