/**
 * Closed lists the API contract names (lambdas/api/schemas) and the web client
 * validates with, kept apart from the rules that use them so that the schemas
 * load in a browser: nothing here imports anything.
 */

/** How serious a security advisory is. */
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;

/** Kinds of address the outbound policy refuses (./destination.ts). */
export const REFUSABLE_CLASSES = [
  'metadata',
  'loopback',
  'unspecified',
  'private',
  'shared',
  'link-local',
  'unique-local',
  'multicast',
  'broadcast',
  'reserved',
] as const;

/** What a data-subject export finds and an erasure deletes, by kind (./data-subject.ts). */
export const FINDING_KINDS = [
  'meetingsHosted',
  'invitations',
  'attendance',
  'lobbyTickets',
  'passcodeAttempts',
  'admissions',
  'devices',
  'meetingDevices',
  'keyEnvelopes',
  'removals',
  'breakoutAssignments',
  'preferences',
  'reportsFiled',
  'reportClips',
  'reportsAbout',
  'auditEntries',
  'guestLinks',
  'recordsOfHostedMeetings',
] as const;

/** Who wrote an audit entry (./audit.ts). */
export const AUDIT_ACTOR_TYPES = ['operator', 'user', 'system'] as const;
