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
  /** The IdP's client id of the tenant's web app, and the audience its tokens must carry: set together, or neither. */
  webClientId: z.string().optional(),
  audience: z.string().optional(),
  /** The tenant's own web app base URL, when it has one. */
  webUrl: z.string().optional(),
  status: z.enum(['active', 'suspended', 'offboarding']),
});

export type DirectoryEntry = z.output<typeof directoryEntrySchema>;

/** The public answer of GET /v1/directory/{slugOrDomain}. */
export interface DirectoryAnswer {
  readonly tenantId: string;
  readonly slug: string;
  readonly homeSite: DirectoryEntry['homeSite'];
  readonly apiUrl: string;
  /** Where a browser signs the tenant's users in (OpenID Connect, authorization code with PKCE): when the tenant has a web client. */
  readonly signIn?: { readonly issuer: string; readonly clientId: string; readonly audience: string };
  /** The tenant's web app. */
  readonly webUrl: string;
}

/** The public directory answer for an entry: the same on both sites. */
export function directoryAnswerOf(entry: DirectoryEntry, apiUrl: string, siteWebUrl: string): DirectoryAnswer {
  return {
    tenantId: entry.tenantId,
    slug: entry.slug,
    homeSite: entry.homeSite,
    apiUrl,
    ...(entry.webClientId !== undefined &&
      entry.audience !== undefined && {
        signIn: { issuer: entry.issuer, clientId: entry.webClientId, audience: entry.audience },
      }),
    webUrl: entry.webUrl ?? siteWebUrl,
  };
}
