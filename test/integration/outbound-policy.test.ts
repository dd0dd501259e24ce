import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { postWebhook } from '../../lambdas/http/webhook-sender.js';
import { sendMessages } from '../../lambdas/mail/mailer.js';
import { outboundPolicy, type ResolvedAddress, type Resolver } from '../../lambdas/net/outbound-policy.js';
import { startGateway, untilListening, type GatewayProcess } from '../support/gateway-process.js';
import { smtpInbox, type SmtpInbox } from '../support/smtp-inbox.js';
import { stack } from '../support/stack.js';
import { operatorHeaders, tenantBody } from '../support/tenants.js';
import { testTenant, type TestTenant } from '../support/users.js';

/**
 * The outbound policy over real sockets on loopback, and against the real
 * local stack: the local stage still delivers to a loopback name; a site that
 * refuses loopback (MEETPLANE_OUTBOUND_LOOPBACK=refuse on a second gateway,
 * the rule a deployed site always applies) refuses a webhook, an SMTP host
 * and a JWKS address named `localhost` — which resolves to loopback through
 * /etc/hosts — with the check that failed, and connects to nothing.
 */
interface Hit {
  readonly host: string | undefined;
  readonly path: string;
}

const hits: Hit[] = [];
let receiver: Server;
let hookPort: number;
let inbox: SmtpInbox;

/** A resolver that gives each answer in turn (the last one again once they run out) and counts its lookups. */
function scriptedResolver(...answers: (readonly ResolvedAddress[])[]): Resolver & { calls: string[] } {
  const calls: string[] = [];
  return Object.assign(
    async (hostname: string) => {
      calls.push(hostname);
      return answers[Math.min(calls.length - 1, answers.length - 1)]!;
    },
    { calls },
  );
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      hits.push({ host: req.headers.host, path: req.url ?? '' });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
  hookPort = (receiver.address() as { port: number }).port;
  inbox = await smtpInbox();
});

afterAll(async () => {
  await inbox.close();
  await new Promise<void>((done) => receiver.close(() => done()));
});

describe('connecting through the policy (loopback sockets)', () => {
  it('posts a webhook to the address it checked, with one lookup, and refuses the rebound answer on the next connection', async () => {
    const resolver = scriptedResolver([{ address: '127.0.0.1', family: 4 }], [{ address: '169.254.169.254', family: 4 }]);
    const policy = outboundPolicy({ allowLoopback: true, resolver });
    const url = `http://rebind.meetplane.test:${hookPort}/rebind`;
    const before = hits.length;

    expect(await postWebhook(url, '{}', 't=1,v1=00', 'd-1', 3000, policy)).toEqual({ httpStatus: 204 });
    expect(resolver.calls).toEqual(['rebind.meetplane.test']);
    expect(hits.slice(before)).toEqual([{ host: `rebind.meetplane.test:${hookPort}`, path: '/rebind' }]);

    // The name now answers the metadata service: the next delivery asks again, is refused, and connects nowhere.
    expect(await postWebhook(url, '{}', 't=1,v1=00', 'd-2', 3000, policy)).toEqual({
      error: 'refused-destination',
      refused: 'metadata',
    });
    expect(resolver.calls).toHaveLength(2);
    expect(hits).toHaveLength(before + 1);
  });

  it('refuses localhost and a loopback literal where loopback is not allowed, and reports codes, not socket errors', async () => {
    const deployed = outboundPolicy({ allowLoopback: false });
    const before = hits.length;
    for (const host of ['localhost', '127.0.0.1', '[::1]']) {
      expect(await postWebhook(`http://${host}:${hookPort}/x`, '{}', 's', 'd', 3000, deployed)).toEqual({
        error: 'refused-destination',
        refused: 'loopback',
      });
    }
    expect(hits).toHaveLength(before);
    // Allowed, but nothing listens there: a stable code, never ECONNREFUSED.
    const local = outboundPolicy({ allowLoopback: true });
    expect(await postWebhook('http://127.0.0.1:9/x', '{}', 's', 'd', 3000, local)).toEqual({ error: 'unreachable' });
  });

  it('sends mail to the SMTP server at the address it checked, and to no loopback server where loopback is refused', async () => {
    const ses = { region: 'eu-central-1', local: true };
    const message = { to: 'ina@example.test', subject: `policy ${randomUUID()}`, text: 'hello' };
    const settings = {
      transport: 'smtp',
      host: 'mail.meetplane.test',
      port: inbox.port,
      secure: false,
      from: 'm@example.test',
    } as const;

    const resolver = scriptedResolver([{ address: '127.0.0.1', family: 4 }]);
    const local = outboundPolicy({ allowLoopback: true, resolver });
    expect(await sendMessages(settings, undefined, ses, [message], { stopAtFirstFailure: true, policy: local })).toEqual({
      sent: 1,
    });
    expect(resolver.calls).toEqual(['mail.meetplane.test']);
    expect(inbox.mails.filter((m) => m.subject === message.subject)).toHaveLength(1);

    const deployed = outboundPolicy({ allowLoopback: false });
    const refused = await sendMessages({ ...settings, host: 'localhost' }, undefined, ses, [{ ...message, subject: 'never' }], {
      stopAtFirstFailure: true,
      policy: deployed,
    });
    expect(refused).toEqual({
      sent: 0,
      error: 'refused-destination',
      refused: 'loopback',
      reason: 'resolves to a loopback address',
    });
    expect(inbox.mails.filter((m) => m.subject === 'never')).toHaveLength(0);
  });
});

