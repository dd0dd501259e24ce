import * as z from 'zod';
import { SITE_IDS } from '../../config/sites.js';

/**
 * The directory entry of a tenant: the only data both sites hold. Nothing
 * personal may be added here; the schema is strict and a test checks every
 * stored directory item against it.
 */
export const directoryEntrySchema = z.strictObject({
  tenantId: z.string(),
  slug: z.string(),
  vanityDomain: z.string().optional(),
  homeSite: z.enum(SITE_IDS),
  allowedSites: z.array(z.enum(SITE_IDS)),
  issuer: z.string(),
  status: z.enum(['active', 'suspended', 'offboarding']),
});

export type DirectoryEntry = z.output<typeof directoryEntrySchema>;

/** The public answer of GET /v1/directory/{slugOrDomain}. */
export interface DirectoryAnswer {
  readonly tenantId: string;
  readonly slug: string;
  readonly homeSite: DirectoryEntry['homeSite'];
  readonly apiUrl: string;
}
