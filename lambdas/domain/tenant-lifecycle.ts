import { regionOfArn } from '../../config/regions.js';
import type { SiteId } from '../../config/sites.js';
import type { PlanTier } from '../../config/tiers.js';
import type { AuditActor } from './audit.js';
import { conflict, invalid, notFound, stale } from './errors.js';
import { newId } from './ids.js';
import type { DirectoryReader, TenantKeyService, TenantRepository } from './ports.js';
import { checkAllowedSites, DEFAULT_ROLES_CLAIM, reinstate, suspend, type SecurityContact, type Tenant } from './tenant.js';

export interface TenantRules {
  readonly repository: TenantRepository;
  readonly directory: DirectoryReader;
  readonly keys: TenantKeyService;
  readonly siteId: SiteId;
  readonly siteRegion: string;
  readonly now: () => Date;
}

export interface NewTenant {
  readonly slug: string;
  readonly vanityDomain?: string;
  readonly homeSite: SiteId;
  readonly allowedSites?: readonly SiteId[];
  readonly tier: PlanTier;
  readonly idp: {
    readonly issuer: string;
    readonly jwksUri: string;
    readonly audience: string;
    readonly rolesClaim?: string;
    readonly emailsVerified?: boolean;
    readonly webClientId?: string;
  };
  readonly webUrl?: string;
  readonly key?: { readonly mode: 'managed' } | { readonly mode: 'customer'; readonly keyArn: string };
  readonly securityContacts?: readonly SecurityContact[];
  readonly displayNames?: boolean;
}

/** Refuses names already in the directory before any key is made, so a refused request leaves nothing behind. */
async function ensureNamesFree(
  rules: TenantRules,
  names: { slug?: string; issuer?: string; vanityDomain?: string },
  self?: string,
) {
  const taken = async (kind: 'SLUG' | 'ISSUER' | 'DOMAIN', value: string | undefined) => {
    if (value === undefined) return false;
    const owner = await rules.directory.byPointer(kind, value);
    return owner !== undefined && owner.tenantId !== self;
  };
  if (await taken('SLUG', names.slug)) throw conflict(`the slug "${names.slug}" is taken`, 'slug');
  if (await taken('ISSUER', names.issuer))
    throw conflict('this identity provider issuer is already used by another tenant', 'idp.issuer');
  if (await taken('DOMAIN', names.vanityDomain))
    throw conflict(`the domain "${names.vanityDomain}" is already used`, 'vanityDomain');
}

