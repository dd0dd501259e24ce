import { emptyQuery } from '../schemas/common.js';
import {
  clipResource,
  reportBody,
  reportList,
  reportListQuery,
  reportPath,
  reportReceipt,
  reportResource,
  resolveBody,
} from '../schemas/reports.js';
import { meetingPath } from '../schemas/meetings.js';
import { LONG_BUDGET_MS, type Operation } from '../operation.js';

/** The contract of the `reports` route group's routes (see ../operations.ts). */
export const OPERATIONS = {
  'POST /v1/meetings/{meetingId}/reports': {
    budgetMs: LONG_BUDGET_MS,
    operationId: 'reportAbuse',
    summary:
      "Report abuse in a meeting one may attend, optionally naming the participant and attaching the client's last few seconds (at most 192 KiB; sealed under the tenant's key, kept for the tenant's report retention)",
    tag: 'abuse reports',
    auth: 'tenant',
    idempotent: true,
    path: meetingPath,
    query: emptyQuery,
    body: reportBody,
    maxBodyBytes: 320 * 1024,
    success: { status: 201, description: 'The report arrived', schema: reportReceipt },
  },
  'GET /v1/reports': {
    operationId: 'listAbuseReports',
    summary: "The tenant's abuse reports, newest first (admins)",
    tag: 'abuse reports',
    auth: 'tenant',
    query: reportListQuery,
    success: { status: 200, description: 'A page of reports', schema: reportList },
  },
  'GET /v1/reports/{reportId}': {
    operationId: 'getAbuseReport',
    summary: 'One abuse report with its text (admins)',
    tag: 'abuse reports',
    auth: 'tenant',
    path: reportPath,
    query: emptyQuery,
    success: { status: 200, description: 'The report', schema: reportResource },
  },
  'GET /v1/reports/{reportId}/clip': {
    operationId: 'getAbuseReportClip',
    summary: "A report's clip, base64 (admins; every read is in the audit log)",
    tag: 'abuse reports',
    auth: 'tenant',
    path: reportPath,
    query: emptyQuery,
    success: { status: 200, description: 'The clip', schema: clipResource },
  },
  'POST /v1/reports/{reportId}/resolve': {
    operationId: 'resolveAbuseReport',
    summary: 'Resolve an open report with an outcome (admins; audited)',
    tag: 'abuse reports',
    auth: 'tenant',
    path: reportPath,
    query: emptyQuery,
    body: resolveBody,
    success: { status: 200, description: 'The resolved report', schema: reportResource },
  },
} as const satisfies Record<string, Operation>;
