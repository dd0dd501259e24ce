import { createServer, type Server } from 'node:http';
import { verifyWebhookSignature } from '../../lambdas/domain/advisories.js';
import { smtpInbox, type SmtpInbox } from '../support/smtp-inbox.js';
import { api } from '../support/stack.js';
import { operatorHeaders } from '../support/tenants.js';
import { testTenant, type TestTenant } from '../support/users.js';

/**
 * Security advisories against the real local stack: tenants with their own
 * SMTP servers (smtp-server on loopback, mail parsed with mailparser) and a
 * webhook receiver on loopback that checks every signature.
 */
interface Hook {
  readonly path: string;
  readonly signature: string | undefined;
  readonly body: string;
}

const SECRET_ALPHA = 'alpha-webhook-secret-0123456789abcdef';
const SECRET_BETA = 'beta-webhook-secret-0123456789abcdefgh';

let alpha: TestTenant; // contacts, its own SMTP server that accepts, a webhook
let beta: TestTenant; // contacts, an SMTP server that refuses every recipient, a webhook
let gamma: TestTenant; // only the contact the operator gave at onboarding, no mail server
let elsewhere: TestTenant; // homed in ams: a publication at fra does not reach it
let alphaAdmin: string;
let betaAdmin: string;
const hooks: Hook[] = [];
const servers: SmtpInbox[] = [];
/** What every tenant's mail server received. */
const inbox = () => servers.flatMap((s) => s.mails);
let receiver: Server;
let hookPort: number;

const publish = (json: unknown, headers: Record<string, string> = {}) =>
  api('fra', '/v1/advisories', { method: 'POST', headers: operatorHeaders(headers), body: JSON.stringify(json) });

