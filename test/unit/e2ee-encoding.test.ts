import { bytesEqual, fromBase64Url, toBase64Url, transcript } from '../../media/e2ee/encoding.js';

describe('base64url', () => {
  it.each([0, 1, 2, 3, 4, 31, 32, 33, 48, 64])('round-trips %i bytes and agrees with Node', (n) => {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 0xff);
    const text = toBase64Url(bytes);
    expect(text).toBe(Buffer.from(bytes).toString('base64url'));
    expect(fromBase64Url(text)).toEqual(bytes);
  });

  it.each([
    ['padding', 'AA=='],
    ['standard alphabet', 'ab+/'],
    ['whitespace', 'AA AA'],
    ['impossible length', 'AAAAA'],
    ['non-canonical trailing bits', 'AB'],
  ])('refuses %s', (_, text) => {
    expect(() => fromBase64Url(text)).toThrow(TypeError);
  });
});

describe('transcript', () => {
  it('keeps field boundaries: moving bytes between fields changes the encoding', () => {
    expect(bytesEqual(transcript('L', 'ab', 'c'), transcript('L', 'a', 'bc'))).toBe(false);
    expect(bytesEqual(transcript('L', 'ab', 'c'), transcript('L', 'ab', 'c'))).toBe(true);
  });

  it('separates domains by label', () => {
    expect(bytesEqual(transcript('A', 'x'), transcript('B', 'x'))).toBe(false);
  });

  it('encodes integers as 8-byte big-endian with a length prefix', () => {
    expect([...transcript('', 258)]).toEqual([0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 1, 2]);
  });

  it.each([-1, 1.5, Number.MAX_SAFE_INTEGER + 1])('refuses the integer %p', (n) => {
    expect(() => transcript('L', n)).toThrow(RangeError);
  });
});
