import * as z from 'zod';
import { EU_REGIONS, isEuRegion, type EuRegion } from './regions.js';
import { SITE_IDS, SITES, type SiteId } from './sites.js';
import { AUDIT_SIGNING_KEY_ALIAS, SITE_KEY_ALIAS } from './tables.js';

/**
 * The runtime environment of a site's control plane, parsed once at start-up.
 * The CDK app sets exactly these variables on every function; the local
 * gateway sets them per site. Anything missing or wrong stops start-up.
 */
const httpUrl = z.url({ protocol: /^https?$/ });
const wsUrl = z.url({ protocol: /^(wss?|https?)$/ });
/** One ws(s) URL, or several separated by commas. */
const wsUrls = z
  .string()
  .transform((raw) =>
    raw
      .split(',')
      .map((u) => u.trim())
      .filter(Boolean),
  )
  .pipe(z.array(wsUrl).min(1, 'must name at least one URL'));
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):\d{12}:secret:[\w/+=.@-]+$/;

const siteUrls = z.string().transform((raw, ctx) => {
  const urls: Partial<Record<SiteId, string>> = {};
  for (const pair of raw.split(',').filter(Boolean)) {
    const [site, url] = pair.split('=', 2).map((s) => s.trim());
    if (!site || !url || !(SITE_IDS as readonly string[]).includes(site) || !httpUrl.safeParse(url).success) {
      ctx.addIssue({ code: 'custom', message: `expected "site=https://…" pairs, got "${pair}"` });
      return z.NEVER;
    }
    urls[site as SiteId] = url.replace(/\/$/, '');
  }
  for (const site of SITE_IDS) {
    if (!urls[site]) {
      ctx.addIssue({ code: 'custom', message: `no API URL for site "${site}"` });
      return z.NEVER;
    }
  }
  return urls as Record<SiteId, string>;
});

/** An http(s) origin: scheme, host and port only (a trailing slash is dropped), as browsers send it in `Origin`. */
export function originProblem(raw: string): string | undefined {
  const url = URL.parse(raw);
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) return 'is not an http(s) origin';
  if (url.username || url.password || url.search || url.hash || url.pathname !== '/' || raw.includes('?') || raw.includes('#'))
    return 'must be an origin alone (scheme, host and port), without path, query or user';
  return undefined;
}

const webOrigins = z.string().transform((raw, ctx) => {
  const origins: string[] = [];
  for (const item of raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const problem = originProblem(item);
    if (problem) {
      ctx.addIssue({ code: 'custom', message: `"${item}" ${problem}` });
      return z.NEVER;
    }
    origins.push(new URL(item).origin);
  }
  return [...new Set(origins)];
});

/** The web app's base URL: http(s), no query or fragment; a trailing slash is dropped. */
const webUrlSetting = httpUrl
  .refine((raw) => {
    // Runs even when the URL check failed: an unparsable value is that check's to report.
    const url = URL.parse(raw);
    return !url || (!url.search && !url.hash && !url.username && !url.password && !raw.includes('?') && !raw.includes('#'));
  }, 'must be an http(s) URL without query, fragment or user')
  .transform((raw) => raw.replace(/\/+$/, ''));

