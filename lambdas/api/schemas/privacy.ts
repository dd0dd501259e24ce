import * as z from 'zod';
import { SUPPORT_SCOPES } from '../../domain/support.js';
import { idSchema } from './common.js';

const ticketId = z.string().regex(/^[A-Za-z0-9-]{1,40}$/, 'must be a support ticket id');

export const grantBody = z.strictObject({
  ticketId,
  scopes: z.array(z.enum(SUPPORT_SCOPES)).min(1).max(SUPPORT_SCOPES.length),
  expiresAt: z.iso.datetime({ offset: true, error: 'must be an ISO-8601 date and time' }),
  allowOutsideEu: z.boolean(),
});

export const grantPath = z.strictObject({ grantId: idSchema('sg') });

export const grantResource = z.object({
  id: z.string(),
  ticketId: z.string(),
  scopes: z.array(z.enum(SUPPORT_SCOPES)),
  expiresAt: z.string(),
  allowOutsideEu: z.boolean(),
  createdAt: z.string(),
  revoked: z.boolean(),
});
export const grantList = z.object({ items: z.array(grantResource) });

export const preferencesBody = z
  .strictObject({ productNews: z.boolean().optional(), marketing: z.boolean().optional() })
  .refine((b) => Object.keys(b).length > 0, { error: 'names no preference to change' });
export const preferencesResource = z.object({ productNews: z.boolean(), marketing: z.boolean() });

export const supportQuery = z.strictObject({ ticket: ticketId, location: z.enum(['eu', 'outside-eu']) });
export const supportTenantPath = z.strictObject({ tenantId: idSchema('tn') });
export const supportMeetingPath = z.strictObject({ tenantId: idSchema('tn'), meetingId: idSchema('mt') });

export const supportSettings = z.object({
  tenantId: z.string(),
  status: z.string(),
  tier: z.string(),
  homeSite: z.string(),
  allowedSites: z.array(z.string()),
  displayNames: z.boolean(),
  retention: z.record(z.string(), z.number()),
});
export const supportMeeting = z.object({
  id: z.string(),
  startsAt: z.string(),
  durationMinutes: z.number(),
  timeZone: z.string(),
  recurring: z.boolean(),
  encryption: z.string(),
  waitingRoom: z.boolean(),
  status: z.string(),
  invitees: z.number().int().describe('how many, never who'),
});
