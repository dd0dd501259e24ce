import { randomBytes, randomUUID } from 'node:crypto';
import { RoomEvent, type RemoteParticipant } from '@livekit/rtc-node';
import { CLIP_MAX_BYTES } from '../../lambdas/domain/abuse-reports.js';
import { liveRoomsFixture, type MediaGrant } from '../support/live-rooms.js';
import { scanRegion, searchableText } from '../support/scan.js';
import { testTenant } from '../support/users.js';
import { eventually } from '../support/eventually.js';

const fixture = liveRoomsFixture();

type Admitted = MediaGrant & { status: 'admitted'; participantId: string; role: string };
type Body = Record<string, unknown>;

const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

async function schedule(token: string, extra: Body = {}): Promise<string> {
  const res = await fixture.tenant().call('/v1/meetings', token, {
    method: 'POST',
    json: { title: 'Quarterly review', startsAt: inAnHour(), durationMinutes: 60, timeZone: 'Europe/Berlin', ...extra },
  });
  expect(res.status).toBe(201);
  return (res.body as { id: string }).id;
}

async function join(meetingId: string, token: string) {
  return fixture.tenant().call(`/v1/meetings/${meetingId}/join`, token, { method: 'POST', json: {} });
}

const clipOf = (bytes: number) => ({ contentType: 'audio/ogg', data: randomBytes(bytes).toString('base64') });

describe('abuse reports', () => {
  let meetingId: string;
  let reporter: string;
  let admin: string;

  beforeAll(async () => {
    reporter = await fixture.tenant().token('rita', []);
    admin = await fixture.tenant().token('ada', ['admin']);
    meetingId = await schedule(fixture.host(), { invitees: ['rita@example.test'] });
  });

  it('takes a report with a clip, sealed, that admins list, read, play (audited) and resolve once', async () => {
    const filed = await fixture.tenant().call(`/v1/meetings/${meetingId}/reports`, reporter, {
      method: 'POST',
      json: { reason: 'harassment', details: 'Shouted slurs at minute 12', clip: clipOf(4096) },
    });
    expect(filed.status).toBe(201);
    const { id } = filed.body as { id: string };
    expect(filed.body).toEqual({ id, status: 'open', createdAt: expect.any(String) });

    expect((await fixture.tenant().call('/v1/reports', reporter)).status).toBe(403);
    const listed = (await fixture.tenant().call('/v1/reports?status=open', admin)).body as { items: Body[] };
    expect(listed.items[0]).toMatchObject({ id, meetingId, reason: 'harassment', status: 'open', clip: { bytes: 4096 } });
    expect(JSON.stringify(listed)).not.toContain('Shouted');

    const read = await fixture.tenant().call(`/v1/reports/${id}`, admin);
    expect(read.body).toMatchObject({ id, details: 'Shouted slurs at minute 12' });

    const clip = await fixture.tenant().call(`/v1/reports/${id}/clip`, admin);
    expect(clip.status).toBe(200);
    expect(Buffer.from((clip.body as { data: string }).data, 'base64')).toHaveLength(4096);

    const resolved = await fixture.tenant().call(`/v1/reports/${id}/resolve`, admin, {
      method: 'POST',
      json: { outcome: 'warned', note: 'Spoke to the participant' },
    });
    expect(resolved.body).toMatchObject({ status: 'resolved', outcome: 'warned', resolutionNote: 'Spoke to the participant' });
    const again = await fixture
      .tenant()
      .call(`/v1/reports/${id}/resolve`, admin, { method: 'POST', json: { outcome: 'no-action' } });
    expect(again.status).toBe(409);
    expect((await fixture.tenant().call('/v1/reports?status=open', admin)).body).toMatchObject({ items: [] });

    const audit = (await fixture.tenant().call('/v1/audit?limit=200', admin)).body as {
      items: { action: string; target: string }[];
    };
    const actions = audit.items.filter((e) => e.target === `reports/${id}`).map((e) => e.action);
    expect(actions).toEqual(['report.clip-read', 'report.resolve']);
  });

  it('refuses a clip over the limit (413), a bad reason (400) and someone the meeting does not invite (404), storing nothing', async () => {
    const before = (await fixture.tenant().call('/v1/reports', admin)).body as { items: unknown[] };
    const tooLong = await fixture.tenant().call(`/v1/meetings/${meetingId}/reports`, reporter, {
      method: 'POST',
      json: { reason: 'spam', clip: clipOf(CLIP_MAX_BYTES + 1) },
    });
    expect(tooLong.status).toBe(413);
    expect(tooLong.body).toMatchObject({ errors: [expect.objectContaining({ field: 'clip.data' })] });
    const huge = await fixture.tenant().call(`/v1/meetings/${meetingId}/reports`, reporter, {
      method: 'POST',
      json: { reason: 'spam', clip: clipOf(400 * 1024) },
    });
    expect(huge.status).toBe(413);
    const badReason = await fixture.tenant().call(`/v1/meetings/${meetingId}/reports`, reporter, {
      method: 'POST',
      json: { reason: 'boring' },
    });
    expect(badReason.status).toBe(400);
    expect(badReason.body).toMatchObject({ errors: [expect.objectContaining({ field: 'reason' })] });
    const outsider = await fixture.tenant().token('otto', []);
    const notInvited = await fixture.tenant().call(`/v1/meetings/${meetingId}/reports`, outsider, {
      method: 'POST',
      json: { reason: 'spam' },
    });
    expect(notInvited.status).toBe(404);
    expect((await fixture.tenant().call('/v1/reports', admin)).body).toEqual(before);
  });
});

