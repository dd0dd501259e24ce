import * as z from 'zod';
import { GUEST_CODE_PATTERN } from '../../domain/guests.js';

export const redeemGuestLinkBody = z.strictObject({
  code: z
    .string()
    .regex(GUEST_CODE_PATTERN, 'must be the code of a guest link (what follows "#" in the link of the invitation)')
    .describe('The guest code from the invitation, sent in the body so that it never appears in a URL or an access log'),
  displayName: z
    .string()
    .trim()
    .min(1)
    .max(80)
    .describe(
      'How the guest wants to be shown; kept only where the organisation shows names, else they appear under a pseudonym',
    ),
});

export const guestSession = z.object({
  token: z.string().describe('A guest bearer token for this meeting only: join, wait, fetch keys, register a device'),
  expiresAt: z.string(),
  tenantId: z.string(),
  meetingId: z.string(),
  participantId: z.string().describe('The guest’s participant id in the meeting'),
  join: z.string().describe('The route to join the meeting with the token (always by way of the waiting room)'),
});

export const guestSettingsBody = z.strictObject({
  enabled: z.boolean().describe('Whether invitations carry guest links and guests may join'),
});

export const guestSettingsResource = z.object({
  enabled: z.boolean(),
  etag: z.string(),
});
