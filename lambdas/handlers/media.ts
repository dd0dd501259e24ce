import { OPERATIONS } from '../api/operations/media-nodes.js';
import { currentMediaSite } from '../media-composition.js';
import { mediaNodeStates } from '../http/join-context.js';
import { problems } from '../http/problem.js';
import { operatorCallers } from '../http/auth/callers-of.js';
import { route, routeGroup } from '../http/route.js';

const site = currentMediaSite();
const { config } = site;

async function nodeList() {
  const states = await mediaNodeStates(site);
  return {
    status: 200,
    body: { items: states.map((s) => ({ ...s, url: site.nodes.get(s.id)!.config.url })) },
  };
}

export const handler = routeGroup(operatorCallers(config), {
  'GET /v1/media/nodes': route(OPERATIONS['GET /v1/media/nodes'], async () => {
    return nodeList();
  }),

  'POST /v1/media/nodes/{nodeId}/drain': route(OPERATIONS['POST /v1/media/nodes/{nodeId}/drain'], async (request) => {
    if (!site.nodes.has(request.path.nodeId)) throw problems.notFound('No such media node');
    await site.nodeStatus.setNodeStatus(request.path.nodeId, 'draining');
    return nodeList();
  }),

  'POST /v1/media/nodes/{nodeId}/undrain': route(OPERATIONS['POST /v1/media/nodes/{nodeId}/undrain'], async (request) => {
    if (!site.nodes.has(request.path.nodeId)) throw problems.notFound('No such media node');
    await site.nodeStatus.setNodeStatus(request.path.nodeId, 'active');
    return nodeList();
  }),
});
