import { randomBytes } from 'node:crypto';

/** Opaque, unguessable identifiers with a type prefix (`tn_…`, `mt_…`): 96 random bits, lower-case hex. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('hex')}`;
}

export const ID_PATTERN = /^[a-z]{2}_[0-9a-f]{24}$/;
