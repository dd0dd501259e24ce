import { randomUUID } from 'node:crypto';
import { siteTableName } from '../../config/tables.js';
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { dispose, Room } from '@livekit/rtc-node';
import { guestSecretHash, parseGuestCode } from '../../lambdas/domain/guests.js';
import { guestLinkSk } from '../../lambdas/store/guest-link-store.js';
import { tenantPk } from '../../lambdas/store/tenant-store.js';
import { generateDeviceIdentity } from '../../media/e2ee/index.js';
import { eventually } from '../support/eventually.js';
import { scanRegion, writableSnapshot } from '../support/scan.js';
import { api, dynamodbOf, stack } from '../support/stack.js';
import { testTenant, type TestTenant } from '../support/users.js';

/**
 * Guests against the real local stack: invitations go out through the SES
 * emulator, the guest link is read from the mail, redeemed at the public
 * route, and the guest token is tried on its meeting's routes (through the
 * waiting room, admitted by the host, media from LiveKit) and on every other.
 */
interface StoredMail {
  destination: { to: string[] };
  subject: string;
  body: { text?: string };
}

type Body = Record<string, unknown>;
type Session = { token: string; expiresAt: string; meetingId: string; participantId: string; join: string };

let acme: TestTenant;
let host: string;
let admin: string;
const rooms: Room[] = [];

async function mails(tag: string): Promise<StoredMail[]> {
  const response = await fetch(`${stack().sesEndpoint}/store`);
  return ((await response.json()) as { emails: StoredMail[] }).emails.filter((m) =>
    m.destination.to.some((to) => to.includes(tag)),
  );
}

/** The guest code in a mail: what follows "#" in the guest link, `{webUrl}/{slug}/guest#{code}` in the tenant's web app. */
function codeIn(mail: StoredMail): string | undefined {
  const text = mail.body.text ?? '';
  const link = `${stack().sites.fra.env.MEETPLANE_WEB_URL}/${acme.tenant.slug}/guest#`;
  const at = text.indexOf(link);
  if (at < 0) {
    // No link in the web app means none at all: not one to an API route either.
    expect(text).not.toMatch(/guest-links|#tn_/);
    return undefined;
  }
  return /^(\S+)/.exec(text.slice(at + link.length))?.[1];
}

async function meeting(extra: Body = {}): Promise<{ meetingId: string; address: string; tag: string }> {
  const tag = randomUUID().slice(0, 8);
  const address = `gil-${tag}@guest.example`;
  const res = await acme.call('/v1/meetings', host, {
    method: 'POST',
    json: {
      title: 'Vendor review',
      startsAt: new Date(Date.now() + 3_600_000).toISOString(),
      durationMinutes: 60,
      timeZone: 'Europe/Berlin',
      invitees: [address, `colleague-${tag}@example.test`],
      ...extra,
    },
  });
  expect(res.status).toBe(201);
  return { meetingId: (res.body as { id: string }).id, address, tag };
}

/** Sends the meeting's invitations and returns the guest's code from their mail (undefined when it has none). */
async function invite(meetingId: string, address: string, tag: string): Promise<string | undefined> {
  const before = (await mails(tag)).length;
  const sent = await acme.call(`/v1/meetings/${meetingId}/invitations`, host, { method: 'POST' });
  expect(sent.status).toBe(200);
  const all = await mails(tag);
  expect(all.length).toBe(before + 2);
  const theirs = all.slice(before).find((m) => m.destination.to.includes(address))!;
  // Every invitation links to the meeting's page in the web app.
  expect(theirs.body.text).toContain(`${stack().sites.fra.env.MEETPLANE_WEB_URL}/${acme.tenant.slug}/m/${meetingId}`);
  return codeIn(theirs);
}

const redeem = (code: string, displayName = 'Gil Guest') =>
  api('fra', '/v1/guest-links/redeem', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code, displayName }),
  });

const asGuest = (session: Session, path: string, init: RequestInit & { json?: unknown } = {}) =>
  acme.call(path, session.token, init);

const setGuests = (enabled: boolean) => acme.call('/v1/settings/guests', admin, { method: 'PUT', json: { enabled } });

/** A LiveKit token's payload, decoded (not verified: LiveKit verifies it when the guest connects). */
const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Body;

beforeAll(async () => {
  acme = await testTenant('fra', { displayNames: true });
  host = await acme.token('hana', ['host']);
  admin = await acme.token('ada', ['admin']);
  const mail = await acme.call('/v1/settings/mail', admin, {
    method: 'PUT',
    json: { transport: 'ses', from: 'meetings@acme.example' },
  });
  if (mail.status !== 200) throw new Error(`mail settings not set: ${JSON.stringify(mail.body)}`);
});

