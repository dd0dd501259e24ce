import { createHash } from 'node:crypto';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import type { SiteConfig } from '../../../config/env.js';
import type { DirectoryEntry } from '../../domain/directory.js';
import type { DirectoryReader } from '../../domain/ports.js';
import { jwksUriProblem, type Tenant } from '../../domain/tenant.js';
import { OutboundError, type OutboundPolicy } from '../../net/outbound-policy.js';
import { problems } from '../problem.js';
import { bearerToken } from './operator.js';
import { currentBudgetMs } from '../call-counter.js';
import { retryAfterSeconds } from '../dependency-errors.js';
import { BoundedCache } from '../../bounded-cache.js';

export type TenantRole = 'admin' | 'host';

export interface TenantPrincipal {
  readonly tenant: Tenant;
  /** The IdP's subject: personal data, never logged or sent to the media plane. */
  readonly subject: string;
  readonly roles: ReadonlySet<TenantRole>;
  readonly claims: JWTPayload;
}

/** Asymmetric algorithms only: never `none`, never an HMAC whose key could be the public JWKS. */
export const ALLOWED_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'];
const CLOCK_SKEW_SECONDS = 60;
const TENANT_CACHE_MS = 30_000;
/** A verified token is trusted again for at most this long (never past its expiry): repeated calls skip the signature check. */
const VERIFIED_CACHE_MS = 60_000;
const MAX_VERIFIED = 10_000;
/** Tenants (and their issuers and key sets) a container remembers at once. */
const MAX_TENANTS = 1000;

/**
 * Authenticates a tenant's user from a bearer JWT of the tenant's own IdP.
 *
 * The unverified issuer names the tenant; the directory says where it lives.
 * A tenant homed elsewhere gets 421 before anything of it is read here. Every
 * other failure is the same 401, which does not say which check failed.
 */
export class TenantAuthenticator {
  private readonly tenants: BoundedCache<string, Tenant>;
  private readonly keySets = new BoundedCache<string, ReturnType<typeof createRemoteJWKSet>>({ maxEntries: MAX_TENANTS });
  private readonly issuers: BoundedCache<string, DirectoryEntry>;
  private readonly verified: BoundedCache<string, TenantPrincipal>;

  constructor(
    private readonly config: SiteConfig,
    private readonly directory: DirectoryReader,
    private readonly loadTenant: (tenantId: string) => Promise<Tenant | undefined>,
    /** The key set is fetched through the outbound policy: resolved once, checked, and connected to as checked. */
    private readonly outbound: OutboundPolicy,
    private readonly now: () => number = Date.now,
  ) {
    this.tenants = new BoundedCache({ maxEntries: MAX_TENANTS, ttlMs: TENANT_CACHE_MS, now });
    this.issuers = new BoundedCache({ maxEntries: MAX_TENANTS, ttlMs: TENANT_CACHE_MS, now });
    this.verified = new BoundedCache({ maxEntries: MAX_VERIFIED, ttlMs: VERIFIED_CACHE_MS, now });
  }

  async authenticate(headers: Readonly<Record<string, string>>): Promise<TenantPrincipal> {
    const token = bearerToken(headers);
    if (!token) throw problems.unauthorized();
    const fingerprint = createHash('sha256').update(token).digest('base64url');
    const known = this.verified.get(fingerprint);
    if (known) {
      const tenant = await this.tenant(known.tenant.id);
      if (tenant && tenant.status === 'active') return { ...known, tenant };
    }
    const principal = await this.verify(token);
    const expiresAt = (principal.claims.exp ?? 0) * 1000;
    this.verified.set(fingerprint, principal, Math.min(expiresAt - this.now(), VERIFIED_CACHE_MS));
    return principal;
  }