export const runtimeEnvSchema = z
  .object({
    MEETPLANE_STAGE: z.enum(['local', 'aws']).default('aws'),
    MEETPLANE_SITE: z.enum(SITE_IDS),
    AWS_REGION: z.string().refine(isEuRegion, {
      error: (issue) =>
        `"${String(issue.input)}" is not on the EU allow-list (${EU_REGIONS.join(', ')}); a site runs only in the EU`,
    }),
    MEETPLANE_TABLE: z.string().min(3),
    MEETPLANE_DIRECTORY_TABLE: z.string().min(3),
    MEETPLANE_SITE_KEY: z.string().min(1).default(SITE_KEY_ALIAS),
    /** The site's asymmetric KMS key (ECC_NIST_P256, SIGN_VERIFY) that signs audit heads: an alias or a key ARN. */
    MEETPLANE_AUDIT_SIGNING_KEY: z.string().min(1).default(AUDIT_SIGNING_KEY_ALIAS),
    MEETPLANE_API_URLS: siteUrls,
    /**
     * The site's own LiveKit cluster: its endpoint (deployed, the load balancer in front of its nodes), or a
     * comma-separated list of its nodes' URLs where each node is reached directly (the local stack).
     */
    MEETPLANE_LIVEKIT_URL: wsUrls,
    MEETPLANE_LIVEKIT_API_KEY: z.string().min(3),
    /** The site's LiveKit API secret itself: the local stack and tests. */
    MEETPLANE_LIVEKIT_API_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    /**
     * Deployed: the Secrets Manager secret (JSON with `apiSecret`) that holds it,
     * read once per container by the route groups that talk to LiveKit.
     */
    MEETPLANE_LIVEKIT_SECRET_ARN: z
      .string()
      .regex(SECRET_ARN, { error: 'must be the ARN of a Secrets Manager secret', abort: true })
      .refine((arn) => isEuRegion(SECRET_ARN.exec(arn)?.[1] ?? ''), 'must name a secret in a region on the EU allow-list')
      .optional(),
    /** The id of the site's own LiveKit cluster (default `<site>-a`). */
    MEETPLANE_LIVEKIT_CLUSTER_ID: z
      .string()
      .regex(/^[a-z0-9-]{1,40}$/)
      .optional(),
    /**
     * Further LiveKit clusters this site may place meetings on: other sites'
     * when a tenant allows failover to them. A JSON array of
     * {id, site, urls, apiKey, apiSecret}; `urls` as MEETPLANE_LIVEKIT_URL.
     */
    MEETPLANE_MEDIA_CLUSTERS: z
      .string()
      .transform((raw, ctx) => {
        try {
          return JSON.parse(raw) as unknown;
        } catch {
          ctx.addIssue({ code: 'custom', message: 'must be a JSON array of media clusters' });
          return z.NEVER;
        }
      })
      .pipe(
        z.array(
          z
            .strictObject({
              id: z.string().regex(/^[a-z0-9-]{1,40}$/),
              site: z.enum(SITE_IDS),
              urls: z.array(wsUrl).min(1),
              apiKey: z.string().min(3),
              /** The cluster's API secret itself (the local stack, tests)… */
              apiSecret: z.string().min(32).optional(),
              /** …or, deployed, the name of the secret ({apiKey, apiSecret}) in this site's own region: a replica. */
              apiSecretName: z
                .string()
                .regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, 'must be the name of a Secrets Manager secret')
                .optional(),
            })
            .refine((cluster) => (cluster.apiSecret === undefined) !== (cluster.apiSecretName === undefined), {
              message: 'a media cluster needs exactly one of apiSecret and apiSecretName',
            }),
        ),
      )
      .optional(),
    MEETPLANE_DYNAMODB_ENDPOINT: httpUrl.optional(),
    MEETPLANE_KMS_ENDPOINT: httpUrl.optional(),
    /** Local stage only: the SES emulator that stands in for Amazon SES in the site's region. */
    MEETPLANE_SES_ENDPOINT: httpUrl.optional(),
    MEETPLANE_OPERATOR_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
    /**
     * Local stage only: `refuse` makes the local stack refuse tenant-supplied
     * destinations on loopback, as a deployed site always does (tests of that refusal).
     */
    MEETPLANE_OUTBOUND_LOOPBACK: z.enum(['allow', 'refuse']).optional(),
    /** Local stage only: regions whose directory copies this site updates, standing in for global-table replication. */
    MEETPLANE_DIRECTORY_REPLICA_REGIONS: z
      .string()
      .transform((raw) =>
        raw
          .split(',')
          .map((r) => r.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.string().refine(isEuRegion, { error: (issue) => `"${String(issue.input)}" is not on the EU allow-list` })))
      .optional(),
    /**
     * The web app's origins that the site answers CORS for (comma-separated);
     * none when unset. Deployed, API Gateway answers CORS for the same list (cdk/).
     */
    MEETPLANE_WEB_ORIGINS: webOrigins.optional(),
    /** The web app's base URL: the default of a tenant's `webUrl`, where mailed and calendar links point. */
    MEETPLANE_WEB_URL: webUrlSetting,
    MEETPLANE_DEPENDENCY_TIMEOUT_MS: z.coerce.number().int().min(100).max(10_000).default(1500),
    /**
     * Local stage only: multiplies every route's budget (lambdas/http/route.ts). DynamoDB Local and local-kms
     * answer concurrent calls far more slowly than the services, so the local stack's functional tests run
     * with 3; the fault runner's stack keeps the deployed budgets (1).
     */
    MEETPLANE_BUDGET_FACTOR: z.coerce.number().min(1).max(10).optional(),
    LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
  })
  .superRefine((env, ctx) => {
    const site = SITES[env.MEETPLANE_SITE];
    if (site.regionIsFixed && env.AWS_REGION !== site.defaultRegion) {
      ctx.addIssue({
        code: 'custom',
        path: ['AWS_REGION'],
        message: `site ${site.id} (${site.city}) runs only in ${site.defaultRegion}`,
      });
    }
    // Exactly one source of the LiveKit API secret, so that no one wonders which of two is used.
    const livekitSecrets = [env.MEETPLANE_LIVEKIT_API_SECRET, env.MEETPLANE_LIVEKIT_SECRET_ARN].filter((v) => v !== undefined);
    if (livekitSecrets.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['MEETPLANE_LIVEKIT_API_SECRET'],
        message: 'or MEETPLANE_LIVEKIT_SECRET_ARN is required (exactly one of the two)',
      });
    } else if (livekitSecrets.length === 2) {
      ctx.addIssue({
        code: 'custom',
        path: ['MEETPLANE_LIVEKIT_SECRET_ARN'],
        message: 'must not be set together with MEETPLANE_LIVEKIT_API_SECRET (exactly one of the two)',
      });
    }
    // Local endpoints are a development convenience; a deployed site talks to AWS only.
    if (env.MEETPLANE_STAGE === 'aws') {
      // A deployed site's web app is served over https only, and only such an origin may call it from a browser.
      for (const origin of env.MEETPLANE_WEB_ORIGINS ?? []) {
        if (!origin.startsWith('https://'))
          ctx.addIssue({
            code: 'custom',
            path: ['MEETPLANE_WEB_ORIGINS'],
            message: `"${origin}" must use https on a deployed site`,
          });
      }
      if (!env.MEETPLANE_WEB_URL.startsWith('https://'))
        ctx.addIssue({ code: 'custom', path: ['MEETPLANE_WEB_URL'], message: 'must use https on a deployed site' });
      for (const key of [
        'MEETPLANE_DYNAMODB_ENDPOINT',
        'MEETPLANE_KMS_ENDPOINT',
        'MEETPLANE_SES_ENDPOINT',
        'MEETPLANE_OPERATOR_TOKEN',
        'MEETPLANE_DIRECTORY_REPLICA_REGIONS',
        'MEETPLANE_OUTBOUND_LOOPBACK',
        'MEETPLANE_BUDGET_FACTOR',
      ] as const) {
        if (env[key] !== undefined)
          ctx.addIssue({ code: 'custom', path: [key], message: 'is only allowed when MEETPLANE_STAGE=local' });
      }
    }
  });

