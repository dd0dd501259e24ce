import { createHmac } from 'node:crypto';
import {
  advisoryAudit,
  advisoryEmail,
  deliveryTotals,
  emailOutcome,
  newAdvisory,
  publishAdvisory,
  verifyWebhookSignature,
  webhookBody,
  webhookOutcome,
  webhookSignature,
  webhookUrlProblem,
  type Advisory,
  type PublishPorts,
  type TenantChannels,
  type TenantDelivery,
} from '../../lambdas/domain/advisories.js';
import type { AuditDraft } from '../../lambdas/domain/audit.js';
import { advisoryBody, securityContactsBody } from '../../lambdas/api/schemas/advisories.js';
import { fieldIssues } from '../../lambdas/http/request.js';

const SECRET = 'a-webhook-secret-of-at-least-32-characters';
const operator = { type: 'operator' as const, id: 'local-operator' };
const advisory: Advisory = newAdvisory(
  {
    title: 'Token replay in lobby polling',
    severity: 'high',
    summary: 'Update clients.',
    details: 'Long text.',
    cve: ['CVE-2026-1234', 'CVE-2026-1234'],
  },
  'fra',
  new Date('2026-11-23T10:00:00.000Z'),
);

describe('webhook signatures', () => {
  const body = webhookBody(advisory, 'tn_0123456789abcdef01234567');

  it('are "t=<unix seconds>,v1=<hex HMAC-SHA256 of t.body>"', () => {
    const header = webhookSignature(SECRET, body, 1_795_000_000);
    const expected = createHmac('sha256', SECRET).update(`1795000000.${body}`).digest('hex');
    expect(header).toBe(`t=1795000000,v1=${expected}`);
  });

  it('verify with the secret, and not with another secret, another body or an old timestamp', () => {
    const header = webhookSignature(SECRET, body, 1_795_000_000);
    expect(verifyWebhookSignature(header, body, SECRET, 1_795_000_100)).toEqual({ valid: true });
    expect(verifyWebhookSignature(header, body, `${SECRET}x`, 1_795_000_100)).toMatchObject({ valid: false });
    expect(verifyWebhookSignature(header, body.replace('high', 'low'), SECRET, 1_795_000_100)).toMatchObject({ valid: false });
    expect(verifyWebhookSignature(header, body, SECRET, 1_795_000_000 + 301)).toEqual({
      valid: false,
      reason: 'timestamp outside the tolerance',
    });
    expect(verifyWebhookSignature(undefined, body, SECRET, 1_795_000_000)).toMatchObject({ valid: false });
    expect(verifyWebhookSignature('v1=abc', body, SECRET, 1_795_000_000)).toEqual({ valid: false, reason: 'no timestamp' });
    expect(verifyWebhookSignature('garbage', body, SECRET, 1_795_000_000)).toMatchObject({ valid: false });
  });

  it('carry the advisory and the tenant as JSON', () => {
    expect(JSON.parse(body)).toEqual({
      type: 'meetplane.security-advisory',
      tenantId: 'tn_0123456789abcdef01234567',
      advisory: {
        id: advisory.id,
        site: 'fra',
        publishedAt: '2026-11-23T10:00:00.000Z',
        title: 'Token replay in lobby polling',
        severity: 'high',
        summary: 'Update clients.',
        details: 'Long text.',
        cve: ['CVE-2026-1234'],
      },
    });
  });
});

