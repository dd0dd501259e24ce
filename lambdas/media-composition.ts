import { RoomServiceClient } from 'livekit-server-sdk';
import { siteConfig, type MediaNodeConfig } from '../config/env.js';
import { mediaNodes, type MediaNode } from '../media/livekit/media-nodes.js';
import { currentSite, type Site } from './composition.js';
import { livekitApiSecret } from './livekit-secret.js';
import { BreakoutPlanStore } from './store/breakout-plan-store.js';
import { LobbyStore } from './store/lobby-store.js';
import { NodeStatusStore } from './store/node-status-store.js';

/**
 * The LiveKit half of the composition root. Only the route groups that talk to
 * LiveKit import this module, so only they bundle the LiveKit SDK and read the
 * API secret; cdk/route-groups.ts grants exactly those groups the secret.
 */
export interface MediaSite extends Site {
  readonly nodes: ReadonlyMap<string, MediaNode>;
  /** Each node's load as the webhooks report it, and which nodes an operator drains. */
  readonly nodeStatus: NodeStatusStore;
  /** The waiting room's tickets and decisions, and passcode attempts. */
  readonly lobby: LobbyStore;
  /** Each meeting's breakout plan. */
  readonly breakoutPlans: BreakoutPlanStore;
}

const config = siteConfig();

// Read at import, i.e. in Lambda's init phase before the first request, and kept for the container's life.
const apiSecret = await livekitApiSecret(config);

/** This site's own LiveKit deployment, with its resolved secret. */
export function ownMediaNode(): MediaNodeConfig {
  const { nodeId, url, apiKey } = config.livekit;
  return { id: nodeId, site: config.siteId, url, apiKey, apiSecret };
}

let rooms: RoomServiceClient | undefined;

/** The room service of this site's own LiveKit, for the health probe. */
export function ownLivekitRooms(): RoomServiceClient {
  const node = ownMediaNode();
  rooms ??= new RoomServiceClient(node.url, node.apiKey, node.apiSecret, {
    requestTimeout: Math.max(1, Math.ceil(config.dependencyTimeoutMs / 1000)),
  });
  return rooms;
}

let site: MediaSite | undefined;

/** The whole site plus every LiveKit node it may use: its own first, then other sites' for failover. */
export function currentMediaSite(): MediaSite {
  if (!site) {
    const base = currentSite();
    const { dynamodb } = base.clients;
    const { tableName } = base.config;
    site = {
      ...base,
      nodes: mediaNodes([ownMediaNode(), ...config.failoverNodes], config.dependencyTimeoutMs),
      nodeStatus: new NodeStatusStore(dynamodb, tableName),
      lobby: new LobbyStore(dynamodb, tableName, base.retentionOf, base.live),
      breakoutPlans: new BreakoutPlanStore(dynamodb, tableName, base.retentionOf),
    };
  }
  return site;
}
