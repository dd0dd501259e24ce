import { SignJWT } from 'jose';
import { parseSiteConfig } from '../../config/env.js';
import { mediaRole, newAdmission, admitFromLobby } from '../../lambdas/domain/admission.js';
import {
  checkRedeemable,
  GUEST_ATTRIBUTES,
  guestDisplayName,
  guestLinkValidUntil,
  guestSecretHash,
  newGuestLink,
  parseGuestCode,
  type GuestLink,
} from '../../lambdas/domain/guests.js';
import { admit, joinMeeting, type MeetingCore } from '../../lambdas/domain/joining.js';
import { IDLE, roomSettings, type Joiner, type LiveState } from '../../lambdas/domain/live-meeting.js';
import type { Tenant } from '../../lambdas/domain/tenant.js';
import { GuestTokens } from '../../lambdas/http/auth/guest.js';
import { isGuestToken } from '../../lambdas/http/auth/guest-token-type.js';
import { failureOf, meetingCore, memoryJoinPorts } from '../support/domain-fixtures.js';

const TENANT = 'tn_000000000000000000000001';
const MEETING = 'mt_000000000000000000000001';
const OTHER_MEETING = 'mt_000000000000000000000002';
const NOW = new Date('2026-12-01T08:00:00Z');

const guest: Joiner = { userRef: 'g_gil', participantId: 'p_gil', admin: false, host: false, guest: true };

function meeting(extra: Partial<MeetingCore> = {}): MeetingCore {
  return meetingCore({ id: MEETING, tenantId: TENANT, inviteeRefs: ['e_gil'], seriesEndsAt: '2026-12-01T10:00:00Z', ...extra });
}

const kindOf = failureOf;

describe('guest links', () => {
  it('carry tenant, meeting and a 256-bit secret of which only the hash is kept', () => {
    const { code, link } = newGuestLink(TENANT, meeting(), 'e_gil', NOW);
    const parsed = parseGuestCode(code)!;
    expect(parsed).toMatchObject({ tenantId: TENANT, meetingId: MEETING });
    expect(Buffer.from(parsed.secret, 'base64url')).toHaveLength(32);
    expect(link.hash).toBe(guestSecretHash(parsed.secret));
    expect(JSON.stringify(link)).not.toContain(parsed.secret);
    expect(link).toMatchObject({ meetingId: MEETING, inviteeRef: 'e_gil', status: 'open' });
    expect(parseGuestCode(`${TENANT}.${MEETING}.short`)).toBeUndefined();
    expect(parseGuestCode(`${code}x`)).toBeUndefined();
    // Two links for the same invitee are unrelated.
    expect(newGuestLink(TENANT, meeting(), 'e_gil', NOW).code).not.toBe(code);
  });

  it('expire a day after the meeting’s last occurrence ends, and never sooner than a day from now', () => {
    expect(guestLinkValidUntil(meeting(), NOW).toISOString()).toBe('2026-12-02T10:00:00.000Z');
    expect(guestLinkValidUntil(meeting({ seriesEndsAt: '2026-01-01T00:00:00Z' }), NOW).toISOString()).toBe(
      '2026-12-02T08:00:00.000Z',
    );
  });

  it('are redeemed only where guests are on, once, unexpired, for a meeting that still invites that address', async () => {
    const on = { guests: true };
    const link: GuestLink = newGuestLink(TENANT, meeting(), 'e_gil', NOW).link;
    expect(checkRedeemable(on, link, meeting(), IDLE, NOW)).toBe(link);
    expect(await kindOf(() => checkRedeemable({}, link, meeting(), IDLE, NOW))).toBe('forbidden');
    expect(await kindOf(() => checkRedeemable({ guests: false }, link, meeting(), IDLE, NOW))).toBe('forbidden');
    expect(await kindOf(() => checkRedeemable(on, undefined, meeting(), IDLE, NOW))).toBe('not-found');
    expect(await kindOf(() => checkRedeemable(on, link, undefined, IDLE, NOW))).toBe('not-found');
    expect(await kindOf(() => checkRedeemable(on, link, meeting({ inviteeRefs: ['e_other'] }), IDLE, NOW))).toBe('not-found');
    expect(await kindOf(() => checkRedeemable(on, link, meeting({ status: 'cancelled' }), IDLE, NOW))).toBe('conflict');
    expect(await kindOf(() => checkRedeemable(on, link, meeting(), { ended: true }, NOW))).toBe('conflict');
    expect(await kindOf(() => checkRedeemable(on, { ...link, status: 'redeemed' }, meeting(), IDLE, NOW))).toBe('conflict');
    const later = new Date(Date.parse(link.validUntil) + 1);
    expect(await kindOf(() => checkRedeemable(on, link, meeting(), IDLE, later))).toBe('gone');
  });

  it('keep a guest’s name only where the tenant shows names', () => {
    expect(guestDisplayName({ displayNames: true }, 'Gil')).toBe('Gil');
    expect(guestDisplayName({ displayNames: false }, 'Gil')).toBeUndefined();
  });
});

