import { randomBytes } from 'node:crypto';
import { open as openEnvelope, readEnvelope, seal, SealedDataError } from '../../lambdas/keys/sealed-envelope.js';

const KEY_ARN = 'arn:aws:kms:eu-central-1:111122223333:key/00000000-0000-4000-8000-000000000000';
const header = {
  keyArn: KEY_ARN,
  context: { tenantId: 'tn_1', site: 'fra', purpose: 'meeting' },
  wrappedKey: new Uint8Array(randomBytes(184)),
};
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');
const readHeader = (sealed: Uint8Array) => readEnvelope(sealed).header;
const open = (dataKey: Uint8Array, sealed: Uint8Array) => openEnvelope(dataKey, readEnvelope(sealed));
const plaintext = Buffer.from('{"title":"Quarterly review"}', 'utf8');

describe('sealed envelopes', () => {
  const dataKey = new Uint8Array(randomBytes(32));

  it('open to what was sealed, with the data key from their header', () => {
    const sealed = seal(dataKey, header, plaintext);
    expect(text(open(dataKey, sealed))).toBe('{"title":"Quarterly review"}');
    expect(readHeader(sealed)).toEqual({ keyArn: KEY_ARN, context: header.context, wrappedKey: header.wrappedKey });
  });

  it('never show the plaintext and differ each time the same data is sealed', () => {
    const first = seal(dataKey, header, plaintext);
    const second = seal(dataKey, header, plaintext);
    expect(text(first)).not.toContain('Quarterly');
    expect(Buffer.from(first).equals(Buffer.from(second))).toBe(false);
  });

  it('store the context canonically, whatever order its fields came in', () => {
    const reordered = { purpose: 'meeting', tenantId: 'tn_1', site: 'fra' };
    const a = readHeader(seal(dataKey, header, plaintext));
    const b = readHeader(seal(dataKey, { ...header, context: reordered }, plaintext));
    expect(Object.keys(b.context)).toEqual(Object.keys(a.context));
    expect(Object.keys(a.context)).toEqual(['purpose', 'site', 'tenantId']);
  });

  it('refuse another data key before decrypting anything', () => {
    const sealed = seal(dataKey, header, plaintext);
    expect(() => open(new Uint8Array(randomBytes(32)), sealed)).toThrow(
      new SealedDataError('the data key does not open this envelope'),
    );
  });

  it('refuse a changed byte anywhere, header or body', () => {
    const sealed = seal(dataKey, header, plaintext);
    const context = Buffer.from(sealed).indexOf('tn_1');
    for (const at of [context, sealed.length - 20, sealed.length - 1]) {
      const altered = sealed.slice();
      altered[at]! ^= 0x01;
      expect(() => open(dataKey, altered)).toThrow(SealedDataError);
    }
  });

  it('refuse a header moved onto another body', () => {
    const mine = seal(dataKey, header, plaintext);
    const other = seal(dataKey, { ...header, context: { ...header.context, tenantId: 'tn_2' } }, plaintext);
    const bodyLength = plaintext.length + 16;
    const spliced = Buffer.concat([
      Buffer.from(other).subarray(0, other.length - bodyLength),
      Buffer.from(mine).subarray(-bodyLength),
    ]);
    expect(() => open(dataKey, spliced)).toThrow(new SealedDataError('the sealed data was altered'));
  });

  it('refuse what is not an envelope, or is cut short', () => {
    const sealed = seal(dataKey, header, plaintext);
    const notOurs = new SealedDataError('not a sealed envelope of a known version');
    expect(() => readHeader(Buffer.from('plain text'))).toThrow(notOurs);
    expect(() => readHeader(sealed.subarray(0, 40))).toThrow(notOurs);
    expect(() => open(dataKey, sealed.subarray(0, sealed.length - plaintext.length - 17))).toThrow(notOurs);
  });

  it('accept only 32-byte data keys', () => {
    expect(() => seal(new Uint8Array(16), header, plaintext)).toThrow(new SealedDataError('a data key must be 32 bytes'));
  });
});
