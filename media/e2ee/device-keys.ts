import { E2eeError } from './errors.js';
import { bytesEqual, copyBytes, fromBase64Url, toBase64Url, transcript } from './encoding.js';
import { deviceIdSchema, deviceRegistrationSchema, type DeviceRegistration } from './envelope-schema.js';
import { ED25519_PUBLIC_KEY_BYTES, X25519_PUBLIC_KEY_BYTES, hpkeSuite } from './suite.js';
import { randomBytes, subtle, type WebCryptoKey } from './webcrypto.js';

export type { DeviceRegistration } from './envelope-schema.js';

/** Domain label of the registration self-signature; bump with any change to what is signed. */
const REGISTRATION_LABEL = 'meetplane/e2ee/device-registration/v1';
const ED25519 = { name: 'Ed25519' } as const;

/**
 * A device's private identity: the HPKE key it receives media keys with and
 * the Ed25519 key it signs with. Never sent anywhere; only `registration`
 * leaves the device.
 */
export interface DeviceIdentity {
  readonly deviceId: string;
  readonly hpkePrivateKey: WebCryptoKey;
  readonly hpkePublicKey: WebCryptoKey;
  readonly signingPrivateKey: WebCryptoKey;
  readonly signingPublicKey: WebCryptoKey;
  /** The public, self-signed half, ready for `POST /v1/devices`. */
  readonly registration: DeviceRegistration;
}

/** A registration whose self-signature checked out, with its keys imported. */
export interface VerifiedDevice {
  readonly registration: DeviceRegistration;
  readonly hpkePublicKey: WebCryptoKey;
  readonly signingPublicKey: WebCryptoKey;
}

/**
 * The private keys of an identity in a JSON-able form, for the client's own
 * key store (an encrypted file, the OS keychain). It is as secret as the keys
 * themselves: never upload or log it.
 */
export interface StoredDeviceIdentity {
  v: 1;
  deviceId: string;
  /** Raw X25519 scalar, base64url. */
  hpkePrivateKey: string;
  /** Ed25519 PKCS #8, base64url. */
  signingPrivateKey: string;
  registration: DeviceRegistration;
}

export interface GenerateDeviceIdentityOptions {
  /** Defaults to a fresh `dv_` + 96 random bits. The id is signed, so a server cannot rename the device. */
  deviceId?: string;
  /**
   * Whether the private keys (X25519 and Ed25519) may be exported. Off by
   * default (least privilege): a browser keeps such CryptoKeys in IndexedDB
   * (they are structured-cloneable) and no script, its own included, can read
   * their bytes. Turn it on to use `exportDeviceIdentity`.
   */
  extractable?: boolean;
}

const X25519 = { name: 'X25519' } as const;

