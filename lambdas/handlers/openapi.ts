import { siteConfig } from '../../config/env.js';
import { openApiDocument } from '../api/openapi.js';
import { OPERATIONS } from '../api/operations/openapi.js';
import { route, routeGroup } from '../http/route.js';

const config = siteConfig();
const document = openApiDocument(config.apiUrls[config.siteId]);

export const handler = routeGroup(
  {},
  {
    'GET /v1/openapi.json': route(OPERATIONS['GET /v1/openapi.json'], async () => ({
      status: 200,
      body: document,
      headers: { 'cache-control': 'public, max-age=300' },
    })),
  },
);
