import * as z from 'zod';
import type { RouteAuth } from '../routes.js';
import type { RequestSchemas } from '../http/request.js';
import { emptyQuery, queryInteger } from './schemas/common.js';
import {
  attendanceList,
  joinBody,
  deviceRegistrationSchema,
  deviceResource,
  envelopeQuery,
  envelopeResource,
  envelopeUploadSchema,
  epochKey,
  epochPath,
  joinResult,
  meetingDevices,
  keyQuery,
  liveStateResource,
  lobbyList,
  lobbyStatus,
  muteBody,
  nodeList,
  nodePath,
  participantPath,
  ticketPath,
  webhookAck,
} from './schemas/live.js';
import {
  cancelMeetingQuery,
  createMeetingBody,
  listMeetingsQuery,
  meetingPath,
  meetingResource,
  occurrencePage,
  patchMeetingBody,
} from './schemas/meetings.js';
import {
  auditPage,
  chainVerdict,
  directoryAnswer,
  healthReport,
  offboardingReport,
  tenantResource,
} from './schemas/responses.js';
import {
  createTenantBody,
  directoryPath,
  offboardBody,
  patchTenantBody,
  statusChangeBody,
  tenantPath,
} from './schemas/tenants.js';

/**
 * The API contract: for every route, the request schemas the handler
 * validates with and the responses it sends. Handlers take their schemas from
 * here and the OpenAPI document is generated from here, so the two cannot
 * drift apart.
 */
export interface Operation extends RequestSchemas {
  readonly summary: string;
  readonly tag: string;
  readonly auth: RouteAuth;
  /** Writes honour Idempotency-Key. */
  readonly idempotent?: boolean;
  /** Updates need If-Match ('required') or honour it ('optional'). */
  readonly ifMatch?: 'required' | 'optional';
  /** Problem statuses this route may answer beyond those every route of its kind may. */
  readonly alsoAnswers?: readonly number[];
  readonly success: {
    readonly status: number;
    readonly description: string;
    readonly schema?: z.ZodType;
    readonly contentType?: string;
  };
}

const auditQuery = z.strictObject({
  cursor: z
    .string()
    .regex(/^\d{1,12}$/, 'must be a cursor from an earlier page')
    .optional(),
  limit: queryInteger(1, 200).optional(),
});

