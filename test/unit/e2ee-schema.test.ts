import { readFileSync } from 'node:fs';
import {
  MAX_ENVELOPES_PER_UPLOAD,
  deviceRegistrationSchema,
  envelopeSchema,
  envelopeUploadSchema,
  type Envelope,
} from '../../media/e2ee/envelope-schema.js';

// Shapes only: these values are well-formed but cryptographically meaningless,
// which is exactly what the server is in a position to check.
const b64 = (bytes: number, fill = 7) => Buffer.alloc(bytes, fill).toString('base64url');
const envelope: Envelope = {
  v: 1,
  meetingId: 'mt_0123456789abcdef01234567',
  epoch: 3,
  recipientDeviceId: 'dv_aaaaaaaaaaaaaaaaaaaaaaaa',
  senderDeviceId: 'dv_bbbbbbbbbbbbbbbbbbbbbbbb',
  enc: b64(32),
  ciphertext: b64(48),
  signature: b64(64),
};
const registration = {
  deviceId: 'dv_aaaaaaaaaaaaaaaaaaaaaaaa',
  hpkePublicKey: b64(32),
  signingPublicKey: b64(32),
  signature: b64(64),
};

describe('envelopeSchema', () => {
  it('accepts a well-formed envelope', () => {
    expect(envelopeSchema.parse(envelope)).toEqual(envelope);
  });

  it.each([
    ['an unknown field', { ...envelope, key: b64(32) }],
    ['another version', { ...envelope, v: 2 }],
    ['a missing signature', { ...envelope, signature: undefined }],
    ['an oversize ciphertext', { ...envelope, ciphertext: b64(1_000_000) }],
    ['a longer ciphertext', { ...envelope, ciphertext: b64(49) }],
    ['a shorter enc', { ...envelope, enc: b64(31) }],
    ['a padded enc', { ...envelope, enc: `${b64(32)}=` }],
    ['a standard-base64 enc', { ...envelope, enc: Buffer.alloc(32, 0xfb).toString('base64').replace(/=+$/, '') }],
    ['a non-canonical signature ending', { ...envelope, signature: `${b64(64).slice(0, -1)}B` }],
    ['a negative epoch', { ...envelope, epoch: -1 }],
    ['a fractional epoch', { ...envelope, epoch: 1.5 }],
    ['an epoch as string', { ...envelope, epoch: '3' }],
    ['a huge epoch', { ...envelope, epoch: 2 ** 31 }],
    ['an oversize meeting id', { ...envelope, meetingId: 'm'.repeat(65) }],
    ['a meeting id with a slash', { ...envelope, meetingId: 'mt/../x' }],
    ['an empty recipient id', { ...envelope, recipientDeviceId: '' }],
    ['an array', [envelope]],
    ['null', null],
  ])('refuses %s', (_, input) => {
    expect(envelopeSchema.safeParse(input).success).toBe(false);
  });

  it('bounds a valid envelope to a few hundred bytes of JSON', () => {
    const longest = {
      ...envelope,
      meetingId: 'm'.repeat(64),
      recipientDeviceId: 'r'.repeat(64),
      senderDeviceId: 's'.repeat(64),
      epoch: 2 ** 31 - 1,
    };
    expect(envelopeSchema.safeParse(longest).success).toBe(true);
    expect(JSON.stringify(longest).length).toBeLessThan(600);
  });
});

describe('envelopeUploadSchema', () => {
  const to = (i: number) => ({ ...envelope, recipientDeviceId: `dv_${String(i).padStart(24, '0')}` });

  it('accepts one envelope per recipient of one meeting, epoch and sender', () => {
    expect(envelopeUploadSchema.safeParse({ envelopes: [to(1), to(2)] }).success).toBe(true);
  });

  it.each([
    ['no envelopes', { envelopes: [] }],
    ['two envelopes for one device', { envelopes: [to(1), to(1)] }],
    ['mixed epochs', { envelopes: [to(1), { ...to(2), epoch: 4 }] }],
    ['mixed meetings', { envelopes: [to(1), { ...to(2), meetingId: 'mt_other' }] }],
    ['mixed senders', { envelopes: [to(1), { ...to(2), senderDeviceId: 'dv_other' }] }],
    ['too many envelopes', { envelopes: Array.from({ length: MAX_ENVELOPES_PER_UPLOAD + 1 }, (_, i) => to(i)) }],
    ['a malformed envelope', { envelopes: [to(1), { ...to(2), ciphertext: 'x' }] }],
    ['an extra top-level field', { envelopes: [to(1)], note: 'hi' }],
  ])('refuses %s', (_, input) => {
    expect(envelopeUploadSchema.safeParse(input).success).toBe(false);
  });
});

describe('deviceRegistrationSchema', () => {
  it('accepts a well-formed registration', () => {
    expect(deviceRegistrationSchema.parse(registration)).toEqual(registration);
  });

  it.each([
    ['an extra field', { ...registration, userName: 'Alice' }],
    ['a 33-byte HPKE key', { ...registration, hpkePublicKey: b64(33) }],
    ['a short signing key', { ...registration, signingPublicKey: b64(16) }],
    ['a missing signature', { ...registration, signature: undefined }],
    ['an oversize device id', { ...registration, deviceId: 'd'.repeat(65) }],
  ])('refuses %s', (_, input) => {
    expect(deviceRegistrationSchema.safeParse(input).success).toBe(false);
  });
});

describe('the schema module', () => {
  it('imports nothing but zod, so the server can use it without any key-handling code', () => {
    const source = readFileSync(new URL('../../media/e2ee/envelope-schema.ts', import.meta.url), 'utf8');
    const imports = [...source.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]);
    expect(imports).toEqual(['zod']);
  });
});
