import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PORT_OFFSET, ROOT, WEB_ORIGIN } from '../local-stack/layout.js';

/**
 * The local stack's identity provider for the seeded demo tenant: an OpenID
 * provider (./provider.ts) with one ES256 key pair kept in .tools/dev-idp/
 * (made on first use). It signs ID and access tokens with the private half and
 * serves the public half as its JWKS; `npm run token` signs with the same key.
 */
export const DEV_IDP_PORT = 4010 + PORT_OFFSET;
export const DEV_IDP_ISSUER = `http://127.0.0.1:${DEV_IDP_PORT}`;
export const DEV_IDP_JWKS_URI = `${DEV_IDP_ISSUER}/.well-known/jwks.json`;
export const DEV_IDP_AUDIENCE = 'meetplane-local';
/**
 * The resource indicator (RFC 8707) whose access tokens carry the audience
 * above. A resource indicator must be an absolute URI, which the audience is
 * not; a client need not send it: the provider defaults every request to it.
 */
export const DEV_IDP_RESOURCE = 'urn:meetplane:local';
/** The web client (web/): a public client, authorization code with PKCE. */
export const DEV_IDP_WEB_CLIENT_ID = 'meetplane-web';
export const WEB_REDIRECT_URI = `${WEB_ORIGIN}/callback`;
export const WEB_POST_LOGOUT_REDIRECT_URI = `${WEB_ORIGIN}/`;
export const DEMO_TENANT_SLUG = 'demo';
const KEY_FILE = resolve(ROOT, '.tools/dev-idp/key.json');

export async function devIdpKeys(): Promise<{ publicJwk: JWK; privateJwk: JWK }> {
  if (!existsSync(KEY_FILE)) {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const kid = `dev-${Date.now().toString(36)}`;
    const keys = {
      publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' },
      privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'ES256' },
    };
    mkdirSync(dirname(KEY_FILE), { recursive: true });
    writeFileSync(KEY_FILE, JSON.stringify(keys), { mode: 0o600 });
  }
  return JSON.parse(readFileSync(KEY_FILE, 'utf8')) as { publicJwk: JWK; privateJwk: JWK };
}

export interface DevTokenRequest {
  readonly user: string;
  readonly roles: readonly string[];
  readonly email?: string;
  readonly ttl?: string;
}

export async function devToken(request: DevTokenRequest): Promise<string> {
  const { privateJwk } = await devIdpKeys();
  return new SignJWT({
    roles: [...request.roles],
    email: request.email ?? `${request.user}@${DEMO_TENANT_SLUG}.example`,
    email_verified: true,
  })
    .setProtectedHeader({ alg: 'ES256', kid: privateJwk.kid! })
    .setIssuer(DEV_IDP_ISSUER)
    .setAudience(DEV_IDP_AUDIENCE)
    .setSubject(request.user)
    .setIssuedAt()
    .setExpirationTime(request.ttl ?? '1h')
    .sign(await importJWK(privateJwk, 'ES256'));
}
