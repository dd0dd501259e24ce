/**
 * Links into the tenant's web app, the one place mailed and calendar links
 * are made: a meeting's page, and a guest's link, whose code stays in the
 * fragment (browsers never send it, so it reaches no server's log; the web
 * app redeems it in a POST body).
 */
export interface LinkedTenant {
  readonly slug: string;
  /** The tenant's own web app base URL, if it has one. */
  readonly webUrl?: string;
}

/** The tenant's web app base URL, without a trailing slash: its own, else the site's default. */
export function webBaseOf(tenant: LinkedTenant, siteWebUrl: string): string {
  return (tenant.webUrl ?? siteWebUrl).replace(/\/+$/, '');
}

/** `{webUrl}/{slug}/m/{meetingId}`: the meeting's page in the web app. */
export function meetingPageUrl(tenant: LinkedTenant, siteWebUrl: string, meetingId: string): string {
  return `${webBaseOf(tenant, siteWebUrl)}/${encodeURIComponent(tenant.slug)}/m/${encodeURIComponent(meetingId)}`;
}

/** `{webUrl}/{slug}/guest#{code}`: a guest's own link, the code in the fragment. */
export function guestPageUrl(tenant: LinkedTenant, siteWebUrl: string, code: string): string {
  return `${webBaseOf(tenant, siteWebUrl)}/${encodeURIComponent(tenant.slug)}/guest#${code}`;
}