export async function createTenant(rules: TenantRules, input: NewTenant, actor: AuditActor): Promise<Tenant> {
  const allowedSites = input.allowedSites ?? [];
  checkAllowedSites(input.homeSite, allowedSites);
  await ensureNamesFree(rules, { slug: input.slug, issuer: input.idp.issuer, vanityDomain: input.vanityDomain });

  const id = newId('tn');
  const requested = input.key ?? { mode: 'managed' as const };
  let keyArn: string;
  if (requested.mode === 'customer') {
    const region = regionOfArn(requested.keyArn);
    if (region !== rules.siteRegion) {
      throw invalid(
        'key.keyArn',
        `the key is in ${region ?? 'an unknown region'}, but the home site ${rules.siteId} keeps its data in ${rules.siteRegion}; the key must be in that region`,
      );
    }
    await rules.keys.verifyCustomerKey(requested.keyArn, id);
    keyArn = requested.keyArn;
  } else {
    keyArn = await rules.keys.createManagedKey(id);
  }

  const at = rules.now().toISOString();
  const pseudonymKey = await rules.keys.createPseudonymKey(id, keyArn);
  const tenant: Tenant = {
    id,
    slug: input.slug,
    ...(input.vanityDomain !== undefined && { vanityDomain: input.vanityDomain }),
    homeSite: input.homeSite,
    allowedSites: [...allowedSites],
    tier: input.tier,
    status: 'active',
    idp: { ...input.idp, rolesClaim: input.idp.rolesClaim ?? DEFAULT_ROLES_CLAIM },
    ...(input.webUrl !== undefined && { webUrl: input.webUrl }),
    key: { mode: requested.mode, keyArn },
    displayNames: input.displayNames ?? false,
    securityContacts: [...(input.securityContacts ?? [])],
    pseudonymKey,
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  try {
    await rules.repository.create(tenant, {
      actor,
      action: 'tenant.create',
      target: `tenant/${id}`,
      reason: 'onboarding',
      details: { tier: tenant.tier, homeSite: tenant.homeSite, keyMode: tenant.key.mode },
    });
  } catch (error) {
    // A lost race for a name after the key was made: shred the key nobody will use.
    if (requested.mode === 'managed') await rules.keys.scheduleDeletion(keyArn, id).catch(() => undefined);
    throw error;
  }
  return tenant;
}

export interface TenantPatch {
  readonly slug?: string;
  readonly vanityDomain?: string | null;
  readonly allowedSites?: readonly SiteId[];
  readonly tier?: PlanTier;
  readonly idp?: Partial<Omit<NewTenant['idp'], 'webClientId'>> & { readonly webClientId?: string | null };
  /** null returns to the site's default. */
  readonly webUrl?: string | null;
  readonly securityContacts?: readonly SecurityContact[];
  readonly displayNames?: boolean;
  readonly reason?: string;
}

export async function loadTenant(rules: TenantRules, tenantId: string): Promise<Tenant> {
  const tenant = await rules.repository.get(tenantId);
  if (!tenant) throw notFound('No such tenant');
  return tenant;
}

function expectVersion(tenant: Tenant, expectedVersion: number): void {
  if (tenant.version !== expectedVersion) throw stale('the tenant was changed since it was read; read it again');
}

export async function updateTenant(
  rules: TenantRules,
  tenantId: string,
  expectedVersion: number,
  patch: TenantPatch,
  actor: AuditActor,
): Promise<Tenant> {
  const before = await loadTenant(rules, tenantId);
  expectVersion(before, expectedVersion);
  if (before.status === 'offboarding') throw conflict('the tenant is being offboarded');
  const { reason, vanityDomain, idp, webUrl, ...rest } = patch;
  const after: Tenant = {
    ...before,
    ...rest,
    ...(idp !== undefined && { idp: mergeIdp(before.idp, idp) }),
    allowedSites: [...(patch.allowedSites ?? before.allowedSites)],
    securityContacts: [...(patch.securityContacts ?? before.securityContacts)],
  };
  if (vanityDomain === null) delete (after as { vanityDomain?: string }).vanityDomain;
  else if (vanityDomain !== undefined) (after as { vanityDomain?: string }).vanityDomain = vanityDomain;
  if (webUrl === null) delete (after as { webUrl?: string }).webUrl;
  else if (webUrl !== undefined) (after as { webUrl?: string }).webUrl = webUrl;
  checkAllowedSites(after.homeSite, after.allowedSites);
  await ensureNamesFree(rules, { slug: patch.slug, issuer: idp?.issuer, vanityDomain: vanityDomain ?? undefined }, tenantId);
  const changed = Object.keys(patch).filter((k) => k !== 'reason');
  return rules.repository.update(before, after, {
    actor,
    action: 'tenant.update',
    target: `tenant/${tenantId}`,
    reason: reason ?? 'configuration change',
    details: { fields: changed },
  });
}

/** The IdP settings with a patch applied; a `webClientId` of null removes it. */
function mergeIdp(before: Tenant['idp'], patch: NonNullable<TenantPatch['idp']>): Tenant['idp'] {
  const { webClientId, ...rest } = patch;
  const merged = { ...before, ...rest };
  if (webClientId === null) {
    const { webClientId: _removed, ...without } = merged;
    return without;
  }
  return webClientId === undefined ? merged : { ...merged, webClientId };
}

export async function changeTenantStatus(
  rules: TenantRules,
  tenantId: string,
  change: 'suspend' | 'reinstate',
  why: { reason: string; legalBasis: string },
  actor: AuditActor,
): Promise<Tenant> {
  const before = await loadTenant(rules, tenantId);
  const at = rules.now().toISOString();
  const after = change === 'suspend' ? suspend(before, { ...why, at }) : reinstate(before);
  return rules.repository.update(before, after, {
    actor,
    action: `tenant.${change}`,
    target: `tenant/${tenantId}`,
    reason: why.reason,
    legalBasis: why.legalBasis,
    details: { status: after.status },
  });
}

export interface OffboardingReport {
  readonly tenantId: string;
  readonly status: 'offboarded';
  readonly recordsDeleted: number;
  readonly directoryEntryRemoved: true;
  readonly key:
    | { readonly mode: 'managed'; readonly deletionScheduledFor?: string }
    | { readonly mode: 'customer'; readonly note: string };
}

/**
 * Offboarding, in an order that can be run again after any failure: mark the
 * tenant, shred its managed key first (so whatever is left anywhere, backups
 * included, is unreadable from then on), then delete its records and finally
 * its directory entry.
 */
export async function offboardTenant(
  rules: TenantRules,
  tenantId: string,
  why: { reason: string; legalBasis: string; confirmSlug: string },
  actor: AuditActor,
): Promise<OffboardingReport> {
  let tenant = await loadTenant(rules, tenantId);
  if (why.confirmSlug !== tenant.slug) throw invalid('confirmSlug', "must repeat the tenant's slug");
  if (tenant.status !== 'offboarding') {
    tenant = await rules.repository.update(
      tenant,
      { ...tenant, status: 'offboarding' },
      {
        actor,
        action: 'tenant.offboard',
        target: `tenant/${tenantId}`,
        reason: why.reason,
        legalBasis: why.legalBasis,
        details: { status: 'offboarding' },
      },
    );
  }
  const deletionScheduledFor =
    tenant.key.mode === 'managed' ? await rules.keys.scheduleDeletion(tenant.key.keyArn, tenantId) : undefined;
  await rules.repository.removeFromDirectory(tenant);
  const recordsDeleted = await rules.repository.deleteAllRecords(tenantId);
  return {
    tenantId,
    status: 'offboarded',
    recordsDeleted,
    directoryEntryRemoved: true,
    key:
      tenant.key.mode === 'managed'
        ? { mode: 'managed', ...(deletionScheduledFor !== undefined && { deletionScheduledFor }) }
        : { mode: 'customer', note: CUSTOMER_KEY_NOTE },
  };
}

const CUSTOMER_KEY_NOTE =
  "the tenant's own key is theirs to disable or delete; until then the deleted records' backups stay readable with it";

/**
 * What an idempotency record keeps of an offboarding, to answer a retry with
 * the same report: the count and what became of the key. Not the tenant's id
 * (the retry's path has it, and an offboarded tenant leaves no trace of it).
 */
export function offboardingReportRef(report: OffboardingReport): string {
  return report.key.mode === 'managed'
    ? `${report.recordsDeleted}|managed|${report.key.deletionScheduledFor ?? ''}`
    : `${report.recordsDeleted}|customer|`;
}

export function offboardingReportFromRef(tenantId: string, ref: string): OffboardingReport {
  const [count = '', mode = '', deletionScheduledFor = ''] = ref.split('|');
  const recordsDeleted = Number(count);
  if (!Number.isInteger(recordsDeleted) || (mode !== 'managed' && mode !== 'customer')) {
    throw new Error('an idempotency record holds no offboarding report');
  }
  return {
    tenantId,
    status: 'offboarded',
    recordsDeleted,
    directoryEntryRemoved: true,
    key:
      mode === 'managed'
        ? { mode, ...(deletionScheduledFor !== '' && { deletionScheduledFor }) }
        : { mode, note: CUSTOMER_KEY_NOTE },
  };
}
