import { randomUUID } from 'node:crypto';
import { api, stack } from '../support/stack.js';
import { operatorHeaders } from '../support/tenants.js';
import { testTenant, type TestTenant } from '../support/users.js';

/**
 * Amazon SES as a tenant's mail transport, against the local stack's SES
 * emulator (npm aws-ses-v2-local, speaking the SES v2 API): what it received
 * is read back from its `GET /store`.
 */
interface StoredMail {
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { text?: string };
  attachments: { filename?: string; contentType: string; content: string }[];
}

async function sesStore(): Promise<StoredMail[]> {
  const response = await fetch(`${stack().sesEndpoint}/store`);
  return ((await response.json()) as { emails: StoredMail[] }).emails;
}

let tenant: TestTenant;
let admin: string;

beforeAll(async () => {
  tenant = await testTenant('fra');
  admin = await tenant.token('ada', ['admin', 'host']);
});
afterAll(async () => {
  await tenant.stop();
});

describe('mail through Amazon SES in the home site’s region', () => {
  it('is chosen with transport "ses", and SMTP stays the default', async () => {
    const put = (json: unknown) => tenant.call('/v1/settings/mail', admin, { method: 'PUT', json });
    const wrong = await put({ transport: 'ses', from: 'meetings@ses.example', host: '127.0.0.1' });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({ errors: [expect.objectContaining({ field: 'host' })] });
    const offMachine = await put({ host: 'smtp.ses.example', port: 587, secure: false, from: 'meetings@ses.example' });
    expect(offMachine.status).toBe(400);
    expect(offMachine.body).toMatchObject({ errors: [expect.objectContaining({ field: 'host' })] });

    const ses = await put({ transport: 'ses', from: 'meetings@ses.example' });
    expect(ses.status).toBe(200);
    expect(ses.body).toEqual({ configured: true, transport: 'ses', from: 'meetings@ses.example', region: 'eu-central-1' });
    expect((await tenant.call('/v1/settings/mail', admin)).body).toEqual(ses.body);
  });

  it('delivers invitations with a parseable .ics', async () => {
    const ICAL = (await import('ical.js')).default;
    const tag = randomUUID().slice(0, 8);
    const invitees = [`ina-${tag}@example.test`, `joe-${tag}@example.test`];
    const created = await tenant.call('/v1/meetings', admin, {
      method: 'POST',
      json: {
        title: 'Quarterly review',
        startsAt: '2026-12-14T15:00:00+01:00',
        durationMinutes: 45,
        timeZone: 'Europe/Berlin',
        invitees,
      },
    });
    const meetingId = (created.body as { id: string }).id;
    const send = () =>
      tenant.call(`/v1/meetings/${meetingId}/invitations`, admin, {
        method: 'POST',
        headers: { 'idempotency-key': `invite-${tag}` },
      });
    const sent = await send();
    expect(sent.status).toBe(200);
    expect(sent.body).toEqual({ sent: 2 });
    // A retry with the same key answers the same and mails no one a second time.
    const retried = await send();
    expect(retried.status).toBe(200);
    expect(retried.body).toEqual({ sent: 2 });
    expect(retried.headers.get('idempotent-replayed')).toBe('true');

    const mails = (await sesStore()).filter((m) => m.destination.to.some((to) => to.includes(tag)));
    expect(mails.map((m) => m.destination.to.join()).sort()).toEqual(invitees);
    for (const mail of mails) {
      expect(mail.from).toBe('meetings@ses.example');
      expect(mail.subject).toBe('Invitation: Quarterly review');
      const ics = mail.attachments.find((a) => a.filename === 'invite.ics');
      expect(ics).toBeDefined();
      const event = new ICAL.Event(
        new ICAL.Component(ICAL.parse(Buffer.from(ics!.content, 'base64').toString('utf8'))).getFirstSubcomponent('vevent')!,
      );
      expect(event.uid).toBe(`${meetingId}@meetplane`);
      expect(event.summary).toBe('Quarterly review');
      // The event and the mail link to the meeting's page in the web app, not to an API route.
      const meetingUrl = `${stack().sites.fra.env.MEETPLANE_WEB_URL}/${tenant.tenant.slug}/m/${meetingId}`;
      expect(event.component.getFirstPropertyValue('url')).toBe(meetingUrl);
      expect(mail.body.text).toContain(meetingUrl);
      expect(event.startDate.toJSDate().toISOString()).toBe('2026-12-14T14:00:00.000Z');
    }
  });

  it('carries security advisories to the contacts of a tenant that chose SES', async () => {
    const title = `SES advisory ${randomUUID().slice(0, 8)}`;
    const published = await api('fra', '/v1/advisories', {
      method: 'POST',
      headers: operatorHeaders(),
      body: JSON.stringify({ title, severity: 'medium', summary: 'Rotate the webhook secret.' }),
    });
    expect(published.status).toBe(201);
    const delivery = (published.body as { deliveries: { tenantId: string; email: unknown }[] }).deliveries.find(
      (d) => d.tenantId === tenant.tenant.id,
    );
    expect(delivery?.email).toEqual({ status: 'sent', recipients: 1 });
    // The advisory goes to every active tenant of the site (others' tests and the fuzzer's too): look at this one's contact.
    const contact = tenant.tenant.securityContacts[0]!.email;
    const mails = (await sesStore()).filter((m) => m.subject.includes(title) && m.destination.to.includes(contact));
    expect(mails.map((m) => m.destination.to)).toEqual([[contact]]);
    expect(mails[0]!.body.text).toContain('Rotate the webhook secret.');
  });
});
