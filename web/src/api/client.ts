import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema.js';

/** An RFC 9457 problem the API answered, thrown so that pages can show its title and field errors. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string | undefined,
    readonly fieldErrors: readonly { readonly field?: string; readonly message?: string }[] = [],
    readonly retryAfterSeconds?: number,
    /** The problem document's other members (RFC 9457 extensions), e.g. `currentEpoch`. */
    readonly extensions: Readonly<Record<string, unknown>> = {},
  ) {
    super(detail ? `${title}: ${detail}` : title);
  }
}

/** The typed API client of one organisation's home site; `token` gives the bearer token for each call. */
export function apiClient(baseUrl: string, token: () => string | undefined | Promise<string | undefined>) {
  const client = createClient<paths>({ baseUrl });
  const auth: Middleware = {
    async onRequest({ request }) {
      const bearer = await token();
      if (bearer) request.headers.set('authorization', `Bearer ${bearer}`);
      return request;
    },
    async onResponse({ response }) {
      if (response.ok) return response;
      // An RFC 9457 problem: its standard members, and any others (extensions such as `currentEpoch`).
      const {
        type: _type,
        status: _status,
        instance: _instance,
        title,
        detail,
        errors,
        ...extensions
      } = (await response
        .clone()
        .json()
        .catch(() => ({}))) as Record<string, unknown> & {
        title?: string;
        detail?: string;
        errors?: { field?: string; message?: string }[];
      };
      const retryAfter = Number(response.headers.get('retry-after') ?? '');
      throw new ApiProblem(
        response.status,
        title ?? response.statusText,
        detail,
        errors ?? [],
        Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
        extensions,
      );
    },
  };
  client.use(auth);
  return client;
}

export type ApiClient = ReturnType<typeof apiClient>;
