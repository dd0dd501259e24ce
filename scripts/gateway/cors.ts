import { CORS_ALLOWED_HEADERS, CORS_ALLOWED_METHODS, CORS_EXPOSED_HEADERS, CORS_MAX_AGE_SECONDS } from '../../config/cors.js';

type Headers = Record<string, string | string[]>;

/**
 * The local gateway's CORS, as API Gateway answers it for the HTTP API's
 * `corsPreflight` (config/cors.ts holds the rules both use): with origins
 * configured, a preflight is answered at the gateway (204) without reaching a
 * handler, and the CORS headers go only to an allowed origin; without any,
 * nothing is answered for CORS at all.
 */
export class CorsPolicy {
  private readonly origins: ReadonlySet<string>;

  constructor(origins: readonly string[]) {
    this.origins = new Set(origins);
  }

  /** `OPTIONS` with `Origin` and `Access-Control-Request-Method`: a browser's preflight, answered here. */
  isPreflight(method: string, origin: string | undefined, requestMethod: string | undefined): boolean {
    return this.origins.size > 0 && method === 'OPTIONS' && origin !== undefined && requestMethod !== undefined;
  }

  /** The answer to a preflight: the allow headers for an allowed origin, none for any other. */
  preflight(origin: string | undefined): { status: number; headers: Headers } {
    const headers: Headers = { vary: 'origin', 'content-length': '0' };
    if (origin === undefined || !this.origins.has(origin)) return { status: 204, headers };
    return {
      status: 204,
      headers: {
        ...headers,
        'access-control-allow-origin': origin,
        'access-control-allow-methods': CORS_ALLOWED_METHODS.join(', '),
        'access-control-allow-headers': CORS_ALLOWED_HEADERS.join(', '),
        'access-control-max-age': String(CORS_MAX_AGE_SECONDS),
      },
    };
  }

  /** A response's headers with CORS added for an allowed origin (and `Vary: Origin` whenever CORS is on). */
  decorate(origin: string | undefined, headers: Headers): Headers {
    if (this.origins.size === 0) return headers;
    const out: Headers = { ...headers, vary: withVaryOrigin(headers.vary) };
    // A handler's own CORS headers never pass: API Gateway replaces them with its configuration's.
    for (const name of Object.keys(out)) if (name.startsWith('access-control-')) delete out[name];
    if (origin === undefined || !this.origins.has(origin)) return out;
    return {
      ...out,
      'access-control-allow-origin': origin,
      'access-control-expose-headers': CORS_EXPOSED_HEADERS.join(', '),
    };
  }
}

function withVaryOrigin(vary: string | string[] | undefined): string {
  const values = (Array.isArray(vary) ? vary.join(',') : (vary ?? ''))
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  return values.some((v) => v.toLowerCase() === 'origin' || v === '*') ? values.join(', ') : [...values, 'origin'].join(', ');
}
