import { createHash } from 'node:crypto';
import { meetingSecurityCode, renderDigits } from '../../media/e2ee/security-code.js';

const base = {
  meetingId: 'mt_0123456789abcdef01234567',
  epoch: 4,
  mediaKey: Uint8Array.from({ length: 32 }, (_, i) => i),
  senderSigningPublicKey: Buffer.alloc(32, 9).toString('base64url'),
};

describe('meeting security code', () => {
  it('is 6 groups of 5 digits', async () => {
    await expect(meetingSecurityCode(base)).resolves.toMatch(/^\d{5}( \d{5}){5}$/);
  });

  it('is the same for the same inputs (every participant computes it alone)', async () => {
    const a = await meetingSecurityCode(base);
    const b = await meetingSecurityCode({ ...base, mediaKey: Uint8Array.from(base.mediaKey) });
    expect(b).toBe(a);
  });

  it.each([
    ['meeting', { meetingId: 'mt_fedcba9876543210fedcba98' }],
    ['epoch', { epoch: 5 }],
    ['key (one bit)', { mediaKey: Uint8Array.from(base.mediaKey, (b, i) => (i === 31 ? b ^ 1 : b)) }],
    ['sender signing key', { senderSigningPublicKey: Buffer.alloc(32, 10).toString('base64url') }],
  ])('changes when the %s changes', async (_, change) => {
    const a = await meetingSecurityCode(base);
    await expect(meetingSecurityCode({ ...base, ...change })).resolves.not.toBe(a);
  });

  it('is SHA-256 over the documented length-prefixed transcript', async () => {
    // Independent re-derivation, so a client on another platform can be checked against this one.
    const field = (b: Buffer) => {
      const length = Buffer.alloc(4);
      length.writeUInt32BE(b.length);
      return Buffer.concat([length, b]);
    };
    const epoch = Buffer.alloc(8);
    epoch.writeBigUInt64BE(BigInt(base.epoch));
    const digest = createHash('sha256')
      .update(
        Buffer.concat([
          field(Buffer.from('meetplane/e2ee/security-code/v1')),
          field(Buffer.from(base.meetingId)),
          field(epoch),
          field(Buffer.from(base.senderSigningPublicKey, 'base64url')),
          field(Buffer.from(base.mediaKey)),
        ]),
      )
      .digest();
    await expect(meetingSecurityCode(base)).resolves.toBe(renderDigits(digest));
  });

  it('renders 40-bit chunks modulo 100000 with leading zeros', () => {
    expect(renderDigits(new Uint8Array(32))).toBe('00000 00000 00000 00000 00000 00000');
    // 2^40 - 1 = 1099511627775
    expect(renderDigits(new Uint8Array(32).fill(0xff))).toBe('27775 27775 27775 27775 27775 27775');
    const digest = new Uint8Array(32);
    digest[4] = 7; // first chunk = 7
    expect(renderDigits(digest).split(' ')[0]).toBe('00007');
  });

  it.each([
    ['a short key', { mediaKey: new Uint8Array(16) }],
    ['a negative epoch', { epoch: -1 }],
    ['a bad signing key', { senderSigningPublicKey: 'AAAA' }],
    ['a bad meeting id', { meetingId: '' }],
  ])('refuses %s', async (_, change) => {
    await expect(meetingSecurityCode({ ...base, ...change })).rejects.toThrow(RangeError);
  });
});