export type RuntimeEnv = z.output<typeof runtimeEnvSchema>;

export interface SiteConfig {
  readonly stage: 'local' | 'aws';
  readonly siteId: SiteId;
  readonly region: EuRegion;
  readonly tableName: string;
  readonly directoryTableName: string;
  readonly siteKeyId: string;
  readonly auditSigningKeyId: string;
  readonly apiUrls: Readonly<Record<SiteId, string>>;
  /** The site's own LiveKit cluster; its secret is resolved by the route groups that use it (lambdas/livekit-secret.ts). */
  readonly livekit: {
    readonly clusterId: string;
    /** The cluster's endpoint, or each of its nodes' where they are reached directly. */
    readonly urls: readonly string[];
    readonly apiKey: string;
    readonly apiSecret: LivekitSecretSource;
  };
  /**
   * Further LiveKit clusters this site may place meetings on (other sites', when a tenant allows failover) and whose
   * webhooks it verifies; their secrets are resolved by the route groups that use them (lambdas/livekit-secret.ts).
   */
  readonly otherClusters: readonly MediaClusterSetting[];
  readonly endpoints: { readonly dynamodb?: string; readonly kms?: string; readonly ses?: string };
  readonly operatorToken?: string;
  /**
   * Whether a tenant-supplied destination (IdP key set, SMTP server, advisory
   * webhook) may be on loopback: on the local stage only, never on a deployed site.
   */
  readonly loopbackDestinations: boolean;
  readonly directoryReplicaRegions: readonly EuRegion[];
  /** Origins of the web app that may call the API from a browser (CORS); answered by the gateway, never by a handler. */
  readonly webOrigins: readonly string[];
  /** The web app's base URL, without a trailing slash: the default of a tenant's own. */
  readonly webUrl: string;
  readonly dependencyTimeoutMs: number;
  readonly logLevel: RuntimeEnv['LOG_LEVEL'];
}

