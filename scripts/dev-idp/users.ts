import { createHash, timingSafeEqual } from 'node:crypto';
import { DEMO_TENANT_SLUG } from './identity.js';

/**
 * The demo tenant's users at the local dev identity provider. Roles are the
 * API's (`admin`, `host`); a user with none is a participant. Every one of them
 * signs in locally with the password `demo`: this is a development fixture on
 * loopback, never an account anywhere else.
 */
export interface DemoUser {
  /** The user name typed at the login page; also the token's `sub`, as `npm run token -- --user <name>` uses it. */
  readonly user: string;
  readonly name: string;
  readonly roles: readonly ('admin' | 'host')[];
}

export const DEMO_USERS: readonly DemoUser[] = [
  { user: 'alice', name: 'Alice Adler', roles: ['host'] },
  { user: 'bob', name: 'Bob Berger', roles: [] },
  { user: 'carol', name: 'Carol Conti', roles: [] },
  { user: 'dora', name: 'Dora Dietrich', roles: ['admin', 'host'] },
];

/** The one local password of every demo user (see the README). */
export const DEMO_PASSWORD = 'demo';

export function demoUser(user: string): DemoUser | undefined {
  return DEMO_USERS.find((candidate) => candidate.user === user);
}

export function emailOf(user: string): string {
  return `${user}@${DEMO_TENANT_SLUG}.example`;
}

/** The claims of a demo user, as both the ID token and the access token carry them. */
export function claimsOf(user: DemoUser): { sub: string; email: string; email_verified: true; name: string; roles: string[] } {
  return { sub: user.user, email: emailOf(user.user), email_verified: true, name: user.name, roles: [...user.roles] };
}

/** The user whose name and password these are, or undefined; the password is compared in constant time. */
export function checkCredentials(user: string, password: string): DemoUser | undefined {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  const passwordMatches = timingSafeEqual(digest(password), digest(DEMO_PASSWORD));
  const found = demoUser(user.trim().toLowerCase());
  return found && passwordMatches ? found : undefined;
}
