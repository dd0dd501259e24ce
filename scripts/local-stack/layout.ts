import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SITE_IDS, type SiteId } from '../../config/sites.js';

/** Where everything of the local stack lives: addresses per docs/architecture.md (local stack), and the run directory. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const TOOLS_BIN = resolve(ROOT, '.tools/bin');
/** MEETPLANE_RUN_DIR (relative to the checkout) lets a second stack of one checkout keep its own (the fault runner's). */
export const RUN_DIR = resolve(ROOT, process.env.MEETPLANE_RUN_DIR ?? '.tools/run');
export const STACK_FILE = resolve(RUN_DIR, 'stack.json');

/**
 * Shifts every port of the stack, so that a second stack (another checkout's)
 * can run beside the first: MEETPLANE_PORT_OFFSET=1000 puts fra's gateway on
 * 5001, DynamoDB Local on 5030, and so on. 0 to 9000, in thousands (no two
 * of those stacks share a port: a unit test checks every pair).
 */
export const PORT_OFFSET = portOffset(process.env.MEETPLANE_PORT_OFFSET);

function portOffset(raw: string | undefined): number {
  const offset = Number(raw ?? '0');
  if (!Number.isInteger(offset) || offset < 0 || offset > 9000 || offset % 1000 !== 0)
    throw new Error(`MEETPLANE_PORT_OFFSET must be a multiple of 1000 from 0 to 9000; got ${raw}`);
  return offset;
}

// DynamoDB Local sits in the control plane's block (4000–4030, KMS at 4501–4502), LiveKit in 7880–7892: no port of
// one offset's stack can then equal a port of another's.
export const DYNAMODB_PORT = 4030 + PORT_OFFSET;
/** The SES emulator (npm aws-ses-v2-local), one for both sites: it stands in for Amazon SES in each site's region. */
export const SES_PORT = 4020 + PORT_OFFSET;
/** The web client (web/, built by Vite, with its /config.json): its origin is the one the sites answer CORS for and the base of the links they mail. */
export const WEB_PORT = 4000 + PORT_OFFSET;
export const WEB_ORIGIN = `http://127.0.0.1:${WEB_PORT}`;

export interface SitePorts {
  readonly kms: number;
  readonly livekit: number;
  readonly livekitTcp: number;
  readonly livekitUdp: number;
  readonly gateway: number;
}

export const SITE_PORTS: Readonly<Record<SiteId, SitePorts>> = {
  fra: shifted({ kms: 4501, livekit: 7880, livekitTcp: 7881, livekitUdp: 7882, gateway: 4001 }),
  ams: shifted({ kms: 4502, livekit: 7890, livekitTcp: 7891, livekitUdp: 7892, gateway: 4002 }),
};

function shifted(ports: SitePorts): SitePorts {
  return Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, port + PORT_OFFSET])) as unknown as SitePorts;
}

/** Every port a stack at this offset listens on (LiveKit's UDP port included). */
export function stackPorts(offset: number): number[] {
  const base = [4000, 4001, 4002, 4010, 4020, 4030, 4501, 4502, 7880, 7881, 7882, 7890, 7891, 7892];
  return base.map((port) => port + offset);
}

export const LOCAL_SITES: readonly SiteId[] = SITE_IDS;

/** What a running stack publishes for tests, benchmarks and tools (written to .tools/run/stack.json). */
export interface StackSite {
  readonly id: SiteId;
  readonly region: string;
  readonly apiUrl: string;
  readonly kmsEndpoint: string;
  readonly livekit: { readonly url: string; readonly apiKey: string; readonly apiSecret: string };
  readonly env: Readonly<Record<string, string>>;
}

export interface StackDescription {
  readonly pid: number;
  readonly startedAt: string;
  readonly dynamodbEndpoint: string;
  /** The SES emulator: `GET /store` lists what was sent. */
  readonly sesEndpoint: string;
  readonly operatorToken: string;
  readonly demoTenantId: string;
  /** The gateways run the route groups' deployable bundles (never the sources), staged in `bundles`. */
  readonly handlers: 'bundles';
  readonly bundles: string;
  /** The web client the stack serves (its build is in `dir`). */
  readonly web: { readonly url: string; readonly dir: string };
  readonly sites: Readonly<Record<SiteId, StackSite>>;
  /**
   * Each component's process (the leader of its own process group), by name:
   * `dynamodb`, `ses`, `kms-<site>`, `livekit-<site>`, `gateway-<site>`, …
   * With MEETPLANE_RESTARTABLE=1 the dependencies are restarted when they
   * exit, and this is rewritten with the new process's pid.
   */
  readonly processes?: Readonly<
    Record<string, { readonly pid: number; readonly restartable: boolean; readonly restarts: number }>
  >;
  /** The dev identity provider (an OpenID provider): its issuer, the web client's id and the demo users (password `demo`). */
  readonly idp: {
    readonly issuer: string;
    readonly clientId: string;
    readonly users: readonly { readonly user: string; readonly roles: readonly string[] }[];
  };
}
