// WebCrypto handles without depending on DOM or Node type packages, so the
// module type-checks in both kinds of build.

export const subtle = (): typeof globalThis.crypto.subtle => {
  const c = globalThis.crypto;
  // Fail loudly rather than fall back to a weaker source of randomness.
  if (!c?.subtle) throw new Error('WebCrypto (globalThis.crypto.subtle) is required for end-to-end encryption');
  return c.subtle;
};

export type WebCryptoKey = Awaited<ReturnType<typeof globalThis.crypto.subtle.importKey>>;

export function randomBytes(length: number): Uint8Array<ArrayBuffer> {
  const c = globalThis.crypto;
  if (!c?.getRandomValues) throw new Error('WebCrypto (globalThis.crypto.getRandomValues) is required');
  return c.getRandomValues(new Uint8Array(new ArrayBuffer(length)));
}
