import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { siteConfig, type SiteConfig } from '../config/env.js';
import { awsCallLimits, countedClient, siteClients, type SiteClients } from './clients.js';
import type { TenantRules } from './domain/tenant-lifecycle.js';
import { GuestTokens } from './http/auth/guest.js';
import { TenantAuthenticator } from './http/auth/tenant-user.js';
import { kmsPersonalDataCipher, type PersonalDataCipher } from './keys/personal-data-cipher.js';
import { kmsPseudonymKeys, type PseudonymKeys } from './keys/pseudonyms.js';
import { MediaKeys } from './keys/media-keys.js';
import { MediaKeyStore } from './store/media-key-store.js';
import { kmsTenantKeys } from './keys/tenant-keys.js';
import { DirectoryStore } from './store/directory-store.js';
import { IdempotencyStore } from './store/idempotency-store.js';
import { E2eeStore } from './store/e2ee-store.js';
import { MailSettingsStore } from './store/mail-settings-store.js';
import { AdvisoryStore } from './store/advisory-store.js';
import { SecurityContactsStore } from './store/security-contacts-store.js';
import { PrivacyStore } from './store/privacy-store.js';
import { ReportStore } from './store/report-store.js';
import { DataSubjectStore } from './store/data-subject-store.js';
import { GuestLinkStore } from './store/guest-link-store.js';
import { LiveStateStore } from './store/live-state-store.js';
import { WebhookLedgerStore } from './store/webhook-ledger-store.js';
import { outboundPolicyOf, type OutboundPolicy } from './net/outbound-policy.js';
import { MeetingStore } from './store/meeting-store.js';
import { TenantStore } from './store/tenant-store.js';
import { AuditHeadStore } from './store/audit-head-store.js';
import { kmsAuditSigningKey, type AuditSigningKey } from './keys/audit-signing-key.js';
import { DEVICE_KEYS_RETENTION_DAYS, retentionPolicy, type RetentionPolicy } from './domain/retention.js';
import { BoundedCache } from './bounded-cache.js';

/**
 * Everything a handler needs, built once per container from the validated
 * environment. LiveKit is not here: the route groups that talk to it add their
 * media nodes from lambdas/media-composition.ts, so no other group bundles the
 * LiveKit SDK or reads its secret.
 */
export interface Site {
  readonly config: SiteConfig;
  readonly clients: SiteClients;
  readonly cipher: PersonalDataCipher;
  readonly directory: DirectoryStore;
  readonly tenants: TenantStore;
  readonly idempotency: IdempotencyStore;
  readonly authenticator: TenantAuthenticator;
  /** The one policy for every destination a tenant supplies (IdP key set, SMTP server, advisory webhook). */
  readonly outbound: OutboundPolicy;
  /** Mints and verifies guest tokens (lambdas/http/auth/guest.ts). */
  readonly guestTokens: GuestTokens;
  readonly pseudonyms: PseudonymKeys;
  readonly meetings: MeetingStore;
  /** A meeting's live state: pin, lock, end, removals, key epoch, admissions. */
  readonly live: LiveStateStore;
  /** What LiveKit's webhooks keep: each event once, the room index, attendance. */
  readonly webhookLedger: WebhookLedgerStore;
  readonly mediaKeys: MediaKeys;
  readonly e2ee: E2eeStore;
  /** The tenant's retention periods, read from its profile at most every 30 s. */
  readonly retentionOf: (tenantId: string) => Promise<RetentionPolicy>;
  /** Drops a tenant's cached retention periods after they changed. */
  readonly forgetRetention: (tenantId: string) => void;
}

let site: Site | undefined;

/** The directory on its own, for the public route that needs nothing else (and so bundles nothing else). */
export function buildDirectory(config: SiteConfig, dynamodb: DynamoDBClient): DirectoryStore {
  const replicas = config.directoryReplicaRegions
    .filter((region) => region !== config.region)
    .map((region) =>
      countedClient(
        new DynamoDBClient({
          region,
          ...awsCallLimits(config.dependencyTimeoutMs),
          ...(config.endpoints.dynamodb && { endpoint: config.endpoints.dynamodb }),
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }),
        'dynamodb',
      ),
    );
  return new DirectoryStore(dynamodb, config.directoryTableName, replicas);
}

