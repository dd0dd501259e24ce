import { verifyDeviceRegistration, type DeviceIdentity, type DeviceRegistration } from './device-keys.js';
import { copyBytes, fromBase64Url, toBase64Url, transcript } from './encoding.js';
import { envelopeSchema, epochSchema, meetingIdSchema, type Envelope } from './envelope-schema.js';
import { E2eeError } from './errors.js';
import { MEDIA_KEY_BYTES, hpkeSuite } from './suite.js';
import { subtle } from './webcrypto.js';

export type { Envelope } from './envelope-schema.js';

const ED25519 = { name: 'Ed25519' } as const;
const INFO_LABEL = 'meetplane/e2ee/envelope/v1/hpke-info';
const AAD_LABEL = 'meetplane/e2ee/envelope/v1/aad';
const SIGNATURE_LABEL = 'meetplane/e2ee/envelope/v1/signature';

/** The fields that say what an envelope is for; all of them are bound into HPKE and the signature. */
export interface EnvelopeContext {
  meetingId: string;
  epoch: number;
  senderDeviceId: string;
  recipientDeviceId: string;
}

/**
 * HPKE `info`: enters the key schedule, so an envelope moved to another
 * meeting, epoch, sender or recipient derives a different AEAD key and cannot
 * be opened there even if someone re-signed it.
 */
export function envelopeInfo(c: EnvelopeContext): Uint8Array<ArrayBuffer> {
  return copyBytes(transcript(INFO_LABEL, c.meetingId, c.epoch, c.senderDeviceId, c.recipientDeviceId));
}

/**
 * AEAD associated data: the same context once more, with the envelope
 * version. Redundant with `info` today; it keeps the binding if a later
 * version moves to a mode whose key schedule does not take `info` as we use
 * it, and is where a per-recipient liveness nonce would go.
 */
export function envelopeAad(c: EnvelopeContext): Uint8Array<ArrayBuffer> {
  return copyBytes(transcript(AAD_LABEL, 1, c.meetingId, c.epoch, c.senderDeviceId, c.recipientDeviceId));
}

/**
 * What the sender signs: every wire field. HPKE base mode authenticates no
 * sender (anyone holding the recipient's public key, the server included, can
 * seal to it), so only this signature tells a participant that the host's
 * device chose the key.
 */
export function envelopeSigningInput(e: Omit<Envelope, 'signature'>): Uint8Array<ArrayBuffer> {
  return copyBytes(
    transcript(
      SIGNATURE_LABEL,
      e.v,
      e.meetingId,
      e.epoch,
      e.senderDeviceId,
      e.recipientDeviceId,
      fromBase64Url(e.enc),
      fromBase64Url(e.ciphertext),
    ),
  );
}

export interface SealMediaKeyParams {
  meetingId: string;
  epoch: number;
  /** The recipient's registration as listed by the server; its self-signature is checked before sealing. */
  recipient: DeviceRegistration;
  mediaKey: Uint8Array;
  sender: DeviceIdentity;
}

/** Seals one epoch's media key to one device (HPKE base mode, single shot) and signs the envelope. */
export async function sealMediaKey(p: SealMediaKeyParams): Promise<Envelope> {
  checkContext(p.meetingId, p.epoch);
  if (p.mediaKey.length !== MEDIA_KEY_BYTES) throw new E2eeError('bad-key', 'a media key is 32 bytes');
  const recipient = await verifyDeviceRegistration(p.recipient);
  const ctx: EnvelopeContext = {
    meetingId: p.meetingId,
    epoch: p.epoch,
    senderDeviceId: p.sender.deviceId,
    recipientDeviceId: recipient.registration.deviceId,
  };
  const { enc, ct } = await hpkeSuite().seal(
    { recipientPublicKey: recipient.hpkePublicKey, info: envelopeInfo(ctx) },
    copyBytes(p.mediaKey),
    envelopeAad(ctx),
  );
  const unsigned = { v: 1 as const, ...ctx, enc: toBase64Url(new Uint8Array(enc)), ciphertext: toBase64Url(new Uint8Array(ct)) };
  const signature = await subtle().sign(ED25519, p.sender.signingPrivateKey, envelopeSigningInput(unsigned));
  // Re-validate our own output so a client never uploads something the server will refuse.
  return envelopeSchema.parse({ ...unsigned, signature: toBase64Url(new Uint8Array(signature)) });
}