  private async verify(token: string): Promise<TenantPrincipal> {
    let issuer: string | undefined;
    try {
      const header = decodeProtectedHeader(token);
      if (!header.alg || !ALLOWED_ALGORITHMS.includes(header.alg)) throw problems.unauthorized();
      issuer = decodeJwt(token).iss;
    } catch {
      throw problems.unauthorized();
    }
    if (!issuer) throw problems.unauthorized();

    const entry = await this.issuer(issuer);
    if (!entry) throw problems.unauthorized();
    if (entry.homeSite !== this.config.siteId) throw problems.misdirected(entry.homeSite, this.config.apiUrls[entry.homeSite]);

    const tenant = await this.tenant(entry.tenantId);
    if (!tenant || tenant.status === 'offboarding') throw problems.unauthorized();
    if (jwksUriProblem(tenant.idp.jwksUri, this.config.stage) !== undefined) throw problems.unauthorized();

    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keySet(tenant.idp.jwksUri), {
        issuer: tenant.idp.issuer,
        audience: tenant.idp.audience,
        algorithms: ALLOWED_ALGORITHMS,
        clockTolerance: CLOCK_SKEW_SECONDS,
        requiredClaims: ['sub', 'exp'],
        currentDate: new Date(this.now()),
      }));
    } catch (error) {
      if (error instanceof OutboundError && error.code === 'refused-destination') {
        // Not the caller's fault and not a token check: the tenant's IdP is configured where this site does not connect.
        throw problems.unavailable(
          `the tenant's identity provider key set (idp.jwksUri) ${error.message}, which this site does not connect to; the operator must change it`,
          60,
          { check: 'refused-destination', refused: error.refused },
        );
      }
      if (error instanceof OutboundError || isUnreachable(error)) {
        throw problems.unavailable(
          "the tenant's identity provider did not answer",
          retryAfterSeconds(currentBudgetMs() ?? 10_000),
        );
      }
      throw problems.unauthorized();
    }
    if (tenant.status === 'suspended') throw problems.forbidden('the tenant is suspended');
    return { tenant, subject: payload.sub!, roles: rolesOf(payload[tenant.idp.rolesClaim]), claims: payload };
  }

  /** Forget a cached tenant (after this container changed it). */
  forget(tenantId: string): void {
    this.tenants.delete(tenantId);
    this.issuers.clear();
    this.verified.deleteWhere((principal) => principal.tenant.id === tenantId);
  }

  private async issuer(issuer: string): Promise<DirectoryEntry | undefined> {
    const cached = this.issuers.get(issuer);
    if (cached) return cached;
    const entry = await this.directory.byPointer('ISSUER', issuer);
    // Unknown issuers are not remembered: a tenant created a moment later must work at once.
    if (entry) this.issuers.set(issuer, entry);
    return entry;
  }

  private async tenant(tenantId: string): Promise<Tenant | undefined> {
    const cached = this.tenants.get(tenantId);
    if (cached) return cached;
    const tenant = await this.loadTenant(tenantId);
    if (tenant) this.tenants.set(tenantId, tenant);
    return tenant;
  }

  private keySet(uri: string): ReturnType<typeof createRemoteJWKSet> {
    let set = this.keySets.get(uri);
    if (!set) {
      // jose refetches on an unknown kid (at most every 30 s) and caches keys for 10 minutes.
      const url = new URL(uri);
      set = createRemoteJWKSet(url, {
        agent: this.outbound.agent(url.protocol === 'http:' ? 'http:' : 'https:'),
        timeoutDuration: this.config.dependencyTimeoutMs,
        cooldownDuration: 30_000,
        cacheMaxAge: 600_000,
      });
      this.keySets.set(uri, set);
    }
    return set;
  }
}

/** The key set's server could not be reached or did not answer in time (not a verdict on the token). */
function isUnreachable(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return (
    code === 'ERR_JWKS_TIMEOUT' ||
    (error instanceof TypeError && /fetch/i.test(error.message)) ||
    (code !== undefined && ['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EPIPE'].includes(code))
  );
}

export function rolesOf(claim: unknown): ReadonlySet<TenantRole> {
  const values = Array.isArray(claim) ? claim : typeof claim === 'string' ? claim.split(/[\s,]+/) : [];
  return new Set(values.filter((v): v is TenantRole => v === 'admin' || v === 'host'));
}

export function requireRole(principal: TenantPrincipal, ...roles: TenantRole[]): void {
  if (!roles.some((role) => principal.roles.has(role))) throw problems.forbidden(`this needs the ${roles.join(' or ')} role`);
}
