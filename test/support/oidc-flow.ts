import { createHash, randomBytes } from 'node:crypto';

/**
 * The OpenID Connect authorization code flow with PKCE, driven with fetch as
 * a browser would drive it: redirects followed by hand, cookies kept in a jar,
 * the login form posted, and the code exchanged at the token endpoint.
 */
export interface FlowClient {
  readonly issuer: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scope?: string;
}

export interface Discovery {
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
  readonly jwks_uri: string;
  readonly issuer: string;
}

export interface AuthorizationOutcome {
  /** The code the provider redirected back with, if any. */
  readonly code?: string;
  readonly state?: string;
  /** The last response seen: the login page again after a wrong password. */
  readonly lastStatus: number;
  readonly lastBody: string;
  readonly verifier: string;
}

class CookieJar {
  private readonly cookies = new Map<string, string>();

  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at).trim();
      const value = pair!.slice(at + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

export const base64url = (bytes: Buffer) => bytes.toString('base64url');

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = base64url(randomBytes(32));
  return { verifier, challenge: base64url(createHash('sha256').update(verifier).digest()) };
}

export async function discover(issuer: string): Promise<Discovery> {
  const response = await fetch(`${issuer}/.well-known/openid-configuration`);
  if (response.status !== 200) throw new Error(`discovery answered ${response.status}`);
  return (await response.json()) as Discovery;
}

/**
 * Starts at the authorization endpoint, signs in with the given credentials
 * on the provider's login page and follows the redirects until they leave for
 * the client's redirect URI (or stop somewhere else).
 */
export async function authorize(client: FlowClient, username: string, password: string): Promise<AuthorizationOutcome> {
  const discovery = await discover(client.issuer);
  const { verifier, challenge } = pkcePair();
  const state = base64url(randomBytes(16));
  const url = new URL(discovery.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: client.clientId,
    redirect_uri: client.redirectUri,
    response_type: 'code',
    scope: client.scope ?? 'openid profile email roles',
    state,
    nonce: base64url(randomBytes(16)),
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();

  const jar = new CookieJar();
  let next: { url: string; init: RequestInit } | undefined = { url: url.href, init: { method: 'GET' } };
  let posted = false;
  for (let hop = 0; next && hop < 12; hop++) {
    const response = await fetch(next.url, {
      ...next.init,
      redirect: 'manual',
      headers: { ...(next.init.headers as Record<string, string>), cookie: jar.header() },
    });
    jar.take(response);
    const location = response.headers.get('location');
    if (location) {
      const target: URL = new URL(location, next.url);
      await response.body?.cancel();
      if (target.href.startsWith(client.redirectUri)) {
        return {
          code: target.searchParams.get('code') ?? undefined,
          state: target.searchParams.get('state') ?? undefined,
          lastStatus: response.status,
          lastBody: target.href,
          verifier,
        };
      }
      next = { url: target.href, init: { method: 'GET' } };
      continue;
    }
    const body = await response.text();
    const action = /<form method="post" action="([^"]+)"/.exec(body)?.[1];
    if (!action || posted) return { lastStatus: response.status, lastBody: body, verifier };
    posted = true;
    next = {
      url: new URL(action.replace(/&amp;/g, '&'), next.url).href,
      init: {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username, password }).toString(),
      },
    };
  }
  throw new Error('the authorization flow did not end within 12 hops');
}

export interface TokenAnswer {
  readonly status: number;
  readonly body: {
    access_token?: string;
    id_token?: string;
    refresh_token?: string;
    token_type?: string;
    expires_in?: number;
    error?: string;
  };
}

/** Exchanges a code (with its PKCE verifier) at the token endpoint, as a public client. */
export async function exchangeCode(client: FlowClient, code: string, verifier: string): Promise<TokenAnswer> {
  const discovery = await discover(client.issuer);
  const response = await fetch(discovery.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: client.redirectUri,
      client_id: client.clientId,
      code_verifier: verifier,
    }).toString(),
  });
  return { status: response.status, body: (await response.json()) as TokenAnswer['body'] };
}

/** Trades a refresh token for new tokens. */
export async function refresh(client: FlowClient, refreshToken: string): Promise<TokenAnswer> {
  const discovery = await discover(client.issuer);
  const response = await fetch(discovery.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: client.clientId,
    }).toString(),
  });
  return { status: response.status, body: (await response.json()) as TokenAnswer['body'] };
}
