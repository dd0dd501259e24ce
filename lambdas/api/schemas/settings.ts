import * as z from 'zod';
import { SITE_IDS } from '../../../config/sites.js';
import { PLAN_TIERS } from '../../../config/tiers.js';

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

const place = z.object({
  site: z.enum(SITE_IDS),
  city: z.string(),
  region: z.string().optional().describe("The site's AWS region, where this site knows it (its own)"),
});

export const organisationOverview = z.object({
  tenantId: z.string(),
  slug: z.string(),
  vanityDomain: z.string().optional(),
  status: z.enum(['active', 'suspended', 'offboarding']),
  tier: z.enum(PLAN_TIERS),
  homeSite: place,
  allowedSites: z.array(place).describe('The other sites that may forward its media when the home site cannot'),
  data: place.describe("Where the tenant's records are: its home site's table, nowhere else"),
  media: z
    .array(place.extend({ role: z.enum(['home', 'failover']) }))
    .describe("Where its meetings' media may be forwarded, in the order placement tries them"),
  key: z.object({
    mode: z.enum(['managed', 'customer']),
    keyArn: z.string(),
    rotation: z
      .enum(['automatic', 'off', 'customer-controlled'])
      .describe("What KMS says of a managed key's automatic rotation; a customer key's rotation is the tenant's"),
  }),
  residency: z
    .array(
      z.object({
        dataClass: z.enum([
          'meetings',
          'attendance',
          'lobbyTickets',
          'abuseReports',
          'audit',
          'devices',
          'settings',
          'directory',
        ]),
        sites: z.array(z.enum(SITE_IDS)),
        region: z.string().optional(),
        retentionDays: z.number().int().optional().describe('Absent: kept for as long as the tenant is'),
        adjustable: z.boolean().describe('Whether a tenant admin chooses the period (PATCH /v1/settings/retention)'),
        sealed: z.boolean().describe("Whether its personal fields are sealed under the tenant's key"),
      }),
    )
    .describe('Per data class: the sites that hold it and how long'),
});
