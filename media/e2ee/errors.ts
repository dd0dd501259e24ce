/**
 * Why an E2EE operation refused its input. Callers branch on `code` (for
 * example to ask the host for a fresh envelope on `mismatch`); messages never
 * contain key material.
 */
export type E2eeErrorCode =
  | 'malformed' // fails the wire schema or cannot be decoded
  | 'mismatch' // well-formed, but for another meeting, epoch, recipient or sender
  | 'bad-signature' // a registration or envelope signature does not verify
  | 'open-failed' // HPKE refused to open: wrong recipient key or altered bytes
  | 'bad-key'; // opened, but not a 32-byte media key

export class E2eeError extends Error {
  override readonly name = 'E2eeError';
  constructor(
    readonly code: E2eeErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