describe('webhook addresses', () => {
  it('must be https when deployed, never to an IP literal that is not public', () => {
    expect(webhookUrlProblem('https://hooks.acme.example/meetplane', 'aws')).toBeUndefined();
    expect(webhookUrlProblem('http://hooks.acme.example/meetplane', 'aws')).toBe('must use https');
    expect(webhookUrlProblem('http://127.0.0.1:9000/hook', 'aws')).toBe('must use https');
    // IP literals are classified as spelled, by the outbound policy's rules; names are left to its lookup.
    for (const [internal, reason] of [
      ['https://127.0.0.1/', 'is a loopback address'],
      ['https://10.1.2.3/', 'is a private address'],
      ['https://172.20.0.1/', 'is a private address'],
      ['https://192.168.1.1/', 'is a private address'],
      ['https://169.254.169.254/latest', 'is a cloud metadata address'],
      ['https://169.254.10.1/', 'is a link-local address'],
      ['https://100.64.0.1/', 'is a shared (carrier-grade NAT) address'],
      ['https://[::1]/', 'is a loopback address'],
      ['https://[fd00::1]/', 'is a unique-local address'],
      ['https://[::ffff:10.0.0.1]/', 'is a private address'],
      ['https://0.0.0.0/', 'is an unspecified address'],
    ] as const) {
      expect(webhookUrlProblem(internal, 'aws')).toBe(reason);
    }
    expect(webhookUrlProblem('https://localhost/', 'aws')).toBeUndefined();
    expect(webhookUrlProblem('https://user:pw@hooks.acme.example/', 'aws')).toMatch(/credentials/);
    expect(webhookUrlProblem('not a url', 'aws')).toBe('is not a URL');
  });

  it('on the local stack: http or https, but loopback only, so nothing leaves the machine', () => {
    expect(webhookUrlProblem('http://127.0.0.1:9000/hook', 'local')).toBeUndefined();
    expect(webhookUrlProblem('http://localhost:9000/hook', 'local')).toBeUndefined();
    expect(webhookUrlProblem('https://[::1]:9000/hook', 'local')).toBeUndefined();
    expect(webhookUrlProblem('http://hooks.acme.example/hook', 'local')).toBe('must use https, or http on a loopback address');
    expect(webhookUrlProblem('https://hooks.acme.example/hook', 'local')).toMatch(/loopback/);
    expect(webhookUrlProblem('ftp://127.0.0.1/hook', 'local')).toBe('must use https, or http on a loopback address');
  });
});

describe('delivery reports', () => {
  it('say sent, failed (with the code and how many went out) or why nothing was sent', () => {
    expect(emailOutcome(2, { sent: 2 })).toEqual({ status: 'sent', recipients: 2 });
    expect(emailOutcome(2, { sent: 1, error: '550' })).toEqual({ status: 'failed', recipients: 2, sent: 1, error: '550' });
    expect(webhookOutcome({ httpStatus: 204 })).toEqual({ status: 'delivered', httpStatus: 204 });
    expect(webhookOutcome({ httpStatus: 500 })).toEqual({ status: 'failed', httpStatus: 500, error: 'rejected' });
    expect(webhookOutcome({ httpStatus: 302 })).toEqual({ status: 'failed', httpStatus: 302, error: 'redirect' });
    expect(webhookOutcome({ error: 'timeout' })).toEqual({ status: 'failed', error: 'timeout' });
  });

  it('audit counts and statuses only, nothing personal', () => {
    const delivery: TenantDelivery = {
      tenantId: 'tn_0123456789abcdef01234567',
      contacts: 'settings',
      email: { status: 'sent', recipients: 2 },
      webhook: { status: 'delivered', httpStatus: 200 },
    };
    const audit = advisoryAudit(operator, advisory, delivery);
    expect(audit).toMatchObject({
      action: 'advisory.publish',
      target: `advisory/${advisory.id}`,
      details: { severity: 'high', contacts: 'settings', email: 'sent', emailsSent: 2, webhook: 'delivered' },
    });
    expect(JSON.stringify(audit)).not.toMatch(/@|https?:/);
  });

  it('mail the advisory in plain text, naming no one', () => {
    const mail = advisoryEmail(advisory);
    expect(mail.subject).toBe('[Meetplane security advisory] [HIGH] Token replay in lobby polling');
    expect(mail.text).toContain('CVE: CVE-2026-1234');
    expect(mail.text).toContain('Update clients.');
  });
});

