import type { Browser, BrowserContext, Page } from 'playwright-core';
import { devToken } from '../../scripts/dev-idp/identity.js';
import { newContext, signIn } from './browser.js';
import { api } from './stack.js';
import { operatorHeaders } from './tenants.js';
import { recordPeerConnections } from './webrtc-stats.js';

/** Calls the demo tenant's API (home site fra) as one of its users, with a token of the dev identity provider. */
export async function asUser(user: string, roles: string[], path: string, init: RequestInit = {}) {
  const token = await devToken({ user, roles });
  return api('fra', path, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
  });
}

/** A meeting Alice hosts, starting now, to which Bob, Carol and Dora are invited (so their pages can read it). */
export async function aliceMeeting(title: string, extra: Record<string, unknown> = {}): Promise<string> {
  const created = await asUser('alice', ['host'], '/v1/meetings', {
    method: 'POST',
    body: JSON.stringify({
      title: `${title} ${Date.now().toString(36)}`,
      startsAt: new Date().toISOString(),
      durationMinutes: 60,
      timeZone: 'Europe/Berlin',
      invitees: ['bob@demo.example', 'carol@demo.example', 'dora@demo.example'],
      ...extra,
    }),
  });
  if (created.status !== 201) throw new Error(`meeting not created: ${JSON.stringify(created.body)}`);
  return (created.body as { id: string }).id;
}

/**
 * The demo organisation shows participants' names in meetings (a tenant
 * setting, off by default): the host's planner and the report dialog then
 * list people by name rather than by their per-meeting pseudonym.
 */
export async function showNamesInDemo(): Promise<void> {
  const found = await api('fra', '/v1/directory/demo');
  const tenantId = (found.body as { tenantId: string }).tenantId;
  const tenant = await api('fra', `/v1/tenants/${tenantId}`, { headers: operatorHeaders() });
  if (!(tenant.body as { displayNames?: boolean }).displayNames) {
    const etag = tenant.headers.get('etag') ?? '';
    const changed = await api('fra', `/v1/tenants/${tenantId}`, {
      method: 'PATCH',
      headers: operatorHeaders({ 'if-match': etag }),
      body: JSON.stringify({ displayNames: true }),
    });
    if (changed.status !== 200) throw new Error(`display names not turned on: ${JSON.stringify(changed.body)}`);
    // Each function instance keeps a tenant for up to 30 s (lambdas/http/auth/tenant-user.ts), and a route group may
    // run several: only after that long has every one of them read the change.
    await new Promise((done) => setTimeout(done, 31_000));
  }
  // And joins hand out media tokens that carry names.
  const probe = await aliceMeeting('Names probe');
  const deadline = Date.now() + 45_000;
  for (;;) {
    const joined = await asUser('alice', ['host'], `/v1/meetings/${probe}/join`, {
      method: 'POST',
      body: JSON.stringify({ displayName: 'Alice' }),
    });
    const token = (joined.body as { media?: { token?: string } }).media?.token ?? '';
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString() || '{}') as { name?: string };
    if (claims.name) return;
    if (Date.now() > deadline) throw new Error('joins still hand out tokens without names');
    await new Promise((done) => setTimeout(done, 1000));
  }
}

/**
 * A person in their own browser context (WebRTC statistics recorded), signed in through the OpenID flow, on the
 * meeting's page before Join. MEETPLANE_BROWSER_CONSOLE=1 copies the page's console to the test's output, named by
 * the user.
 */
export async function meetingPageAs(
  browser: Browser,
  user: string,
  meetingId: string,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newContext(browser);
  await recordPeerConnections(context);
  const page = await context.newPage();
  if (process.env.MEETPLANE_BROWSER_CONSOLE)
    page.on('console', (message) => process.stdout.write(`[${user}] ${message.type()} ${message.text()}\n`));
  await signIn(page, user, `/demo/m/${meetingId}`);
  return { context, page };
}

/** A person in their own browser context, signed in through the OpenID flow, in the meeting. */
export async function joinAs(browser: Browser, user: string, meetingId: string): Promise<Page> {
  const { page } = await meetingPageAs(browser, user, meetingId);
  await page.getByRole('button', { name: 'Join', exact: true }).click();
  return page;
}
