import { decodeJwt, jwtVerify, SignJWT } from 'jose';
import type { SiteConfig } from '../../../config/env.js';
import { GUEST_TOKEN_SECONDS } from '../../domain/guests.js';
import type { DirectoryReader } from '../../domain/ports.js';
import type { Tenant } from '../../domain/tenant.js';
import type { PseudonymKeys } from '../../keys/pseudonyms.js';
import { problems } from '../problem.js';
import { GUEST_TOKEN_TYPE } from './guest-token-type.js';
import { bearerToken } from './operator.js';

/**
 * Guest tokens: what redeeming a guest link yields (lambdas/domain/guests.ts).
 * A JWT with its own type header, HS256 under a key derived from the tenant's
 * pseudonym key (so each tenant's guests have their own key, which goes with
 * the tenant's KMS key), for one meeting and two hours. The router tells them
 * from IdP tokens by the type header and lets them through only to the routes
 * that declare `guests: true` (lambdas/http/route.ts).
 */
const AUDIENCE = 'meetplane-guest';
const ALGORITHM = 'HS256';
const CLOCK_SKEW_SECONDS = 30;
const TENANT_ID = /^tn_[0-9a-f]{24}$/;
const MEETING_ID = /^mt_[0-9a-f]{24}$/;
const GUEST_ID = /^gs_[0-9a-f]{24}$/;

export interface GuestPrincipal {
  readonly kind: 'guest';
  readonly tenant: Tenant;
  readonly guestId: string;
  /** The one meeting this guest may ask about; any other is 404 to them. */
  readonly meetingId: string;
  /** Only when the tenant shows names (else it was never kept). */
  readonly displayName?: string;
}

export class GuestTokens {
  private readonly issuer: string;

  constructor(
    private readonly config: SiteConfig,
    private readonly directory: Pick<DirectoryReader, 'byTenantId'>,
    private readonly loadTenant: (tenantId: string) => Promise<Tenant | undefined>,
    private readonly keys: Pick<PseudonymKeys, 'derivedKey'>,
    private readonly now: () => number = Date.now,
  ) {
    this.issuer = `meetplane:${config.siteId}`;
  }

  /** A new guest token; the caller has just redeemed the link it stands for. */
  async mint(
    tenant: Tenant,
    guest: { readonly guestId: string; readonly meetingId: string; readonly displayName?: string },
  ): Promise<{ token: string; expiresAt: string }> {
    const issuedAt = Math.floor(this.now() / 1000);
    const expiresAt = issuedAt + GUEST_TOKEN_SECONDS;
    const token = await new SignJWT({
      tid: tenant.id,
      mid: guest.meetingId,
      ...(guest.displayName !== undefined && { name: guest.displayName }),
    })
      .setProtectedHeader({ alg: ALGORITHM, typ: GUEST_TOKEN_TYPE })
      .setIssuer(this.issuer)
      .setAudience(AUDIENCE)
      .setSubject(guest.guestId)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .sign(await this.keys.derivedKey(tenant, 'guest-token'));
    return { token, expiresAt: new Date(expiresAt * 1000).toISOString() };
  }

  /**
   * The guest behind a guest token. The (unverified) tenant claim finds the
   * tenant — 421 if it lives elsewhere — whose key then verifies the token.
   * Every failed check is the same 401; a suspended tenant, or one that has
   * turned guests off since, is 403.
   */
  async authenticate(headers: Readonly<Record<string, string>>): Promise<GuestPrincipal> {
    const token = bearerToken(headers);
    if (!token) throw problems.unauthorized();
    let tenantId: unknown;
    try {
      tenantId = decodeJwt(token).tid;
    } catch {
      throw problems.unauthorized();
    }
    if (typeof tenantId !== 'string' || !TENANT_ID.test(tenantId)) throw problems.unauthorized();
    const entry = await this.directory.byTenantId(tenantId);
    if (!entry) throw problems.unauthorized();
    if (entry.homeSite !== this.config.siteId) throw problems.misdirected(entry.homeSite, this.config.apiUrls[entry.homeSite]);
    const tenant = await this.tenant(tenantId);
    if (!tenant || tenant.status === 'offboarding') throw problems.unauthorized();

    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, await this.keys.derivedKey(tenant, 'guest-token'), {
        algorithms: [ALGORITHM],
        typ: GUEST_TOKEN_TYPE,
        issuer: this.issuer,
        audience: AUDIENCE,
        requiredClaims: ['sub', 'exp', 'iat', 'tid', 'mid'],
        clockTolerance: CLOCK_SKEW_SECONDS,
        currentDate: new Date(this.now()),
      }));
    } catch {
      throw problems.unauthorized();
    }
    const { sub, mid, tid, name } = payload;
    if (tid !== tenant.id || typeof sub !== 'string' || !GUEST_ID.test(sub) || typeof mid !== 'string' || !MEETING_ID.test(mid))
      throw problems.unauthorized();
    if (tenant.status === 'suspended') throw problems.forbidden('the tenant is suspended');
    if (tenant.guests !== true) throw problems.forbidden('this organisation no longer admits guests');
    return {
      kind: 'guest',
      tenant,
      guestId: sub,
      meetingId: mid,
      ...(tenant.displayNames && typeof name === 'string' && { displayName: name }),
    };
  }

  /**
   * The tenant as stored now, not cached: each route group is its own function,
   * so a cache here would not hear that an admin turned guests off in another
   * one. Guest requests are few; one read each is cheap.
   */
  private async tenant(tenantId: string): Promise<Tenant | undefined> {
    return this.loadTenant(tenantId);
  }
}
