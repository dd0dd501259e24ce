/**
 * Every HTTP route of the API and the route group (one Lambda function) that
 * serves it. The CDK app builds the HTTP API from this table and the local
 * gateway dispatches with it, so both serve exactly the same routes; a unit
 * test checks that each group's handler declares the same route keys.
 */
export type RouteAuth = 'public' | 'operator' | 'tenant' | 'livekit';

export interface RouteGroupDefinition {
  /** Short name; also the Lambda function's id. */
  readonly name: string;
  /** Module path from the project root; it exports `handler`. */
  readonly entry: string;
  readonly auth: RouteAuth;
  readonly routes: readonly string[];
}

export const ROUTE_GROUPS: readonly RouteGroupDefinition[] = [
  { name: 'health', entry: 'lambdas/handlers/health.ts', auth: 'public', routes: ['GET /v1/health'] },
  { name: 'openapi', entry: 'lambdas/handlers/openapi.ts', auth: 'public', routes: ['GET /v1/openapi.json'] },
  { name: 'directory', entry: 'lambdas/handlers/directory.ts', auth: 'public', routes: ['GET /v1/directory/{slugOrDomain}'] },
  {
    name: 'tenants',
    entry: 'lambdas/handlers/tenants.ts',
    auth: 'operator',
    routes: [
      'POST /v1/tenants',
      'GET /v1/tenants/{tenantId}',
      'PATCH /v1/tenants/{tenantId}',
      'POST /v1/tenants/{tenantId}/suspend',
      'POST /v1/tenants/{tenantId}/reinstate',
      'POST /v1/tenants/{tenantId}/offboard',
    ],
  },
  {
    name: 'meetings',
    entry: 'lambdas/handlers/meetings.ts',
    auth: 'tenant',
    routes: [
      'POST /v1/meetings',
      'GET /v1/meetings',
      'GET /v1/meetings/{meetingId}',
      'PATCH /v1/meetings/{meetingId}',
      'DELETE /v1/meetings/{meetingId}',
      'GET /v1/meetings/{meetingId}/invite.ics',
      'POST /v1/meetings/{meetingId}/invitations',
    ],
  },
  {
    name: 'live',
    entry: 'lambdas/handlers/live.ts',
    auth: 'tenant',
    routes: [
      'POST /v1/meetings/{meetingId}/join',
      'GET /v1/meetings/{meetingId}/key',
      'GET /v1/meetings/{meetingId}/lobby/{ticket}',
      'GET /v1/meetings/{meetingId}/lobby',
      'POST /v1/meetings/{meetingId}/lobby/{ticket}/admit',
      'POST /v1/meetings/{meetingId}/lobby/{ticket}/deny',
      'POST /v1/meetings/{meetingId}/lock',
      'POST /v1/meetings/{meetingId}/unlock',
      'POST /v1/meetings/{meetingId}/participants/{participantId}/remove',
      'POST /v1/meetings/{meetingId}/participants/{participantId}/mute',
      'POST /v1/meetings/{meetingId}/end',
      'GET /v1/meetings/{meetingId}/attendance',
    ],
  },
  {
    name: 'media-nodes',
    entry: 'lambdas/handlers/media.ts',
    auth: 'operator',
    routes: [
      'GET /v1/media/clusters',
      'POST /v1/media/clusters/{clusterId}/drain',
      'POST /v1/media/clusters/{clusterId}/undrain',
    ],
  },
  {
    name: 'livekit-webhook',
    entry: 'lambdas/handlers/livekit-webhook.ts',
    auth: 'livekit',
    routes: ['POST /v1/media/livekit/webhook'],
  },
  {
    name: 'e2ee',
    entry: 'lambdas/handlers/e2ee.ts',
    auth: 'tenant',
    routes: [
      'POST /v1/devices',
      'GET /v1/meetings/{meetingId}/devices',
      'PUT /v1/meetings/{meetingId}/epochs/{epoch}/envelopes',
      'GET /v1/meetings/{meetingId}/epochs/{epoch}/envelope',
      'GET /v1/meetings/{meetingId}/devices/{deviceId}/registration',
      'POST /v1/meetings/{meetingId}/encryption/upgrade',
    ],
  },
  {
    name: 'breakouts',
    entry: 'lambdas/handlers/breakouts.ts',
    auth: 'tenant',
    routes: [
      'GET /v1/meetings/{meetingId}/breakouts',
      'PUT /v1/meetings/{meetingId}/breakouts',
      'POST /v1/meetings/{meetingId}/breakouts/open',
      'POST /v1/meetings/{meetingId}/breakouts/move',
      'POST /v1/meetings/{meetingId}/breakouts/choose',
      'GET /v1/meetings/{meetingId}/breakouts/mine',
      'GET /v1/meetings/{meetingId}/breakouts/{breakoutId}/visit',
      'POST /v1/meetings/{meetingId}/breakouts/broadcast',
      'POST /v1/meetings/{meetingId}/breakouts/close',
      'PUT /v1/meetings/{meetingId}/breakouts/{breakoutId}/epochs/{epoch}/envelopes',
      'GET /v1/meetings/{meetingId}/breakouts/{breakoutId}/epochs/{epoch}/envelope',
    ],
  },
  {
    name: 'settings',
    entry: 'lambdas/handlers/settings.ts',
    auth: 'tenant',
    routes: [
      'GET /v1/settings/organisation',
      'GET /v1/settings/retention',
      'PATCH /v1/settings/retention',
      'GET /v1/settings/mail',
      'PUT /v1/settings/mail',
      'POST /v1/settings/mail/test',
      'GET /v1/settings/security-contacts',
      'PUT /v1/settings/security-contacts',
      'GET /v1/settings/guests',
      'PUT /v1/settings/guests',
    ],
  },
  {
    name: 'privacy',
    entry: 'lambdas/handlers/privacy.ts',
    auth: 'tenant',
    routes: [
      'POST /v1/support/grants',
      'GET /v1/support/grants',
      'DELETE /v1/support/grants/{grantId}',
      'GET /v1/me/preferences',
      'PATCH /v1/me/preferences',
    ],
  },
  {
    name: 'data-subjects',
    entry: 'lambdas/handlers/data-subjects.ts',
    auth: 'tenant',
    routes: ['POST /v1/data-subjects/export', 'POST /v1/data-subjects/erase'],
  },
  {
    name: 'reports',
    entry: 'lambdas/handlers/reports.ts',
    auth: 'tenant',
    routes: [
      'POST /v1/meetings/{meetingId}/reports',
      'GET /v1/reports',
      'GET /v1/reports/{reportId}',
      'GET /v1/reports/{reportId}/clip',
      'POST /v1/reports/{reportId}/resolve',
    ],
  },
  {
    name: 'support',
    entry: 'lambdas/handlers/support.ts',
    auth: 'operator',
    routes: ['GET /v1/support/tenants/{tenantId}/settings', 'GET /v1/support/tenants/{tenantId}/meetings/{meetingId}'],
  },
  {
    name: 'audit',
    entry: 'lambdas/handlers/audit.ts',
    auth: 'tenant',
    routes: ['GET /v1/audit', 'GET /v1/audit/verify', 'POST /v1/audit/heads', 'GET /v1/audit/signing-key'],
  },
  // Publishing (operator) and reading (tenants) are separate functions: a group has one kind of caller.
  {
    name: 'advisories-publish',
    entry: 'lambdas/handlers/advisories-publish.ts',
    auth: 'operator',
    routes: ['POST /v1/advisories'],
  },
  { name: 'advisories', entry: 'lambdas/handlers/advisories.ts', auth: 'tenant', routes: ['GET /v1/advisories'] },
  // Public: a guest has no credentials but the code from their invitation, which the route checks itself.
  { name: 'guest-links', entry: 'lambdas/handlers/guest-links.ts', auth: 'public', routes: ['POST /v1/guest-links/redeem'] },
];