export interface SealForDevicesResult {
  envelopes: Envelope[];
  /** Devices skipped because their registration did not verify; show them to the host, never seal to them. */
  refused: { deviceId: string; error: E2eeError }[];
}

/** Seals one epoch's key to every admitted device: the body of one envelope upload. */
export async function sealMediaKeyForDevices(
  p: Omit<SealMediaKeyParams, 'recipient'> & { recipients: DeviceRegistration[] },
): Promise<SealForDevicesResult> {
  const result: SealForDevicesResult = { envelopes: [], refused: [] };
  for (const recipient of p.recipients) {
    try {
      result.envelopes.push(await sealMediaKey({ ...p, recipient }));
    } catch (error) {
      if (!(error instanceof E2eeError) || error.code === 'bad-key') throw error;
      result.refused.push({ deviceId: String((recipient as { deviceId?: unknown })?.deviceId ?? ''), error });
    }
  }
  return result;
}

export interface OpenMediaKeyParams {
  /** The meeting and epoch this client is asking a key for; an envelope for anything else is refused. */
  meetingId: string;
  epoch: number;
  recipient: DeviceIdentity;
  /** Registration of the device expected to have sealed the key (the host's), pinned or listed by the server. */
  senderRegistration: DeviceRegistration;
}

/**
 * Verifies and opens an envelope fetched from the server. Refuses, in this
 * order: a malformed envelope, one for another meeting, epoch, recipient or
 * sender ('mismatch'), a bad sender registration or envelope signature
 * ('bad-signature'), a ciphertext HPKE will not open ('open-failed'), and a
 * plaintext that is not a 32-byte key ('bad-key').
 */
export async function openMediaKey(input: unknown, p: OpenMediaKeyParams): Promise<Uint8Array> {
  const parsed = envelopeSchema.safeParse(input);
  if (!parsed.success) throw new E2eeError('malformed', 'envelope does not match the wire schema');
  const e = parsed.data;
  // Compare with what the caller asked for, not with what the server says the
  // envelope is: a server replaying a valid envelope of another meeting or an
  // older epoch would otherwise roll the client back to a key it chose.
  if (e.meetingId !== p.meetingId) throw new E2eeError('mismatch', 'envelope is for another meeting');
  if (e.epoch !== p.epoch) throw new E2eeError('mismatch', 'envelope is for another epoch');
  if (e.recipientDeviceId !== p.recipient.deviceId) throw new E2eeError('mismatch', 'envelope is for another device');
  const sender = await verifyDeviceRegistration(p.senderRegistration);
  if (e.senderDeviceId !== sender.registration.deviceId) {
    throw new E2eeError('mismatch', 'envelope was not made by the expected sender device');
  }
  const { signature, ...unsigned } = e;
  const ok = await subtle().verify(
    ED25519,
    sender.signingPublicKey,
    copyBytes(fromBase64Url(signature)),
    envelopeSigningInput(unsigned),
  );
  if (!ok) throw new E2eeError('bad-signature', 'envelope signature does not verify with the sender key');
  let plaintext: Uint8Array;
  try {
    plaintext = new Uint8Array(
      await hpkeSuite().open(
        {
          // The pair, not the private key alone: deriving the public half would export the private key, which a
          // non-extractable key refuses.
          recipientKey: { privateKey: p.recipient.hpkePrivateKey, publicKey: p.recipient.hpkePublicKey },
          enc: copyBytes(fromBase64Url(e.enc)),
          info: envelopeInfo(e),
        },
        copyBytes(fromBase64Url(e.ciphertext)),
        envelopeAad(e),
      ),
    );
  } catch (cause) {
    throw new E2eeError('open-failed', 'envelope cannot be opened with this device key', { cause });
  }
  if (plaintext.length !== MEDIA_KEY_BYTES) {
    plaintext.fill(0);
    throw new E2eeError('bad-key', 'envelope does not contain a 32-byte media key');
  }
  return plaintext;
}

function checkContext(meetingId: string, epoch: number): void {
  if (!meetingIdSchema.safeParse(meetingId).success) throw new E2eeError('malformed', 'invalid meeting id');
  if (!epochSchema.safeParse(epoch).success) throw new E2eeError('malformed', 'invalid epoch');
}
