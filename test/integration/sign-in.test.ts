import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { authorize, discover, exchangeCode, pkcePair, refresh, type FlowClient } from '../support/oidc-flow.js';
import { api, stack } from '../support/stack.js';

/**
 * Signing in as the web client does, against the local stack's dev identity
 * provider (a real OpenID provider): the directory names the provider, the
 * authorization code flow with PKCE runs through its login page, and the
 * access token it issues is what the API accepts.
 */
interface StoredMail {
  destination: { to: string[] };
  subject: string;
  body: { text?: string };
  attachments: { filename: string; content: string }[];
}

const webUrl = () => stack().sites.fra.env.MEETPLANE_WEB_URL!;
const client = (): FlowClient => ({
  issuer: stack().idp.issuer,
  clientId: stack().idp.clientId,
  redirectUri: `${webUrl()}/callback`,
});

const asUser = (token: string, path: string, init: { method?: string; json?: unknown; headers?: Record<string, string> } = {}) =>
  api('fra', path, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${token}`,
      ...(init.json !== undefined && { 'content-type': 'application/json' }),
      ...init.headers,
    },
    ...(init.json !== undefined && { body: JSON.stringify(init.json) }),
  });

/** Signs a demo user in through the provider's login page and returns their tokens. */
async function signIn(user: string): Promise<{ access: string; id: string; refreshToken?: string }> {
  const outcome = await authorize(client(), user, 'demo');
  expect(outcome.code).toEqual(expect.any(String));
  const tokens = await exchangeCode(client(), outcome.code!, outcome.verifier);
  expect(tokens.status).toBe(200);
  return { access: tokens.body.access_token!, id: tokens.body.id_token!, refreshToken: tokens.body.refresh_token };
}

const meetingBody = (invitees: string[] = []) => ({
  title: 'Signed-in planning',
  startsAt: new Date(Date.now() + 86_400_000).toISOString(),
  durationMinutes: 30,
  timeZone: 'Europe/Berlin',
  invitees,
});

describe('finding sign-in', () => {
  it('the directory names the tenant’s provider, web client and audience, and its web app, the same on both sites', async () => {
    const expected = {
      slug: 'demo',
      homeSite: 'fra',
      signIn: { issuer: stack().idp.issuer, clientId: 'meetplane-web', audience: 'meetplane-local' },
      webUrl: webUrl(),
    };
    for (const site of ['fra', 'ams'] as const) {
      const answer = await api(site, '/v1/directory/demo');
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject(expected);
    }
  });

  it('the provider publishes its discovery document and one ES256 key at the address the tenant trusts', async () => {
    const { issuer } = stack().idp;
    const discovery = (await discover(issuer)) as unknown as Record<string, unknown>;
    expect(discovery).toMatchObject({
      issuer,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      code_challenge_methods_supported: ['S256'],
      response_types_supported: ['code'],
    });
    const jwks = (await (await fetch(`${issuer}/.well-known/jwks.json`)).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });
});

describe('the authorization code flow with PKCE', () => {
  it('signs a host in and yields a JWT access token for the API’s audience that creates a meeting', async () => {
    const { access, id } = await signIn('alice');
    const header = decodeProtectedHeader(access);
    const jwks = (await (await fetch(`${stack().idp.issuer}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
    expect(header).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: jwks.keys[0]!.kid });
    expect(decodeJwt(access)).toMatchObject({
      iss: stack().idp.issuer,
      aud: 'meetplane-local',
      sub: 'alice',
      client_id: 'meetplane-web',
      roles: ['host'],
      email: 'alice@demo.example',
      email_verified: true,
    });
    expect(decodeJwt(id)).toMatchObject({ sub: 'alice', aud: 'meetplane-web', name: 'Alice Adler', roles: ['host'] });

    const created = await asUser(access, '/v1/meetings', { method: 'POST', json: meetingBody() });
    expect(created.status).toBe(201);
    const meetingId = (created.body as { id: string }).id;
    expect((await asUser(access, `/v1/meetings/${meetingId}`)).status).toBe(200);
  });

  it('carries the user’s roles: a participant without one may not schedule', async () => {
    const { access } = await signIn('bob');
    expect(decodeJwt(access)).toMatchObject({ sub: 'bob', roles: [] });
    expect((await asUser(access, '/v1/meetings', { method: 'POST', json: meetingBody() })).status).toBe(403);
    expect((await asUser(access, '/v1/advisories')).status).toBe(200);
  });

  it('gives no code for a wrong password: the login page comes back with an error', async () => {
    const outcome = await authorize(client(), 'alice', 'not-the-password');
    expect(outcome.code).toBeUndefined();
    expect(outcome.lastStatus).toBe(401);
    expect(outcome.lastBody).toMatch(/role="alert"/);
    expect(outcome.lastBody).toMatch(/<label for="username">Username<\/label>/);
    expect(outcome.lastBody).toMatch(/<label for="password">Password<\/label>/);
    expect(outcome.lastBody).toMatch(/<button type="submit">Sign in<\/button>/);
    expect((await authorize(client(), 'mallory', 'demo')).code).toBeUndefined();
  });

  it('refuses a code exchanged without its verifier, and a code used twice', async () => {
    const outcome = await authorize(client(), 'carol', 'demo');
    expect(outcome.code).toEqual(expect.any(String));
    const wrong = await exchangeCode(client(), outcome.code!, pkcePair().verifier);
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({ error: 'invalid_grant' });
    expect(wrong.body.access_token).toBeUndefined();

    const second = await authorize(client(), 'carol', 'demo');
    expect((await exchangeCode(client(), second.code!, second.verifier)).status).toBe(200);
    expect((await exchangeCode(client(), second.code!, second.verifier)).status).toBe(400);
  });

  it('refuses an authorization request without PKCE, and a redirect URI it does not know', async () => {
    const { authorization_endpoint } = await discover(stack().idp.issuer);
    const params = {
      client_id: stack().idp.clientId,
      redirect_uri: client().redirectUri,
      response_type: 'code',
      scope: 'openid',
      state: 's',
    };
    const noPkce = await fetch(`${authorization_endpoint}?${new URLSearchParams(params).toString()}`, { redirect: 'manual' });
    const location = new URL(noPkce.headers.get('location')!);
    expect(location.href.startsWith(client().redirectUri)).toBe(true);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('code')).toBeNull();

    const elsewhere = await fetch(
      `${authorization_endpoint}?${new URLSearchParams({ ...params, redirect_uri: 'http://127.0.0.1:9/callback', code_challenge: pkcePair().challenge, code_challenge_method: 'S256' }).toString()}`,
      { redirect: 'manual' },
    );
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.headers.get('location')).toBeNull();
  });

  it('renews the access token with the refresh token, for the same audience', async () => {
    const { refreshToken } = await signIn('dora');
    expect(refreshToken).toEqual(expect.any(String));
    const renewed = await refresh(client(), refreshToken!);
    expect(renewed.status).toBe(200);
    expect(decodeJwt(renewed.body.access_token!)).toMatchObject({
      sub: 'dora',
      aud: 'meetplane-local',
      roles: ['admin', 'host'],
    });
    expect((await asUser(renewed.body.access_token!, '/v1/settings/guests')).status).toBe(200);
  });
});

