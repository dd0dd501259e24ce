import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIPv6, type LookupFunction } from 'node:net';
import type { Duplex } from 'node:stream';
import type { SiteConfig } from '../../config/env.js';
import { destinationVerdict, ipLiteral, type RefusableClass } from '../domain/destination.js';

/**
 * The one outbound policy for every destination a tenant supplies — its
 * IdP's key set, its SMTP server, its advisory webhook. The host is resolved
 * once (every address of the answer), every address is checked
 * (lambdas/domain/destination.ts), and the connection goes to an address that
 * was checked: the socket is handed the checked answer as its `lookup`, so no
 * second lookup can answer differently (DNS rebinding). Loopback is allowed
 * only where the site's configuration says so (the local stage).
 */
export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** Every address a name resolves to (node:dns `lookup`, all of them, in the resolver's order). */
export type Resolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map(({ address, family }) => ({
    address,
    family: family === 6 ? 6 : 4,
  }));

export type OutboundErrorCode = 'refused-destination' | 'unresolvable' | 'timeout';

/** A destination this site does not connect to, or whose name did not resolve; the message names the check, never the address. */
export class OutboundError extends Error {
  constructor(
    readonly code: OutboundErrorCode,
    message: string,
    /** For `refused-destination`: the kind of address that was refused. */
    readonly refused?: RefusableClass,
  ) {
    super(message);
    this.name = 'OutboundError';
  }
}

/** A host checked by the policy: the addresses a connection to it may use. */
export interface CheckedDestination {
  readonly host: string;
  readonly addresses: readonly ResolvedAddress[];
  /** The addresses are on loopback (allowed on the local stage only). */
  readonly loopback: boolean;
}

export interface OutboundPolicy {
  readonly allowLoopback: boolean;
  /** Resolves a host once and checks every address; throws OutboundError when it may not be connected to. */
  resolve(host: string): Promise<CheckedDestination>;
  /** An http(s) agent whose every connection goes through resolve() and then only to the addresses it checked. */
  agent(protocol: 'http:' | 'https:'): http.Agent;
}

export interface OutboundPolicyOptions {
  readonly allowLoopback: boolean;
  readonly resolver?: Resolver;
  /** How long a lookup may take before the destination counts as unresolvable (`timeout`). */
  readonly lookupTimeoutMs?: number;
}

const DEFAULT_LOOKUP_TIMEOUT_MS = 3000;

export function outboundPolicy(options: OutboundPolicyOptions): OutboundPolicy {
  const resolver = options.resolver ?? systemResolver;
  const timeoutMs = options.lookupTimeoutMs ?? DEFAULT_LOOKUP_TIMEOUT_MS;
  const agents = new Map<string, http.Agent>();
  const policy: OutboundPolicy = {
    allowLoopback: options.allowLoopback,
    async resolve(host) {
      const literal = ipLiteral(host);
      if (literal !== undefined) {
        const verdict = destinationVerdict([literal], { allowLoopback: options.allowLoopback, literal: true });
        if (!verdict.allowed) throw new OutboundError('refused-destination', verdict.reason, verdict.refused);
        return { host, addresses: [{ address: literal, family: isIPv6(literal) ? 6 : 4 }], loopback: verdict.loopback };
      }
      const addresses = await withTimeout(resolver(host), timeoutMs);
      const verdict = destinationVerdict(
        addresses.map((a) => a.address),
        { allowLoopback: options.allowLoopback },
      );
      if (!verdict.allowed) throw new OutboundError('refused-destination', verdict.reason, verdict.refused);
      return { host, addresses: [...addresses], loopback: verdict.loopback };
    },
    agent(protocol) {
      let agent = agents.get(protocol);
      if (!agent) {
        agent = protocol === 'https:' ? new CheckedHttpsAgent(policy) : new CheckedHttpAgent(policy);
        agents.set(protocol, agent);
      }
      return agent;
    },
  };
  return policy;
}

/** The site's policy: loopback only on the local stage (config/env.ts `loopbackDestinations`). */
export function outboundPolicyOf(config: SiteConfig, resolver?: Resolver): OutboundPolicy {
  return outboundPolicy({
    allowLoopback: config.loopbackDestinations,
    ...(resolver && { resolver }),
    lookupTimeoutMs: Math.max(config.dependencyTimeoutMs, 1000),
  });
}

async function withTimeout(lookup: Promise<readonly ResolvedAddress[]>, timeoutMs: number): Promise<readonly ResolvedAddress[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new OutboundError('timeout', 'did not resolve in time')), timeoutMs);
  });
  try {
    return await Promise.race([
      lookup.catch(() => {
        throw new OutboundError('unresolvable', 'does not resolve');
      }),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A `lookup` for net/tls that answers only with the checked addresses of the
 * checked host, and never asks DNS: the socket connects to what was checked.
 */
export function pinnedLookup(destination: CheckedDestination): LookupFunction {
  return (hostname, options, callback) => {
    const family =
      options.family === 4 || options.family === 'IPv4' ? 4 : options.family === 6 || options.family === 'IPv6' ? 6 : 0;
    const addresses = destination.addresses.filter((a) => family === 0 || a.family === family);
    const first = addresses[0];
    if (hostname !== destination.host || !first) {
      const error = Object.assign(new OutboundError('unresolvable', 'does not resolve'), { errno: 0, syscall: 'lookup' });
      process.nextTick(() => callback(error, ''));
      return;
    }
    if (options.all)
      process.nextTick(() =>
        callback(
          null,
          addresses.map((a) => ({ ...a })),
        ),
      );
    else process.nextTick(() => callback(null, first.address, first.family));
  };
}

type CreateConnection = (options: http.ClientRequestArgs) => Duplex;

/**
 * Opens an agent's connection through the policy: the host is resolved and
 * checked first, then the socket is created with the checked answer pinned.
 * (An IP literal is checked as such; net asks no lookup for it.) The socket
 * is handed over through the callback, as Node's agents allow.
 */
function connectChecked(
  policy: OutboundPolicy,
  options: http.ClientRequestArgs,
  create: CreateConnection,
  callback: ((error: Error | null, stream: Duplex) => void) | undefined,
): void {
  const host = options.host ?? options.hostname ?? 'localhost';
  policy.resolve(host).then(
    (destination) => {
      let socket: Duplex;
      try {
        socket = create({ ...options, lookup: pinnedLookup(destination) });
      } catch (error) {
        callback?.(error as Error, undefined as unknown as Duplex);
        return;
      }
      callback?.(null, socket);
    },
    (error: Error) => callback?.(error, undefined as unknown as Duplex),
  );
}

class CheckedHttpAgent extends http.Agent {
  constructor(private readonly policy: OutboundPolicy) {
    super({ keepAlive: false });
  }

  override createConnection(options: http.ClientRequestArgs, callback?: (error: Error | null, stream: Duplex) => void): Duplex {
    connectChecked(this.policy, options, (o) => super.createConnection(o), callback);
    // Node's agents take the socket from the callback when nothing is returned.
    return undefined as unknown as Duplex;
  }
}

class CheckedHttpsAgent extends https.Agent {
  constructor(private readonly policy: OutboundPolicy) {
    super({ keepAlive: false });
  }

  override createConnection(options: http.ClientRequestArgs, callback?: (error: Error | null, stream: Duplex) => void): Duplex {
    connectChecked(this.policy, options, (o) => super.createConnection(o), callback);
    return undefined as unknown as Duplex;
  }
}

/**
 * The stable code of a failed outbound connection, for reports and problem
 * documents: the policy's own codes, `timeout`, or `unreachable` — never the
 * socket's error code (ECONNREFUSED and the like) or message.
 */
export function outboundFailure(error: unknown): { code: OutboundErrorCode | 'unreachable'; refused?: RefusableClass } {
  if (error instanceof OutboundError) return { code: error.code, ...(error.refused && { refused: error.refused }) };
  const e = error as { name?: string; code?: string };
  if (e.name === 'TimeoutError' || e.name === 'AbortError' || e.code === 'ABORT_ERR' || e.code === 'ETIMEDOUT')
    return { code: 'timeout' };
  return { code: 'unreachable' };
}

/**
 * The check at write time (setting a webhook, an SMTP host, a JWKS address),
 * after the spelling check: the host is resolved and checked now, and the
 * reason is returned when the policy refuses it (e.g. "resolves to a private
 * address"). A name that does not resolve at the moment is not refused here —
 * DNS may not be set up yet — since every connection checks it again.
 */
export async function refusalAtWrite(policy: OutboundPolicy, host: string): Promise<string | undefined> {
  try {
    await policy.resolve(host);
    return undefined;
  } catch (error) {
    if (error instanceof OutboundError && error.code === 'refused-destination') return error.message;
    if (error instanceof OutboundError) return undefined;
    throw error;
  }
}
