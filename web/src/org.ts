import { webConfig } from './config';

/** A tenant as the public directory describes it: enough to find its home site and sign in. */
export interface Organisation {
  readonly tenantId: string;
  readonly slug: string;
  readonly homeSite: string;
  /** The home site's API: the only one the app talks to for this organisation. */
  readonly apiUrl: string;
  readonly signIn?: { readonly issuer: string; readonly clientId: string; readonly audience: string };
  readonly webUrl?: string;
}

const cache = new Map<string, Promise<Organisation>>();

export class OrganisationNotFound extends Error {}

/** Looks an organisation up by slug or vanity domain in the directory, trying each site until one answers. */
export function findOrganisation(slugOrDomain: string): Promise<Organisation> {
  const key = slugOrDomain.trim().toLowerCase();
  let found = cache.get(key);
  if (!found) {
    found = lookUp(key);
    found.catch(() => cache.delete(key));
    cache.set(key, found);
  }
  return found;
}

async function lookUp(slugOrDomain: string): Promise<Organisation> {
  const { directoryUrls } = await webConfig();
  let lastError: unknown;
  for (const base of directoryUrls) {
    try {
      const response = await fetch(`${base}/v1/directory/${encodeURIComponent(slugOrDomain)}`);
      if (response.status === 404) throw new OrganisationNotFound(slugOrDomain);
      if (!response.ok) throw new Error(`the directory answered ${response.status}`);
      return (await response.json()) as Organisation;
    } catch (error) {
      if (error instanceof OrganisationNotFound) throw error;
      lastError = error; // this site is unreachable: ask the next one
    }
  }
  throw lastError instanceof Error ? lastError : new Error('no site answered');
}

const LAST_ORG = 'meetplane.lastOrganisation';
export const rememberOrganisation = (slug: string) => localStorage.setItem(LAST_ORG, slug);
export const lastOrganisation = () => localStorage.getItem(LAST_ORG) ?? undefined;
