/**
 * Stands in for asn1.js in deployed bundles (cdk/bundling.ts). The AWS
 * Encryption SDK needs it only for ECDSA: to PEM-encode a signing key and to
 * convert signatures between DER and raw form, i.e. only for the algorithm
 * suites that sign. lambdas/keys/personal-data-cipher.ts seals with a
 * committing suite that does not sign, so sealing and opening what Meetplane
 * wrote never get here. A signed message, which Meetplane never writes, is
 * refused when opened rather than verified.
 */
function refuse(): never {
  throw new Error('signed Encryption SDK messages are not supported: Meetplane seals without signatures');
}

const entity = { encode: refuse, decode: refuse };

class RefusedBigNumber {
  constructor() {
    refuse();
  }
}

export default { define: (): typeof entity => entity, bignum: { BN: RefusedBigNumber } };