const memoryPorts = (m: MeetingCore, live: LiveState = IDLE) => memoryJoinPorts(m, live, NOW);

const settings = (displayNames: boolean) => ({
  homeSite: 'fra' as const,
  allowedSites: [],
  displayNames,
  room: roomSettings('business', 100),
});

describe('a guest goes through the same admission, always by the waiting room', () => {
  it('waits for a host even in a meeting without a waiting room, and holds nothing until admitted', async () => {
    const { ports, admissions, tickets } = memoryPorts(meeting({ waitingRoom: false }));
    expect(await joinMeeting(ports, settings(false), guest, MEETING, {})).toEqual({
      status: 'waiting',
      ticket: expect.any(String),
    });
    expect(tickets).toEqual([guest]);
    expect(admissions.size).toBe(0);
    expect(await kindOf(() => mediaRole(meeting(), IDLE, guest, undefined))).toBe('forbidden');
  });

  it('is never a host, whatever the meeting says', () => {
    expect(mediaRole(meeting({ hostRef: 'g_gil' }), IDLE, guest, newAdmission('p_gil', IDLE, 'lobby', NOW))).toBe('participant');
  });

  it('needs the passcode like anyone invited', async () => {
    const { ports } = memoryPorts(meeting({ passcodeHash: 'right-passcode' }));
    expect(await kindOf(() => joinMeeting(ports, settings(false), guest, MEETING, {}))).toBe('forbidden');
    expect((await joinMeeting(ports, settings(false), guest, MEETING, { passcode: 'right-passcode' })).status).toBe('waiting');
  });

  it('is refused by a lock, and a removal revokes the admission a host gave', async () => {
    const locked = { ...IDLE, locked: true };
    expect(await kindOf(() => joinMeeting(memoryPorts(meeting(), locked).ports, settings(false), guest, MEETING, {}))).toBe(
      'forbidden',
    );
    expect(await kindOf(() => admitFromLobby(locked, guest.participantId, NOW))).toBe('conflict');
    const admission = admitFromLobby(IDLE, guest.participantId, NOW);
    expect(mediaRole(meeting(), IDLE, guest, admission)).toBe('participant');
    const removed = { ...IDLE, removed: [guest.participantId] };
    expect(await kindOf(() => mediaRole(meeting(), removed, guest, admission))).toBe('forbidden');
  });

  it('is marked as a guest to everyone, and named as asked only where the tenant shows names', async () => {
    for (const displayNames of [false, true]) {
      const { ports, grants } = memoryPorts(meeting());
      await admit(ports, settings(displayNames), meeting(), IDLE, guest, 'participant', 'Gil');
      expect(grants[0]).toMatchObject({ identity: 'p_gil', attributes: GUEST_ATTRIBUTES });
      expect(grants[0]!.name).toBe(displayNames ? 'Gil' : undefined);
    }
    expect(GUEST_ATTRIBUTES).toEqual({ 'meetplane.role': 'guest' });
  });
});

const config = parseSiteConfig({
  MEETPLANE_STAGE: 'local',
  MEETPLANE_SITE: 'fra',
  AWS_REGION: 'eu-central-1',
  MEETPLANE_TABLE: 'meetplane-fra',
  MEETPLANE_DIRECTORY_TABLE: 'meetplane-directory',
  MEETPLANE_API_URLS: 'fra=http://127.0.0.1:4001,ams=http://127.0.0.1:4002',
  MEETPLANE_LIVEKIT_URL: 'ws://127.0.0.1:7880',
  MEETPLANE_LIVEKIT_API_KEY: 'devkey',
  MEETPLANE_WEB_URL: 'http://127.0.0.1:4000',
  MEETPLANE_LIVEKIT_API_SECRET: 'x'.repeat(32),
});

