import { MAX_EPOCH } from './envelope-schema.js';
import { MEDIA_KEY_BYTES } from './suite.js';
import { randomBytes } from './webcrypto.js';

/**
 * A fresh 256-bit media key for one epoch. Every epoch gets an independent
 * random key rather than a ratchet of the previous one, so a device removed
 * at epoch n learns nothing about epoch n+1 (as Zoom and Element Call do).
 */
export function generateMediaKey(): Uint8Array {
  return randomBytes(MEDIA_KEY_BYTES);
}

/** The epoch after `epoch`: rekey on every leave or removal, and on a timer. */
export function nextEpoch(epoch: number): number {
  assertEpoch(epoch);
  if (epoch >= MAX_EPOCH) throw new RangeError('epoch counter exhausted; start a new meeting instance');
  return epoch + 1;
}

/**
 * Whether a client should move to `candidate`. Receivers only ever go
 * forward: accepting an older epoch would let a server replay a key that a
 * removed participant still holds.
 */
export function isNewerEpoch(candidate: number, current: number | undefined): boolean {
  assertEpoch(candidate);
  if (current === undefined) return true;
  assertEpoch(current);
  return candidate > current;
}

export function assertEpoch(epoch: number): void {
  if (!Number.isSafeInteger(epoch) || epoch < 0 || epoch > MAX_EPOCH) {
    throw new RangeError(`epoch must be an integer from 0 to ${MAX_EPOCH}`);
  }
}
