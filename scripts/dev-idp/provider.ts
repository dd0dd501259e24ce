import { randomBytes } from 'node:crypto';
import type { JWK } from 'jose';
import Provider, { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import {
  DEV_IDP_AUDIENCE,
  DEV_IDP_ISSUER,
  DEV_IDP_RESOURCE,
  DEV_IDP_WEB_CLIENT_ID,
  WEB_POST_LOGOUT_REDIRECT_URI,
  WEB_REDIRECT_URI,
} from './identity.js';
import { MemoryAdapter } from './memory-adapter.js';
import { escapeHtml, page } from './pages.js';
import { claimsOf, demoUser } from './users.js';

/** The local stack's OpenID provider routes: the JWKS stays where the demo tenant's `jwksUri` points. */
export const JWKS_PATH = '/.well-known/jwks.json';
export const INTERACTION_PATH = '/interaction';

const ACCESS_TOKEN_TTL = 3600;
/** Every scope the first-party web client is granted without a consent screen. */
const FIRST_PARTY_SCOPES = 'openid offline_access profile email roles';

/**
 * The dev identity provider as an OpenID provider (`oidc-provider`): one
 * public client, the web app (authorization code with PKCE S256, refresh
 * tokens), its own login page (./server.ts), no consent screen for that
 * first-party client, and access tokens that are ES256 JWTs for the API's
 * audience, signed with the key `npm run token` signs with.
 */
export function devIdentityProvider(privateJwk: JWK): Provider {
  const configuration: Configuration = {
    adapter: MemoryAdapter,
    clients: [
      {
        client_id: DEV_IDP_WEB_CLIENT_ID,
        client_name: 'Meetplane (local)',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [WEB_REDIRECT_URI],
        post_logout_redirect_uris: [WEB_POST_LOGOUT_REDIRECT_URI],
        id_token_signed_response_alg: 'ES256',
      },
    ],
    jwks: { keys: [{ ...privateJwk, use: 'sig', alg: 'ES256' } as never] },
    clientDefaults: { id_token_signed_response_alg: 'ES256' },
    enabledJWA: { idTokenSigningAlgValues: ['ES256'] },
    pkce: { required: () => true },
    responseTypes: ['code'],
    scopes: ['openid', 'offline_access', 'profile', 'email', 'roles'],
    claims: { openid: ['sub'], profile: ['name'], email: ['email', 'email_verified'], roles: ['roles'] },
    // The web client reads the user's name and roles from the ID token: the access token is the API's, not the userinfo endpoint's.
    conformIdTokenClaims: false,
    routes: { jwks: JWKS_PATH },
    interactions: { url: (_ctx, interaction) => `${INTERACTION_PATH}/${interaction.uid}` },
    cookies: { keys: [randomBytes(32).toString('base64url')], long: { secure: false }, short: { secure: false } },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => {
          ctx.type = 'html';
          ctx.body = page(
            'Sign out',
            `<h1>Sign out of the Meetplane dev identity provider?</h1>
            ${form}
            <button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>
            <button type="submit" form="op.logoutForm" class="secondary">Stay signed in</button>`,
          );
        },
        postLogoutSuccessSource: (ctx) => {
          ctx.type = 'html';
          ctx.body = page('Signed out', '<h1>Signed out</h1><p>You are signed out of the dev identity provider.</p>');
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => DEV_IDP_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resourceIndicator) => {
          if (resourceIndicator !== DEV_IDP_RESOURCE) throw new errors.InvalidTarget();
          return {
            scope: '',
            audience: DEV_IDP_AUDIENCE,
            accessTokenTTL: ACCESS_TOKEN_TTL,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'ES256' } },
          };
        },
      },
    },
    // What the API needs of a user, in every access token: its roles and a verified address.
    extraTokenClaims: (_ctx, token) => {
      const user = 'accountId' in token && token.accountId ? demoUser(token.accountId) : undefined;
      if (!user) return undefined;
      const { roles, email, email_verified } = claimsOf(user);
      return { roles, email, email_verified };
    },
    findAccount: (_ctx, sub) => {
      const user = demoUser(sub);
      if (!user) return undefined;
      return { accountId: user.user, claims: () => claimsOf(user) };
    },
    // The web app is first-party: its grant is made at sign-in, so no consent screen is shown.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const { oidc } = ctx;
      const client = oidc.client!;
      const session = oidc.session!;
      const grantId = oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      if (grantId) return oidc.provider.Grant.find(grantId);
      if (client.clientId !== DEV_IDP_WEB_CLIENT_ID || !session.accountId) return undefined;
      const grant = new oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope(FIRST_PARTY_SCOPES);
      grant.addResourceScope(DEV_IDP_RESOURCE, '');
      await grant.save();
      session.ensureClientContainer(client.clientId);
      session.grantIdFor(client.clientId, grant.jti);
      return grant;
    },
    // The web app keeps its session with refresh tokens (rotated at each use), with or without `offline_access`.
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    ttl: {
      AccessToken: ACCESS_TOKEN_TTL,
      AuthorizationCode: 60,
      IdToken: ACCESS_TOKEN_TTL,
      RefreshToken: 8 * 3600,
      Interaction: 600,
      Session: 8 * 3600,
      Grant: 8 * 3600,
    },
    renderError: (ctx, out) => {
      ctx.type = 'html';
      const lines = Object.entries(out)
        .map(([key, value]) => `<p><strong>${escapeHtml(key)}</strong>: ${escapeHtml(String(value))}</p>`)
        .join('');
      ctx.body = page('Sign-in error', `<h1>Sign-in failed</h1>${lines}`);
    },
    clientBasedCORS: (_ctx, origin, client) => client.redirectUris?.some((uri) => URL.parse(uri)?.origin === origin) === true,
  };
  const provider = new Provider(DEV_IDP_ISSUER, configuration);
  // Served over http on loopback: no proxy in front, so the request's own protocol and host are the issuer's.
  provider.proxy = false;
  return provider;
}