describe('`npm run token`', () => {
  it('still signs a token of the same provider that the API accepts', async () => {
    const { stdout } = await promisify(execFile)('npm', ['run', '-s', 'token', '--', '--user', 'erin', '--role', 'host'], {
      env: process.env,
    });
    const token = stdout.trim().split('\n').at(-1)!;
    expect(decodeJwt(token)).toMatchObject({ iss: stack().idp.issuer, aud: 'meetplane-local', sub: 'erin', roles: ['host'] });
    expect((await asUser(token, '/v1/meetings', { method: 'POST', json: meetingBody() })).status).toBe(201);
  });
});

describe('links in invitations', () => {
  let admin: string;
  let host: string;

  beforeAll(async () => {
    admin = (await signIn('dora')).access;
    host = (await signIn('alice')).access;
    const mail = await asUser(admin, '/v1/settings/mail', {
      method: 'PUT',
      json: { transport: 'ses', from: 'meetings@demo.example' },
    });
    if (mail.status !== 200) throw new Error(`mail settings not set: ${JSON.stringify(mail.body)}`);
    const guests = await asUser(admin, '/v1/settings/guests', { method: 'PUT', json: { enabled: true } });
    if (guests.status !== 200) throw new Error(`guests not turned on: ${JSON.stringify(guests.body)}`);
  });

  afterAll(async () => {
    await asUser(admin, '/v1/settings/guests', { method: 'PUT', json: { enabled: false } });
  });

  it('point the mail, the .ics and a guest’s link at the meeting in the web app', async () => {
    const ICAL = (await import('ical.js')).default;
    const tag = randomUUID().slice(0, 8);
    const invitees = [`guest-${tag}@guest.example`];
    const created = await asUser(host, '/v1/meetings', { method: 'POST', json: meetingBody(invitees) });
    expect(created.status).toBe(201);
    const meetingId = (created.body as { id: string }).id;
    const meetingUrl = `${webUrl()}/demo/m/${meetingId}`;

    const ics = await asUser(host, `/v1/meetings/${meetingId}/invite.ics`);
    expect(ics.status).toBe(200);
    const event = new ICAL.Component(ICAL.parse(ics.body as string)).getFirstSubcomponent('vevent')!;
    expect(event.getFirstPropertyValue('url')).toBe(meetingUrl);

    expect((await asUser(host, `/v1/meetings/${meetingId}/invitations`, { method: 'POST' })).body).toEqual({ sent: 1 });
    const store = (await (await fetch(`${stack().sesEndpoint}/store`)).json()) as { emails: StoredMail[] };
    const mail = store.emails.find((m) => m.destination.to.includes(invitees[0]!))!;
    const text = mail.body.text ?? '';
    expect(text).toContain(meetingUrl);
    const guestLink = new RegExp(`${escapeRegExp(`${webUrl()}/demo/guest#`)}(\\S+)`).exec(text);
    expect(guestLink?.[1]).toMatch(/^tn_[0-9a-f]{24}\.mt_[0-9a-f]{24}\.[A-Za-z0-9_-]{43}$/);
    expect(text).not.toContain('/v1/');
    const attached = mail.attachments.find((a) => a.filename === 'invite.ics')!;
    const mailedEvent = new ICAL.Component(
      ICAL.parse(Buffer.from(attached.content, 'base64').toString('utf8')),
    ).getFirstSubcomponent('vevent')!;
    expect(mailedEvent.getFirstPropertyValue('url')).toBe(meetingUrl);
    // The guest's code is in the mail only, never in the calendar event.
    expect(Buffer.from(attached.content, 'base64').toString('utf8')).not.toContain(guestLink![1]!);
  });
});

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
