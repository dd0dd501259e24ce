// Byte helpers shared by the E2EE modules. Written against the platform only
// (no Buffer, no atob) so the same code runs in Node 20 and in browsers.

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64URL_INDEX = new Map([...B64URL].map((c, i) => [c, i] as const));

/** base64url without padding (RFC 4648 §5), as used on the wire. */
export function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += B64URL[n >>> 18]! + B64URL[(n >>> 12) & 63]! + B64URL[(n >>> 6) & 63]! + B64URL[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += B64URL[n >>> 18]! + B64URL[(n >>> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += B64URL[n >>> 18]! + B64URL[(n >>> 12) & 63]! + B64URL[(n >>> 6) & 63]!;
  }
  return out;
}

/**
 * Strict decoder: refuses padding, foreign characters and non-canonical
 * trailing bits, so one byte string has exactly one accepted spelling and a
 * signature over the decoded bytes cannot be replayed under another spelling.
 */
export function fromBase64Url(text: string): Uint8Array {
  if (text.length % 4 === 1) throw new TypeError('not base64url: impossible length');
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (const c of text) {
    const v = B64URL_INDEX.get(c);
    if (v === undefined) throw new TypeError('not base64url: unexpected character');
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 0xff;
    }
    acc &= (1 << bits) - 1;
  }
  if (acc !== 0) throw new TypeError('not base64url: non-canonical trailing bits');
  return out;
}

const utf8 = new TextEncoder();

/** One field of a length-prefixed transcript. Numbers must be non-negative safe integers. */
export type Field = string | number | Uint8Array;

/**
 * Unambiguous encoding of a domain label and fields: each part is a 4-byte
 * big-endian length followed by its bytes (strings as UTF-8, integers as
 * 8-byte big-endian). Plain concatenation would let ("ab","c") and ("a","bc")
 * collide, which would let an attacker move bytes between fields under one
 * signature or one HPKE info string.
 */
export function transcript(label: string, ...fields: Field[]): Uint8Array {
  const parts = [label, ...fields].map(encodeField);
  const total = parts.reduce((n, p) => n + 4 + p.length, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let o = 0;
  for (const p of parts) {
    view.setUint32(o, p.length);
    out.set(p, o + 4);
    o += 4 + p.length;
  }
  return out;
}

function encodeField(f: Field): Uint8Array {
  if (typeof f === 'string') return utf8.encode(f);
  if (typeof f === 'number') {
    if (!Number.isSafeInteger(f) || f < 0) throw new RangeError('transcript integers must be non-negative safe integers');
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(f));
    return b;
  }
  return f;
}

/**
 * A fresh Uint8Array over its own ArrayBuffer. WebCrypto and @hpke/core want
 * ArrayBuffer-backed views; copying also keeps callers' buffers from being
 * aliased by key material we hand to other libraries.
 */
export function copyBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(new ArrayBuffer(bytes.length));
  out.set(bytes);
  return out;
}

/** Constant-time over the length of the inputs; for comparing public values it is merely tidy. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
