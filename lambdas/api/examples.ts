import type { RouteKey } from './operations.js';

/**
 * An example of each operation: its request body (where it takes one) and its
 * success response (where it has one), shown in the OpenAPI document and the
 * API reference. They live here rather than on the operations, so that the
 * route groups' Lambda bundles carry none of them; the type asks for every
 * route, and a unit test checks that each validates against the operation's
 * own zod schemas, so they cannot drift from the contract.
 */
export interface OperationExample {
  readonly body?: unknown;
  readonly response?: unknown;
}

/** `bytes` bytes as canonical unpadded base64url, standing in for a key, signature or ciphertext. */
const opaque = (bytes: number, fill: number) => Buffer.alloc(bytes, fill).toString('base64url');

const TENANT_ID = 'tn_5f2b9c1d7e3a4b6c8d0e1f2a';
const MEETING_ID = 'mt_8c1e4a7b2d5f9e3c6a0b1d4e';
const PARTICIPANT = 'p_Q2x4dHJhc3RhbmRhcmRwYXJ0aWNpcGFu';
const OTHER_PARTICIPANT = 'p_R3Vlc3RwYXJ0aWNpcGFudHByZXNlbnRz';
const TICKET = 'lt_3b7d1f5a9c2e4b6d8f0a1c3e';
const BREAKOUT = 'br_4a9c2e7b1d5f';
const REPORT_ID = 'ar_7e2c9a4f1b6d3e8a5c0f2b4d';
const GRANT_ID = 'sg_1d6f3b8e5a2c7f4b9d0e6a3c';
const HOST_DEVICE = 'dv_host-laptop';
const DEVICE = 'dv_alex-phone';
const CREATED = '2026-11-20T10:15:00.000Z';
const UPDATED = '2026-11-21T08:02:11.000Z';
const MEDIA = {
  url: 'wss://media-fra-1.meet.example.eu',
  token: 'eyJhbGciOiJIUzI1NiJ9.eyJ2aWRlbyI6eyJyb29tIjoicm1fIn19.c2lnbmF0dXJl',
};
const STANDARD_KEY = { mode: 'standard', epoch: 2, keyIndex: 2, key: Buffer.alloc(32, 7).toString('base64') };

const meeting = {
  id: MEETING_ID,
  title: 'Weekly sync',
  description: 'Where the migration stands, and what blocks it',
  startsAt: '2026-12-07T09:00:00+01:00',
  durationMinutes: 30,
  timeZone: 'Europe/Berlin',
  recurrence: 'FREQ=WEEKLY;COUNT=10',
  encryption: 'standard',
  waitingRoom: true,
  features: { cloudRecording: false, transcription: false, liveStreaming: false, dialIn: false },
  passcodeProtected: false,
  invitees: ['alex@example.org', 'sam@example.org'],
  status: 'scheduled',
  isHost: true,
  seriesEndsAt: '2027-02-08T08:30:00.000Z',
  createdAt: CREATED,
  updatedAt: CREATED,
  etag: '"v1"',
};

const tenant = {
  id: TENANT_ID,
  slug: 'example-college',
  vanityDomain: 'meet.example-college.eu',
  homeSite: 'fra',
  allowedSites: ['fra', 'ams'],
  tier: 'education',
  status: 'active',
  idp: {
    issuer: 'https://login.example-college.eu/realms/staff',
    jwksUri: 'https://login.example-college.eu/realms/staff/protocol/openid-connect/certs',
    audience: 'meetplane',
    rolesClaim: 'roles',
    webClientId: 'meetplane-web',
  },
  webUrl: 'https://meet.example-college.eu',
  key: { mode: 'managed', keyArn: 'arn:aws:kms:eu-central-1:123456789012:key/0f6e2c4a-8b1d-4e7f-9a3c-5d2b7e1f4a6c' },
  displayNames: true,
  guests: false,
  securityContacts: [{ email: 'security@example-college.eu', name: 'IT security office' }],
  createdAt: CREATED,
  updatedAt: CREATED,
  etag: '"v1"',
};

const liveState = { locked: false, ended: false, epoch: 2, site: 'fra', removed: 0 };

