import { Duration } from 'aws-cdk-lib';
import type { RouteAuth, RouteGroupDefinition } from '../lambdas/routes.js';

/**
 * What a route group's function may touch in AWS, and how it is sized. New
 * groups in lambdas/routes.ts get the default for their kind of caller; a group
 * that needs less (or more) says so here, by name.
 */
export interface GroupProfile {
  readonly siteTable: 'none' | 'describe' | 'read' | 'readwrite';
  readonly directory: 'none' | 'read' | 'readwrite';
  /** `probe`: the health check's fixed context only; `tenant`: contexts that name a tenant. */
  readonly siteKey: 'none' | 'probe' | 'tenant';
  /**
   * Tenants' own keys: `use` seals and opens personal data (managed keys here,
   * customer keys in the tenant's account, same region); `manage` also creates
   * managed keys and schedules their deletion at offboarding.
   */
  readonly tenantKeys: 'none' | 'use' | 'manage';
  /** The site's audit signing key: `sign` signs audit heads and reads the public key. */
  readonly auditSigningKey: 'none' | 'sign';
  /** May read the LiveKit API secret from Secrets Manager (the groups that talk to LiveKit). */
  readonly livekitSecret: boolean;
  readonly memoryMb: number;
  readonly timeout: Duration;
}

const SIZE = { memoryMb: 512, timeout: Duration.seconds(10) };

/**
 * The groups whose handlers talk to LiveKit, i.e. import
 * lambdas/media-composition.ts, which reads the API secret at cold start. A
 * CDK test checks this list against the handlers' imports.
 */
export const LIVEKIT_GROUPS: ReadonlySet<string> = new Set([
  'health',
  'live',
  'media-nodes',
  'livekit-webhook',
  'e2ee',
  'breakouts',
]);

type Grants = Omit<GroupProfile, 'livekitSecret'>;

const NO_SIGNING = { auditSigningKey: 'none' } as const;

const BY_AUTH: Readonly<Record<RouteAuth, Grants>> = {
  public: { siteTable: 'read', directory: 'read', siteKey: 'none', tenantKeys: 'none', ...NO_SIGNING, ...SIZE },
  tenant: { siteTable: 'readwrite', directory: 'read', siteKey: 'tenant', tenantKeys: 'use', ...NO_SIGNING, ...SIZE },
  livekit: { siteTable: 'readwrite', directory: 'read', siteKey: 'tenant', tenantKeys: 'use', ...NO_SIGNING, ...SIZE },
  // Operators onboard and offboard tenants: the directory both sites read, and the tenants' managed keys.
  operator: {
    siteTable: 'readwrite',
    directory: 'readwrite',
    siteKey: 'tenant',
    tenantKeys: 'manage',
    ...NO_SIGNING,
    ...SIZE,
  },
};

/**
 * The scheduled function that signs every tenant's audit head (not a route
 * group: EventBridge invokes it). It reads the logs and profiles, writes the
 * heads and signs; it holds no tenant key.
 */
export const AUDIT_HEAD_SIGNER: RouteGroupDefinition = {
  name: 'audit-heads',
  entry: 'lambdas/jobs/sign-audit-heads.ts',
  auth: 'tenant',
  routes: [],
};

/** How often the scheduled signer runs. */
export const AUDIT_HEAD_SCHEDULE = Duration.minutes(15);

const BY_NAME: Readonly<Record<string, Grants>> = {
  // The probe only describes the table and encrypts one byte; each dependency gets 1.5 s.
  health: {
    siteTable: 'describe',
    directory: 'none',
    siteKey: 'probe',
    tenantKeys: 'none',
    ...NO_SIGNING,
    memoryMb: 512,
    timeout: Duration.seconds(5),
  },
  // Serves the OpenAPI document built from the schemas: no data at all.
  openapi: { siteTable: 'none', directory: 'none', siteKey: 'none', tenantKeys: 'none', ...NO_SIGNING, ...SIZE },
  // Answers from the directory alone; it must work for tenants of every site.
  directory: { siteTable: 'none', directory: 'read', siteKey: 'none', tenantKeys: 'none', ...NO_SIGNING, ...SIZE },
  // Signs heads on request, verifies logs against them and publishes the public key.
  audit: { ...BY_AUTH.tenant, auditSigningKey: 'sign' },
  // Every tenant of the site in one run, a few at a time.
  [AUDIT_HEAD_SIGNER.name]: {
    siteTable: 'readwrite',
    directory: 'none',
    siteKey: 'none',
    tenantKeys: 'none',
    auditSigningKey: 'sign',
    memoryMb: 512,
    timeout: Duration.minutes(5),
  },
  // Public, but redeeming marks the tenant's link used and signs a guest token with a key derived under the tenant's key.
  'guest-links': { siteTable: 'readwrite', directory: 'read', siteKey: 'tenant', tenantKeys: 'use', ...NO_SIGNING, ...SIZE },
};

export function profileOf(group: RouteGroupDefinition): GroupProfile {
  return { ...(BY_NAME[group.name] ?? BY_AUTH[group.auth]), livekitSecret: LIVEKIT_GROUPS.has(group.name) };
}
