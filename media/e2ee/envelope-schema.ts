// Wire shapes of the E2EE mode. This file imports nothing but zod so that the
// control plane can validate shape and size of what clients upload without
// pulling in any cryptography: the server checks form, never content.
import * as z from 'zod';

/** Highest epoch a client will use; far beyond any meeting's rekeys, and small enough to stay an exact JSON number. */
export const MAX_EPOCH = 2 ** 31 - 1;

/** Upper bound on envelopes in one upload: one per admitted device of one epoch. */
export const MAX_ENVELOPES_PER_UPLOAD = 1000;

/**
 * Canonical unpadded base64url of exactly `bytes` bytes. The last character is
 * restricted so that unused trailing bits are zero: each byte string then has a
 * single accepted spelling, and the regex alone bounds the size.
 */
function base64UrlOfLength(bytes: number, what: string) {
  const chars = Math.ceil((bytes * 4) / 3);
  const spareBits = chars * 6 - bytes * 8;
  // Characters whose 6-bit value has its `spareBits` low bits at zero.
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = [...alphabet]
    .filter((_, v) => v % (1 << spareBits) === 0)
    .join('')
    .replace('-', '\\-');
  const pattern = spareBits === 0 ? `^[A-Za-z0-9_-]{${chars}}$` : `^[A-Za-z0-9_-]{${chars - 1}}[${last}]$`;
  return z.string().regex(new RegExp(pattern), `must be ${what}: ${bytes} bytes as unpadded base64url`);
}

/** Opaque identifiers (meeting ids such as `mt_…`, device ids such as `dv_…`). */
const opaqueId = (what: string) =>
  z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, `must be a ${what}: 1 to 64 characters of A-Z a-z 0-9 _ -`);

export const meetingIdSchema = opaqueId('meeting id');
export const deviceIdSchema = opaqueId('device id');
export const epochSchema = z.int().min(0).max(MAX_EPOCH);

export const x25519PublicKeySchema = base64UrlOfLength(32, 'an X25519 public key');
export const ed25519PublicKeySchema = base64UrlOfLength(32, 'an Ed25519 public key');
export const ed25519SignatureSchema = base64UrlOfLength(64, 'an Ed25519 signature');
/** DHKEM(X25519) encapsulated key. */
export const hpkeEncSchema = base64UrlOfLength(32, 'an HPKE encapsulated X25519 key');
/** AES-256-GCM sealing of a 32-byte media key: 32 bytes plus a 16-byte tag. */
export const sealedMediaKeySchema = base64UrlOfLength(48, 'a sealed 32-byte media key');

/** What a device publishes (`POST /v1/devices`): its public keys, self-signed. */
export const deviceRegistrationSchema = z.strictObject({
  deviceId: deviceIdSchema,
  hpkePublicKey: x25519PublicKeySchema,
  signingPublicKey: ed25519PublicKeySchema,
  signature: ed25519SignatureSchema,
});
export type DeviceRegistration = z.infer<typeof deviceRegistrationSchema>;

/** One media key sealed to one device for one epoch of one meeting. */
export const envelopeSchema = z.strictObject({
  v: z.literal(1),
  meetingId: meetingIdSchema,
  epoch: epochSchema,
  recipientDeviceId: deviceIdSchema,
  senderDeviceId: deviceIdSchema,
  enc: hpkeEncSchema,
  ciphertext: sealedMediaKeySchema,
  signature: ed25519SignatureSchema,
});
export type Envelope = z.infer<typeof envelopeSchema>;

/**
 * Body of `PUT /v1/meetings/{id}/epochs/{epoch}/envelopes`: one envelope per
 * recipient device, all of one meeting, epoch and sender. The route still has
 * to compare meeting and epoch with its path and the recipients with the
 * meeting's admitted devices.
 */
export const envelopeUploadSchema = z
  .strictObject({ envelopes: z.array(envelopeSchema).min(1).max(MAX_ENVELOPES_PER_UPLOAD) })
  .superRefine(({ envelopes }, ctx) => {
    const first = envelopes[0];
    const seen = new Set<string>();
    envelopes.forEach((e, i) => {
      if (first && (e.meetingId !== first.meetingId || e.epoch !== first.epoch || e.senderDeviceId !== first.senderDeviceId)) {
        ctx.addIssue({ code: 'custom', path: ['envelopes', i], message: 'all envelopes must share meeting, epoch and sender' });
      }
      if (seen.has(e.recipientDeviceId)) {
        ctx.addIssue({
          code: 'custom',
          path: ['envelopes', i, 'recipientDeviceId'],
          message: 'one envelope per recipient device',
        });
      }
      seen.add(e.recipientDeviceId);
    });
  });
export type EnvelopeUpload = z.infer<typeof envelopeUploadSchema>;
