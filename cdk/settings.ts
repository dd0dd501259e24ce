import type { Node } from 'constructs';
import { originProblem } from '../config/env.js';
import type { EuRegion } from '../config/regions.js';
import { resolveSiteRegion, SITE_IDS, type SiteId } from '../config/sites.js';

/**
 * What an operator chooses at deploy time. Everything is read from CDK context
 * (`-c meetplane:amsRegion=eu-west-3`) or, failing that, from an environment
 * variable, so that `npm run synth` works offline with no CLI at all.
 */
export interface SiteSettings {
  readonly id: SiteId;
  readonly region: EuRegion;
  /** Public HTTPS origin of the site's API, e.g. https://api.fra.meetplane.example */
  readonly apiDomain: string;
  /** Public host name of the site's LiveKit signalling endpoint (its cluster's endpoint). */
  readonly livekitDomain: string;
  /** Public host name of the site's TURN over TLS endpoint (port 443 of its own load balancer). */
  readonly turnDomain: string;
  /** An existing ACM certificate (same region) covering the three names; a DNS-validated one is created when absent. */
  readonly certificateArn?: string;
  /**
   * The Secrets Manager secret (same account and region, name under `ecr-pullthroughcache/`) with the Docker Hub
   * credentials of the site's ECR pull-through cache; when absent, the media stack creates one, a placeholder that the
   * operator fills in.
   */
  readonly dockerHubCredentialArn?: string;
}

export interface MeetplaneSettings {
  /** Left undefined (environment-agnostic account) unless the operator names one. */
  readonly account?: string;
  readonly sites: Readonly<Record<SiteId, SiteSettings>>;
  /**
   * The web app: its base URL (where mailed and calendar links point, unless a
   * tenant has its own) and the origins every site answers CORS for. The
   * functions get both in their environment; the HTTP API's CORS uses the same list.
   */
  readonly web: { readonly url: string; readonly origins: readonly string[] };
  /** Optional e-mail address subscribed to each site's alarm topic. */
  readonly alarmEmail?: string;
  readonly livekit: {
    readonly instanceType: string;
    readonly minNodes: number;
    readonly maxNodes: number;
  };
}

type Lookup = (key: string) => string | undefined;

/** Context first, then the environment variable of the same meaning. */
export function lookupFrom(node: Node, env: Record<string, string | undefined> = process.env): Lookup {
  return (key) => {
    const fromContext: unknown = node.tryGetContext(`meetplane:${key}`);
    if (typeof fromContext === 'string' && fromContext !== '') return fromContext;
    const envName = `MEETPLANE_${key
      .replace(/([A-Z])/g, '_$1')
      .replace(/:/g, '_')
      .toUpperCase()}`;
    const fromEnv = env[envName];
    return fromEnv === '' ? undefined : fromEnv;
  };
}

/** What ECR accepts as a pull-through cache rule's credential: a secret under `ecr-pullthroughcache/`, here in the site's region. */
function pullThroughCredential(region: string): RegExp {
  return new RegExp(`^arn:aws:secretsmanager:${region}:\\d{12}:secret:ecr-pullthroughcache/[A-Za-z0-9/_+=.@-]+$`);
}

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`meetplane:${name} must be a positive integer, got "${raw}"`);
  return value;
}

/**
 * Reads and validates the deployment settings. A region that is not on the EU
 * allow-list stops synthesis here, with a message naming the site; the EU guard
 * aspect checks the synthesised result again.
 */
export function readSettings(lookup: Lookup): MeetplaneSettings {
  const domain = lookup('domain') ?? 'meetplane.example';
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/.test(domain)) {
    throw new Error(`meetplane:domain must be a DNS name, got "${domain}"`);
  }
  const sites = {} as Record<SiteId, SiteSettings>;
  for (const id of SITE_IDS) {
    const certificateArn = lookup(`${id}:certificateArn`);
    const region = resolveSiteRegion(id, lookup(`${id}Region`));
    const dockerHubCredentialArn = lookup(`${id}:dockerHubCredentialArn`);
    if (dockerHubCredentialArn !== undefined && !pullThroughCredential(region).test(dockerHubCredentialArn)) {
      throw new Error(
        `meetplane:${id}:dockerHubCredentialArn must be the ARN of a secret named ecr-pullthroughcache/… in ${region}, ` +
          `got "${dockerHubCredentialArn}"`,
      );
    }
    sites[id] = {
      id,
      region,
      apiDomain: lookup(`${id}:apiDomain`) ?? `api.${id}.${domain}`,
      livekitDomain: lookup(`${id}:livekitDomain`) ?? `livekit.${id}.${domain}`,
      turnDomain: lookup(`${id}:turnDomain`) ?? `turn.${id}.${domain}`,
      ...(certificateArn !== undefined && { certificateArn }),
      ...(dockerHubCredentialArn !== undefined && { dockerHubCredentialArn }),
    };
  }
  const account = lookup('account') ?? process.env.CDK_DEFAULT_ACCOUNT;
  if (account !== undefined && !/^\d{12}$/.test(account))
    throw new Error(`meetplane:account must be 12 digits, got "${account}"`);
  const web = readWebSettings(lookup, domain);
  const alarmEmail = lookup('alarmEmail');
  const minNodes = positiveInt('livekitMinNodes', lookup('livekitMinNodes'), 1);
  const maxNodes = positiveInt('livekitMaxNodes', lookup('livekitMaxNodes'), 4);
  if (maxNodes < minNodes) throw new Error('meetplane:livekitMaxNodes must not be below meetplane:livekitMinNodes');
  return {
    ...(account !== undefined && { account }),
    sites,
    web,
    ...(alarmEmail !== undefined && { alarmEmail }),
    livekit: { instanceType: lookup('livekitInstanceType') ?? 'c7g.xlarge', minNodes, maxNodes },
  };
}

/** `meetplane:webUrl` (default `https://app.<domain>`) and `meetplane:webOrigins` (comma-separated; default the URL's origin). */
function readWebSettings(lookup: Lookup, domain: string): MeetplaneSettings['web'] {
  const url = (lookup('webUrl') ?? `https://app.${domain}`).replace(/\/+$/, '');
  const parsed = URL.parse(url);
  if (!parsed || parsed.protocol !== 'https:' || parsed.search || parsed.hash || parsed.username)
    throw new Error(`meetplane:webUrl must be an https URL without query or fragment, got "${url}"`);
  const raw = lookup('webOrigins');
  const origins =
    raw === undefined
      ? [parsed.origin]
      : raw
          .split(',')
          .map((origin) => origin.trim())
          .filter(Boolean);
  for (const origin of origins) {
    const problem = originProblem(origin) ?? (origin.startsWith('https://') ? undefined : 'must use https');
    if (problem) throw new Error(`meetplane:webOrigins: "${origin}" ${problem}`);
  }
  return { url, origins: [...new Set(origins.map((origin) => new URL(origin).origin))] };
}

export function apiUrlOf(site: SiteSettings): string {
  return `https://${site.apiDomain}`;
}
