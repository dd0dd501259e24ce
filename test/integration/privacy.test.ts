import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { siteTableName } from '../../config/tables.js';
import { dynamodbOf } from '../support/stack.js';
import { operatorHeaders } from '../support/tenants.js';
import { api, stack } from '../support/stack.js';
import { testTenant, type TestTenant } from '../support/users.js';
import { smtpInbox } from '../support/smtp-inbox.js';

let acme: TestTenant;
let admin: string;

beforeAll(async () => {
  acme = await testTenant('fra');
  admin = await acme.token('ada', ['admin', 'host']);
});
afterAll(async () => {
  await acme.stop();
});

interface Retention {
  periods: Record<string, number>;
  etag: string;
}

describe('retention', () => {
  it('shows defaults that keep little, and changes them within bounds only, audited', async () => {
    const read = await acme.call('/v1/settings/retention', admin);
    expect(read.status).toBe(200);
    const current = read.body as Retention;
    expect(current.periods).toEqual({ meetings: 30, attendance: 30, lobbyTickets: 1, abuseReports: 30, audit: 365 });
    expect((await acme.call('/v1/settings/retention', await acme.token('hal', ['host']))).status).toBe(403);

    const patch = (json: unknown, etag?: string) =>
      acme.call('/v1/settings/retention', admin, { method: 'PATCH', json, ...(etag && { headers: { 'if-match': etag } }) });
    expect((await patch({ attendance: 10 })).status).toBe(428);
    const outOfBounds = await patch({ audit: 5 }, current.etag);
    expect(outOfBounds.status).toBe(400);
    expect(outOfBounds.body).toMatchObject({ errors: [expect.objectContaining({ field: 'audit' })] });
    const changed = await patch({ attendance: 10 }, current.etag);
    expect(changed.status).toBe(200);
    expect((changed.body as Retention).periods.attendance).toBe(10);
    expect((await patch({ attendance: 11 }, current.etag)).status).toBe(412);

    const audit = (await acme.call('/v1/audit', admin)).body as { items: { action: string; actor: { type: string } }[] };
    expect(audit.items.at(-1)).toMatchObject({ action: 'settings.retention', actor: { type: 'user' } });
  });

  it('lets DynamoDB delete a record once its retention has passed', async () => {
    const current = (await acme.call('/v1/settings/retention', admin)).body as Retention;
    await acme.call('/v1/settings/retention', admin, {
      method: 'PATCH',
      json: { meetings: 1 },
      headers: { 'if-match': current.etag },
    });
    const threeDaysAgo = new Date(Date.now() - 3 * 86_400_000).toISOString();
    const created = await acme.call('/v1/meetings', admin, {
      method: 'POST',
      json: { title: 'Long past', startsAt: threeDaysAgo, durationMinutes: 30, timeZone: 'Europe/Berlin' },
    });
    const meetingId = (created.body as { id: string }).id;
    const key = marshall({ pk: `T#${acme.tenant.id}`, sk: `M#${meetingId}` });
    const read = () => dynamodbOf('fra').send(new GetItemCommand({ TableName: siteTableName('fra'), Key: key }));
    const stored = (await read()).Item;
    expect(stored).toBeDefined();
    const expiresAt = Number(unmarshall(stored!).expiresAt);
    expect(expiresAt).toBeLessThan(Date.now() / 1000 - 86_400);
    // DynamoDB Local's TTL sweeper runs in the background at its own pace: seconds to several minutes here, slower
    // the more the other tests have written and the busier the machine is.
    let gone = false;
    for (let i = 0; i < 480 && !gone; i++) {
      await new Promise((done) => setTimeout(done, 1000));
      gone = (await read()).Item === undefined;
    }
    expect(gone).toBe(true);
  }, 510_000);
});