describe('against the local stack', () => {
  let tenant: TestTenant;
  let admin: string;
  let refusing: GatewayProcess;
  const emails = [`sec-${randomUUID().slice(0, 6)}@example.test`];

  beforeAll(async () => {
    tenant = await testTenant('ams');
    admin = await tenant.token('ada', ['admin', 'host']);
    // A second ams gateway on the same stack that refuses loopback destinations, as a deployed site does.
    refusing = await startGateway({ ...stack().sites.ams.env, MEETPLANE_OUTBOUND_LOOPBACK: 'refuse' });
    await untilListening(refusing);
  }, 60_000);

  afterAll(async () => {
    await refusing?.stop();
    await tenant?.stop();
  });

  const atRefusing = async (path: string, init: RequestInit) => {
    const response = await fetch(refusing.url + path, init);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('on the local stage, accepts and delivers to a mail server and a webhook named localhost', async () => {
    const mail = await tenant.call('/v1/settings/mail', admin, {
      method: 'PUT',
      json: { host: 'localhost', port: inbox.port, secure: false, from: 'meet@ams.example' },
    });
    expect(mail.status).toBe(200);
    const contacts = await tenant.call('/v1/settings/security-contacts', admin, {
      method: 'PUT',
      json: { emails, webhook: { url: `http://localhost:${hookPort}/outbound`, secret: 'outbound-webhook-secret-0123456789ab' } },
    });
    expect(contacts.status).toBe(200);

    const invitee = `ina-${randomUUID().slice(0, 8)}@example.test`;
    const created = await tenant.call('/v1/meetings', admin, {
      method: 'POST',
      json: {
        title: 'Outbound review',
        startsAt: '2026-12-14T15:00:00+01:00',
        durationMinutes: 30,
        timeZone: 'Europe/Berlin',
        invitees: [invitee],
      },
    });
    expect(created.status).toBe(201);
    const sent = await tenant.call(`/v1/meetings/${(created.body as { id: string }).id}/invitations`, admin, { method: 'POST' });
    expect(sent).toMatchObject({ status: 200, body: { sent: 1 } });
    expect(inbox.mails.filter((m) => m.to === invitee)).toHaveLength(1);
  });

  it('where loopback is refused, reports the webhook and the mail server named localhost as refused destinations, and sends nothing', async () => {
    const before = { hits: hits.length, mails: inbox.mails.length };
    const published = await atRefusing('/v1/advisories', {
      method: 'POST',
      headers: operatorHeaders(),
      body: JSON.stringify({ title: 'Outbound policy check', severity: 'low', summary: 'Nothing to do.' }),
    });
    expect(published.status).toBe(201);
    const deliveries = published.body.deliveries as { tenantId: string }[];
    expect(deliveries.find((d) => d.tenantId === tenant.tenant.id)).toEqual({
      tenantId: tenant.tenant.id,
      contacts: 'settings',
      email: { status: 'failed', recipients: 1, sent: 0, error: 'refused-destination', refused: 'loopback' },
      webhook: { status: 'failed', error: 'refused-destination', refused: 'loopback' },
    });
    // No socket error code of any tenant's delivery reaches the report.
    expect(JSON.stringify(deliveries)).not.toMatch(/E[A-Z]{4,}|127\.0\.0\.1|localhost/);
    expect({ hits: hits.length, mails: inbox.mails.length }).toEqual(before);
  });

  it('where loopback is refused, refuses a JWKS address named localhost at onboarding, naming the field and the check', async () => {
    const body = tenantBody(tenant.idp, 'ams', {
      idp: {
        ...tenant.idp.idpConfig,
        issuer: `https://issuer-${randomUUID()}.example.test`,
        jwksUri: 'https://localhost:9/jwks',
      },
    });
    const created = await atRefusing('/v1/tenants', { method: 'POST', headers: operatorHeaders(), body: JSON.stringify(body) });
    expect(created.status).toBe(400);
    expect(created.body).toMatchObject({
      errors: [{ in: 'body', field: 'idp.jwksUri', message: 'resolves to a loopback address' }],
    });
  });

  it("where loopback is refused, does not fetch a tenant's key set from loopback, and says why", async () => {
    const res = await fetch(`${refusing.url}/v1/settings/mail`, {
      headers: { authorization: `Bearer ${await tenant.token('ivy', ['admin'])}` },
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toEqual(expect.any(String));
    const problem = (await res.json()) as { detail: string; check: string; refused: string };
    expect(problem).toMatchObject({ check: 'refused-destination', refused: 'loopback' });
    expect(problem.detail).toContain('idp.jwksUri');
    expect(problem.detail).toContain('is a loopback address');
  });
});