beforeAll(async () => {
  [alpha, beta, gamma, elsewhere] = await Promise.all([
    testTenant('fra'),
    testTenant('fra'),
    testTenant('fra'),
    testTenant('ams'),
  ]);
  alphaAdmin = await alpha.token('ada', ['admin']);
  betaAdmin = await beta.token('bea', ['admin']);
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hooks.push({
        path: req.url ?? '',
        signature: req.headers['meetplane-signature'] as string | undefined,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
  hookPort = (receiver.address() as { port: number }).port;

  for (const [tenant, token, refuse, from] of [
    [alpha, alphaAdmin, false, 'security@alpha.example'],
    [beta, betaAdmin, true, 'security@beta.example'],
  ] as const) {
    const server = await smtpInbox({ refuse });
    servers.push(server);
    const port = server.port;
    const mail = await tenant.call('/v1/settings/mail', token, {
      method: 'PUT',
      json: { host: '127.0.0.1', port, secure: false, from },
    });
    if (mail.status !== 200) throw new Error(`mail settings not set: ${JSON.stringify(mail.body)}`);
  }
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await new Promise<void>((done) => receiver.close(() => done()));
  await Promise.all([alpha, beta, gamma, elsewhere].map((t) => t.stop()));
});

describe('security contacts', () => {
  it('are set by admins only, sealed, audited without personal data, and never show the webhook secret', async () => {
    const contacts = (tenant: TestTenant, token: string, json: unknown) =>
      tenant.call('/v1/settings/security-contacts', token, { method: 'PUT', json });
    expect((await alpha.call('/v1/settings/security-contacts', alphaAdmin)).body).toEqual({ configured: false, emails: [] });
    expect((await contacts(alpha, await alpha.token('hal', ['host']), { emails: ['sec1@alpha.example'] })).status).toBe(403);

    const put = await contacts(alpha, alphaAdmin, {
      emails: ['sec1@alpha.example', 'sec2@alpha.example'],
      webhook: { url: `http://127.0.0.1:${hookPort}/alpha`, secret: SECRET_ALPHA },
    });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({
      configured: true,
      emails: ['sec1@alpha.example', 'sec2@alpha.example'],
      webhook: { url: `http://127.0.0.1:${hookPort}/alpha`, secretSet: true },
      updatedAt: expect.any(String),
    });
    expect(JSON.stringify((await alpha.call('/v1/settings/security-contacts', alphaAdmin)).body)).not.toContain(SECRET_ALPHA);
    expect(
      (
        await contacts(beta, betaAdmin, {
          emails: ['sec@beta.example'],
          webhook: { url: `http://127.0.0.1:${hookPort}/beta`, secret: SECRET_BETA },
        })
      ).status,
    ).toBe(200);

    const audit = (await alpha.call('/v1/audit?limit=200', alphaAdmin)).body as {
      items: { action: string; details?: Record<string, unknown> }[];
    };
    const entry = audit.items.find((e) => e.action === 'settings.security-contacts');
    expect(entry?.details).toEqual({ emails: 2, webhook: true });
    expect(JSON.stringify(audit)).not.toContain('sec1@alpha.example');
  });

  it('refuse bad input, naming the field, and store nothing', async () => {
    const put = (json: unknown) => alpha.call('/v1/settings/security-contacts', alphaAdmin, { method: 'PUT', json });
    const tooMany = await put({ emails: Array.from({ length: 11 }, (_, i) => `s${i}@alpha.example`) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toMatchObject({ errors: [expect.objectContaining({ field: 'emails' })] });
    const plainHttp = await put({
      emails: ['sec1@alpha.example'],
      webhook: { url: 'http://hooks.alpha.example/meetplane', secret: SECRET_ALPHA },
    });
    expect(plainHttp.status).toBe(400);
    expect(plainHttp.body).toMatchObject({
      errors: [{ in: 'body', field: 'webhook.url', message: 'must use https, or http on a loopback address' }],
    });
    const shortSecret = await put({
      emails: ['sec1@alpha.example'],
      webhook: { url: `http://127.0.0.1:${hookPort}/a`, secret: 'short' },
    });
    expect(shortSecret.body).toMatchObject({ errors: [expect.objectContaining({ field: 'webhook.secret' })] });
    // Still the contacts set above.
    expect((await alpha.call('/v1/settings/security-contacts', alphaAdmin)).body).toMatchObject({
      emails: ['sec1@alpha.example', 'sec2@alpha.example'],
    });
  });
});

interface Publication {
  advisory: { id: string; title: string; severity: string };
  totals: Record<string, number>;
  deliveries: {
    tenantId: string;
    contacts: string;
    email: Record<string, unknown>;
    webhook: Record<string, unknown>;
    audited?: boolean;
  }[];
}

describe('publishing an advisory', () => {
  let first: Publication;

  it('is for operators only, and refuses bad input naming the field', async () => {
    const body = { title: 'Lobby tickets replayable', severity: 'high', summary: 'Update now.' };
    const asTenant = await api('fra', '/v1/advisories', {
      method: 'POST',
      headers: { authorization: `Bearer ${alphaAdmin}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect([401, 403]).toContain(asTenant.status);
    const unknownSeverity = await publish({ ...body, severity: 'urgent' });
    expect(unknownSeverity.status).toBe(400);
    expect(unknownSeverity.body).toMatchObject({ errors: [expect.objectContaining({ in: 'body', field: 'severity' })] });
    const badCve = await publish({ ...body, cve: ['CVE-1'] });
    expect(badCve.body).toMatchObject({ errors: [expect.objectContaining({ field: 'cve.0' })] });
  });

  it('e-mails and signs webhooks to every tenant homed here; one failing mail server stops no one else', async () => {
    const started = Math.floor(Date.now() / 1000);
    const res = await publish(
      {
        title: 'Lobby tickets replayable',
        severity: 'high',
        summary: 'A waiting-room ticket could be polled after denial. Fixed on the server; no action needed.',
        cve: ['CVE-2026-40001'],
      },
      { 'idempotency-key': 'advisory-test-1' },
    );
    expect(res.status).toBe(201);
    first = res.body as Publication;
    const of = (tenant: TestTenant) => first.deliveries.find((d) => d.tenantId === tenant.tenant.id);

    expect(of(alpha)).toEqual({
      tenantId: alpha.tenant.id,
      contacts: 'settings',
      email: { status: 'sent', recipients: 2 },
      webhook: { status: 'delivered', httpStatus: 204 },
    });
    expect(of(beta)).toEqual({
      tenantId: beta.tenant.id,
      contacts: 'settings',
      email: { status: 'failed', recipients: 1, sent: 0, error: '550' },
      webhook: { status: 'delivered', httpStatus: 204 },
    });
    expect(of(gamma)).toEqual({
      tenantId: gamma.tenant.id,
      contacts: 'onboarding',
      email: { status: 'skipped', reason: 'no-mail-server' },
      webhook: { status: 'not-configured' },
    });
    expect(of(elsewhere)).toBeUndefined();
    expect(JSON.stringify(first.deliveries)).not.toMatch(/@|127\.0\.0\.1/);

    const mails = inbox().filter((m) => m.subject.includes('Lobby tickets replayable'));
    expect(mails.map((m) => m.to).sort()).toEqual(['sec1@alpha.example', 'sec2@alpha.example']);
    expect(mails[0]!.subject).toBe('[Meetplane security advisory] [HIGH] Lobby tickets replayable');
    expect(mails[0]!.text).toContain('CVE-2026-40001');

    expect(hooks.map((h) => h.path).sort()).toEqual(['/alpha', '/beta']);
    for (const hook of hooks) {
      const secret = hook.path === '/alpha' ? SECRET_ALPHA : SECRET_BETA;
      const other = hook.path === '/alpha' ? SECRET_BETA : SECRET_ALPHA;
      expect(hook.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      const t = Number(/^t=(\d+)/.exec(hook.signature!)![1]);
      expect(t).toBeGreaterThanOrEqual(started - 1);
      expect(verifyWebhookSignature(hook.signature, hook.body, secret, Math.floor(Date.now() / 1000))).toEqual({ valid: true });
      expect(verifyWebhookSignature(hook.signature, hook.body, other, Math.floor(Date.now() / 1000)).valid).toBe(false);
      // A replay an hour later is refused by a receiver that checks the timestamp.
      expect(verifyWebhookSignature(hook.signature, hook.body, secret, t + 3600).valid).toBe(false);
      const payload = JSON.parse(hook.body) as { type: string; tenantId: string; advisory: { id: string; cve: string[] } };
      expect(payload).toMatchObject({
        type: 'meetplane.security-advisory',
        tenantId: hook.path === '/alpha' ? alpha.tenant.id : beta.tenant.id,
        advisory: { id: first.advisory.id, severity: 'high', cve: ['CVE-2026-40001'] },
      });
    }
  });

  it('is not delivered twice when retried with the same Idempotency-Key', async () => {
    const before = { mails: inbox().length, hooks: hooks.length };
    const retry = await publish(
      {
        title: 'Lobby tickets replayable',
        severity: 'high',
        summary: 'A waiting-room ticket could be polled after denial. Fixed on the server; no action needed.',
        cve: ['CVE-2026-40001'],
      },
      { 'idempotency-key': 'advisory-test-1' },
    );
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    const replayed = retry.body as Publication;
    expect(replayed.advisory).toEqual(first.advisory);
    expect(replayed.deliveries.find((d) => d.tenantId === alpha.tenant.id)).toEqual(
      first.deliveries.find((d) => d.tenantId === alpha.tenant.id),
    );
    expect({ mails: inbox().length, hooks: hooks.length }).toEqual(before);
  });

  it("is in each tenant's audit log as the operator's", async () => {
    const audit = (await alpha.call('/v1/audit?limit=200', alphaAdmin)).body as {
      items: { action: string; target: string; actor: { type: string }; details: Record<string, unknown> }[];
    };
    const entries = audit.items.filter((e) => e.action === 'advisory.publish');
    expect(entries).toEqual([
      expect.objectContaining({
        target: `advisory/${first.advisory.id}`,
        actor: expect.objectContaining({ type: 'operator' }),
        details: { severity: 'high', contacts: 'settings', email: 'sent', emailsSent: 2, webhook: 'delivered' },
      }),
    ]);
    expect((await alpha.call('/v1/audit/verify', alphaAdmin)).body).toMatchObject({ intact: true });
    const betaAudit = (await beta.call('/v1/audit?limit=200', betaAdmin)).body as {
      items: { action: string; details: unknown }[];
    };
    expect(betaAudit.items.find((e) => e.action === 'advisory.publish')?.details).toMatchObject({
      email: 'failed',
      webhook: 'delivered',
    });
  });

  it('is listed to every user of a tenant, newest first, page by page', async () => {
    const second = await publish({ title: 'Minor header leak', severity: 'low', summary: 'Fixed.' });
    expect(second.status).toBe(201);
    const secondId = (second.body as Publication).advisory.id;
    const user = await alpha.token('uma');
    const page1 = await alpha.call('/v1/advisories?limit=1', user);
    expect(page1.status).toBe(200);
    const body1 = page1.body as { items: { id: string }[]; nextCursor?: string };
    expect(body1.items.map((a) => a.id)).toEqual([secondId]);
    expect(body1.nextCursor).toEqual(expect.any(String));
    const page2 = (await alpha.call(`/v1/advisories?limit=1&cursor=${body1.nextCursor}`, user)).body as { items: unknown[] };
    expect(page2.items).toEqual([
      expect.objectContaining({ id: first.advisory.id, title: 'Lobby tickets replayable', severity: 'high', site: 'fra' }),
    ]);
    const badCursor = await alpha.call('/v1/advisories?cursor=bm90LWEtY3Vyc29y', user);
    expect(badCursor.status).toBe(400);
    expect(badCursor.body).toMatchObject({ errors: [expect.objectContaining({ in: 'query', field: 'cursor' })] });
    // The ams site has its own advisories: none of fra's.
    const atAms = (await elsewhere.call('/v1/advisories', await elsewhere.token('amy'))).body as { items: { id: string }[] };
    expect(atAms.items.map((a) => a.id)).not.toContain(first.advisory.id);
    expect((await api('fra', '/v1/advisories')).status).toBe(401);
  });
});