/** The LiveKit API secret itself (local stack, tests), or the Secrets Manager secret that holds it (deployed). */
export type LivekitSecretSource =
  | { readonly kind: 'value'; readonly value: string }
  | { readonly kind: 'secrets-manager'; readonly arn: string }
  /** A secret of this name in the site's own region: the replica of another site's secret. */
  | { readonly kind: 'secret-replica'; readonly name: string };

/**
 * A LiveKit cluster: livekit-server nodes sharing one Redis (LiveKit's
 * distributed mode, which places each room on one of its nodes). `urls` is its
 * endpoint, or each node's where the nodes are reached directly; any of them
 * serves every room of the cluster.
 */
export interface MediaClusterConfig {
  readonly id: string;
  readonly site: SiteId;
  readonly urls: readonly string[];
  readonly apiKey: string;
  readonly apiSecret: string;
}

/** A media cluster as configured: its secret still to be resolved. */
export interface MediaClusterSetting extends Omit<MediaClusterConfig, 'apiSecret'> {
  readonly apiSecret: LivekitSecretSource;
}

export class EnvironmentError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid environment:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'EnvironmentError';
  }
}

/** Validates an environment; throws EnvironmentError naming every bad variable. Never echoes values (they may be secrets). */
export function parseSiteConfig(env: Record<string, string | undefined>): SiteConfig {
  const result = runtimeEnvSchema.safeParse(env);
  if (!result.success) {
    throw new EnvironmentError(
      result.error.issues.map((issue) => {
        const name = issue.path.join('.') || 'environment';
        const message = issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;
        return `${name} ${message}`;
      }),
    );
  }
  const e = result.data;
  return {
    stage: e.MEETPLANE_STAGE,
    siteId: e.MEETPLANE_SITE,
    region: e.AWS_REGION as EuRegion,
    tableName: e.MEETPLANE_TABLE,
    directoryTableName: e.MEETPLANE_DIRECTORY_TABLE,
    siteKeyId: e.MEETPLANE_SITE_KEY,
    auditSigningKeyId: e.MEETPLANE_AUDIT_SIGNING_KEY,
    apiUrls: e.MEETPLANE_API_URLS,
    livekit: {
      clusterId: e.MEETPLANE_LIVEKIT_CLUSTER_ID ?? `${e.MEETPLANE_SITE}-a`,
      urls: e.MEETPLANE_LIVEKIT_URL,
      apiKey: e.MEETPLANE_LIVEKIT_API_KEY,
      apiSecret:
        e.MEETPLANE_LIVEKIT_SECRET_ARN === undefined
          ? { kind: 'value', value: e.MEETPLANE_LIVEKIT_API_SECRET ?? '' }
          : { kind: 'secrets-manager', arn: e.MEETPLANE_LIVEKIT_SECRET_ARN },
    },
    otherClusters: (e.MEETPLANE_MEDIA_CLUSTERS ?? []).map(({ apiSecret, apiSecretName, ...cluster }) => ({
      ...cluster,
      apiSecret:
        apiSecretName === undefined ? { kind: 'value', value: apiSecret ?? '' } : { kind: 'secret-replica', name: apiSecretName },
    })),
    endpoints: { dynamodb: e.MEETPLANE_DYNAMODB_ENDPOINT, kms: e.MEETPLANE_KMS_ENDPOINT, ses: e.MEETPLANE_SES_ENDPOINT },
    operatorToken: e.MEETPLANE_OPERATOR_TOKEN,
    loopbackDestinations: e.MEETPLANE_STAGE === 'local' && e.MEETPLANE_OUTBOUND_LOOPBACK !== 'refuse',
    directoryReplicaRegions: (e.MEETPLANE_DIRECTORY_REPLICA_REGIONS ?? []) as EuRegion[],
    webOrigins: e.MEETPLANE_WEB_ORIGINS ?? [],
    webUrl: e.MEETPLANE_WEB_URL,
    dependencyTimeoutMs: e.MEETPLANE_DEPENDENCY_TIMEOUT_MS,
    logLevel: e.LOG_LEVEL,
  };
}

let cached: SiteConfig | undefined;

/** The process's configuration, parsed on first use and kept for the container's life. */
export function siteConfig(): SiteConfig {
  cached ??= parseSiteConfig(process.env);
  return cached;
}
