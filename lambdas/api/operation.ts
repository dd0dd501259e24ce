import type * as z from 'zod';
import type { RouteAuth } from '../routes.js';
import type { RequestSchemas } from '../http/request.js';

/**
 * One route's contract: the request schemas its handler validates with and
 * the responses it sends. A route group's handler takes its contracts from its
 * module in ./operations/, and the OpenAPI document is generated from the same
 * objects (./operations.ts), so the two cannot drift apart.
 */
/**
 * The budget of routes that make many dependency calls or wait on a mail
 * server (onboarding a tenant, sending invitations or advisories, exports and
 * erasure, opening breakouts): well inside their functions' 10 s timeout.
 */
export const LONG_BUDGET_MS = 8000;

export interface Operation extends RequestSchemas {
  /**
   * The operation's name in the OpenAPI document: camelCase, unique across the
   * API (a unit test checks), and what generated clients call their methods.
   */
  readonly operationId: string;
  readonly summary: string;
  readonly tag: string;
  readonly auth: RouteAuth;
  /**
   * Hands out a media token, a media key or a key envelope, or what only those
   * who hold media may see of an end-to-end meeting's keys (a bound device's
   * registration): the route asks the one admission decision
   * (lambdas/domain/admission.ts), and a generated test checks that nobody
   * unadmitted or removed gets anything from it.
   */
  readonly handsOutMedia?: true;
  /**
   * Guests (people who redeemed a guest link) may call it too, for their own
   * meeting only; the router refuses a guest token on every other route.
   */
  readonly guests?: true;
  /** Writes honour Idempotency-Key. */
  readonly idempotent?: boolean;
  /** Updates need If-Match ('required') or honour it ('optional'). */
  readonly ifMatch?: 'required' | 'optional';
  /**
   * How long the route may take, in milliseconds, when not the default
   * (lambdas/http/route.ts, DEFAULT_BUDGET_MS): every dependency call of a
   * request must fit in it, and a 503's Retry-After is counted from it.
   */
  readonly budgetMs?: number;
  /** Problem statuses this route may answer beyond those every route of its kind may. */
  readonly alsoAnswers?: readonly number[];
  readonly success: {
    readonly status: number;
    readonly description: string;
    readonly schema?: z.ZodType;
    readonly contentType?: string;
    /** The handler sends the resource's version in an `ETag` header (what `If-Match` takes). */
    readonly etag?: true;
    /** The handler sends the new resource's address in a `Location` header, on an idempotent replay too. */
    readonly location?: true;
  };
}
