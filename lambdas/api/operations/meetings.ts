import { emptyQuery } from '../schemas/common.js';
import { invitationsResult } from '../schemas/mail.js';
import {
  cancelMeetingQuery,
  createMeetingBody,
  listMeetingsQuery,
  meetingPath,
  meetingResource,
  occurrencePage,
  patchMeetingBody,
} from '../schemas/meetings.js';
import { LONG_BUDGET_MS, type Operation } from '../operation.js';

/** The contract of the `meetings` route group's routes (see ../operations.ts). */
export const OPERATIONS = {
  'POST /v1/meetings': {
    operationId: 'createMeeting',
    summary: 'Schedule a meeting (hosts and admins)',
    tag: 'meetings',
    auth: 'tenant',
    idempotent: true,
    query: emptyQuery,
    body: createMeetingBody,
    success: { status: 201, description: 'The new meeting', schema: meetingResource, etag: true, location: true },
  },
  'GET /v1/meetings': {
    budgetMs: LONG_BUDGET_MS,
    operationId: 'listMeetings',
    summary: "The caller's meeting occurrences in a time range, recurring meetings expanded",
    tag: 'meetings',
    auth: 'tenant',
    query: listMeetingsQuery,
    success: { status: 200, description: 'A page of occurrences, ordered by start', schema: occurrencePage },
  },
  'GET /v1/meetings/{meetingId}': {
    operationId: 'getMeeting',
    summary: 'Read a meeting',
    tag: 'meetings',
    auth: 'tenant',
    path: meetingPath,
    query: emptyQuery,
    success: { status: 200, description: 'The meeting, with its ETag', schema: meetingResource, etag: true },
  },
  'PATCH /v1/meetings/{meetingId}': {
    operationId: 'updateMeeting',
    summary: 'Change a meeting (its host and admins)',
    tag: 'meetings',
    auth: 'tenant',
    ifMatch: 'required',
    path: meetingPath,
    query: emptyQuery,
    body: patchMeetingBody,
    success: { status: 200, description: 'The changed meeting', schema: meetingResource, etag: true },
  },
  'DELETE /v1/meetings/{meetingId}': {
    operationId: 'cancelMeeting',
    summary: 'Cancel a meeting (its host and admins)',
    tag: 'meetings',
    auth: 'tenant',
    ifMatch: 'optional',
    path: meetingPath,
    query: cancelMeetingQuery,
    success: { status: 200, description: 'The cancelled meeting', schema: meetingResource, etag: true },
  },
  'GET /v1/meetings/{meetingId}/invite.ics': {
    operationId: 'getMeetingCalendar',
    summary: 'The meeting as an iCalendar event, with its recurrence',
    tag: 'meetings',
    auth: 'tenant',
    path: meetingPath,
    query: emptyQuery,
    success: { status: 200, description: 'An RFC 5545 calendar', contentType: 'text/calendar', etag: true },
  },
  'POST /v1/meetings/{meetingId}/invitations': {
    budgetMs: LONG_BUDGET_MS,
    operationId: 'sendInvitations',
    summary:
      "E-mail the meeting's invitees its .ics through the tenant's own mail transport (SMTP or SES in the home region); a mail server the outbound policy refuses (e.g. one that now resolves to a private address) is a 409 naming the check, a refusal by the server a 503 naming its code (hosts)",
    tag: 'meetings',
    auth: 'tenant',
    idempotent: true,
    path: meetingPath,
    query: emptyQuery,
    success: { status: 200, description: 'How many were sent', schema: invitationsResult },
  },
} as const satisfies Record<string, Operation>;
