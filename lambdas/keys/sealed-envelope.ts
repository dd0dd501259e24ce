import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The stored form of sealed personal data: one self-describing envelope per
 * record, opened with the data key KMS wrapped in it.
 *
 *   "MPS" 0x01                      magic and format version
 *   u16 + key ARN                   the KMS key that wrapped the data key
 *   u16 + encryption context        canonical JSON, also given to KMS
 *   u16 + wrapped data key          KMS CiphertextBlob
 *   32 bytes salt                   fresh per message
 *   32 bytes key commitment
 *   12 bytes IV
 *   ciphertext, 16-byte GCM tag
 *
 * Each message gets its own AES-256 key, HKDF-SHA512 of the data key with the
 * message's salt, so a data key reused for many messages (the cache in
 * personal-data-cipher.ts) never repeats a key and IV pair. The same HKDF
 * output carries a commitment to that key, checked before decrypting: a
 * blob cannot be made to open to two different plaintexts under two keys.
 * Everything before the ciphertext is the GCM additional data, so the key
 * ARN, the context and the wrapped key cannot be swapped between records.
 */
const MAGIC = Buffer.from([0x4d, 0x50, 0x53, 0x01]);
const SALT_BYTES = 32;
const COMMITMENT_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const DATA_KEY_BYTES = 32;
const HKDF_INFO = Buffer.from('meetplane sealed personal data v1', 'utf8');

export type EncryptionContext = Readonly<Record<string, string>>;

export interface EnvelopeHeader {
  readonly keyArn: string;
  readonly context: EncryptionContext;
  readonly wrappedKey: Uint8Array;
}

export class SealedDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealedDataError';
  }
}

/** The one byte form of a context: keys sorted, so the same context always reads the same. */
export function canonicalContext(context: EncryptionContext): string {
  return JSON.stringify(Object.fromEntries(Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

function messageKeys(dataKey: Uint8Array, salt: Uint8Array): { key: Buffer; commitment: Buffer } {
  if (dataKey.length !== DATA_KEY_BYTES) throw new SealedDataError('a data key must be 32 bytes');
  const derived = Buffer.from(hkdfSync('sha512', dataKey, salt, HKDF_INFO, DATA_KEY_BYTES + COMMITMENT_BYTES));
  return { key: derived.subarray(0, DATA_KEY_BYTES), commitment: derived.subarray(DATA_KEY_BYTES) };
}

function lengthPrefixed(bytes: Uint8Array): Buffer {
  if (bytes.length > 0xffff) throw new SealedDataError('an envelope field is longer than 65535 bytes');
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(bytes.length);
  return Buffer.concat([prefix, bytes]);
}

export function seal(dataKey: Uint8Array, header: EnvelopeHeader, plaintext: Uint8Array): Uint8Array {
  const salt = randomBytes(SALT_BYTES);
  const iv = randomBytes(IV_BYTES);
  const { key, commitment } = messageKeys(dataKey, salt);
  const aad = Buffer.concat([
    MAGIC,
    lengthPrefixed(Buffer.from(header.keyArn, 'utf8')),
    lengthPrefixed(Buffer.from(canonicalContext(header.context), 'utf8')),
    lengthPrefixed(header.wrappedKey),
    salt,
    commitment,
    iv,
  ]);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  key.fill(0);
  return new Uint8Array(Buffer.concat([aad, body]));
}

/** An envelope read once: its header, and the parts `open` needs. */
export interface ParsedEnvelope {
  readonly header: EnvelopeHeader;
  readonly aad: Buffer;
  readonly salt: Buffer;
  readonly commitment: Buffer;
  readonly iv: Buffer;
  readonly ciphertext: Buffer;
  readonly tag: Buffer;
}

export function readEnvelope(sealed: Uint8Array): ParsedEnvelope {
  const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  const malformed = () => new SealedDataError('not a sealed envelope of a known version');
  if (bytes.length < MAGIC.length || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw malformed();
  let at = MAGIC.length;
  const take = (length: number): Buffer => {
    if (at + length > bytes.length) throw malformed();
    const slice = bytes.subarray(at, at + length);
    at += length;
    return slice;
  };
  const takePrefixed = (): Buffer => take(take(2).readUInt16BE());
  const keyArn = takePrefixed().toString('utf8');
  let context: EncryptionContext;
  try {
    const parsed: unknown = JSON.parse(takePrefixed().toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw malformed();
    if (!Object.values(parsed).every((value) => typeof value === 'string')) throw malformed();
    context = parsed as EncryptionContext;
  } catch {
    throw malformed();
  }
  const wrappedKey = new Uint8Array(takePrefixed());
  const salt = take(SALT_BYTES);
  const commitment = take(COMMITMENT_BYTES);
  const iv = take(IV_BYTES);
  const aad = bytes.subarray(0, at);
  if (bytes.length - at < TAG_BYTES) throw malformed();
  const ciphertext = bytes.subarray(at, bytes.length - TAG_BYTES);
  const tag = bytes.subarray(bytes.length - TAG_BYTES);
  return { header: { keyArn, context, wrappedKey }, aad, salt, commitment, iv, ciphertext, tag };
}

/** The plaintext, once the data key from the header has been unwrapped. */
export function open(dataKey: Uint8Array, envelope: ParsedEnvelope): Uint8Array {
  const { key, commitment } = messageKeys(dataKey, envelope.salt);
  try {
    if (!timingSafeEqual(commitment, envelope.commitment)) throw new SealedDataError('the data key does not open this envelope');
    const decipher = createDecipheriv('aes-256-gcm', key, envelope.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(envelope.aad);
    decipher.setAuthTag(envelope.tag);
    try {
      return new Uint8Array(Buffer.concat([decipher.update(envelope.ciphertext), decipher.final()]));
    } catch {
      throw new SealedDataError('the sealed data was altered');
    }
  } finally {
    key.fill(0);
  }
}
