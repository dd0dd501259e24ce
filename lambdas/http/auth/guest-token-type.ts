import { bearerToken } from './operator.js';

/**
 * The type header that marks a guest token (lambdas/http/auth/guest.ts). Told
 * apart here without a JWT library, so that the router of every route group —
 * the public ones too — can refuse guest tokens without bundling one.
 */
export const GUEST_TOKEN_TYPE = 'meetplane-guest+jwt';

/** Whether the request carries a guest token, by its type header; nothing is verified here. */
export function isGuestToken(headers: Readonly<Record<string, string>>): boolean {
  const token = bearerToken(headers);
  const header = token?.split('.')[0];
  if (!header) return false;
  try {
    return (JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { typ?: unknown } | null)?.typ === GUEST_TOKEN_TYPE;
  } catch {
    return false;
  }
}
