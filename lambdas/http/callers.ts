import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { WebhookEvent } from 'livekit-server-sdk';
import type { AuditActor } from '../domain/audit.js';
import type { RouteAuth } from '../routes.js';
import type { GuestPrincipal } from './auth/guest.js';
import type { TenantPrincipal } from './auth/tenant-user.js';

/** A request as it arrived, before anything of it is parsed or validated. */
export interface RawRequest {
  /** Header names lower-cased. */
  readonly headers: Readonly<Record<string, string>>;
  readonly rawBody: string;
  readonly event: APIGatewayProxyEventV2;
}

/** A LiveKit webhook whose signature and body hash held, and the media node that signed it. */
export interface VerifiedWebhook {
  readonly clusterId: string;
  /** The decoded event (LiveKit's WebhookEvent). */
  readonly event: WebhookEvent;
}

/** Who the router hands a route's handler, by the route's declared caller kind. */
export interface CallerKinds {
  readonly public: undefined;
  readonly operator: AuditActor;
  readonly tenant: TenantPrincipal;
  readonly livekit: VerifiedWebhook;
}

/** Who calls a tenant route that also lets guests in (`guests: true`): a user of the tenant's IdP, or a guest. */
export type TenantOrGuest = TenantPrincipal | GuestPrincipal;

/** How a route group authenticates each kind of caller its routes declare; each throws 401/403/421 problems. */
export type Callers = {
  readonly [K in Exclude<RouteAuth, 'public'>]?: (request: RawRequest) => Promise<CallerKinds[K]> | CallerKinds[K];
} & {
  /** Guests, for the routes that declare `guests: true`; a group with such a route and no guest authenticator refuses to load. */
  readonly guest?: (request: RawRequest) => Promise<GuestPrincipal>;
};