afterAll(async () => {
  await Promise.all(rooms.map((r) => r.disconnect().catch(() => undefined)));
  await acme.stop();
  await dispose();
});

describe('the guest setting', () => {
  it('is off by default: invitations carry no guest link until an admin turns guests on, which is audited', async () => {
    expect((await acme.call('/v1/settings/guests', admin)).body).toMatchObject({ enabled: false });
    expect((await acme.call('/v1/settings/guests', host)).status).toBe(403);
    const { meetingId, address, tag } = await meeting();
    expect(await invite(meetingId, address, tag)).toBeUndefined();

    const on = await setGuests(true);
    expect(on.status).toBe(200);
    expect(on.body).toMatchObject({ enabled: true });
    const audit = (await acme.call('/v1/audit?limit=200', admin)).body as { items: Body[] };
    expect(audit.items.some((e) => e.action === 'settings.guests')).toBe(true);
    expect(await invite(meetingId, address, tag)).toMatch(/^tn_[0-9a-f]{24}\.mt_[0-9a-f]{24}\.[A-Za-z0-9_-]{43}$/);
  });
});

describe('a guest link', () => {
  beforeAll(async () => {
    const on = await setGuests(true);
    if (on.status !== 200) throw new Error(`guests not turned on: ${JSON.stringify(on.body)}`);
  });

  it('admits its guest to the waiting room of its meeting only, once; the host admits them and they join the room', async () => {
    const { meetingId, address, tag } = await meeting({ waitingRoom: false });
    const hostJoin = await acme.call(`/v1/meetings/${meetingId}/join`, host, { method: 'POST', json: {} });
    expect(hostJoin.body).toMatchObject({ status: 'admitted' });
    const code = (await invite(meetingId, address, tag))!;
    // The stored record holds only the hash of the secret.
    const secret = parseGuestCode(code)!.secret;
    expect(JSON.stringify(await scanRegion('fra'))).not.toContain(secret);

    const redeemed = await redeem(code);
    expect(redeemed.status).toBe(201);
    const session = redeemed.body as Session;
    expect(session).toMatchObject({ meetingId, join: `/v1/meetings/${meetingId}/join` });

    // A second use: refused, and nothing changes.
    const before = await writableSnapshot('fra');
    const again = await redeem(code);
    expect(again.status).toBe(409);
    expect(await writableSnapshot('fra')).toBe(before);

    // Into the waiting room, although the meeting has none.
    const joined = await asGuest(session, `/v1/meetings/${meetingId}/join`, {
      method: 'POST',
      json: { displayName: 'Someone Else' },
    });
    expect(joined.status).toBe(200);
    expect(joined.body).toEqual({ status: 'waiting', ticket: expect.stringMatching(/^lt_/) });
    const { ticket } = joined.body as { ticket: string };
    expect((await asGuest(session, `/v1/meetings/${meetingId}/lobby/${ticket}`)).body).toEqual({ status: 'waiting' });
    expect((await asGuest(session, `/v1/meetings/${meetingId}/key?epoch=0`)).status).toBe(403);

    // The host sees a guest, by the name they gave when they redeemed the link.
    const lobby = (await acme.call(`/v1/meetings/${meetingId}/lobby`, host)).body as { items: Body[] };
    expect(lobby.items).toEqual([expect.objectContaining({ ticket, guest: true, displayName: 'Gil Guest' })]);
    expect((await acme.call(`/v1/meetings/${meetingId}/lobby/${ticket}/admit`, host, { method: 'POST' })).status).toBe(204);

    const admitted = await asGuest(session, `/v1/meetings/${meetingId}/lobby/${ticket}`);
    expect(admitted.body).toMatchObject({ status: 'admitted', role: 'participant', participantId: session.participantId });
    const { media } = admitted.body as { media: { url: string; token: string } };
    expect(claimsOf(media.token)).toMatchObject({
      sub: session.participantId,
      name: 'Gil Guest',
      attributes: { 'meetplane.role': 'guest' },
    });
    expect((await asGuest(session, `/v1/meetings/${meetingId}/key?epoch=0`)).status).toBe(200);

    // In the room, the host's client sees them as a guest.
    const hostRoom = new Room();
    const guestRoom = new Room();
    rooms.push(hostRoom, guestRoom);
    await hostRoom.connect(
      (hostJoin.body as { media: { url: string; token: string } }).media.url,
      (hostJoin.body as { media: { token: string } }).media.token,
    );
    await guestRoom.connect(media.url, media.token);
    const seen = await eventually(
      async () => hostRoom.remoteParticipants.get(session.participantId),
      (p) => p !== undefined,
      20_000,
    );
    expect(seen?.name).toBe('Gil Guest');
    expect(seen?.attributes).toMatchObject({ 'meetplane.role': 'guest' });

    // A removal revokes it: no new key, no way back in.
    const removed = await acme.call(`/v1/meetings/${meetingId}/participants/${session.participantId}/remove`, host, {
      method: 'POST',
    });
    expect(removed.status).toBe(200);
    expect((await asGuest(session, `/v1/meetings/${meetingId}/key?epoch=0`)).status).toBe(403);
    expect((await asGuest(session, `/v1/meetings/${meetingId}/join`, { method: 'POST', json: {} })).status).toBe(403);
  });

  it('gives a token that every other route refuses, and that knows no other meeting', async () => {
    const { meetingId, address, tag } = await meeting();
    const other = await meeting();
    const session = (await redeem((await invite(meetingId, address, tag))!)).body as Session;
    const before = await writableSnapshot('fra');
    const outcomes: string[] = [];
    const expectStatus = async (path: string, init: RequestInit & { json?: unknown }, statuses: number[]) => {
      const res = await asGuest(session, path, init);
      if (!statuses.includes(res.status)) outcomes.push(`${init.method ?? 'GET'} ${path}: ${res.status}`);
    };
    // Not guest routes: refused before anything is read.
    await expectStatus('/v1/meetings?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z', {}, [403]);
    await expectStatus(`/v1/meetings/${meetingId}`, {}, [403]);
    await expectStatus(`/v1/meetings/${meetingId}/invite.ics`, {}, [403]);
    await expectStatus(`/v1/meetings/${meetingId}/lobby`, {}, [403]);
    await expectStatus(`/v1/meetings/${meetingId}/breakouts/mine`, {}, [403]);
    await expectStatus('/v1/settings/retention', {}, [403]);
    await expectStatus('/v1/settings/guests', { method: 'PUT', json: { enabled: false } }, [403]);
    await expectStatus('/v1/advisories', {}, [403]);
    await expectStatus(`/v1/tenants/${acme.tenant.id}`, {}, [401, 403]);
    // Guest routes, for another meeting: it does not exist for them.
    await expectStatus(`/v1/meetings/${other.meetingId}/join`, { method: 'POST', json: {} }, [404]);
    await expectStatus(`/v1/meetings/${other.meetingId}/key?epoch=0`, {}, [404]);
    await expectStatus(`/v1/meetings/${other.meetingId}/lobby/lt_${'0'.repeat(24)}`, {}, [404]);
    await expectStatus(`/v1/meetings/${other.meetingId}/epochs/0/envelope?deviceId=dv_guest_device`, {}, [404]);
    expect(outcomes).toEqual([]);
    expect(await writableSnapshot('fra')).toBe(before);
    // A guest token is not a user's: the IdP route to list meetings does not take it, a forged one is 401.
    const [header, payload] = session.token.split('.');
    const forged = `${header}.${payload}.${Buffer.alloc(32).toString('base64url')}`;
    expect((await acme.call(`/v1/meetings/${meetingId}/join`, forged, { method: 'POST', json: {} })).status).toBe(401);
  });

  it('lets a guest register a device and join an end-to-end meeting like anyone else', async () => {
    const { meetingId, address, tag } = await meeting({ encryption: 'e2ee' });
    const session = (await redeem((await invite(meetingId, address, tag))!)).body as Session;
    const device = await generateDeviceIdentity();
    expect((await asGuest(session, '/v1/devices', { method: 'POST', json: device.registration })).status).toBe(201);
    const joined = await asGuest(session, `/v1/meetings/${meetingId}/join`, {
      method: 'POST',
      json: { deviceId: device.deviceId },
    });
    expect(joined.body).toMatchObject({ status: 'waiting' });
    const { ticket } = joined.body as { ticket: string };
    expect((await acme.call(`/v1/meetings/${meetingId}/lobby/${ticket}/admit`, host, { method: 'POST' })).status).toBe(204);
    expect((await asGuest(session, `/v1/meetings/${meetingId}/lobby/${ticket}`)).body).toMatchObject({
      status: 'admitted',
      encryption: { mode: 'e2ee' },
    });
    // The host's client sees the guest's device to seal the epoch key to.
    const devices = (await acme.call(`/v1/meetings/${meetingId}/devices`, host)).body as { items: Body[] };
    expect(devices.items).toEqual([expect.objectContaining({ participantId: session.participantId })]);
    // No envelope yet: the guest's own device is asked about, and nothing else.
    expect((await asGuest(session, `/v1/meetings/${meetingId}/epochs/0/envelope?deviceId=${device.deviceId}`)).status).toBe(404);
  });

  it('is refused once expired, for a cancelled meeting, and when the tenant turned guests off — changing nothing', async () => {
    // Expired: the record's expiry is moved into the past directly in the table.
    const expired = await meeting();
    const expiredCode = (await invite(expired.meetingId, expired.address, expired.tag))!;
    await dynamodbOf('fra').send(
      new UpdateItemCommand({
        TableName: siteTableName('fra'),
        Key: marshall({
          pk: tenantPk(acme.tenant.id),
          sk: guestLinkSk(expired.meetingId, guestSecretHash(parseGuestCode(expiredCode)!.secret)),
        }),
        UpdateExpression: 'SET validUntil = :past',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: marshall({ ':past': new Date(Date.now() - 1000).toISOString() }),
      }),
    );
    // Cancelled.
    const cancelled = await meeting();
    const cancelledCode = (await invite(cancelled.meetingId, cancelled.address, cancelled.tag))!;
    expect((await acme.call(`/v1/meetings/${cancelled.meetingId}`, host, { method: 'DELETE' })).status).toBe(200);
    // Redeemed before guests go off, and unused.
    const live = await meeting();
    const liveSession = (await redeem((await invite(live.meetingId, live.address, live.tag))!)).body as Session;
    const unusedCode = (await invite(live.meetingId, live.address, live.tag))!;

    const before = await writableSnapshot('fra');
    expect((await redeem(expiredCode)).status).toBe(410);
    expect((await redeem(cancelledCode)).status).toBe(409);
    const unknown = `${acme.tenant.id}.${live.meetingId}.${'A'.repeat(43)}`;
    expect((await redeem(unknown)).status).toBe(404);
    expect((await redeem('not-a-code')).status).toBe(400);
    expect(await writableSnapshot('fra')).toBe(before);

    expect((await setGuests(false)).status).toBe(200);
    try {
      expect((await redeem(unusedCode)).status).toBe(403);
      expect((await asGuest(liveSession, `/v1/meetings/${live.meetingId}/join`, { method: 'POST', json: {} })).status).toBe(403);
      expect(await invite(live.meetingId, live.address, live.tag)).toBeUndefined();
    } finally {
      expect((await setGuests(true)).status).toBe(200);
    }
  });

  it('is erased with the person it was sent to, with what their guest visit left', async () => {
    const { meetingId, address, tag } = await meeting();
    const session = (await redeem((await invite(meetingId, address, tag))!)).body as Session;
    await invite(meetingId, address, tag);
    expect((await asGuest(session, `/v1/meetings/${meetingId}/join`, { method: 'POST', json: {} })).body).toMatchObject({
      status: 'waiting',
    });
    const items = async () =>
      ((await scanRegion('fra'))[siteTableName('fra')] ?? []).filter(
        (i) => String(i.sk).startsWith(`GUEST#${meetingId}#`) || i.participantId === session.participantId,
      );
    const links = async () => (await items()).filter((i) => String(i.sk).startsWith('GUEST#'));
    const visit = async () => (await items()).filter((i) => i.participantId === session.participantId);
    // Two sends to two invitees: four links, two of them the guest's.
    expect(await links()).toHaveLength(4);
    expect((await visit()).some((i) => String(i.sk).startsWith('LOBBY#'))).toBe(true);

    const exported = await acme.call('/v1/data-subjects/export', admin, {
      method: 'POST',
      json: { subject: `never-signed-in-${tag}`, email: address },
    });
    expect(exported.status).toBe(200);
    expect((exported.body as { guestLinks: Body[] }).guestLinks).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ meetingId, status: 'redeemed' }),
        expect.objectContaining({ status: 'open' }),
      ]),
    );
    const erased = await acme.call('/v1/data-subjects/erase', admin, {
      method: 'POST',
      json: { subject: `never-signed-in-${tag}`, email: address },
    });
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({ erased: expect.objectContaining({ guestLinks: 2 }), remaining: 0 });
    // The colleague's links stay; the guest's and everything of their visit are gone.
    expect(await links()).toHaveLength(2);
    expect((await links()).some((i) => i.status === 'redeemed')).toBe(false);
    expect(await visit()).toEqual([]);
  });
});