function tenant(extra: Partial<Tenant> = {}): Tenant {
  return {
    id: TENANT,
    slug: 'acme',
    homeSite: 'fra',
    allowedSites: [],
    tier: 'business',
    status: 'active',
    idp: { issuer: 'https://idp', jwksUri: 'https://idp/jwks', audience: 'meetplane', rolesClaim: 'roles' },
    key: { mode: 'managed', keyArn: 'arn:aws:kms:eu-central-1:000000000000:key/1' },
    displayNames: true,
    guests: true,
    securityContacts: [],
    pseudonymKey: 'wrapped',
    createdAt: NOW.toISOString(),
    updatedAt: NOW.toISOString(),
    version: 1,
    ...extra,
  };
}

function tokens(state: { tenant: Tenant; homeSite?: 'fra' | 'ams' }, now = () => NOW.getTime()) {
  const key = new Uint8Array(32).fill(7);
  return new GuestTokens(
    config,
    { byTenantId: async (id) => (id === TENANT ? ({ tenantId: id, homeSite: state.homeSite ?? 'fra' } as never) : undefined) },
    async (id) => (id === TENANT ? state.tenant : undefined),
    { derivedKey: async () => key },
    now,
  );
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('guest tokens', () => {
  it('name their guest, meeting and (where shown) name, and are told apart from IdP tokens by their type', async () => {
    const state = { tenant: tenant() };
    const { token, expiresAt } = await tokens(state).mint(state.tenant, {
      guestId: 'gs_000000000000000000000001',
      meetingId: MEETING,
      displayName: 'Gil',
    });
    expect(isGuestToken(bearer(token))).toBe(true);
    expect(isGuestToken(bearer('eyJhbGciOiJSUzI1NiJ9.e30.sig'))).toBe(false);
    expect(isGuestToken({})).toBe(false);
    expect(Date.parse(expiresAt) - NOW.getTime()).toBe(2 * 3600 * 1000);
    expect(await tokens(state).authenticate(bearer(token))).toMatchObject({
      kind: 'guest',
      guestId: 'gs_000000000000000000000001',
      meetingId: MEETING,
      displayName: 'Gil',
    });
  });

  it('are refused when expired, signed with another key, of a tenant homed elsewhere, or after guests were turned off', async () => {
    const state: { tenant: Tenant; homeSite?: 'fra' | 'ams' } = { tenant: tenant() };
    const guestClaims = { guestId: 'gs_000000000000000000000001', meetingId: MEETING };
    const { token } = await tokens(state).mint(state.tenant, guestClaims);
    const later = () => NOW.getTime() + 3 * 3600 * 1000;
    expect(await kindOf(() => tokens(state, later).authenticate(bearer(token)))).toBe(401);

    const forged = await new SignJWT({ tid: TENANT, mid: OTHER_MEETING })
      .setProtectedHeader({ alg: 'HS256', typ: 'meetplane-guest+jwt' })
      .setIssuer('meetplane:fra')
      .setAudience('meetplane-guest')
      .setSubject('gs_000000000000000000000001')
      .setIssuedAt(Math.floor(NOW.getTime() / 1000))
      .setExpirationTime(Math.floor(NOW.getTime() / 1000) + 600)
      .sign(new Uint8Array(32).fill(8));
    expect(await kindOf(() => tokens(state).authenticate(bearer(forged)))).toBe(401);

    state.homeSite = 'ams';
    expect(await kindOf(() => tokens(state).authenticate(bearer(token)))).toBe(421);
    state.homeSite = 'fra';
    state.tenant = tenant({ guests: false });
    expect(await kindOf(() => tokens(state).authenticate(bearer(token)))).toBe(403);
    state.tenant = tenant({ status: 'suspended' });
    expect(await kindOf(() => tokens(state).authenticate(bearer(token)))).toBe(403);
  });

  it('drop the name where the tenant does not show names', async () => {
    const state = { tenant: tenant({ displayNames: false }) };
    const { token } = await tokens(state).mint(state.tenant, { guestId: 'gs_000000000000000000000001', meetingId: MEETING });
    const principal = await tokens(state).authenticate(bearer(token));
    expect(principal.displayName).toBeUndefined();
  });
});