describe('a moderator', () => {
  it('enters a standard meeting only visibly: named, marked, announced to everyone, and audited', async () => {
    const meetingId = await schedule(fixture.host(), { invitees: ['gus@example.test'] });
    const hostRoom = await fixture.connect((await join(meetingId, fixture.host())).body as Admitted);
    const announced = new Promise<Body>((done) =>
      hostRoom.on(RoomEvent.DataReceived, (payload: Uint8Array, _p?: RemoteParticipant, _k?: unknown, topic?: string) => {
        if (topic === 'meetplane.moderator') done(JSON.parse(Buffer.from(payload).toString('utf8')) as Body);
      }),
    );
    const moderatorToken = await fixture.tenant().token('mona', ['admin']);
    const entered = (await join(meetingId, moderatorToken)).body as Admitted;
    expect(entered.status).toBe('admitted');
    expect(await announced).toMatchObject({ type: 'moderator-joined', participantId: entered.participantId, name: 'Moderator' });

    await fixture.connect(entered);
    const seen = await eventually(
      async () => hostRoom.remoteParticipants.get(entered.participantId),
      (p) => p !== undefined,
      20_000,
    );
    expect(seen?.name).toBe('Moderator');
    expect(seen?.attributes).toMatchObject({ 'meetplane.role': 'moderator' });

    const audit = (await fixture.tenant().call('/v1/audit?limit=200', moderatorToken)).body as { items: Body[] };
    expect(audit.items.find((e) => e.target === `meetings/${meetingId}`)).toMatchObject({
      action: 'meeting.moderator-join',
      actor: { type: 'user' },
    });
  });

  it('gets no token for an end-to-end meeting', async () => {
    const meetingId = await schedule(fixture.host(), { invitees: ['gus@example.test'], encryption: 'e2ee' });
    const refused = await join(meetingId, await fixture.tenant().token('mona', ['admin']));
    expect(refused.status).toBe(403);
    expect(JSON.stringify(refused.body)).not.toContain('token');
  });
});

