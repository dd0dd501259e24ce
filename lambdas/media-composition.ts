import { RoomServiceClient } from 'livekit-server-sdk';
import { siteConfig, type MediaClusterConfig } from '../config/env.js';
import { mediaClusters, type MediaCluster } from '../media/livekit/media-clusters.js';
import { currentSite, type Site } from './composition.js';
import { livekitApiSecret, otherMediaClusters } from './livekit-secret.js';
import { BreakoutPlanStore } from './store/breakout-plan-store.js';
import { LobbyStore } from './store/lobby-store.js';
import { ClusterStatusStore } from './store/cluster-status-store.js';

/**
 * The LiveKit half of the composition root. Only the route groups that talk to
 * LiveKit import this module, so only they bundle the LiveKit SDK and read the
 * API secret; cdk/route-groups.ts grants exactly those groups the secret.
 */
export interface MediaSite extends Site {
  /** The LiveKit clusters this site places meetings on: its own, then other sites' for failover. */
  readonly clusters: ReadonlyMap<string, MediaCluster>;
  /** Each cluster's load as the webhooks report it, and which clusters an operator drains. */
  readonly clusterStatus: ClusterStatusStore;
  /** The waiting room's tickets and decisions, and passcode attempts. */
  readonly lobby: LobbyStore;
  /** Each meeting's breakout plan. */
  readonly breakoutPlans: BreakoutPlanStore;
}

const config = siteConfig();

// Read at import, i.e. in Lambda's init phase before the first request, and kept for the container's life.
const apiSecret = await livekitApiSecret(config);
// The other sites' clusters (failover, their webhooks), with their secrets read from the replicas in this region.
const otherClusters = await otherMediaClusters(config);

/** This site's own LiveKit cluster, with its resolved secret. */
export function ownMediaCluster(): MediaClusterConfig {
  const { clusterId, urls, apiKey } = config.livekit;
  return { id: clusterId, site: config.siteId, urls, apiKey, apiSecret };
}

let endpoints: RoomServiceClient[] | undefined;

/** The room service of each endpoint of this site's own cluster, for the health probe. */
export function ownLivekitEndpoints(): RoomServiceClient[] {
  const cluster = ownMediaCluster();
  endpoints ??= cluster.urls.map(
    (url) =>
      new RoomServiceClient(url, cluster.apiKey, cluster.apiSecret, {
        requestTimeout: Math.max(1, Math.ceil(config.dependencyTimeoutMs / 1000)),
      }),
  );
  return endpoints;
}

let site: MediaSite | undefined;

/** The whole site plus every LiveKit cluster it may use: its own first, then other sites' for failover. */
export function currentMediaSite(): MediaSite {
  if (!site) {
    const base = currentSite();
    const { dynamodb } = base.clients;
    const { tableName } = base.config;
    site = {
      ...base,
      clusters: mediaClusters([ownMediaCluster(), ...otherClusters], config.dependencyTimeoutMs),
      clusterStatus: new ClusterStatusStore(dynamodb, tableName),
      lobby: new LobbyStore(dynamodb, tableName, base.retentionOf, base.live),
      breakoutPlans: new BreakoutPlanStore(dynamodb, tableName, base.retentionOf),
    };
  }
  return site;
}
