/**
 * CORS for the web app, the same locally and deployed: the local gateway
 * (scripts/gateway/cors.ts) answers by these rules, and the CDK app gives the
 * HTTP API the same `corsPreflight` (cdk/constructs/http-api.ts). Only the
 * origins a site is configured with (MEETPLANE_WEB_ORIGINS) are answered; no
 * credentials (the API takes bearer tokens, never cookies).
 */
export const CORS_ALLOWED_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
/** Request headers a browser may send besides the CORS-safelisted ones. */
export const CORS_ALLOWED_HEADERS = ['authorization', 'content-type', 'idempotency-key', 'if-match'] as const;
/** Response headers a browser script may read besides the safelisted ones. */
export const CORS_EXPOSED_HEADERS = [
  'etag',
  'location',
  'retry-after',
  'idempotent-replayed',
  'content-disposition',
  'x-request-id',
] as const;
/** How long a browser may cache a preflight's answer. */
export const CORS_MAX_AGE_SECONDS = 600;
