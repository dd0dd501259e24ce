import { emptyQuery } from '../schemas/common.js';
import { clusterList, clusterPath } from '../schemas/live.js';
import type { Operation } from '../operation.js';

/** The contract of the `media-nodes` route group's routes (see ../operations.ts). */
export const OPERATIONS = {
  'GET /v1/media/clusters': {
    operationId: 'listMediaClusters',
    summary:
      "The LiveKit clusters the site places meetings on (its own, then other sites' for failover), their status, health and load",
    tag: 'media (operator)',
    auth: 'operator',
    query: emptyQuery,
    success: { status: 200, description: 'The clusters', schema: clusterList },
  },
  'POST /v1/media/clusters/{clusterId}/drain': {
    operationId: 'drainMediaCluster',
    summary: 'Drain a media cluster: no new meeting is placed on it; its live rooms run on',
    tag: 'media (operator)',
    auth: 'operator',
    path: clusterPath,
    query: emptyQuery,
    success: { status: 200, description: 'The clusters', schema: clusterList },
  },
  'POST /v1/media/clusters/{clusterId}/undrain': {
    operationId: 'undrainMediaCluster',
    summary: 'Put a drained media cluster back into service',
    tag: 'media (operator)',
    auth: 'operator',
    path: clusterPath,
    query: emptyQuery,
    success: { status: 200, description: 'The clusters', schema: clusterList },
  },
} as const satisfies Record<string, Operation>;
