import { apiClient, type ApiClient } from '../api/client';
import { webConfig } from '../config';

/**
 * The operator's credential on the local stack: the stack's operator token,
 * pasted into a form and kept in this tab's session storage only (gone when
 * the tab closes). A deployed site authorises operator routes with IAM at API
 * Gateway instead (SigV4-signed requests from the operator's AWS role), which
 * a browser page does not hold; see the README's "Operators" section.
 */
const TOKEN = 'meetplane.operatorToken';

export const operatorToken = () => sessionStorage.getItem(TOKEN) ?? undefined;
export const keepOperatorToken = (token: string) => sessionStorage.setItem(TOKEN, token);
export const forgetOperatorToken = () => sessionStorage.removeItem(TOKEN);

export interface OperatorSite {
  readonly site: string;
  readonly region: string;
  readonly apiUrl: string;
  readonly api: ApiClient;
}

/** Every site the app knows (its /config.json), with the id and region each says it is at (its public health route). */
export async function operatorSites(): Promise<OperatorSite[]> {
  const { directoryUrls } = await webConfig();
  const found = await Promise.all(
    directoryUrls.map(async (apiUrl) => {
      try {
        const response = await fetch(`${apiUrl}/v1/health`);
        const health = (await response.json()) as { site?: string; region?: string };
        if (!health.site) return undefined;
        return { site: health.site, region: health.region ?? '', apiUrl, api: apiClient(apiUrl, operatorToken) };
      } catch {
        return undefined;
      }
    }),
  );
  return found.filter((s): s is OperatorSite => s !== undefined);
}
