import { RoomServiceClient } from 'livekit-server-sdk';
import { siteConfig, type MediaNodeConfig } from '../config/env.js';
import { mediaNodes, type MediaNode } from '../media/livekit/media-nodes.js';
import { currentSite, type Site } from './composition.js';
import { livekitApiSecret } from './livekit-secret.js';

/**
 * The LiveKit half of the composition root. Only the route groups that talk to
 * LiveKit import this module, so only they bundle the LiveKit SDK and read the
 * API secret; cdk/route-groups.ts grants exactly those groups the secret.
 */
export interface MediaSite extends Site {
  readonly nodes: ReadonlyMap<string, MediaNode>;
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
  site ??= {
    ...currentSite(),
    nodes: mediaNodes([ownMediaNode(), ...config.failoverNodes], config.dependencyTimeoutMs),
  };
  return site;
}
