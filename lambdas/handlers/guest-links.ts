import { OPERATIONS } from '../api/operations/guest-links.js';
import { currentSite, guestLinkStore } from '../composition.js';
import { forbidden, notFound } from '../domain/errors.js';
import {
  checkGuestsAllowed,
  checkRedeemable,
  guestDisplayName,
  guestSecretHash,
  newGuestId,
  parseGuestCode,
} from '../domain/guests.js';
import { guestPseudonyms } from '../keys/pseudonyms.js';
import { problems } from '../http/problem.js';
import { route, routeGroup } from '../http/route.js';

const site = currentSite();
const links = guestLinkStore(site);

/**
 * Redeeming a guest link. The route is public — a guest has nothing but the
 * code from their invitation — and the code itself is the credential: it
 * names the tenant (so the home site finds its partition, and another site
 * answers 421), the meeting, and a secret of which only the hash is stored.
 */
export const handler = routeGroup(
  {},
  {
    'POST /v1/guest-links/redeem': route(OPERATIONS['POST /v1/guest-links/redeem'], async (request) => {
      const code = parseGuestCode(request.body.code);
      if (!code) throw notFound('No such guest link');
      const entry = await site.directory.byTenantId(code.tenantId);
      if (!entry) throw notFound('No such guest link');
      if (entry.homeSite !== site.config.siteId) throw problems.misdirected(entry.homeSite, site.config.apiUrls[entry.homeSite]);
      const tenant = await site.tenants.get(code.tenantId);
      if (!tenant || tenant.status === 'offboarding') throw notFound('No such guest link');
      if (tenant.status === 'suspended') throw forbidden('the tenant is suspended');
      checkGuestsAllowed(tenant);

      const now = new Date();
      const link = await links.get(tenant.id, code.meetingId, guestSecretHash(code.secret));
      const { meeting, live } = await site.live.forJoin(tenant.id, code.meetingId);
      const redeemable = checkRedeemable(tenant, link, meeting, live, now);

      const guestId = newGuestId();
      const refs = guestPseudonyms(await site.pseudonyms.forTenant(tenant), guestId, code.meetingId);
      const participantId = refs.participantIdIn(code.meetingId);
      // The one write that makes the link spent; a second redemption, even a concurrent one, fails here.
      await links.redeem(tenant.id, redeemable, { guestRef: refs.userRef, guestParticipantId: participantId }, now);
      const displayName = guestDisplayName(tenant, request.body.displayName);
      const { token, expiresAt } = await site.guestTokens.mint(tenant, {
        guestId,
        meetingId: code.meetingId,
        ...(displayName !== undefined && { displayName }),
      });
      return {
        status: 201,
        body: {
          token,
          expiresAt,
          tenantId: tenant.id,
          meetingId: code.meetingId,
          participantId,
          join: `/v1/meetings/${code.meetingId}/join`,
        },
      };
    }),
  },
);
