import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { MemoryAdapter } from '../../scripts/dev-idp/memory-adapter.js';

/**
 * A second tenant's own OpenID provider for browser tests (`oidc-provider`,
 * as the local stack's dev identity provider is): an issuer of its own on a
 * loopback port, the web app as a public client (authorization code with
 * PKCE), a login page with "Username", "Password" and "Sign in", and access
 * tokens that are ES256 JWTs for the API's audience carrying the user's roles
 * and a verified address. Every user's password is `demo`.
 */
export interface TenantIdentityProvider {
  readonly issuer: string;
  readonly jwksUri: string;
  readonly audience: string;
  readonly clientId: string;
  stop(): Promise<void>;
}

const RESOURCE = 'urn:meetplane:tenant';
const CLIENT_ID = 'meetplane-web';
const SCOPES = 'openid profile email roles';

const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const loginPage = (action: string, error = '') => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in</title></head>
<body><main><h1>Sign in</h1>${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${escapeHtml(action)}">
<label for="username">Username</label><input id="username" name="username" autocomplete="username">
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password">
<button type="submit">Sign in</button>
</form></main></body></html>`;

export async function startTenantIdentityProvider(options: {
  readonly webOrigin: string;
  readonly users: Readonly<Record<string, readonly string[]>>;
  readonly emailDomain: string;
}): Promise<TenantIdentityProvider> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'ES256', use: 'sig' };
  const audience = `meetplane-${randomUUID().slice(0, 8)}`;
  const claimsOf = (user: string) => ({
    sub: user,
    name: user,
    email: `${user}@${options.emailDomain}`,
    email_verified: true,
    roles: [...(options.users[user] ?? [])],
  });

  const server: Server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as { port: number }).port;
  const issuer = `http://127.0.0.1:${port}`;

  const configuration: Configuration = {
    adapter: MemoryAdapter,
    clients: [
      {
        client_id: CLIENT_ID,
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [`${options.webOrigin}/callback`],
        post_logout_redirect_uris: [`${options.webOrigin}/`],
        id_token_signed_response_alg: 'ES256',
      },
    ],
    jwks: { keys: [jwk as never] },
    enabledJWA: { idTokenSigningAlgValues: ['ES256'] },
    pkce: { required: () => true },
    responseTypes: ['code'],
    scopes: ['openid', 'offline_access', 'profile', 'email', 'roles'],
    claims: { openid: ['sub'], profile: ['name'], email: ['email', 'email_verified'], roles: ['roles'] },
    conformIdTokenClaims: false,
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      RefreshToken: 3600,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: [randomBytes(32).toString('base64url')], long: { secure: false }, short: { secure: false } },
    features: {
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          if (resource !== RESOURCE) throw new errors.InvalidTarget();
          return { scope: '', audience, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } };
        },
      },
    },
    extraTokenClaims: (_ctx, token) => {
      if (!('accountId' in token) || !token.accountId || !(token.accountId in options.users)) return undefined;
      const { roles, email, email_verified } = claimsOf(token.accountId);
      return { roles, email, email_verified };
    },
    findAccount: (_ctx, sub) => (sub in options.users ? { accountId: sub, claims: () => claimsOf(sub) } : undefined),
    // The web app is first-party: granted at sign-in, no consent screen.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const { oidc } = ctx;
      const session = oidc.session!;
      const clientId = oidc.client!.clientId;
      const grantId = oidc.result?.consent?.grantId ?? session.grantIdFor(clientId);
      if (grantId) return oidc.provider.Grant.find(grantId);
      if (!session.accountId) return undefined;
      const grant = new oidc.provider.Grant({ clientId, accountId: session.accountId });
      grant.addOIDCScope(SCOPES);
      grant.addResourceScope(RESOURCE, '');
      await grant.save();
      session.ensureClientContainer(clientId);
      session.grantIdFor(clientId, grant.jti);
      return grant;
    },
    clientBasedCORS: (_ctx, origin) => origin === options.webOrigin,
  };
  const provider = new Provider(issuer, configuration);
  const oidc = provider.callback();

  async function interaction(req: IncomingMessage, res: ServerResponse, login: boolean): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    const action = `/interaction/${details.uid}/login`;
    if (details.prompt.name !== 'login') {
      await provider.interactionFinished(req, res, {}, { mergeWithLastSubmission: true });
      return;
    }
    if (!login) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(loginPage(action));
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const user = form.get('username') ?? '';
    if (!(user in options.users) || form.get('password') !== 'demo') {
      res.writeHead(401, { 'content-type': 'text/html; charset=utf-8' }).end(loginPage(action, 'Wrong username or password.'));
      return;
    }
    await provider.interactionFinished(req, res, { login: { accountId: user } }, { mergeWithLastSubmission: false });
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const match = /^\/interaction\/[A-Za-z0-9_-]{1,64}(\/login)?$/.exec(new URL(req.url ?? '/', issuer).pathname);
    if (!match) {
      void oidc(req, res);
      return;
    }
    interaction(req, res, match[1] !== undefined).catch(() => {
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' }).end('sign-in expired');
      else res.end();
    });
  });

  return {
    issuer,
    jwksUri: `${issuer}/jwks`,
    audience,
    clientId: CLIENT_ID,
    stop: () => new Promise<void>((done) => server.close(() => done())),
  };
}