const nodes = {
  items: [
    {
      id: 'fra-a',
      site: 'fra',
      endpoints: [{ url: 'wss://media-fra.meet.example.eu', healthy: true }],
      status: 'active',
      healthy: true,
      participants: 42,
    },
    {
      id: 'ams-a',
      site: 'ams',
      endpoints: [{ url: 'wss://media-ams.meet.example.eu', healthy: true }],
      status: 'active',
      healthy: true,
      participants: 17,
    },
  ],
};

const registration = {
  deviceId: DEVICE,
  hpkePublicKey: opaque(32, 0x11),
  signingPublicKey: opaque(32, 0x22),
  signature: opaque(64, 0x33),
};

const envelope = {
  v: 1,
  meetingId: MEETING_ID,
  epoch: 3,
  recipientDeviceId: DEVICE,
  senderDeviceId: HOST_DEVICE,
  enc: opaque(32, 0x44),
  ciphertext: opaque(48, 0x55),
  signature: opaque(64, 0x66),
};

const breakoutPlan = {
  state: 'open',
  selfSelect: false,
  rooms: [
    { id: BREAKOUT, name: 'Group A', members: [PARTICIPANT], scope: `${MEETING_ID}/${BREAKOUT}` },
    { id: 'br_9e1b5d3f7a2c', name: 'Group B', members: [OTHER_PARTICIPANT], scope: `${MEETING_ID}/br_9e1b5d3f7a2c` },
  ],
};

const retention = {
  periods: { meetings: 365, attendance: 90, lobbyTickets: 1, abuseReports: 180, audit: 730 },
  bounds: {
    meetings: { min: 30, max: 1825, default: 365 },
    attendance: { min: 7, max: 365, default: 90 },
    lobbyTickets: { min: 1, max: 30, default: 1 },
    abuseReports: { min: 30, max: 730, default: 180 },
    audit: { min: 365, max: 3650, default: 730 },
  },
  etag: '"v4"',
};

const smtpSettings = {
  configured: true,
  transport: 'smtp',
  host: 'smtp.example-college.eu',
  port: 465,
  secure: true,
  username: 'meetplane',
  from: 'meetings@example-college.eu',
};

const securityContacts = {
  configured: true,
  emails: ['security@example-college.eu'],
  webhook: { url: 'https://soc.example-college.eu/hooks/advisories', secretSet: true },
  updatedAt: UPDATED,
};

const advisory = {
  id: 'adv_2026-11-30_3f9a1c',
  site: 'fra',
  publishedAt: '2026-11-30T14:00:00.000Z',
  title: 'Join tokens accepted for a minute after removal',
  severity: 'medium',
  summary: 'A participant removed from a meeting could rejoin with a token issued before the removal; fixed on both sites.',
  cve: ['CVE-2026-41234'],
};

const report = {
  id: REPORT_ID,
  meetingId: MEETING_ID,
  reason: 'harassment',
  status: 'open',
  createdAt: UPDATED,
  participantId: OTHER_PARTICIPANT,
  clip: { contentType: 'audio/webm', bytes: 48213 },
};

const grant = {
  id: GRANT_ID,
  ticketId: 'SUP-20417',
  scopes: ['settings:read'],
  expiresAt: '2026-12-01T18:00:00+01:00',
  allowOutsideEu: false,
  createdAt: UPDATED,
  revoked: false,
};

const signedHead = {
  site: 'fra',
  tenantId: TENANT_ID,
  seq: 128,
  hash: 'b1946ac92492d2347c6235b4d2611184c3a6f1b7e0d8a5c2f9e4b7a1d3c6e8f0',
  at: UPDATED,
  signedAt: '2026-11-21T08:15:00.000Z',
  keyId: 'arn:aws:kms:eu-central-1:123456789012:key/7a1c3e5b-9d2f-4a6c-8e0b-1d3f5a7c9e2b',
  algorithm: 'ECDSA_SHA_256',
  signature: 'MEUCIQDx3b7n6Qm1p9Yw2T4s8Kf0dLr5hJv7cXa1Ee3gUo2BzQIgV9m4Wk6Ys1Tq8Hn3Lc5Rb7Pf2Dx0Ja4Mu6Gi8Oe1Nz=',
};

