import { randomBytes } from 'node:crypto';

/** Opaque, unguessable identifiers with a type prefix (`tn_…`, `mt_…`): 96 random bits, lower-case hex. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('hex')}`;
}

/** An id of `newId`'s form taken from a seed (hex, at least 24 digits): the same seed names the same thing. */
export function seededId(prefix: string, seed: string): string {
  if (!/^[0-9a-f]{24,}$/.test(seed)) throw new Error('a seed is at least 24 lower-case hex digits');
  return `${prefix}_${seed.slice(0, 24)}`;
}

export const ID_PATTERN = /^[a-z]{2}_[0-9a-f]{24}$/;

/**
 * Like `newId`, but ids made later sort later: 48 bits of milliseconds then 48
 * random bits. For records listed newest first by their key.
 */
export function newTimeOrderedId(prefix: string, now: Date = new Date()): string {
  return `${prefix}_${now.getTime().toString(16).padStart(12, '0').slice(-12)}${randomBytes(6).toString('hex')}`;
}
