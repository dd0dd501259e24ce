import * as z from 'zod';
import { FINDING_KINDS } from '../../domain/vocabulary.js';

export const dataSubjectBody = z.strictObject({
  /** The user's subject (`sub`) at the tenant's identity provider. */
  subject: z.string().min(1).max(255),
  /** Their address, to find the meetings they were invited to. */
  email: z.email().max(254).optional(),
});

const records = z.array(z.record(z.string(), z.unknown()));

export const subjectExport = z.object({
  tenantId: z.string(),
  site: z.string(),
  generatedAt: z.string(),
  /** The pseudonyms under which the site keeps them. */
  pseudonyms: z.object({ userRef: z.string(), emailRef: z.string().optional() }),
  erasure: z.object({ startedAt: z.string(), completedAt: z.string().optional() }).optional(),
  meetingsHosted: records,
  invitations: records,
  attendance: records,
  lobbyTickets: records,
  passcodeAttempts: records,
  admissions: records,
  devices: records,
  meetingDevices: records,
  keyEnvelopes: records,
  removals: records,
  breakoutAssignments: records,
  preferences: z.object({ productNews: z.boolean(), marketing: z.boolean() }).optional(),
  reportsFiled: records,
  reportsAbout: records,
  auditEntries: records,
  /** Guest links sent to their address: whether used, until when valid. */
  guestLinks: records,
  recordsOfHostedMeetings: z.number().int(),
  requestRecords: z.number().int(),
});

export const erasureReport = z.object({
  tenantId: z.string(),
  startedAt: z.string(),
  completedAt: z.string(),
  /** Items deleted or changed, by kind. */
  erased: z.partialRecord(z.enum(FINDING_KINDS), z.number().int()),
  requestRecordsDeleted: z.number().int(),
  /** Anything still found about them afterwards: 0 when the erasure is complete. */
  remaining: z.number().int(),
  /** What stays, and why. */
  notes: z.array(z.string()),
});
