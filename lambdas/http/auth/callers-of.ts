import type { SiteConfig } from '../../../config/env.js';
import type { Callers } from '../callers.js';
import { authenticateOperator } from './operator.js';
import type { GuestTokens } from './guest.js';
import type { TenantAuthenticator } from './tenant-user.js';

/** Tenant users, by a bearer JWT of their tenant's IdP. */
export const tenantCallers = (authenticator: TenantAuthenticator): Callers => ({
  tenant: (request) => authenticator.authenticate(request.headers),
});

/** Operators: IAM deployed, the local operator token on the local stage. */
export const operatorCallers = (config: SiteConfig): Callers => ({
  operator: (request) => authenticateOperator(request, config),
});

/** Tenant users, and guests for the routes that let them in. */
export const tenantAndGuestCallers = (authenticator: TenantAuthenticator, guests: GuestTokens): Callers => ({
  tenant: (request) => authenticator.authenticate(request.headers),
  guest: (request) => guests.authenticate(request.headers),
});
