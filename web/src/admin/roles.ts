import type { User } from 'oidc-client-ts';

/** The claims of a JWT, read without verifying it: the API verifies; the app only decides what to show. */
function claimsOf(token: string | undefined): Record<string, unknown> {
  const payload = token?.split('.')[1];
  if (!payload) return {};
  try {
    const json = atob(
      payload
        .replace(/-/g, '+')
        .replace(/_/g, '/')
        .padEnd(Math.ceil(payload.length / 4) * 4, '='),
    );
    const claims: unknown = JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))));
    return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The user's roles at their organisation (the `roles` claim of the access token, else of the ID token). */
export function rolesOf(user: User): readonly string[] {
  for (const claims of [claimsOf(user.access_token), user.profile as Record<string, unknown>]) {
    const roles = claims.roles;
    if (Array.isArray(roles)) return roles.filter((r): r is string => typeof r === 'string');
    if (typeof roles === 'string') return roles.split(/[\s,]+/).filter(Boolean);
  }
  return [];
}

/** Whether to show the administration pages; the API decides what an admin may do, whatever the app shows. */
export const isAdmin = (user: User): boolean => rolesOf(user).includes('admin');
