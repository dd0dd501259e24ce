import { OPERATIONS } from '../api/operations/media-clusters.js';
import { currentMediaSite } from '../media-composition.js';
import { mediaClusterStates } from '../http/join-context.js';
import { problems } from '../http/problem.js';
import { operatorCallers } from '../http/auth/callers-of.js';
import { route, routeGroup } from '../http/route.js';

const site = currentMediaSite();
const { config } = site;

async function clusterList() {
  const states = await mediaClusterStates(site);
  return {
    status: 200,
    body: { items: states.map((s) => ({ ...s, endpoints: site.clusters.get(s.id)!.endpointHealth() })) },
  };
}

export const handler = routeGroup(operatorCallers(config), {
  'GET /v1/media/clusters': route(OPERATIONS['GET /v1/media/clusters'], async () => {
    return clusterList();
  }),

  'POST /v1/media/clusters/{clusterId}/drain': route(OPERATIONS['POST /v1/media/clusters/{clusterId}/drain'], async (request) => {
    if (!site.clusters.has(request.path.clusterId)) throw problems.notFound('No such media cluster');
    await site.clusterStatus.setClusterStatus(request.path.clusterId, 'draining');
    return clusterList();
  }),

  'POST /v1/media/clusters/{clusterId}/undrain': route(
    OPERATIONS['POST /v1/media/clusters/{clusterId}/undrain'],
    async (request) => {
      if (!site.clusters.has(request.path.clusterId)) throw problems.notFound('No such media cluster');
      await site.clusterStatus.setClusterStatus(request.path.clusterId, 'active');
      return clusterList();
    },
  ),
});
