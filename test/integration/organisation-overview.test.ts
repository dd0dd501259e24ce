import { stack } from '../support/stack.js';
import { smtpInbox, type SmtpInbox } from '../support/smtp-inbox.js';
import { testTenant, type TestTenant } from '../support/users.js';

/**
 * What the admin pages read and do beyond the older routes: the organisation
 * overview (residency per data class, key rotation from KMS), audit entries
 * filtered by actor and action, and a test message through the tenant's mail.
 */
let acme: TestTenant;
let admin: string;
let inbox: SmtpInbox;

beforeAll(async () => {
  acme = await testTenant('ams', { allowedSites: ['fra'] });
  admin = await acme.token('ada', ['admin', 'host']);
  inbox = await smtpInbox();
});
afterAll(async () => {
  await inbox.close();
  await acme.stop();
});

interface Overview {
  homeSite: { site: string; city: string; region?: string };
  data: { site: string; region?: string };
  media: { site: string; role: string }[];
  key: { mode: string; keyArn: string; rotation: string };
  residency: { dataClass: string; sites: string[]; region?: string; retentionDays?: number }[];
}

describe('the organisation overview', () => {
  it("tells admins where the data and media are, the key and its rotation, and each class's site and retention", async () => {
    const read = await acme.call('/v1/settings/organisation', admin);
    expect(read.status).toBe(200);
    const overview = read.body as Overview;
    const region = stack().sites.ams.region;
    expect(overview.homeSite).toEqual({ site: 'ams', city: 'Amsterdam', region });
    expect(overview.data).toEqual(overview.homeSite);
    expect(overview.media.map((m) => [m.site, m.role])).toEqual([
      ['ams', 'home'],
      ['fra', 'failover'],
    ]);
    // A managed key in the home site's region, with rotation as KMS reports it.
    expect(overview.key).toMatchObject({ mode: 'managed', rotation: 'automatic' });
    expect(overview.key.keyArn).toContain(`:kms:${region}:`);
    const attendance = overview.residency.find((r) => r.dataClass === 'attendance');
    expect(attendance).toMatchObject({ sites: ['ams'], region, retentionDays: 30 });

    // A retention change shows in the overview: it is read, not written into a page.
    const retention = (await acme.call('/v1/settings/retention', admin)).body as { etag: string };
    const changed = await acme.call('/v1/settings/retention', admin, {
      method: 'PATCH',
      json: { attendance: 45 },
      headers: { 'if-match': retention.etag },
    });
    expect(changed.status).toBe(200);
    const after = (await acme.call('/v1/settings/organisation', admin)).body as Overview;
    expect(after.residency.find((r) => r.dataClass === 'attendance')?.retentionDays).toBe(45);
  });

  it('is refused to anyone but an admin', async () => {
    const host = await acme.token('hal', ['host']);
    expect((await acme.call('/v1/settings/organisation', host)).status).toBe(403);
    expect((await acme.call('/v1/settings/organisation', 'not-a-token')).status).toBe(401);
  });
});

describe('audit filters', () => {
  interface Page {
    items: { seq: number; action: string; actor: { type: string } }[];
    nextCursor?: string;
  }

  it('show one kind of actor or one group of actions, paged', async () => {
    const all = (await acme.call('/v1/audit?limit=200', admin)).body as Page;
    expect(all.items.some((e) => e.actor.type === 'operator')).toBe(true);
    expect(all.items.some((e) => e.actor.type === 'user')).toBe(true);

    const operators = (await acme.call('/v1/audit?actor=operator', admin)).body as Page;
    expect(operators.items.length).toBeGreaterThan(0);
    expect(operators.items.every((e) => e.actor.type === 'operator')).toBe(true);

    const settings = (await acme.call('/v1/audit?action=settings', admin)).body as Page;
    expect(settings.items.map((e) => e.action)).toContain('settings.retention');
    expect(settings.items.every((e) => e.action.startsWith('settings.'))).toBe(true);

    // Paged: one at a time, each page going on after the last (two changes by a user, to page through).
    for (const days of [40, 41]) {
      const { etag } = (await acme.call('/v1/settings/retention', admin)).body as { etag: string };
      await acme.call('/v1/settings/retention', admin, {
        method: 'PATCH',
        json: { attendance: days },
        headers: { 'if-match': etag },
      });
    }
    const userEntries = ((await acme.call('/v1/audit?limit=200', admin)).body as Page).items.filter(
      (e) => e.actor.type === 'user',
    );
    expect(userEntries.length).toBeGreaterThanOrEqual(2);
    const first = (await acme.call('/v1/audit?actor=user&limit=1', admin)).body as Page;
    expect(first.items.map((e) => e.seq)).toEqual([userEntries[0]?.seq]);
    expect(first.nextCursor).toBeDefined();
    const second = (await acme.call(`/v1/audit?actor=user&limit=1&cursor=${first.nextCursor}`, admin)).body as Page;
    expect(second.items.map((e) => e.seq)).toEqual([userEntries[1]?.seq]);

    const bad = await acme.call('/v1/audit?actor=robot&action=Not%20an%20action', admin);
    expect(bad.status).toBe(400);
    expect((bad.body as { errors: { field: string }[] }).errors.map((e) => e.field).sort()).toEqual(['action', 'actor']);
  });
});

describe('a test message', () => {
  it('is refused without a mail transport, then goes through the one set, audited', async () => {
    const send = () => acme.call('/v1/settings/mail/test', admin, { method: 'POST', json: { to: 'it@acme.example' } });
    expect((await send()).status).toBe(409);
    expect((await acme.call('/v1/settings/mail/test', admin, { method: 'POST', json: { to: 'nobody' } })).status).toBe(400);

    const set = await acme.call('/v1/settings/mail', admin, {
      method: 'PUT',
      json: { host: '127.0.0.1', port: inbox.port, secure: false, from: 'meetings@acme.example' },
    });
    expect(set.status).toBe(200);
    const sent = await send();
    expect(sent.status).toBe(200);
    expect(sent.body).toEqual({ sent: true, transport: 'smtp' });
    expect(inbox.mails.map((m) => [m.to, m.subject])).toEqual([['it@acme.example', 'Meetplane: test message']]);

    inbox.refuse = true;
    const refused = await send();
    expect(refused.status).toBe(503);
    expect((refused.body as { detail: string }).detail).toContain('550');

    const host = await acme.token('hal', ['host']);
    expect((await acme.call('/v1/settings/mail/test', host, { method: 'POST', json: { to: 'it@acme.example' } })).status).toBe(
      403,
    );
    const audit = (await acme.call('/v1/audit?action=settings.mail-test', admin)).body as { items: unknown[] };
    expect(audit.items).toHaveLength(1);
  });
});