describe('publishing', () => {
  function fakePorts(behaviour: Record<string, Partial<TenantChannels> | 'broken'>) {
    const saved: Advisory[] = [];
    const audits = new Map<string, AuditDraft>();
    const ports: PublishPorts = {
      save: async (a) => {
        saved.push(a);
      },
      activeTenants: async function* () {
        const ids = Object.keys(behaviour);
        yield ids.slice(0, 2);
        yield ids.slice(2);
      },
      channelsOf: async (tenantId) => {
        const own = behaviour[tenantId]!;
        if (own === 'broken') throw new Error('KMS said no');
        return {
          contacts: async () => ({ source: 'settings', contacts: { emails: ['a@x.example', 'b@x.example'] } }),
          sendMail: async (recipients) => ({ sent: recipients.length }),
          postWebhook: async () => ({ httpStatus: 200 }),
          record: async (_delivery, audit) => {
            audits.set(tenantId, audit);
          },
          ...own,
        };
      },
      now: () => new Date('2026-11-23T10:00:00.000Z'),
    };
    return { ports, saved, audits };
  }

  it("goes on to every tenant when one tenant's mail server, webhook or key fails", async () => {
    const { ports, saved, audits } = fakePorts({
      t1: {},
      t2: { sendMail: async () => ({ sent: 0, error: '550' }) },
      t3: 'broken',
      t4: { sendMail: async () => undefined, postWebhook: async () => ({ error: 'timeout' }) },
      t5: { contacts: async () => ({ source: 'none', contacts: { emails: [] } }) },
      t6: { sendMail: async () => Promise.reject(new Error('boom')) },
    });
    const { advisory: published, deliveries } = await publishAdvisory(
      ports,
      { title: 'Title', severity: 'critical', summary: 'S' },
      'fra',
      operator,
    );
    expect(saved).toEqual([published]);
    expect(deliveries.map((d) => [d.tenantId, d.email.status, d.webhook.status])).toEqual([
      ['t1', 'sent', 'not-configured'],
      ['t2', 'failed', 'not-configured'],
      ['t3', 'failed', 'failed'],
      ['t4', 'skipped', 'not-configured'],
      ['t5', 'skipped', 'not-configured'],
      ['t6', 'failed', 'not-configured'],
    ]);
    expect(deliveries[1]!.email).toEqual({ status: 'failed', recipients: 2, sent: 0, error: '550' });
    expect(deliveries[2]).toMatchObject({ audited: false });
    expect(deliveries[3]!.email).toEqual({ status: 'skipped', reason: 'no-mail-server' });
    expect(deliveries[4]!.email).toEqual({ status: 'skipped', reason: 'no-contacts' });
    expect([...audits.keys()].sort()).toEqual(['t1', 't2', 't4', 't5', 't6']);
    expect(deliveryTotals(deliveries)).toEqual({
      tenants: 6,
      emailSent: 1,
      emailSkipped: 2,
      emailFailed: 3,
      webhookDelivered: 0,
      webhookFailed: 1,
    });
  });

  it('signs each webhook delivery with that tenant’s secret', async () => {
    const posted: { url: string; body: string; signature: string }[] = [];
    const { ports } = fakePorts({
      t1: {
        contacts: async () => ({
          source: 'settings',
          contacts: { emails: ['a@x.example'], webhook: { url: 'https://hooks.x.example/', secret: SECRET } },
        }),
        postWebhook: async (url, body, signature) => {
          posted.push({ url, body, signature });
          return { httpStatus: 202 };
        },
      },
    });
    const { deliveries } = await publishAdvisory(ports, { title: 'Title', severity: 'low', summary: 'S' }, 'fra', operator);
    expect(deliveries[0]!.webhook).toEqual({ status: 'delivered', httpStatus: 202 });
    const now = Date.parse('2026-11-23T10:00:00.000Z') / 1000;
    expect(verifyWebhookSignature(posted[0]!.signature, posted[0]!.body, SECRET, now)).toEqual({ valid: true });
  });
});

describe('advisory and contacts schemas', () => {
  const fieldsOf = (result: { success: boolean; error?: unknown }) =>
    result.success ? [] : fieldIssues('body', result.error as never).map((i) => i.field);

  it('name the field that is wrong', () => {
    expect(fieldsOf(advisoryBody.safeParse({ title: 'Title', severity: 'urgent', summary: 'S' }))).toEqual(['severity']);
    expect(fieldsOf(advisoryBody.safeParse({ title: 'Title', severity: 'low', summary: 'S', cve: ['CVE-1'] }))).toEqual([
      'cve.0',
    ]);
    const eleven = Array.from({ length: 11 }, (_, i) => `c${i}@x.example`);
    expect(fieldsOf(securityContactsBody.safeParse({ emails: eleven }))).toEqual(['emails']);
    expect(fieldsOf(securityContactsBody.safeParse({ emails: [] }))).toEqual(['emails']);
    expect(fieldsOf(securityContactsBody.safeParse({ emails: ['a@x.example', 'A@x.example'] }))).toEqual(['emails']);
    expect(
      fieldsOf(
        securityContactsBody.safeParse({ emails: ['a@x.example'], webhook: { url: 'https://h.example/', secret: 'short' } }),
      ),
    ).toEqual(['webhook.secret']);
  });
});
