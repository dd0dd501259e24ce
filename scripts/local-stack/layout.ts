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

// DynamoDB Local sits in the control plane's block (4000–4030, Redis at 4040–4041, KMS at 4501–4502), LiveKit in
// 7880–7896: every port's last three digits differ, so no port of one offset's stack can equal a port of another's.
export const DYNAMODB_PORT = 4030 + PORT_OFFSET;
/** The SES emulator (npm aws-ses-v2-local), one for both sites: it stands in for Amazon SES in each site's region. */
export const SES_PORT = 4020 + PORT_OFFSET;
/** The web client (web/, built by Vite, with its /config.json): its origin is the one the sites answer CORS for and the base of the links they mail. */
export const WEB_PORT = 4000 + PORT_OFFSET;
export const WEB_ORIGIN = `http://127.0.0.1:${WEB_PORT}`;

/** One livekit-server node: its HTTP/WebSocket port, its ICE TCP port and its one ICE UDP port. */
export interface LivekitNodePorts {
  readonly http: number;
  readonly tcp: number;
  readonly udp: number;
}

export interface SitePorts {
  readonly kms: number;
  /** The two nodes of the site's LiveKit cluster. */
  readonly livekitNodes: readonly [LivekitNodePorts, LivekitNodePorts];
  /** The Redis the cluster's nodes share. */
  readonly redis: number;
  readonly gateway: number;
}

const BASE_PORTS: Readonly<Record<SiteId, SitePorts>> = {
  fra: {
    kms: 4501,
    livekitNodes: [
      { http: 7880, tcp: 7881, udp: 7882 },
      { http: 7884, tcp: 7885, udp: 7886 },
    ],
    redis: 4040,
    gateway: 4001,
  },
  ams: {
    kms: 4502,
    livekitNodes: [
      { http: 7890, tcp: 7891, udp: 7892 },
      { http: 7894, tcp: 7895, udp: 7896 },
    ],
    redis: 4041,
    gateway: 4002,
  },
};

export const SITE_PORTS: Readonly<Record<SiteId, SitePorts>> = sitePortsAt(PORT_OFFSET);

export function sitePortsAt(offset: number): Readonly<Record<SiteId, SitePorts>> {
  const shift = (p: LivekitNodePorts): LivekitNodePorts => ({ http: p.http + offset, tcp: p.tcp + offset, udp: p.udp + offset });
  return Object.fromEntries(
    Object.entries(BASE_PORTS).map(([site, p]) => [
      site,
      {
        kms: p.kms + offset,
        livekitNodes: [shift(p.livekitNodes[0]), shift(p.livekitNodes[1])],
        redis: p.redis + offset,
        gateway: p.gateway + offset,
      },
    ]),
  ) as unknown as Record<SiteId, SitePorts>;
}

/** Every port a stack at this offset listens on (LiveKit's UDP ports included). */
export function stackPorts(offset: number): number[] {
  const sites = Object.values(sitePortsAt(offset)).flatMap((p) => [
    p.kms,
    p.redis,
    p.gateway,
    ...p.livekitNodes.flatMap((n) => [n.http, n.tcp, n.udp]),
  ]);
  return [4000, 4010, 4020, 4030].map((port) => port + offset).concat(sites);
}

export const LOCAL_SITES: readonly SiteId[] = SITE_IDS;

/** One livekit-server node of a local cluster, as stack.json lists it. */
export interface StackLivekitNode {
  /** Its name in `processes`, e.g. `livekit-fra-1`. */
  readonly name: string;
  readonly url: string;
  readonly tcpPort: number;
  readonly udpPort: number;
  /** The id LiveKit gave the node (`ND_…`), as its Redis registry and `room_node_map` name it. */
  readonly nodeId: string;
}

/** A LiveKit cluster of a local site: its nodes, the Redis they share, and the API key its nodes sign with. */
export interface StackCluster {
  readonly id: string;
  readonly redis: { readonly name: string; readonly port: number };
  readonly nodes: readonly StackLivekitNode[];
}

/** What a running stack publishes for tests, benchmarks and tools (written to .tools/run/stack.json). */
export interface StackSite {
  readonly id: SiteId;
  readonly region: string;
  readonly apiUrl: string;
  readonly kmsEndpoint: string;
  /** The site's LiveKit: `url` is its first node's (any node serves every room of the cluster). */
  readonly livekit: { readonly url: string; readonly apiKey: string; readonly apiSecret: string };
  /** The site's LiveKit clusters (one locally) and their nodes. */
  readonly clusters: readonly StackCluster[];
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
   * `dynamodb`, `ses`, `kms-<site>`, `redis-<site>`, `livekit-<site>-1` and `-2`, `gateway-<site>`, …
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