export const EXAMPLES: { readonly [K in RouteKey]: OperationExample } = {
  'GET /v1/health': {
    response: {
      site: 'fra',
      region: 'eu-central-1',
      status: 'ok',
      dependencies: {
        dynamodb: { status: 'up', latencyMs: 6 },
        kms: { status: 'up', latencyMs: 11 },
        livekit: { status: 'up', latencyMs: 9 },
      },
    },
  },
  'GET /v1/openapi.json': {
    response: { openapi: '3.1.0', info: { title: 'Meetplane API', version: '1.0.0' }, paths: {} },
  },
  'GET /v1/directory/{slugOrDomain}': {
    response: {
      tenantId: TENANT_ID,
      slug: 'example-college',
      homeSite: 'fra',
      apiUrl: 'https://api.fra.meet.example.eu',
      signIn: { issuer: 'https://login.example-college.eu/realms/staff', clientId: 'meetplane-web', audience: 'meetplane' },
      webUrl: 'https://meet.example-college.eu',
    },
  },

  // --- tenants (operator) ---
  'POST /v1/tenants': {
    body: {
      slug: 'example-college',
      vanityDomain: 'meet.example-college.eu',
      homeSite: 'fra',
      allowedSites: ['fra', 'ams'],
      tier: 'education',
      idp: {
        issuer: 'https://login.example-college.eu/realms/staff',
        jwksUri: 'https://login.example-college.eu/realms/staff/protocol/openid-connect/certs',
        audience: 'meetplane',
        webClientId: 'meetplane-web',
      },
      webUrl: 'https://meet.example-college.eu',
      key: { mode: 'managed' },
      securityContacts: [{ email: 'security@example-college.eu', name: 'IT security office' }],
      displayNames: true,
    },
    response: tenant,
  },
  'GET /v1/tenants/{tenantId}': { response: tenant },
  'PATCH /v1/tenants/{tenantId}': {
    body: { tier: 'business', reason: 'Plan changed at the customer’s request' },
    response: { ...tenant, tier: 'business', updatedAt: UPDATED, etag: '"v2"' },
  },
  'POST /v1/tenants/{tenantId}/suspend': {
    body: { reason: 'Invoices unpaid after three reminders', legalBasis: 'Contract § 9.2 (suspension for non-payment)' },
    response: {
      ...tenant,
      status: 'suspended',
      suspension: {
        reason: 'Invoices unpaid after three reminders',
        legalBasis: 'Contract § 9.2 (suspension for non-payment)',
        at: UPDATED,
      },
      updatedAt: UPDATED,
      etag: '"v2"',
    },
  },
  'POST /v1/tenants/{tenantId}/reinstate': {
    body: { reason: 'Invoices settled', legalBasis: 'Contract § 9.3 (reinstatement)' },
    response: { ...tenant, updatedAt: UPDATED, etag: '"v3"' },
  },
  'POST /v1/tenants/{tenantId}/offboard': {
    body: { reason: 'Contract ended', legalBasis: 'Contract § 12 (termination)', confirmSlug: 'example-college' },
    response: {
      tenantId: TENANT_ID,
      status: 'offboarded',
      recordsDeleted: 1834,
      directoryEntryRemoved: true,
      key: { mode: 'managed', deletionScheduledFor: '2026-12-28T08:02:11.000Z' },
    },
  },

  // --- meetings ---
  'POST /v1/meetings': {
    body: {
      title: 'Weekly sync',
      description: 'Where the migration stands, and what blocks it',
      startsAt: '2026-12-07T09:00:00+01:00',
      durationMinutes: 30,
      timeZone: 'Europe/Berlin',
      recurrence: 'FREQ=WEEKLY;COUNT=10',
      waitingRoom: true,
      invitees: ['alex@example.org', 'sam@example.org'],
    },
    response: meeting,
  },
  'GET /v1/meetings': {
    response: {
      items: [
        {
          meetingId: MEETING_ID,
          title: 'Weekly sync',
          startsAt: '2026-12-07T09:00:00+01:00',
          endsAt: '2026-12-07T09:30:00+01:00',
          timeZone: 'Europe/Berlin',
          recurring: true,
          encryption: 'standard',
          isHost: true,
        },
      ],
      nextCursor: 'MjAyNi0xMi0wN1QwOTowMDowMCswMTowMHxtdF84YzFlNGE3YjJkNWY5ZTNjNmEwYjFkNGU',
    },
  },
  'GET /v1/meetings/{meetingId}': { response: meeting },
  'PATCH /v1/meetings/{meetingId}': {
    body: { durationMinutes: 45, passcode: 'blue-heron-42' },
    response: { ...meeting, durationMinutes: 45, passcodeProtected: true, updatedAt: UPDATED, etag: '"v2"' },
  },
  'DELETE /v1/meetings/{meetingId}': {
    response: { ...meeting, status: 'cancelled', updatedAt: UPDATED, etag: '"v2"' },
  },
  'GET /v1/meetings/{meetingId}/invite.ics': {
    response: [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//Meetplane//EN',
      'BEGIN:VEVENT',
      `UID:${MEETING_ID}`,
      'DTSTART;TZID=Europe/Berlin:20261207T090000',
      'DURATION:PT30M',
      'RRULE:FREQ=WEEKLY;COUNT=10',
      'SUMMARY:Weekly sync',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n'),
  },
  'POST /v1/meetings/{meetingId}/invitations': { response: { sent: 2 } },

  // --- joining and host controls ---
  'POST /v1/meetings/{meetingId}/join': {
    body: { passcode: 'blue-heron-42', displayName: 'Alex' },
    response: {
      status: 'admitted',
      participantId: PARTICIPANT,
      role: 'participant',
      media: MEDIA,
      encryption: STANDARD_KEY,
    },
  },
  'GET /v1/meetings/{meetingId}/key': { response: { epoch: 2, keyIndex: 2, key: STANDARD_KEY.key } },
  'GET /v1/meetings/{meetingId}/lobby/{ticket}': { response: { status: 'waiting' } },
  'GET /v1/meetings/{meetingId}/lobby': {
    response: {
      items: [
        { ticket: TICKET, since: UPDATED, displayName: 'Alex' },
        { ticket: 'lt_9f1a3c5e7b2d4f6a8c0e2b4d', since: UPDATED, displayName: 'Robin (guest)', guest: true },
      ],
    },
  },
  'POST /v1/meetings/{meetingId}/lobby/{ticket}/admit': {},
  'POST /v1/meetings/{meetingId}/lobby/{ticket}/deny': {},
  'POST /v1/meetings/{meetingId}/lock': { response: { ...liveState, locked: true } },
  'POST /v1/meetings/{meetingId}/unlock': { response: liveState },
  'POST /v1/meetings/{meetingId}/participants/{participantId}/remove': {
    response: { ...liveState, epoch: 3, removed: 1 },
  },
  'POST /v1/meetings/{meetingId}/participants/{participantId}/mute': { body: { trackSid: 'TR_AMkTbXg4N3aQ', muted: true } },
  'POST /v1/meetings/{meetingId}/end': { response: { ...liveState, ended: true } },
  'GET /v1/meetings/{meetingId}/attendance': {
    response: {
      items: [
        { participantId: PARTICIPANT, room: 'main', joinedAt: '2026-12-07T08:01:12.000Z', leftAt: '2026-12-07T08:29:40.000Z' },
        { participantId: OTHER_PARTICIPANT, room: 'main', joinedAt: '2026-12-07T08:03:05.000Z' },
      ],
    },
  },

  // --- media ---
  'GET /v1/media/clusters': { response: nodes },
  'POST /v1/media/clusters/{clusterId}/drain': {
    response: { items: [{ ...nodes.items[0]!, status: 'draining' }, nodes.items[1]!] },
  },
  'POST /v1/media/clusters/{clusterId}/undrain': { response: nodes },
  'POST /v1/media/livekit/webhook': { response: { received: true } },

  // --- end-to-end encryption ---
  'POST /v1/devices': { body: registration, response: { deviceId: DEVICE, registered: true } },
  'GET /v1/meetings/{meetingId}/devices': {
    response: { epoch: 3, items: [{ participantId: PARTICIPANT, registration }] },
  },
  'PUT /v1/meetings/{meetingId}/epochs/{epoch}/envelopes': { body: { envelopes: [envelope] } },
  'GET /v1/meetings/{meetingId}/epochs/{epoch}/envelope': { response: envelope },
  'GET /v1/meetings/{meetingId}/devices/{deviceId}/registration': {
    response: { participantId: PARTICIPANT, registration: { ...registration, deviceId: HOST_DEVICE } },
  },
  'POST /v1/meetings/{meetingId}/encryption/upgrade': {
    response: { ...meeting, encryption: 'e2ee', updatedAt: UPDATED, etag: '"v2"' },
  },

  // --- breakouts ---
  'GET /v1/meetings/{meetingId}/breakouts': { response: breakoutPlan },
  'PUT /v1/meetings/{meetingId}/breakouts': {
    body: {
      rooms: [
        { name: 'Group A', participants: [PARTICIPANT] },
        { name: 'Group B', participants: [OTHER_PARTICIPANT] },
      ],
    },
    response: { ...breakoutPlan, state: 'draft' },
  },
  'POST /v1/meetings/{meetingId}/breakouts/open': { response: breakoutPlan },
  'POST /v1/meetings/{meetingId}/breakouts/move': {
    body: { participantId: PARTICIPANT, to: 'br_9e1b5d3f7a2c' },
    response: {
      ...breakoutPlan,
      rooms: [
        { ...breakoutPlan.rooms[0]!, members: [] },
        { ...breakoutPlan.rooms[1]!, members: [OTHER_PARTICIPANT, PARTICIPANT] },
      ],
    },
  },
  'POST /v1/meetings/{meetingId}/breakouts/choose': { body: { to: BREAKOUT } },
  'GET /v1/meetings/{meetingId}/breakouts/mine': {
    response: {
      state: 'open',
      breakout: { id: BREAKOUT, name: 'Group A', scope: `${MEETING_ID}/${BREAKOUT}` },
      join: { media: MEDIA, encryption: STANDARD_KEY },
    },
  },
  'GET /v1/meetings/{meetingId}/breakouts/{breakoutId}/visit': {
    response: {
      breakout: { id: BREAKOUT, name: 'Group A', scope: `${MEETING_ID}/${BREAKOUT}` },
      media: MEDIA,
      encryption: STANDARD_KEY,
    },
  },
  'POST /v1/meetings/{meetingId}/breakouts/broadcast': {
    body: { message: 'Five minutes left, then back to the main room', countdownSeconds: 300 },
  },
  'POST /v1/meetings/{meetingId}/breakouts/close': {
    body: { countdownSeconds: 60 },
    response: { ...breakoutPlan, state: 'closing', returnAt: '2026-12-07T08:21:00.000Z' },
  },
  'PUT /v1/meetings/{meetingId}/breakouts/{breakoutId}/epochs/{epoch}/envelopes': {
    body: { envelopes: [{ ...envelope, meetingId: `${MEETING_ID}-${BREAKOUT}`, epoch: 0 }] },
  },
  'GET /v1/meetings/{meetingId}/breakouts/{breakoutId}/epochs/{epoch}/envelope': {
    response: { ...envelope, meetingId: `${MEETING_ID}-${BREAKOUT}`, epoch: 0 },
  },

  // --- settings ---
  'GET /v1/settings/organisation': {
    response: {
      tenantId: TENANT_ID,
      slug: 'example-college',
      vanityDomain: 'meet.example-college.eu',
      status: 'active',
      tier: 'education',
      homeSite: { site: 'fra', city: 'Frankfurt', region: 'eu-central-1' },
      allowedSites: [{ site: 'ams', city: 'Amsterdam' }],
      data: { site: 'fra', city: 'Frankfurt', region: 'eu-central-1' },
      media: [
        { site: 'fra', city: 'Frankfurt', region: 'eu-central-1', role: 'home' },
        { site: 'ams', city: 'Amsterdam', role: 'failover' },
      ],
      key: {
        mode: 'managed',
        keyArn: 'arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        rotation: 'automatic',
      },
      residency: [
        ...Object.entries(retention.periods).map(([dataClass, retentionDays]) => ({
          dataClass,
          sites: ['fra'],
          region: 'eu-central-1',
          retentionDays,
          adjustable: true,
          sealed: dataClass === 'meetings' || dataClass === 'abuseReports',
        })),
        { dataClass: 'devices', sites: ['fra'], region: 'eu-central-1', retentionDays: 180, adjustable: false, sealed: false },
        { dataClass: 'settings', sites: ['fra'], region: 'eu-central-1', adjustable: false, sealed: true },
        { dataClass: 'directory', sites: ['fra', 'ams'], adjustable: false, sealed: false },
      ],
    },
  },
  'GET /v1/settings/retention': { response: retention },
  'PATCH /v1/settings/retention': {
    body: { attendance: 30 },
    response: { ...retention, periods: { ...retention.periods, attendance: 30 }, etag: '"v5"' },
  },
  'GET /v1/settings/mail': { response: smtpSettings },
  'POST /v1/settings/mail/test': { body: { to: 'it-desk@example-college.eu' }, response: { sent: true, transport: 'smtp' } },
  'PUT /v1/settings/mail': {
    body: {
      host: 'smtp.example-college.eu',
      port: 465,
      secure: true,
      username: 'meetplane',
      password: 'correct-horse-battery-staple',
      from: 'meetings@example-college.eu',
    },
    response: smtpSettings,
  },
  'GET /v1/settings/security-contacts': { response: securityContacts },
  'PUT /v1/settings/security-contacts': {
    body: {
      emails: ['security@example-college.eu'],
      webhook: {
        url: 'https://soc.example-college.eu/hooks/advisories',
        secret: 'whsec_8b3f1d6a9c2e7f4b0d5a8c1e3f6b9d2a',
      },
    },
    response: securityContacts,
  },
  'GET /v1/settings/guests': { response: { enabled: false, etag: '"v4"' } },
  'PUT /v1/settings/guests': { body: { enabled: true }, response: { enabled: true, etag: '"v5"' } },

  // --- guests ---
  'POST /v1/guest-links/redeem': {
    body: { code: `${TENANT_ID}.${MEETING_ID}.${opaque(32, 0x77)}`, displayName: 'Robin' },
    response: {
      token: 'eyJhbGciOiJIUzI1NiIsInR5cCI6Im1lZXRwbGFuZS1ndWVzdCtqd3QifQ.eyJtdGciOiJtdF8ifQ.c2lnbmF0dXJl',
      expiresAt: '2026-12-07T10:00:00.000Z',
      tenantId: TENANT_ID,
      meetingId: MEETING_ID,
      participantId: OTHER_PARTICIPANT,
      join: `/v1/meetings/${MEETING_ID}/join`,
    },
  },

  // --- privacy ---
  'POST /v1/support/grants': {
    body: { ticketId: 'SUP-20417', scopes: ['settings:read'], expiresAt: '2026-12-01T18:00:00+01:00', allowOutsideEu: false },
    response: grant,
  },
  'GET /v1/support/grants': { response: { items: [grant] } },
  'DELETE /v1/support/grants/{grantId}': {},
  'GET /v1/me/preferences': { response: { productNews: false, marketing: false } },
  'PATCH /v1/me/preferences': { body: { productNews: true }, response: { productNews: true, marketing: false } },
  'POST /v1/data-subjects/export': {
    body: { subject: 'user-4711', email: 'alex@example.org' },
    response: {
      tenantId: TENANT_ID,
      site: 'fra',
      generatedAt: UPDATED,
      pseudonyms: { userRef: 'u_3f9a1c7e5b2d4f6a', emailRef: 'e_8b2d4f6a1c3e5b7d' },
      meetingsHosted: [{ id: MEETING_ID, title: 'Weekly sync', startsAt: '2026-12-07T09:00:00+01:00' }],
      invitations: [],
      attendance: [{ meetingId: MEETING_ID, room: 'main', joinedAt: '2026-12-07T08:01:12.000Z' }],
      lobbyTickets: [],
      passcodeAttempts: [],
      admissions: [],
      devices: [],
      meetingDevices: [],
      keyEnvelopes: [],
      removals: [],
      breakoutAssignments: [],
      preferences: { productNews: false, marketing: false },
      reportsFiled: [],
      reportsAbout: [],
      auditEntries: [],
      guestLinks: [],
      recordsOfHostedMeetings: 3,
      requestRecords: 1,
    },
  },
  'POST /v1/data-subjects/erase': {
    body: { subject: 'user-4711', email: 'alex@example.org' },
    response: {
      tenantId: TENANT_ID,
      startedAt: UPDATED,
      completedAt: '2026-11-21T08:02:13.000Z',
      erased: { meetingsHosted: 1, attendance: 1, preferences: 1 },
      requestRecordsDeleted: 1,
      remaining: 0,
      notes: ['Audit entries keep their place in the chain, with the personal fields redacted'],
    },
  },
  'GET /v1/support/tenants/{tenantId}/settings': {
    response: {
      tenantId: TENANT_ID,
      status: 'active',
      tier: 'education',
      homeSite: 'fra',
      allowedSites: ['fra', 'ams'],
      displayNames: true,
      retention: retention.periods,
    },
  },
  'GET /v1/support/tenants/{tenantId}/meetings/{meetingId}': {
    response: {
      id: MEETING_ID,
      startsAt: '2026-12-07T09:00:00+01:00',
      durationMinutes: 30,
      timeZone: 'Europe/Berlin',
      recurring: true,
      encryption: 'standard',
      waitingRoom: true,
      status: 'scheduled',
      invitees: 2,
    },
  },

  // --- abuse reports ---
  'POST /v1/meetings/{meetingId}/reports': {
    body: {
      reason: 'harassment',
      details: 'Repeated insults in the chat after being asked to stop',
      participantId: OTHER_PARTICIPANT,
      clip: { contentType: 'audio/webm', data: 'GkXfo59ChoEBQveBAULygQRC84EIQoKEd2VibUKHgQRChYEC' },
    },
    response: { id: REPORT_ID, status: 'open', createdAt: UPDATED },
  },
  'GET /v1/reports': { response: { items: [report] } },
  'GET /v1/reports/{reportId}': {
    response: { ...report, details: 'Repeated insults in the chat after being asked to stop' },
  },
  'GET /v1/reports/{reportId}/clip': {
    response: { contentType: 'audio/webm', data: 'GkXfo59ChoEBQveBAULygQRC84EIQoKEd2VibUKHgQRChYEC' },
  },
  'POST /v1/reports/{reportId}/resolve': {
    body: { outcome: 'removed-from-meeting', note: 'Removed by the host; the organiser was informed' },
    response: {
      ...report,
      status: 'resolved',
      outcome: 'removed-from-meeting',
      resolvedAt: '2026-11-22T09:30:00.000Z',
      resolutionNote: 'Removed by the host; the organiser was informed',
    },
  },

  // --- audit ---
  'GET /v1/audit': {
    response: {
      items: [
        {
          tenantId: TENANT_ID,
          seq: 127,
          at: UPDATED,
          actor: { type: 'user', id: 'u_3f9a1c7e5b2d4f6a' },
          action: 'settings.guests',
          target: `tenant/${TENANT_ID}`,
          reason: 'guests turned on',
          details: { enabled: true },
          prevHash: '5d41402abc4b2a76b9719d911017c592ae2a1f4e8c6b3d7f0a9e2c5b8d1f4a7e',
          personalDigest: '2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae',
          hash: 'b1946ac92492d2347c6235b4d2611184c3a6f1b7e0d8a5c2f9e4b7a1d3c6e8f0',
        },
      ],
      nextCursor: '127',
    },
  },
  'GET /v1/audit/verify': {
    response: { intact: true, entries: 128, breaks: [], signedHead, headsChecked: 9, notYetSigned: 0 },
  },
  'POST /v1/audit/heads': { response: signedHead },
  'GET /v1/audit/signing-key': {
    response: {
      keyId: signedHead.keyId,
      algorithm: 'ECDSA_SHA_256',
      publicKeyPem:
        '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE2adMrdG7aUfZH57aeKFFM01dPnkx\nC18ScRb4Z6poMBgJtYlVtd9ly63URv57ZW0Ncs1LiZB7WATb3svu+1c7HQ==\n-----END PUBLIC KEY-----\n',
    },
  },

  // --- advisories ---
  'POST /v1/advisories': {
    body: {
      title: advisory.title,
      severity: 'medium',
      summary: advisory.summary,
      cve: ['CVE-2026-41234'],
    },
    response: {
      advisory,
      totals: { tenants: 2, emailSent: 1, emailSkipped: 1, emailFailed: 0, webhookDelivered: 1, webhookFailed: 0 },
      deliveries: [
        {
          tenantId: TENANT_ID,
          contacts: 'settings',
          email: { status: 'sent', recipients: 1 },
          webhook: { status: 'delivered', httpStatus: 204 },
        },
        {
          tenantId: 'tn_0a2c4e6b8d1f3a5c7e9b2d4f',
          contacts: 'onboarding',
          email: { status: 'skipped', reason: 'no-mail-server' },
          webhook: { status: 'not-configured' },
        },
      ],
    },
  },
  'GET /v1/advisories': { response: { items: [advisory] } },
};
