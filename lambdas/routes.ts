/**
 * Every HTTP route of the API and the route group (one Lambda function) that
 * serves it. The CDK app builds the HTTP API from this table and the local
 * gateway dispatches with it, so both serve exactly the same routes; a unit
 * test checks that each group's handler declares the same route keys.
 */
export type RouteAuth = 'public' | 'operator' | 'tenant' | 'livekit';

export interface RouteGroupDefinition {
  /** Short name; also the Lambda function's id. */
  readonly name: string;
  /** Module path from the project root; it exports `handler`. */
  readonly entry: string;
  readonly auth: RouteAuth;
  readonly routes: readonly string[];
}

export const ROUTE_GROUPS: readonly RouteGroupDefinition[] = [
  { name: 'health', entry: 'lambdas/handlers/health.ts', auth: 'public', routes: ['GET /v1/health'] },
];