describe('data-subject requests', () => {
  it('export everything about a user, then erase it so that a second export is empty and nothing is left in the clear', async () => {
    const acme = fixture.tenant();
    const admin = await acme.token('ada', ['admin']);
    // A subject nothing else in the tables could contain by chance.
    const uma = `uma-${randomUUID()}`;
    const umaEmail = `${uma}@example.test`;
    const umaToken = await acme.token(uma, ['host']);
    const vic = await acme.token('vic', ['host']);

    const hosted = await schedule(umaToken, { title: `Planning of ${uma}`, invitees: ['vic@example.test'] });
    const invited = await schedule(vic, { title: 'Design review', invitees: [umaEmail] });
    const umaIn = (await join(invited, umaToken)).body as Admitted;
    const umaRoom = await fixture.connect(umaIn);
    await umaRoom.disconnect();
    const attended = await eventually(
      async () =>
        (await acme.call(`/v1/meetings/${invited}/attendance`, vic)).body as {
          items: { participantId: string; leftAt?: string }[];
        },
      (a) => a.items.some((i) => i.participantId === umaIn.participantId && i.leftAt !== undefined),
      20_000,
    );
    expect(attended.items.some((i) => i.participantId === umaIn.participantId)).toBe(true);

    await acme.call('/v1/me/preferences', umaToken, { method: 'PATCH', json: { productNews: true } });
    const filed = await acme.call(`/v1/meetings/${invited}/reports`, umaToken, {
      method: 'POST',
      json: { reason: 'spam', details: `Report written by ${uma}`, clip: clipOf(1024) },
    });
    expect(filed.status).toBe(201);
    const about = await acme.call(`/v1/meetings/${invited}/reports`, vic, {
      method: 'POST',
      json: { reason: 'harassment', participantId: umaIn.participantId },
    });
    const aboutId = (about.body as { id: string }).id;
    await acme.call(`/v1/reports/${aboutId}/resolve`, admin, { method: 'POST', json: { outcome: 'warned' } });

    const request = { subject: uma, email: umaEmail };
    const exported = await acme.call('/v1/data-subjects/export', admin, { method: 'POST', json: request });
    expect(exported.status).toBe(200);
    const doc = exported.body as Record<string, Body[]> & { pseudonyms: { userRef: string }; preferences: Body };
    expect(doc.meetingsHosted).toEqual([
      expect.objectContaining({ meetingId: hosted, title: `Planning of ${uma}`, inviteeCount: 1 }),
    ]);
    expect(doc.invitations).toEqual([expect.objectContaining({ meetingId: invited, title: 'Design review' })]);
    expect(doc.attendance).toContainEqual(expect.objectContaining({ meetingId: invited, participantId: umaIn.participantId }));
    expect(doc.preferences).toEqual({ productNews: true, marketing: false });
    expect(doc.reportsFiled).toEqual([expect.objectContaining({ reason: 'spam', details: `Report written by ${uma}` })]);
    expect(doc.reportsAbout).toEqual([expect.objectContaining({ id: aboutId, reason: 'harassment', outcome: 'warned' })]);
    expect(doc.reportsAbout![0]).not.toHaveProperty('reporterRef');
    expect(doc.auditEntries).toContainEqual(expect.objectContaining({ action: 'report.resolve', target: `reports/${aboutId}` }));
    // Other people stay out of the document.
    expect(JSON.stringify(doc)).not.toContain('vic@example.test');

    const erased = await acme.call('/v1/data-subjects/erase', admin, { method: 'POST', json: request });
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({
      remaining: 0,
      erased: { meetingsHosted: 1, invitations: 1, preferences: 1, reportsFiled: 1, reportClips: 1, reportsAbout: 1 },
    });

    const second = (await acme.call('/v1/data-subjects/export', admin, { method: 'POST', json: request })).body as Record<
      string,
      unknown
    >;
    for (const kind of ['meetingsHosted', 'invitations', 'attendance', 'devices', 'reportsFiled', 'reportsAbout', 'auditEntries'])
      expect(second[kind]).toEqual([]);
    expect(second.preferences).toBeUndefined();
    expect(second.erasure).toMatchObject({ completedAt: expect.any(String) });

    const tables = searchableText(await scanRegion('fra'));
    for (const identifier of [uma, umaEmail, doc.pseudonyms.userRef, umaIn.participantId])
      expect(tables).not.toContain(identifier);
    expect((await acme.call('/v1/audit/verify', admin)).body).toMatchObject({ intact: true });
    // The meeting that invited only them stays closed to everyone else.
    expect((await acme.call(`/v1/meetings/${invited}`, await acme.token('walt', []))).status).toBe(404);
    expect((await acme.call(`/v1/meetings/${hosted}`, admin)).status).toBe(404);

    const rerun = await acme.call('/v1/data-subjects/erase', admin, { method: 'POST', json: request });
    expect(rerun.body).toMatchObject({ remaining: 0, erased: {} });
  }, 90_000);

  it('answers 404 for a user of another tenant, and refuses non-admins', async () => {
    const other = await testTenant('fra');
    try {
      const zed = await other.token('zed-elsewhere', ['host']);
      await other.call('/v1/meetings', zed, {
        method: 'POST',
        json: { title: 'Elsewhere', startsAt: inAnHour(), durationMinutes: 30, timeZone: 'Europe/Berlin' },
      });
      const admin = await fixture.tenant().token('ada', ['admin']);
      const request = { subject: 'zed-elsewhere', email: 'zed-elsewhere@example.test' };
      for (const action of ['export', 'erase']) {
        const res = await fixture.tenant().call(`/v1/data-subjects/${action}`, admin, { method: 'POST', json: request });
        expect(res.status).toBe(404);
      }
      const notAdmin = await fixture.tenant().call('/v1/data-subjects/export', fixture.host(), { method: 'POST', json: request });
      expect(notAdmin.status).toBe(403);
      const bad = await fixture.tenant().call('/v1/data-subjects/export', admin, { method: 'POST', json: { email: 'x' } });
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ errors: expect.arrayContaining([expect.objectContaining({ field: 'subject' })]) });
    } finally {
      await other.stop();
    }
  });
});
