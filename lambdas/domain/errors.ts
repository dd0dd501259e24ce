/**
 * Errors of the rules, in the rules' own words. The HTTP layer maps each kind
 * to its status (invalid 400, forbidden 403, not-found 404, conflict 409, gone 410,
 * stale 412, too-large 413, too-many 429, unavailable 503); the domain never speaks HTTP.
 */
export type DomainErrorKind =
  | 'invalid'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'gone'
  | 'stale'
  | 'too-large'
  | 'too-many'
  | 'unavailable';

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    message: string,
    /** The request field the error is about, as the client named it (e.g. `idp.issuer`). */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const invalid = (field: string, message: string) => new DomainError('invalid', message, field);
export const conflict = (message: string, field?: string) => new DomainError('conflict', message, field);
export const notFound = (message = 'No such resource') => new DomainError('not-found', message);
/** Something that existed and will not come back, such as an expired link. */
export const gone = (message: string) => new DomainError('gone', message);
export const forbidden = (message: string) => new DomainError('forbidden', message);
export const stale = (message: string) => new DomainError('stale', message);
export const unavailable = (message: string) => new DomainError('unavailable', message);
export const tooLarge = (message: string, field: string) => new DomainError('too-large', message, field);
export const tooMany = (message: string, field?: string) => new DomainError('too-many', message, field);