describe('the audit log', () => {
  it('reports the first entry that was tampered with', async () => {
    const id = acme.tenant.id;
    await api('fra', `/v1/tenants/${id}/suspend`, {
      method: 'POST',
      headers: operatorHeaders(),
      body: JSON.stringify({ reason: 'review', legalBasis: 'contract §9' }),
    });
    await api('fra', `/v1/tenants/${id}/reinstate`, {
      method: 'POST',
      headers: operatorHeaders(),
      body: JSON.stringify({ reason: 'review closed', legalBasis: 'contract §9' }),
    });
    const before = (await acme.call('/v1/audit/verify', admin)).body as { intact: boolean; entries: number };
    expect(before.intact).toBe(true);

    const key = marshall({ pk: `T#${id}`, sk: `AUDIT#${String(2).padStart(12, '0')}` });
    const dynamodb = dynamodbOf('fra');
    const item = unmarshall((await dynamodb.send(new GetItemCommand({ TableName: siteTableName('fra'), Key: key }))).Item!);
    item.entry.reason = 'nothing to see here';
    await dynamodb.send(
      new PutItemCommand({ TableName: siteTableName('fra'), Item: marshall(item, { removeUndefinedValues: true }) }),
    );

    const after = await acme.call('/v1/audit/verify', admin);
    expect(after.body).toMatchObject({ intact: false, firstBreak: { seq: 2, problem: 'its content does not match its hash' } });
  });
});

describe('support access only with consent', () => {
  const support = (path: string) => api('fra', path, { headers: operatorHeaders() });

  it('refuses support without a grant, allows it with one, refuses it after expiry or revocation, and audits every use', async () => {
    const settings = (ticket: string, location = 'eu') =>
      support(`/v1/support/tenants/${acme.tenant.id}/settings?ticket=${ticket}&location=${location}`);
    expect((await settings('T-1001')).status).toBe(403);

    const grant = (json: Record<string, unknown>) => acme.call('/v1/support/grants', admin, { method: 'POST', json });
    const inFuture = (ms: number) => new Date(Date.now() + ms).toISOString();
    expect(
      (await grant({ ticketId: 'T-1001', scopes: ['settings:read'], expiresAt: inFuture(-60_000), allowOutsideEu: false }))
        .status,
    ).toBe(400);
    const unknownScope = await grant({
      ticketId: 'T-1001',
      scopes: ['everything'],
      expiresAt: inFuture(3_600_000),
      allowOutsideEu: false,
    });
    expect(unknownScope.status).toBe(400);
    expect(unknownScope.body).toMatchObject({ errors: [expect.objectContaining({ field: 'scopes.0' })] });
    expect(
      (
        await acme.call('/v1/support/grants', await acme.token('hal', ['host']), {
          method: 'POST',
          json: { ticketId: 'T-1001', scopes: ['settings:read'], expiresAt: inFuture(3_600_000), allowOutsideEu: false },
        })
      ).status,
    ).toBe(403);

    const granted = await grant({
      ticketId: 'T-1001',
      scopes: ['settings:read'],
      expiresAt: inFuture(4_000),
      allowOutsideEu: false,
    });
    expect(granted.status).toBe(201);
    const allowed = await settings('T-1001');
    expect(allowed.status).toBe(200);
    expect(allowed.body).toMatchObject({ tenantId: acme.tenant.id, tier: 'business' });
    expect(JSON.stringify(allowed.body)).not.toMatch(/@/);
    // Another ticket, another scope, or staff outside the EU: refused.
    expect((await settings('T-9999')).status).toBe(403);
    expect((await settings('T-1001', 'outside-eu')).status).toBe(403);
    expect(
      (await support(`/v1/support/tenants/${acme.tenant.id}/meetings/mt_0123456789abcdef01234567?ticket=T-1001&location=eu`))
        .status,
    ).toBe(403);

    await new Promise((done) => setTimeout(done, 4_500));
    expect((await settings('T-1001')).status).toBe(403);

    const secondRequest = {
      method: 'POST',
      json: {
        ticketId: 'T-1002',
        scopes: ['settings:read', 'meetings:read'],
        expiresAt: inFuture(3_600_000),
        allowOutsideEu: true,
      },
      headers: { 'idempotency-key': `grant-${acme.tenant.id}-T-1002` },
    };
    const secondAnswer = await acme.call('/v1/support/grants', admin, secondRequest);
    expect(secondAnswer.status).toBe(201);
    const second = secondAnswer.body as { id: string };
    // A retry with the same key answers with the same grant and grants nothing more.
    const retried = await acme.call('/v1/support/grants', admin, secondRequest);
    expect(retried.status).toBe(201);
    expect(retried.body).toEqual(second);
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
    const listed = (await acme.call('/v1/support/grants', admin)).body as { items: { ticketId: string }[] };
    expect(listed.items.filter((g) => g.ticketId === 'T-1002')).toHaveLength(1);
    expect((await settings('T-1002', 'outside-eu')).status).toBe(200);
    expect((await acme.call(`/v1/support/grants/${second.id}`, admin, { method: 'DELETE' })).status).toBe(204);
    expect((await settings('T-1002')).status).toBe(403);

    const audit = (await acme.call('/v1/audit?limit=200', admin)).body as {
      items: { action: string; reason: string; actor: { type: string } }[];
    };
    const reads = audit.items.filter((e) => e.action === 'support.read');
    expect(reads.map((e) => e.reason)).toEqual(['support ticket T-1001', 'support ticket T-1002']);
    expect(reads.every((e) => e.actor.type === 'operator')).toBe(true);
    expect(audit.items.map((e) => e.action)).toEqual(expect.arrayContaining(['support.grant', 'support.revoke']));
  });
});