/** Creates a device identity: an HPKE X25519 key pair, an Ed25519 key pair and the signed registration. */
export async function generateDeviceIdentity(options: GenerateDeviceIdentityOptions = {}): Promise<DeviceIdentity> {
  const deviceId = options.deviceId ?? `dv_${[...randomBytes(12)].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
  parseDeviceId(deviceId);
  // WebCrypto's own X25519 (what @hpke/core uses underneath), so the private key can be non-extractable.
  const hpke = (await subtle().generateKey(X25519, options.extractable ?? false, ['deriveBits'])) as {
    publicKey: WebCryptoKey;
    privateKey: WebCryptoKey;
  };
  const signing = (await subtle().generateKey(ED25519, options.extractable ?? false, ['sign', 'verify'])) as {
    publicKey: WebCryptoKey;
    privateKey: WebCryptoKey;
  };
  return assemble(deviceId, hpke.privateKey, hpke.publicKey, signing.privateKey, signing.publicKey);
}

async function assemble(
  deviceId: string,
  hpkePrivateKey: WebCryptoKey,
  hpkePublicKey: WebCryptoKey,
  signingPrivateKey: WebCryptoKey,
  signingPublicKey: WebCryptoKey,
): Promise<DeviceIdentity> {
  const hpkeRaw = await rawHpkePublicKey(hpkePublicKey);
  const signingRaw = new Uint8Array(await subtle().exportKey('raw', signingPublicKey));
  const signature = new Uint8Array(
    await subtle().sign(ED25519, signingPrivateKey, registrationTranscript(deviceId, hpkeRaw, signingRaw)),
  );
  const registration: DeviceRegistration = {
    deviceId,
    hpkePublicKey: toBase64Url(hpkeRaw),
    signingPublicKey: toBase64Url(signingRaw),
    signature: toBase64Url(signature),
  };
  return { deviceId, hpkePrivateKey, hpkePublicKey, signingPrivateKey, signingPublicKey, registration };
}

/**
 * What the device signs: its id, its encryption key and its signing key. A
 * server that swaps the encryption key (to read media keys sealed to the
 * device) breaks this signature; one that swaps both keys has to present a
 * different signing key, which pinning and the security code expose.
 */
function registrationTranscript(deviceId: string, hpkePublicKey: Uint8Array, signingPublicKey: Uint8Array) {
  return copyBytes(transcript(REGISTRATION_LABEL, deviceId, hpkePublicKey, signingPublicKey));
}

/**
 * Checks a registration as received from the server (shape, then the device's
 * own signature) and imports its keys. Throws `E2eeError` ('malformed' or
 * 'bad-signature'). This proves the keys belong together, not whose device it
 * is: pin `signingPublicKey` per device and compare security codes for that.
 */
export async function verifyDeviceRegistration(input: unknown): Promise<VerifiedDevice> {
  const parsed = deviceRegistrationSchema.safeParse(input);
  if (!parsed.success) throw new E2eeError('malformed', 'device registration does not match the wire schema');
  const registration = parsed.data;
  const hpkeRaw = fromBase64Url(registration.hpkePublicKey);
  const signingRaw = fromBase64Url(registration.signingPublicKey);
  const signingPublicKey = await importSigningPublicKey(signingRaw);
  const ok = await subtle().verify(
    ED25519,
    signingPublicKey,
    copyBytes(fromBase64Url(registration.signature)),
    registrationTranscript(registration.deviceId, hpkeRaw, signingRaw),
  );
  if (!ok)
    throw new E2eeError('bad-signature', `registration of device ${registration.deviceId} is not signed by its signing key`);
  const hpkePublicKey = await hpkeSuite().kem.deserializePublicKey(copyBytes(hpkeRaw));
  return { registration, hpkePublicKey, signingPublicKey };
}

/** Exports the private keys for the client's own key store. Requires an identity generated with `extractable: true`. */
export async function exportDeviceIdentity(identity: DeviceIdentity): Promise<StoredDeviceIdentity> {
  if (!identity.signingPrivateKey.extractable || !identity.hpkePrivateKey.extractable) {
    throw new TypeError(
      'this device identity was generated non-extractable; generate it with { extractable: true } to persist it',
    );
  }
  const hpkeRaw = new Uint8Array(await hpkeSuite().kem.serializePrivateKey(identity.hpkePrivateKey));
  if (hpkeRaw.length !== X25519_PUBLIC_KEY_BYTES) throw new Error('unexpected X25519 private key length');
  const pkcs8 = new Uint8Array(await subtle().exportKey('pkcs8', identity.signingPrivateKey));
  return {
    v: 1,
    deviceId: identity.deviceId,
    hpkePrivateKey: toBase64Url(hpkeRaw),
    signingPrivateKey: toBase64Url(pkcs8),
    registration: { ...identity.registration },
  };
}

/**
 * Restores an identity from the key store and proves that the private keys
 * match the stored registration, so a corrupted or mixed-up store fails here
 * rather than as undecryptable meetings later.
 */
export async function importDeviceIdentity(
  stored: StoredDeviceIdentity,
  options: { extractable?: boolean } = {},
): Promise<DeviceIdentity> {
  if (stored?.v !== 1) throw new E2eeError('malformed', 'unknown stored device identity version');
  const verified = await verifyDeviceRegistration(stored.registration);
  if (verified.registration.deviceId !== stored.deviceId) {
    throw new E2eeError('mismatch', 'stored device id differs from its registration');
  }
  let hpkePrivateKey: WebCryptoKey;
  let signingPrivateKey: WebCryptoKey;
  try {
    const kem = hpkeSuite().kem;
    hpkePrivateKey = await kem.deserializePrivateKey(copyBytes(fromBase64Url(stored.hpkePrivateKey)));
    signingPrivateKey = await subtle().importKey(
      'pkcs8',
      copyBytes(fromBase64Url(stored.signingPrivateKey)),
      ED25519,
      options.extractable ?? false,
      ['sign'],
    );
  } catch (cause) {
    throw new E2eeError('malformed', 'stored device private keys cannot be imported', { cause });
  }
  // Both checks derive from the private keys, so they prove possession, not just equality of stored strings.
  const probe = randomBytes(32);
  const sig = await subtle().sign(ED25519, signingPrivateKey, probe);
  const signingMatches = await subtle().verify(ED25519, verified.signingPublicKey, sig, probe);
  const hpkeMatches = await hpkePrivateKeyMatches(hpkePrivateKey, verified.hpkePublicKey);
  if (!signingMatches || !hpkeMatches) {
    throw new E2eeError('mismatch', 'stored device private keys do not belong to the stored registration');
  }
  return {
    deviceId: stored.deviceId,
    hpkePrivateKey,
    hpkePublicKey: verified.hpkePublicKey,
    signingPrivateKey,
    signingPublicKey: verified.signingPublicKey,
    registration: verified.registration,
  };
}

async function hpkePrivateKeyMatches(privateKey: WebCryptoKey, recipientPublicKey: WebCryptoKey): Promise<boolean> {
  // Seal a throwaway message to the registered public key and open it with the
  // stored private key: uses only the suite's public API.
  const suite = hpkeSuite();
  const probe = randomBytes(16);
  const { enc, ct } = await suite.seal({ recipientPublicKey }, probe);
  try {
    const pt = new Uint8Array(await suite.open({ recipientKey: { privateKey, publicKey: recipientPublicKey }, enc }, ct));
    return bytesEqual(pt, probe);
  } catch {
    return false;
  }
}

/** Raw 32-byte X25519 public key; copies so a view over a larger buffer cannot leak extra bytes. */
async function rawHpkePublicKey(key: WebCryptoKey): Promise<Uint8Array> {
  const raw = new Uint8Array(await hpkeSuite().kem.serializePublicKey(key));
  if (raw.length !== X25519_PUBLIC_KEY_BYTES) throw new Error('unexpected X25519 public key length');
  return raw;
}

export async function importSigningPublicKey(raw: Uint8Array): Promise<WebCryptoKey> {
  if (raw.length !== ED25519_PUBLIC_KEY_BYTES) throw new E2eeError('malformed', 'Ed25519 public key must be 32 bytes');
  try {
    return await subtle().importKey('raw', copyBytes(raw), ED25519, true, ['verify']);
  } catch (cause) {
    throw new E2eeError('malformed', 'not an Ed25519 public key', { cause });
  }
}

/**
 * A short, stable fingerprint of a device's signing key (5 groups of 4 hex
 * digits, 80 bits) for key-change warnings and for the host to review whom it
 * is about to admit. Pin the full key; show this.
 */
export async function deviceFingerprint(registration: DeviceRegistration): Promise<string> {
  const digest = new Uint8Array(
    await subtle().digest(
      'SHA-256',
      copyBytes(transcript('meetplane/e2ee/device-fingerprint/v1', fromBase64Url(registration.signingPublicKey))),
    ),
  );
  const hex = [...digest.subarray(0, 10)].map((b) => b.toString(16).padStart(2, '0')).join('');
  return hex.match(/.{4}/g)!.join(' ');
}

function parseDeviceId(deviceId: string): void {
  if (!deviceIdSchema.safeParse(deviceId).success)
    throw new E2eeError('malformed', 'device id must be 1 to 64 characters of A-Z a-z 0-9 _ -');
}