export function buildSite(config: SiteConfig, clients: SiteClients): Site {
  const cipher = kmsPersonalDataCipher(clients.kms, config.siteId, config.region);
  const directory = buildDirectory(config, clients.dynamodb);
  // Retention periods come from the tenant's profile, read at most every 30 s per container.
  const profiles = new BoundedCache<string, RetentionPolicy>({ maxEntries: 1000, ttlMs: 30_000 });
  const retentionOf = async (tenantId: string): Promise<RetentionPolicy> => {
    const cached = profiles.get(tenantId);
    if (cached) return cached;
    const policy = retentionPolicy((await tenants.get(tenantId))?.retention);
    profiles.set(tenantId, policy);
    return policy;
  };
  const tenants: TenantStore = new TenantStore(clients.dynamodb, config.tableName, directory, cipher, retentionOf);
  const pseudonyms = kmsPseudonymKeys(clients.kms, config.siteId);
  const meetings = new MeetingStore(clients.dynamodb, config.tableName, cipher, retentionOf);
  const outbound = outboundPolicyOf(config);
  const webhookLedger = new WebhookLedgerStore(clients.dynamodb, config.tableName, retentionOf);
  return {
    pseudonyms,
    meetings,
    live: new LiveStateStore(clients.dynamodb, config.tableName, webhookLedger),
    webhookLedger,
    e2ee: new E2eeStore(clients.dynamodb, config.tableName, DEVICE_KEYS_RETENTION_DAYS * 86_400),
    mediaKeys: new MediaKeys(clients.kms, new MediaKeyStore(clients.dynamodb, config.tableName, retentionOf)),
    retentionOf,
    forgetRetention: (tenantId: string) => profiles.delete(tenantId),
    config,
    clients,
    cipher,
    directory,
    tenants,
    idempotency: new IdempotencyStore(clients.dynamodb, config.tableName),
    authenticator: new TenantAuthenticator(config, directory, (id) => tenants.get(id), outbound),
    outbound,
    guestTokens: new GuestTokens(config, directory, (id) => tenants.get(id), pseudonyms),
  };
}

/*
 * What only a few route groups use. Each of those groups builds it from the
 * site once, at start-up; the other groups neither bundle nor build it.
 */
export const privacyStore = (site: Site) => new PrivacyStore(site.clients.dynamodb, site.config.tableName);
export const reportStore = (site: Site) =>
  new ReportStore(site.clients.dynamodb, site.config.tableName, site.cipher, site.retentionOf);
export const dataSubjectStore = (site: Site) => new DataSubjectStore(site.clients.dynamodb, site.config.tableName, site.meetings);
export const guestLinkStore = (site: Site) => new GuestLinkStore(site.clients.dynamodb, site.config.tableName);
export const mailSettingsStore = (site: Site) => new MailSettingsStore(site.clients.dynamodb, site.config.tableName, site.cipher);
export const securityContactsStore = (site: Site) =>
  new SecurityContactsStore(site.clients.dynamodb, site.config.tableName, site.cipher);
export const auditHeadStore = (site: Site) => new AuditHeadStore(site.clients.dynamodb, site.config.tableName);
export const auditSigningKey = (site: Site): AuditSigningKey =>
  kmsAuditSigningKey(site.clients.kms, site.config.auditSigningKeyId);
export const advisoryStore = (site: Site) => new AdvisoryStore(site.clients.dynamodb, site.config.tableName, site.retentionOf);

/** The tenant lifecycle's dependencies: onboarding, changes, suspension, offboarding. */
export function tenantRulesOf(site: Site): TenantRules {
  const { clients, config, tenants, directory, pseudonyms } = site;
  return {
    repository: tenants,
    directory,
    keys: {
      ...kmsTenantKeys(clients.kms, config.siteId),
      createPseudonymKey: (tenantId, keyArn) => pseudonyms.create(tenantId, keyArn),
    },
    siteId: config.siteId,
    siteRegion: config.region,
    now: () => new Date(),
  };
}

export function currentSite(): Site {
  if (!site) {
    const config = siteConfig();
    site = buildSite(config, siteClients(config));
  }
  return site;
}
