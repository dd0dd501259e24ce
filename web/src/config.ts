/**
 * What the served app is told about where it runs: the sites' API addresses
 * to ask the directory (any site answers it; a tenant is then served only by
 * its home site). Served next to the app as /config.json, so one build runs
 * locally and deployed.
 */
export interface WebConfig {
  readonly directoryUrls: readonly string[];
}

let loaded: Promise<WebConfig> | undefined;

export function webConfig(): Promise<WebConfig> {
  loaded ??= fetch('/config.json', { cache: 'no-store' }).then(async (response) => {
    if (!response.ok) throw new Error(`the app's configuration could not be loaded (${response.status})`);
    return (await response.json()) as WebConfig;
  });
  return loaded;
}
