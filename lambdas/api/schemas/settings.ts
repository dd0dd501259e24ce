import * as z from 'zod';

const days = z.number().int();

export const retentionPatchBody = z
  .strictObject({
    meetings: days.optional(),
    attendance: days.optional(),
    lobbyTickets: days.optional(),
    abuseReports: days.optional(),
    audit: days.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { error: 'names no period to change' });

const bounds = z.object({ min: z.number().int(), max: z.number().int(), default: z.number().int() });

export const retentionResource = z.object({
  periods: z.object({ meetings: days, attendance: days, lobbyTickets: days, abuseReports: days, audit: days }),
  bounds: z.object({ meetings: bounds, attendance: bounds, lobbyTickets: bounds, abuseReports: bounds, audit: bounds }),
  etag: z.string(),
});
