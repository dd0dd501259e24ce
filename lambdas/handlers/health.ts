import { siteConfig } from '../../config/env.js';
import { livekitClusterProbe } from '../../media/livekit/cluster-probe.js';
import { PROBE_DEADLINE_MS } from '../../media/livekit/media-clusters.js';
import { dynamodbClient, kmsClient } from '../clients.js';
import { summariseHealth } from '../domain/health.js';
import { ownLivekitEndpoints } from '../media-composition.js';
import { runProbe } from '../domain/probe.js';
import { OPERATIONS } from '../api/operations/health.js';
import { route, routeGroup } from '../http/route.js';
import { siteKeyProbe } from '../keys/site-key-probe.js';
import { tableProbe } from '../store/table-probe.js';

const config = siteConfig();

const probes = {
  dynamodb: tableProbe(dynamodbClient(config), config.tableName),
  kms: siteKeyProbe(kmsClient(config), config.siteKeyId, config.siteId),
  livekit: livekitClusterProbe(ownLivekitEndpoints()),
};

export const handler = routeGroup(
  {},
  {
    'GET /v1/health': route(OPERATIONS['GET /v1/health'], async () => {
      const timeout = config.dependencyTimeoutMs;
      const [dynamodb, kms, livekit] = await Promise.all([
        runProbe(probes.dynamodb, timeout),
        runProbe(probes.kms, timeout),
        // A cluster is unhealthy when none of its endpoints answers within about a second, whatever the reason.
        runProbe(probes.livekit, Math.min(timeout, PROBE_DEADLINE_MS)),
      ]);
      const { httpStatus, report } = summariseHealth(config.siteId, config.region, { dynamodb, kms, livekit });
      return {
        status: httpStatus,
        body: report,
        ...(httpStatus === 503 && { headers: { 'retry-after': '5' } }),
      };
    }),
  },
);