export const OPERATIONS = {
  'GET /v1/health': {
    summary: "The site's id and region, and whether each dependency answers",
    tag: 'site',
    auth: 'public',
    query: emptyQuery,
    success: {
      status: 200,
      description: 'Every dependency is up (503 with the same document when one is down)',
      schema: healthReport,
    },
  },
  'GET /v1/openapi.json': {
    summary: 'This document',
    tag: 'site',
    auth: 'public',
    query: emptyQuery,
    success: { status: 200, description: 'The OpenAPI 3.1 document', schema: z.record(z.string(), z.unknown()) },
  },
  'GET /v1/directory/{slugOrDomain}': {
    summary: 'Where a tenant lives: the only data both sites hold',
    tag: 'directory',
    auth: 'public',
    path: directoryPath,
    query: emptyQuery,
    success: { status: 200, description: 'The tenant id, slug, home site and its API address', schema: directoryAnswer },
  },
  'POST /v1/tenants': {
    summary: 'Onboard a tenant at its home site',
    tag: 'tenants (operator)',
    auth: 'operator',
    idempotent: true,
    query: emptyQuery,
    body: createTenantBody,
    success: { status: 201, description: 'The new tenant', schema: tenantResource },
  },
  'GET /v1/tenants/{tenantId}': {
    summary: 'Read a tenant',
    tag: 'tenants (operator)',
    auth: 'operator',
    path: tenantPath,
    query: emptyQuery,
    success: { status: 200, description: 'The tenant, with its ETag', schema: tenantResource },
  },
  'PATCH /v1/tenants/{tenantId}': {
    summary: "Change a tenant's settings",
    tag: 'tenants (operator)',
    auth: 'operator',
    ifMatch: 'required',
    path: tenantPath,
    query: emptyQuery,
    body: patchTenantBody,
    success: { status: 200, description: 'The changed tenant', schema: tenantResource },
  },
  'POST /v1/tenants/{tenantId}/suspend': {
    summary: 'Suspend a tenant, with a reason and a legal basis its admins can read',
    tag: 'tenants (operator)',
    auth: 'operator',
    path: tenantPath,
    query: emptyQuery,
    body: statusChangeBody,
    success: { status: 200, description: 'The suspended tenant', schema: tenantResource },
  },
  'POST /v1/tenants/{tenantId}/reinstate': {
    summary: 'Reinstate a suspended tenant',
    tag: 'tenants (operator)',
    auth: 'operator',
    path: tenantPath,
    query: emptyQuery,
    body: statusChangeBody,
    success: { status: 200, description: 'The reinstated tenant', schema: tenantResource },
  },
  'POST /v1/tenants/{tenantId}/offboard': {
    summary: 'Offboard a tenant: shred its managed key, delete its records and its directory entry',
    tag: 'tenants (operator)',
    auth: 'operator',
    path: tenantPath,
    query: emptyQuery,
    body: offboardBody,
    success: { status: 200, description: 'What was done', schema: offboardingReport },
  },
  'POST /v1/meetings': {
    summary: 'Schedule a meeting (hosts and admins)',
    tag: 'meetings',
    auth: 'tenant',
    idempotent: true,
    query: emptyQuery,
    body: createMeetingBody,
    success: { status: 201, description: 'The new meeting', schema: meetingResource },
  },
  'GET /v1/meetings': {
    summary: "The caller's meeting occurrences in a time range, recurring meetings expanded",
    tag: 'meetings',
    auth: 'tenant',
    query: listMeetingsQuery,
    success: { status: 200, description: 'A page of occurrences, ordered by start', schema: occurrencePage },
  },
  'GET /v1/meetings/{meetingId}': {
    summary: 'Read a meeting',
    tag: 'meetings',
    auth: 'tenant',
    path: meetingPath,
    query: emptyQuery,
    success: { status: 200, description: 'The meeting, with its ETag', schema: meetingResource },
  },
  'PATCH /v1/meetings/{meetingId}': {
    summary: 'Change a meeting (its host and admins)',
    tag: 'meetings',
    auth: 'tenant',
    ifMatch: 'required',
    path: meetingPath,
    query: emptyQuery,
    body: patchMeetingBody,
    success: { status: 200, description: 'The changed meeting', schema: meetingResource },
  },
  'DELETE /v1/meetings/{meetingId}': {
    summary: 'Cancel a meeting (its host and admins)',
    tag: 'meetings',
    auth: 'tenant',
    ifMatch: 'optional',
    path: meetingPath,
    query: cancelMeetingQuery,
    success: { status: 200, description: 'The cancelled meeting', schema: meetingResource },
  },
  'GET /v1/meetings/{meetingId}/invite.ics': {
    summary: 'The meeting as an iCalendar event, with its recurrence',
    tag: 'meetings',
    auth: 'tenant',
    path: meetingPath,
    query: emptyQuery,
    success: { status: 200, description: 'An RFC 5545 calendar', contentType: 'text/calendar' },
  },
  'POST /v1/meetings/{meetingId}/join': {
    summary: 'Join a meeting: a media token for its room, or a waiting-room ticket',
    tag: 'joining',
    auth: 'tenant',
    alsoAnswers: [429],
    path: meetingPath,
    query: emptyQuery,
    body: joinBody,
    success: { status: 200, description: 'Admitted with media, or waiting with a ticket', schema: joinResult },
  },
  'GET /v1/meetings/{meetingId}/key': {
    summary: "A standard-mode epoch's media key, for participants (never for removed ones)",
    tag: 'joining',
    auth: 'tenant',
    path: meetingPath,
    query: keyQuery,
    success: { status: 200, description: 'The key, base64, and its slot in the key ring', schema: epochKey },
  },
  'GET /v1/meetings/{meetingId}/lobby/{ticket}': {
    summary: 'Poll a waiting-room ticket (its owner only)',
    tag: 'joining',
    auth: 'tenant',
    path: ticketPath,
    query: emptyQuery,
    success: { status: 200, description: 'Still waiting, denied, or admitted with media', schema: lobbyStatus },
  },
  'GET /v1/meetings/{meetingId}/lobby': {
    summary: 'Who is waiting (hosts)',
    tag: 'host controls',
    auth: 'tenant',
    path: meetingPath,
    query: emptyQuery,
    success: { status: 200, description: 'The waiting tickets', schema: lobbyList },
  },
  'POST /v1/meetings/{meetingId}/lobby/{ticket}/admit': {
    summary: 'Admit a waiting participant (hosts)',
    tag: 'host controls',
    auth: 'tenant',
    path: ticketPath,
    query: emptyQuery,
    success: { status: 204, description: 'Admitted; their next poll carries media' },
  },
  'POST /v1/meetings/{meetingId}/lobby/{ticket}/deny': {
    summary: 'Turn a waiting participant away (hosts)',
    tag: 'host controls',
    auth: 'tenant',
    path: ticketPath,
    query: emptyQuery,
    success: { status: 204, description: 'Denied' },
  },
  'POST /v1/meetings/{meetingId}/lock': {
    summary: 'Lock the meeting: nobody new is admitted (hosts)',
    tag: 'host controls',
    auth: 'tenant',
    path: meetingPath,
    query: emptyQuery,
    success: { status: 200, description: 'The live state', schema: liveStateResource },
  },
  'POST /v1/meetings/{meetingId}/unlock': {
    summary: 'Unlock the meeting (hosts)',
    tag: 'host controls',
    auth: 'tenant',
    path: meetingPath,
    query: emptyQuery,
    success: { status: 200, description: 'The live state', schema: liveStateResource },
  },
  'POST /v1/meetings/{meetingId}/participants/{participantId}/remove': {
    summary: 'Remove a participant; they get no new token for this meeting and a new key epoch starts (hosts)',
    tag: 'host controls',
    auth: 'tenant',
    path: participantPath,
    query: emptyQuery,
    success: { status: 200, description: 'The live state', schema: liveStateResource },
  },
  'POST /v1/meetings/{meetingId}/participants/{participantId}/mute': {
    summary: "Mute or unmute one of a participant's tracks (hosts)",
    tag: 'host controls',
    auth: 'tenant',
    path: participantPath,
    query: emptyQuery,
    body: muteBody,
    success: { status: 204, description: 'Done' },
  },
  'POST /v1/meetings/{meetingId}/end': {
    summary: 'End the meeting for everyone: the room is deleted and further joins are refused (hosts)',
    tag: 'host controls',
    auth: 'tenant',
    path: meetingPath,
    query: emptyQuery,
    success: { status: 200, description: 'The live state', schema: liveStateResource },
  },
  'GET /v1/meetings/{meetingId}/attendance': {
    summary: 'Who joined and left when, by per-meeting pseudonym (hosts)',
    tag: 'host controls',
    auth: 'tenant',
    path: meetingPath,
    query: emptyQuery,
    success: { status: 200, description: 'Attendance records', schema: attendanceList },
  },
  'GET /v1/media/nodes': {
    summary: "The site's media nodes, their status, health and load",
    tag: 'media (operator)',
    auth: 'operator',
    query: emptyQuery,
    success: { status: 200, description: 'The nodes', schema: nodeList },
  },
  'POST /v1/media/nodes/{nodeId}/drain': {
    summary: 'Drain a media node: no new meeting is placed on it',
    tag: 'media (operator)',
    auth: 'operator',
    path: nodePath,
    query: emptyQuery,
    success: { status: 200, description: 'The nodes', schema: nodeList },
  },
  'POST /v1/media/nodes/{nodeId}/undrain': {
    summary: 'Put a drained media node back into service',
    tag: 'media (operator)',
    auth: 'operator',
    path: nodePath,
    query: emptyQuery,
    success: { status: 200, description: 'The nodes', schema: nodeList },
  },
  'POST /v1/media/livekit/webhook': {
    summary: 'LiveKit events, signed with the node key (verified on the raw body before anything else)',
    tag: 'media (LiveKit)',
    auth: 'livekit',
    query: emptyQuery,
    success: { status: 200, description: 'Received', schema: webhookAck },
  },
  'POST /v1/devices': {
    summary: "Register a device's public keys for end-to-end meetings (self-signed; the server verifies the signature)",
    tag: 'end-to-end encryption',
    auth: 'tenant',
    query: emptyQuery,
    body: deviceRegistrationSchema,
    success: { status: 201, description: 'Registered', schema: deviceResource },
  },
  'GET /v1/meetings/{meetingId}/devices': {
    summary: "The devices of the meeting's participants, for the host's client to seal the epoch key to (hosts)",
    tag: 'end-to-end encryption',
    auth: 'tenant',
    path: meetingPath,
    query: emptyQuery,
    success: { status: 200, description: 'Device registrations by participant, and the current epoch', schema: meetingDevices },
  },
  'PUT /v1/meetings/{meetingId}/epochs/{epoch}/envelopes': {
    summary:
      'Upload one sealed media-key envelope per participant device for the current epoch (hosts); the server checks shape and size only',
    tag: 'end-to-end encryption',
    auth: 'tenant',
    path: epochPath,
    query: emptyQuery,
    body: envelopeUploadSchema,
    maxBodyBytes: 1024 * 1024,
    success: { status: 204, description: 'Stored' },
  },
  'GET /v1/meetings/{meetingId}/epochs/{epoch}/envelope': {
    summary: "Fetch the caller's own envelope for an epoch (never for removed participants)",
    tag: 'end-to-end encryption',
    auth: 'tenant',
    path: epochPath,
    query: envelopeQuery,
    success: { status: 200, description: 'The envelope sealed to this device', schema: envelopeResource },
  },
  'POST /v1/meetings/{meetingId}/encryption/upgrade': {
    summary: 'Turn a standard meeting end-to-end, during the meeting too; nothing turns it back (hosts)',
    tag: 'end-to-end encryption',
    auth: 'tenant',
    path: meetingPath,
    query: emptyQuery,
    success: { status: 200, description: 'The meeting, now end-to-end, with its new epoch', schema: meetingResource },
  },
  'GET /v1/audit': {
    summary: "The tenant's audit log, oldest first (admins)",
    tag: 'audit',
    auth: 'tenant',
    query: auditQuery,
    success: { status: 200, description: 'A page of audit entries', schema: auditPage },
  },
  'GET /v1/audit/verify': {
    summary: "Recompute the audit log's hash chain and report the first break (admins)",
    tag: 'audit',
    auth: 'tenant',
    query: emptyQuery,
    success: { status: 200, description: 'Whether the chain is intact', schema: chainVerdict },
  },
} as const satisfies Record<string, Operation>;

export type RouteKey = keyof typeof OPERATIONS;