describe('communication preferences', () => {
  it('are off until the user opts in', async () => {
    const user = await acme.token('pat');
    expect((await acme.call('/v1/me/preferences', user)).body).toEqual({ productNews: false, marketing: false });
    const changed = await acme.call('/v1/me/preferences', user, { method: 'PATCH', json: { productNews: true } });
    expect(changed.body).toEqual({ productNews: true, marketing: false });
    expect((await acme.call('/v1/me/preferences', await acme.token('quinn'))).body).toEqual({
      productNews: false,
      marketing: false,
    });
  });
});

describe('invitations through the tenant’s own mail server', () => {
  it('sends each invitee the .ics through the configured SMTP server, and says so when the server refuses', async () => {
    const ICAL = (await import('ical.js')).default;
    // The sealed password reaches the tenant's server, and only it.
    const smtp = await smtpInbox({ credentials: { username: 'meetplane', password: 'smtp-secret-value' } });
    const { port, mails: inbox } = smtp;
    try {
      const created = await acme.call('/v1/meetings', admin, {
        method: 'POST',
        json: {
          title: 'Board meeting',
          startsAt: '2026-12-10T10:00:00+01:00',
          durationMinutes: 60,
          timeZone: 'Europe/Berlin',
          invitees: ['ina@example.test', 'joe@example.test'],
        },
      });
      const meetingId = (created.body as { id: string }).id;
      const send = () => acme.call(`/v1/meetings/${meetingId}/invitations`, admin, { method: 'POST' });
      // No mail server of the tenant's own: nothing is sent through anyone else's.
      expect((await send()).status).toBe(409);

      const put = await acme.call('/v1/settings/mail', admin, {
        method: 'PUT',
        json: {
          host: '127.0.0.1',
          port,
          secure: false,
          username: 'meetplane',
          password: 'smtp-secret-value',
          from: 'meetings@acme.example',
        },
      });
      expect(put.body).toEqual({
        configured: true,
        transport: 'smtp',
        host: '127.0.0.1',
        port,
        secure: false,
        username: 'meetplane',
        from: 'meetings@acme.example',
      });
      expect(JSON.stringify((await acme.call('/v1/settings/mail', admin)).body)).not.toContain('smtp-secret-value');

      const sent = await send();
      expect(sent.body).toEqual({ sent: 2 });
      expect(inbox.map((m) => m.to).sort()).toEqual(['ina@example.test', 'joe@example.test']);
      for (const mail of inbox) {
        expect(mail.subject).toBe('Invitation: Board meeting');
        const event = new ICAL.Event(new ICAL.Component(ICAL.parse(mail.ics)).getFirstSubcomponent('vevent')!);
        expect(event.uid).toBe(`${meetingId}@meetplane`);
        expect(event.summary).toBe('Board meeting');
        expect(mail.text).toContain(`${stack().sites.fra.env.MEETPLANE_WEB_URL}/${acme.tenant.slug}/m/${meetingId}`);
        expect(event.component.getFirstPropertyValue('url')).toBe(
          `${stack().sites.fra.env.MEETPLANE_WEB_URL}/${acme.tenant.slug}/m/${meetingId}`,
        );
      }

      smtp.refuse = true;
      const refused = await send();
      expect(refused.status).toBe(503);
      expect(refused.body).toMatchObject({ detail: expect.stringMatching(/mail server did not accept the invitation \(550\)/) });
    } finally {
      await smtp.close();
    }
  });
});
